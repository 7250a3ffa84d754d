import type { KeyRole, SkipCapWording } from './endpoints/common';
import type { NaiveDateTimes } from './data/materialize';
import type { Marker } from './data/journal';
import type { DataSearchOptions } from './endpoints/data-search';
import type { Oracle } from './oracle';
import type { RefusalRules } from './refusals';
import { STREAM_NAMES as GENERATED_STREAM_NAMES } from '../src/generated';
import type { StreamName as GeneratedStreamName } from '../src/generated';

export type { KeyRole, SkipCapWording, NaiveDateTimes, Marker, DataSearchOptions };

export type FaultKind = 'status500' | 'status502' | 'status503' | 'status504' | 'reset' | 'truncated' | 'stall';

export interface RateLimitOptions {
  perGroupPerSecond: number;
  orgMultiplier?: number;
  /** `reset=` of the RateLimit header: whole seconds rounded up (default, as documented) or with milliseconds */
  resetFormat?: 'whole' | 'fraction';
  /**
   * The 429 body, deprecated by Close in 2024 ("All rate limit information should be in the headers"):
   * `recorded` (default): top-level keys with `rate_reset` a string, as recorded
   * (recorded/find_leads_rate_limit.json); `nested`: under `error` with numbers (FACTS.md's shape);
   * `none`: an empty body.
   */
  body?: 'recorded' | 'nested' | 'none';
}

export interface FaultOptions {
  rate: number;
  kinds?: FaultKind[];
  stallMs?: number;
  seed?: number;
}

/**
 * Live changes (sandbox/live.ts): while a client reads, every `every` API
 * requests served the sandbox applies a batch of changes.
 */
export interface LiveOptions {
  /** requests served between two batches */
  every: number;
  /** the changes' random seed (default: the sandbox's) */
  seed?: number;
  /** random changes per ordinary batch (default 6) */
  batchSize?: number;
  /** per ordinary batch, edits or deletions of records the latest answers served (default 2) */
  hits?: number;
  /** every k-th batch is a bulk import or bulk edit instead (default 5; 0: never) */
  bulkEvery?: number;
  /** records a bulk change touches at one instant (default 1500) */
  bulkSize?: number;
  /** batches before the account stands still again (default 30; 0: no limit) */
  maxBatches?: number;
}

export interface LiveRule {
  /** fires once, after this many served requests whose path starts with `path` */
  afterRequests: number;
  /** path prefix after /api/v1 (default: every path) */
  path?: string;
  /** the changes to make, or a callback that makes them */
  apply: Mutation | ((apply: (m: Mutation) => MutationResult) => void);
}

export interface LiveBatch {
  batch: number;
  /** the served-request count it followed */
  afterRequest: number;
  label: string;
  at: string;
  created: number;
  updated: number;
  deleted: number;
  merged: number;
  mutation: Mutation;
  result: MutationResult;
}

export interface LiveStatus {
  running: boolean;
  options: Required<LiveOptions> | null;
  requests: number;
  batches: LiveBatch[];
}

export interface SandboxOptions {
  port?: number;
  apiKey?: string;
  seed?: number;
  scale?: number;
  now?: Date;
  latencyMs?: number;
  rateLimit?: RateLimitOptions | null;
  faults?: FaultOptions | null;
  skipCap?: number;
  /** how the skip-cap 400 is worded (see SkipCapWording; default: the documented wording) */
  skipCapWording?: SkipCapWording;
  /** the key's role: `user` keys lose events' data/previous_data after an hour (default admin) */
  keyRole?: KeyRole;
  /** a 400 for an `_order_by` Close does not offer, instead of ignoring it as Close does (default false) */
  strictOrderBy?: boolean;
  /** date-times without a UTC offset (default none, as documented) */
  naiveDateTimes?: NaiveDateTimes;
  /** `_sandbox_version` in every record (default false) */
  recordVersions?: boolean;
  /** share of the generated contacts kept (default 1, about 1.8 per lead; the rest of the account is unchanged) */
  contactShare?: number;
  /** change the account while it is read (default: off) */
  live?: LiveOptions | null;
  /** POST /data/search/: limits, cursor lifetime, walk cap, index lag, clock. */
  search?: DataSearchOptions;
  /** endpoints refused for this key or plan: path prefix → 402, 403 or 404 (sandbox/refusals.ts; default none) */
  refuse?: RefusalRules;
}

