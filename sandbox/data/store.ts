import { clockUs, fmtTs } from '../dates';
import { ResourceEngine } from '../resources/engine';
import { ACTIVITY_SEEDS } from '../resources/seeds';
import { STREAM_NAMES, StreamName, TruthRecord } from '../types';
import { EVENT_WINDOW_US, generate } from './generator';
import { Journal, Marker } from './journal';
import { MaterializeOptions, Materializer } from './materialize';
import { ACTIVITY_TYPES, ACT_THREAD, CustomFieldKind, EventRec, Rec, RefKind, TASK_LEAD, taskDateKey } from './model';
import { SortedIndex } from './sorted-index';
import { World } from './world';

const byCreated = (r: Rec): number => r.created;
const byUpdated = (r: Rec): number => r.updated;
const byDue = (r: Rec): number => taskDateKey(r);
const evByUpdated = (e: EventRec): number => e.updated;

export interface TaskIndexes {
  date_created: SortedIndex<Rec>;
  date_updated: SortedIndex<Rec>;
  date: SortedIndex<Rec>;
}

export const CUSTOM_FIELD_STREAMS: Record<CustomFieldKind, StreamName> = {
  lead: 'custom_fields',
  contact: 'contact_custom_fields',
  opportunity: 'opportunity_custom_fields',
  activity: 'activity_custom_fields',
  shared: 'shared_custom_fields',
};

/** The activity-type streams (form_submissions …) by activity type index. */
const TYPE_STREAMS = new Map<number, StreamName>(
  ACTIVITY_SEEDS.map((s) => [ACTIVITY_TYPES.findIndex((t) => t.type === s.type), s.stream]),
);

/** Every stream a record is listed in: its own, and an activity type's where it has one. */
export function streamsOf(kind: RefKind, r: Rec): StreamName[] {
  const own = streamOf(kind, r);
  const typed = kind === 'activity' ? TYPE_STREAMS.get(r.kind) : undefined;
  return typed ? [own, typed] : [own];
}

/** The stream a record of this kind belongs to (resources: see ResourceEngine.seedOfRec). */
export function streamOf(kind: RefKind, r: Rec): StreamName {
  switch (kind) {
    case 'lead':
      return 'leads';
    case 'contact':
      return 'contacts';
    case 'opportunity':
      return 'opportunities';
    case 'task':
      return 'tasks';
    case 'resource':
      throw new Error(`streamOf: resource record ${r.id} (ask the ResourceEngine)`);
    default:
      return r.kind === ACT_THREAD ? 'email_threads' : 'activities';
  }
}

/** The streams whose records the Store's own generator makes (the rest: activity-type and resource seeds). */
const BUILT_IN_STREAMS = new Set<StreamName>([
  'activities',
  'email_threads',
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
]);
const TYPE_STREAM_NAMES = new Set<StreamName>(ACTIVITY_SEEDS.map((s) => s.stream));

function typeKindOf(stream: StreamName): number | undefined {
  for (const [kind, s] of TYPE_STREAMS) if (s === stream) return kind;
  return undefined;
}

export interface StoreOptions extends MaterializeOptions {
  seed: number;
  scale: number;
  nowUs: number;
  contactShare?: number;
}

/**
 * The data set plus the indexes every list endpoint pages over. Indexes are kept
 * sorted through changes so a page costs a binary search plus the page itself.
 * Deleted records leave every index and list a endpoint reads, but stay in
 * World's arrays (flagged `dead`) for their events and the oracle.
 */
export class Store {
  readonly w: World;
  readonly m: Materializer;
  readonly journal = new Journal();
  readonly leadById = new Map<string, Rec>();
  readonly leadsByUpdated = new SortedIndex<Rec>(byUpdated);
  readonly leadsByCreated = new SortedIndex<Rec>(byCreated);
  /** every activity except EmailThreads: what GET /activity/ lists by default */
  readonly actsByCreated = new SortedIndex<Rec>(byCreated);
  /** activities and EmailThreads together: GET /activity/?thread_emails=true|only */
  readonly actsAndThreads = new SortedIndex<Rec>(byCreated);
  /** per activity type (EmailThread: the threads) */
  readonly actsByType: SortedIndex<Rec>[];
  readonly tasksAll: TaskIndexes;
  readonly tasksLead: TaskIndexes;
  readonly oppsByUpdated = new SortedIndex<Rec>(byUpdated);
  readonly oppsByCreated = new SortedIndex<Rec>(byCreated);
  readonly contactsByCreated = new SortedIndex<Rec>(byCreated);
  /** For POST /data/search/, which filters and sorts contacts by date_updated (GET /contact/ cannot). */
  readonly contactsByUpdated = new SortedIndex<Rec>(byUpdated);
  readonly events = new SortedIndex<EventRec>(evByUpdated);
  /** Every resource served from its schema and a seed (sandbox/resources). */
  readonly resources: ResourceEngine;

