import type { StreamName, StreamRecordMap } from '../../src/generated';
import { Rng } from '../random';

export type Json = Record<string, unknown>;

/** A lead as a seed's values see it. */
export interface LeadRef {
  id: string;
  name: string;
}

/** What a value function knows about the record it fills in. */
export interface ValueCtx {
  /** random numbers for this record and field: the same on every render of the same version */
  rng: Rng;
  /** the record's position among the stream's records (children: among their parent's) */
  index: number;
  id: string;
  created: number;
  updated: number;
  /** edits since generation */
  ver: number;
  /** the key's user */
  me: string;
  users: readonly string[];
  orgId: string;
  /** a date-time as this resource prints it (naive or with +00:00) */
  ts(us: number): string;
  day(us: number): string;
  now: number;
  /** the fields filled in so far (schema defaults, then the seed's values in order) */
  record: Json;
  /** the parent record (child resources) */
  parent: Json | null;
  /** the lead the record belongs to (resources with `lead: true`, activities) */
  lead: LeadRef | null;
  /** a contact of that lead, if it has any */
  leadContact(): { id: string; name: string; email: string } | null;
  /** an activity of that lead, if it has any */
  leadActivity(): { id: string; type: string; eventType: string } | null;
  /** live ids of another stream (references) */
  ids(stream: StreamName): string[];
  /** the live children of this record in a child stream */
  children(stream: StreamName): Json[];
  /** the live custom field definitions of a definitions stream whose `link` field is `value` (a type's fields) */
  definitions(stream: StreamName, link: string, value: unknown): Json[];
}

export type ValueSpec = (c: ValueCtx) => unknown;

/** A query parameter Close honours on the list. */
export interface FilterSpec {
  param: string;
  /** the record field compared (default: param) */
  field?: string;
  /** the comma-separated `__in` form */
  in?: string;
  /** applied when neither is given (`me`: the key's user) */
  default?: string;
}

/**
 * A Close resource the sandbox serves from its schema
 * (resources/schemas/<stream>.json) and this description, with no endpoint
 * code: list (paged or not), GET <path><id>/, filters, truth, oracle, and
 * live edits, creations and deletions with their events.
 */
export interface ResourceSeed<S extends StreamName = StreamName> {
  stream: S;
  /** the list endpoint below /api/v1 */
  path: string;
  /** id prefix of generated records */
  idPrefix: string;
  /** the primary key field, when it is not `id` */
  key?: string;
  /** records to generate at this scale (children: per parent) */
  count(scale: number, parentIndex: number): number;
  /** which date fields the objects have (default `date`: date_created/date_updated) */
  dates?: 'date' | 'at' | 'none';
  /** dates without a UTC offset, as Close's framework prints them for this resource */
  naiveDates?: boolean;
  /** the largest `_limit` (a 400 above it); absent: Close documents no paging, so everything comes at once */
  maxLimit?: number;
  /** listed per parent: the list needs `param` (or another of `required`), records carry the parent id in `field` */
  parent?: { stream: StreamName; param: string; field: string };
  /** the list answers 400 unless at least one of these is given */
  required?: readonly string[];
  filters?: readonly FilterSpec[];
  /** records belong to a lead (deleted with it; events carry its lead_id) */
  lead?: boolean;
  /** values by field, applied in order after the schema's plausible defaults */
  values?: { [K in keyof StreamRecordMap[S]]?: ValueSpec } & Record<string, ValueSpec | undefined>;
  /** fields Close sends that the schema leaves out (secrets the connector must drop) */
  extra?: Record<string, ValueSpec>;
  /** fields only GET <path><id>/ has */
  detailOnly?: readonly string[];
  /** records that are always there first, over the generated values (predefined roles) */
  fixed?: readonly Partial<StreamRecordMap[S]>[];
  /** only records where one of these fields is the key's user exist for the key (send_as) */
  visibleWhen?: readonly string[];
  /** served inside GET /organization/{id}/ (two lists: `active` and `inactive`), not at `path` */
  embedded?: { active: string; inactive: string; inactiveShare: number };
  /**
   * `custom.<field id>` values, for the definitions of `definitions` whose
   * `link` field equals the record's (custom objects: the custom object
   * custom fields of their type); 70% of them set, each by the field's type.
   */
  customFields?: { definitions: StreamName; link: string };
  /** the event log's object_type for these objects (where Close logs them) */
  eventObjectType?: string;
  /** the field an edit changes (default: description, name or text) */
  editField?: string;
  /** a child created or deleted edits its parent too (a thread's num_comments and updated_at) */
  touchesParent?: boolean;
  /**
   * The queries (`{me}`: the key's user; `{lead}`: one query per live lead) whose answers together hold every
   * record the key can see, where one plain list does not (Smart Views of
   * every type, Send As both ways): what a complete client sends, and what
   * the sandbox's own tests read.
   */
  readAll?: readonly string[];
}

/** An activity type with its own endpoint, served by the activity engine: also listed in /activity/. */
export interface ActivitySeed<S extends StreamName = StreamName> {
  stream: S;
  /** `_type` */
  type: string;
  /** /activity/<endpoint>/ */
  endpoint: string;
  eventType: string;
  /** chance that a generated lead has one (each lead draws from its own random stream) */
  perLead: number;
  values?: { [K in keyof StreamRecordMap[S]]?: ValueSpec } & Record<string, ValueSpec | undefined>;
}

// ------------------------------------------------------------ value helpers

export const always =
  (v: unknown): ValueSpec =>
  () =>
    v;
export const oneOf =
  (vs: readonly unknown[]): ValueSpec =>
  (c) =>
    c.rng.pick(vs);
/** By position, so that every value appears once there are as many records as values. */
export const cycle =
  (vs: readonly unknown[]): ValueSpec =>
  (c) =>
    vs[c.index % vs.length];
export const user: ValueSpec = (c) => c.rng.pick(c.users);
export const someOf =
  (vs: readonly unknown[], max = 3): ValueSpec =>
  (c) => {
    const n = c.rng.int(Math.min(max, vs.length) + 1);
    return [...new Set(Array.from({ length: n }, () => c.rng.pick(vs)))];
  };
export const ref =
  (stream: StreamName, nullChance = 0): ValueSpec =>
  (c) => {
    const ids = c.ids(stream);
    return ids.length === 0 || c.rng.next() < nullChance ? null : c.rng.pick(ids);
  };
export const maybe =
  (chance: number, spec: ValueSpec): ValueSpec =>
  (c) =>
    c.rng.next() < chance ? spec(c) : null;
export const fixedCount =
  (n: number) =>
  (): number =>
    n;
/** Grows with the account: `perScale` per generated lead, at least `min`, at most `max`. */
export const scaled =
  (perScale: number, min: number, max = Infinity) =>
  (scale: number): number =>
    Math.max(min, Math.min(max, Math.round(scale * perScale)));