/** Every stream the sandbox serves: one per schema in resources/schemas (the generated list). */
export type StreamName = GeneratedStreamName;

export const STREAM_NAMES: readonly StreamName[] = GENERATED_STREAM_NAMES;

export interface TruthRecord {
  id: string;
  date_created?: string;
  date_updated?: string;
  /** edits since the data set was generated (events: consolidations) */
  version?: number;
}

/**
 * Changes to apply at once (one instant: every record touched gets the same
 * millisecond, as a bulk import or bulk edit gives them in Close). Counts pick
 * records at random from the seed; `update`, `delete` and `merge` name them.
 * Edits and deletions apply to records that existed before this mutation,
 * creations come last.
 */
export interface Mutation {
  newLeads?: number;
  updatedLeads?: number;
  deletedLeads?: number;
  /** pairs of live leads merged (source into destination) */
  mergedLeads?: number;
  newContacts?: number;
  updatedContacts?: number;
  deletedContacts?: number;
  newOpportunities?: number;
  updatedOpportunities?: number;
  deletedOpportunities?: number;
  newTasks?: number;
  updatedTasks?: number;
  deletedTasks?: number;
  /** new Notes and Calls */
  newActivities?: number;
  /** new Emails: each answers its lead's latest thread or starts one */
  newEmails?: number;
  updatedActivities?: number;
  deletedActivities?: number;
  /** edits and deletions of activities pick among the N most recently created (0 or absent: any) */
  recentActivities?: number;
  newUsers?: number;
  updatedUsers?: number;
  newCustomFields?: number;
  updatedCustomFields?: number;
  deletedCustomFields?: number;
  /** new leads come with one contact and their Created activity only (an import) */
  minimalLeads?: boolean;
  /**
   * New leads are stamped evenly over this many milliseconds up to now, oldest
   * first, as an import that took that long (0 or absent: all at one instant).
   */
  newLeadsOverMs?: number;
  /** changes picked at random per stream of the resource engine and the activity-type streams (sandbox/resources) */
  resources?: Partial<Record<StreamName, { created?: number; updated?: number; deleted?: number }>>;
  /** records to edit, by id (any stream) */
  update?: string[];
  /** records to delete, by id (a lead takes its children along) */
  delete?: string[];
  /** [source, destination] lead ids to merge */
  merge?: [string, string][];
}

export interface MutationResult {
  /** created or updated, and not deleted since: what the next sync must bring */
  changed: Record<StreamName, string[]>;
  created: Partial<Record<StreamName, string[]>>;
  updated: Partial<Record<StreamName, string[]>>;
  deleted: Partial<Record<StreamName, string[]>>;
  merged: { source: string; destination: string }[];
  /** the instant every change was stamped with */
  at: string;
}

export interface SandboxStats {
  requests: number;
  byGroup: Record<string, number>;
  status429: number;
  faults: number;
  byStatus: Record<string, number>;
  maxInFlightByGroup: Record<string, number>;
}

export type ScriptResponse =
  | { status: number; headers?: Record<string, string>; body: string }
  | { hasMoreEmptyPage: true }
  | { dropField: string };

export interface ScriptRule {
  path: string;
  afterRequests?: number;
  times?: number;
  respond: ScriptResponse;
}

export interface Sandbox {
  url: string;
  apiKey: string;
  truth(stream: StreamName): TruthRecord[];
  mutate(m: Mutation): MutationResult;
  /** the truth over time, for live tests */
  oracle: Oracle;
  live: {
    start(opts: LiveOptions): void;
    stop(): void;
    status(): LiveStatus;
    rule(r: LiveRule): void;
    clearRules(): void;
  };
  setKeyRole(role: KeyRole): void;
  setSkipCapWording(w: SkipCapWording): void;
  stats(): SandboxStats;
  resetStats(): void;
  setFaults(f: SandboxOptions['faults']): void;
  setRateLimit(r: SandboxOptions['rateLimit']): void;
  setLatency(ms: number): void;
  setSkipCap(n: number): void;
  /** Changes POST /data/search/'s options (cursors already issued keep working under the new ones). */
  setSearch(o: DataSearchOptions): void;
  /** Replaces the refused endpoints (path prefix → 402, 403 or 404); `{}` refuses none. */
  setRefusals(rules: RefusalRules): void;
  script(rule: ScriptRule): void;
  clearScripts(): void;
  close(): Promise<void>;
}