  constructor(opts: StoreOptions) {
    this.w = generate(opts);
    this.m = new Materializer(this.w, opts);
    const w = this.w;
    for (const l of w.leads) this.leadById.set(l.id, l);
    this.leadsByUpdated.build(w.leads);
    this.leadsByCreated.build(w.leads);
    this.actsByCreated.build(w.acts);
    this.actsAndThreads.build([...w.acts, ...w.threads]);
    this.actsByType = ACTIVITY_TYPES.map((_, k) => {
      const idx = new SortedIndex<Rec>(byCreated);
      idx.arr = k === ACT_THREAD ? this.actsAndThreads.arr.filter((a) => a.kind === k) : this.actsByCreated.arr.filter((a) => a.kind === k);
      return idx;
    });
    this.tasksAll = this.taskIndexes(w.tasks);
    this.tasksLead = this.taskIndexes(w.tasks.filter((t) => t.kind === TASK_LEAD));
    this.oppsByUpdated.build(w.opps);
    this.oppsByCreated.build(w.opps);
    this.contactsByCreated.build(w.contacts);
    this.contactsByUpdated.build(w.contacts);
    this.resources = new ResourceEngine(this);
    this.m.resources = this.resources;
    this.events.build(w.events);
    const missing = STREAM_NAMES.filter((s) => !BUILT_IN_STREAMS.has(s) && !TYPE_STREAM_NAMES.has(s) && !this.resources.has(s));
    if (missing.length) throw new Error(`sandbox: no data for ${missing.join(', ')} (add a seed in sandbox/resources/seeds.ts)`);
  }

  private taskIndexes(tasks: Rec[]): TaskIndexes {
    return {
      date_created: new SortedIndex<Rec>(byCreated).build(tasks),
      date_updated: new SortedIndex<Rec>(byUpdated).build(tasks),
      date: new SortedIndex<Rec>(byDue).build(tasks),
    };
  }

  /** The wall clock changes are stamped with (ms precision, never going back). */
  now(): number {
    return clockUs();
  }

  mark(): Marker {
    return this.journal.mark(this.now());
  }

  customFields(kind: CustomFieldKind) {
    return this.w.customFields.filter((f) => f.kind === kind && !f.dead);
  }

  /** Events older than 30 days (by the wall clock) are gone, as in Close. */
  eventCutoff(): number {
    return Date.now() * 1000 - EVENT_WINDOW_US;
  }

  // ------------------------------------------------------------ index upkeep

  /** The indexes a record of this kind is listed in. */
  indexesOf(kind: RefKind, r: Rec): SortedIndex<Rec>[] {
    switch (kind) {
      case 'lead':
        return [this.leadsByUpdated, this.leadsByCreated];
      case 'contact':
        return [this.contactsByCreated, this.contactsByUpdated];
      case 'opportunity':
        return [this.oppsByUpdated, this.oppsByCreated];
      case 'task': {
        const sets = r.kind === TASK_LEAD ? [this.tasksAll, this.tasksLead] : [this.tasksAll];
        return sets.flatMap((s) => [s.date_created, s.date_updated, s.date]);
      }
      default:
        return r.kind === ACT_THREAD
          ? [this.actsAndThreads, this.actsByType[r.kind]]
          : [this.actsByCreated, this.actsAndThreads, this.actsByType[r.kind]];
    }
  }

  /** The indexes whose key is date_updated: a record leaves them before an edit and comes back after. */
  updatedIndexesOf(kind: RefKind, r: Rec): SortedIndex<Rec>[] {
    switch (kind) {
      case 'lead':
        return [this.leadsByUpdated];
      case 'contact':
        return [this.contactsByUpdated];
      case 'opportunity':
        return [this.oppsByUpdated];
      case 'task':
        return r.kind === TASK_LEAD ? [this.tasksAll.date_updated, this.tasksLead.date_updated] : [this.tasksAll.date_updated];
      default:
        return [];
    }
  }

