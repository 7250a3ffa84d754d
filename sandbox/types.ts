import type { DataSearchOptions } from './endpoints/data-search';

export type { DataSearchOptions };

export type FaultKind = 'status500' | 'status502' | 'status503' | 'status504' | 'reset' | 'truncated' | 'stall';

export interface RateLimitOptions {
  perGroupPerSecond: number;
  orgMultiplier?: number;
}

export interface FaultOptions {
  rate: number;
  kinds?: FaultKind[];
  stallMs?: number;
  seed?: number;
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
  /** POST /data/search/: limits, cursor lifetime, walk cap, index lag, clock. */
  search?: DataSearchOptions;
}

export type StreamName =
  | 'activities'
  | 'custom_fields'
  | 'event_log'
  | 'leads'
  | 'tasks'
  | 'users'
  | 'opportunities'
  | 'contacts'
  | 'lead_statuses'
  | 'opportunity_statuses'
  | 'pipelines'
  | 'email_templates'
  | 'sequences'
  | 'contact_custom_fields'
  | 'opportunity_custom_fields'
  | 'activity_custom_fields'
  | 'shared_custom_fields';

export const STREAM_NAMES: readonly StreamName[] = [
  'activities',
  'custom_fields',
  'event_log',
  'leads',
  'tasks',
  'users',
  'opportunities',
  'contacts',
  'lead_statuses',
  'opportunity_statuses',
  'pipelines',
  'email_templates',
  'sequences',
  'contact_custom_fields',
  'opportunity_custom_fields',
  'activity_custom_fields',
  'shared_custom_fields',
];

export interface TruthRecord {
  id: string;
  date_created?: string;
  date_updated?: string;
}

export interface Mutation {
  newLeads?: number;
  updatedLeads?: number;
  newActivities?: number;
  updatedActivities?: number;
  newTasks?: number;
  updatedTasks?: number;
  newOpportunities?: number;
  updatedOpportunities?: number;
  updatedContacts?: number;
  updatedUsers?: number;
  updatedCustomFields?: number;
}

export interface MutationResult {
  changed: Record<StreamName, string[]>;
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
  stats(): SandboxStats;
  resetStats(): void;
  setFaults(f: SandboxOptions['faults']): void;
  setRateLimit(r: SandboxOptions['rateLimit']): void;
  setLatency(ms: number): void;
  setSkipCap(n: number): void;
  /** Changes POST /data/search/'s options (cursors already issued keep working under the new ones). */
  setSearch(o: DataSearchOptions): void;
  script(rule: ScriptRule): void;
  clearScripts(): void;
  close(): Promise<void>;
}