  index(kind: RefKind, r: Rec): void {
    for (const idx of this.indexesOf(kind, r)) idx.insert(r);
    if (kind === 'lead') this.leadById.set(r.id, r);
  }

  unindex(kind: RefKind, r: Rec): void {
    for (const idx of this.indexesOf(kind, r)) idx.remove(r);
    if (kind === 'lead') this.leadById.delete(r.id);
  }

  // ------------------------------------------------------------------ truth

  /** What Close holds now, per stream, with each record's version (edits since generation). */
  truth(stream: StreamName): TruthRecord[] {
    const w = this.w;
    const recs = (rs: Rec[]): TruthRecord[] =>
      rs.filter((r) => !r.dead).map((r) => ({ id: r.id, date_created: fmtTs(r.created), date_updated: fmtTs(r.updated), version: r.ver }));
    const dated = (xs: { id: string; created: number; updated: number; ver?: number }[]): TruthRecord[] =>
      xs.map((x) => ({ id: x.id, date_created: fmtTs(x.created), date_updated: fmtTs(x.updated), version: x.ver ?? 0 }));
    switch (stream) {
      case 'activities':
        return recs(w.acts);
      case 'email_threads':
        return recs(w.threads);
      case 'leads':
        return recs(w.leads);
      case 'tasks':
        return recs(w.tasks);
      case 'opportunities':
        return recs(w.opps);
      case 'contacts':
        return recs(w.contacts);
      case 'users':
        return dated(w.users);
      case 'custom_fields':
        return dated(this.customFields('lead'));
      case 'contact_custom_fields':
        return dated(this.customFields('contact'));
      case 'opportunity_custom_fields':
        return dated(this.customFields('opportunity'));
      case 'activity_custom_fields':
        return dated(this.customFields('activity'));
      case 'shared_custom_fields':
        return dated(this.customFields('shared'));
      case 'lead_statuses':
        return w.leadStatuses.map((s) => ({ id: s.id }));
      case 'opportunity_statuses':
        return w.oppStatuses.map((s) => ({ id: s.id }));
      case 'pipelines':
        return dated(w.pipelines);
      case 'email_templates':
        return dated(w.templates);
      case 'sequences':
        return dated(w.sequences);
      case 'event_log': {
        const cutoff = this.eventCutoff();
        return this.events.arr
          .filter((e) => e.updated >= cutoff)
          .map((e) => ({ id: e.id, date_created: fmtTs(e.created), date_updated: fmtTs(e.updated), version: e.ver }));
      }
      default: {
        const kind = typeKindOf(stream);
        if (kind !== undefined) return recs(w.acts.filter((a) => a.kind === kind));
        if (this.resources.has(stream)) return this.resources.truth(stream);
        throw new Error(`unknown stream: ${String(stream)}`);
      }
    }
  }

  /** Every id the stream ever held (deleted ones too); event_log: every event, also past retention. */
  everIds(stream: StreamName): Set<string> {
    const w = this.w;
    const ids = (xs: { id: string }[]): Set<string> => new Set(xs.map((x) => x.id));
    switch (stream) {
      case 'activities':
        return ids(w.acts);
      case 'email_threads':
        return ids(w.threads);
      case 'leads':
        return ids(w.leads);
      case 'tasks':
        return ids(w.tasks);
      case 'opportunities':
        return ids(w.opps);
      case 'contacts':
        return ids(w.contacts);
      case 'event_log':
        return ids(this.events.arr);
      default: {
        const typed = typeKindOf(stream);
        if (typed !== undefined) return ids(w.acts.filter((a) => a.kind === typed));
        if (this.resources.has(stream)) return this.resources.everIds(stream);
        const kind = (Object.keys(CUSTOM_FIELD_STREAMS) as CustomFieldKind[]).find((k) => CUSTOM_FIELD_STREAMS[k] === stream);
        if (kind) return ids(w.customFields.filter((f) => f.kind === kind));
        return ids(this.truth(stream));
      }
    }
  }
}
