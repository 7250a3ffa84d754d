import { US_PER_DAY } from '../dates';
import { Rng, makeId } from '../random';
import { StreamName } from '../types';
import { eventObjectType, pickTaskKind } from './generator';
import { ChangeOp } from './journal';
import {
  ACT_CREATED,
  ACT_EMAIL,
  ACT_LEAD_MERGE,
  ACT_THREAD,
  CustomFieldDef,
  CustomFieldKind,
  EventRec,
  MergeMeta,
  Rec,
  RefKind,
  Snap,
  TASK_COMPLETE,
  User,
  snap,
} from './model';
import { CUSTOM_FIELD_STREAMS, Store, streamsOf } from './store';
import { fileEmail, liveEmails, threadUpdated } from './threads';
import { TIMEZONES } from './words';

/** What one mutation did, per stream. */
export interface ChangeLog {
  created: Partial<Record<StreamName, string[]>>;
  updated: Partial<Record<StreamName, string[]>>;
  deleted: Partial<Record<StreamName, string[]>>;
  merged: { source: string; destination: string }[];
}

export function emptyLog(): ChangeLog {
  return { created: {}, updated: {}, deleted: {}, merged: [] };
}

/** Two edits of one object this many change batches apart or fewer share one event (Close "consolidates" them). */
const CONSOLIDATE_BATCHES = 1;

/**
 * The changes Close makes to an account, one record at a time, each with the
 * events Close documents for it
 * (https://developer.close.com/api/resources/events/list-of-event-types.md):
 * - an edit moves the record's date_updated to now (activities keep their
 *   date_created, the only key /activity/ filters on) and writes an `updated`
 *   event, or folds into the object's event of the previous batch;
 * - a deletion removes the record from every list and writes a `deleted`
 *   event (object_type, object_id, lead_id; data null); deleting a lead
 *   deletes its contacts, opportunities, tasks and activities first, each
 *   with its own `deleted` event (documented);
 * - a merge moves the source lead's children to the destination (`updated`
 *   events), updates the destination, deletes the source and writes a
 *   `merged` event; every one carries meta.merge_source_lead_id and
 *   merge_destination_lead_id (documented), and a LeadMerge activity records
 *   it on the destination (documented activity type);
 * - adding or removing a contact updates its lead (documented trigger of the
 *   lead `updated` event); other child changes leave the lead alone (Close
 *   says they "may" move its date_updated: guess, they do not). So a custom
 *   object created or edited leaves its lead's date_updated as it was, and a
 *   comment edited its thread's updated_at (adding or removing one moves the
 *   thread: touchesParent): only their own events (object_type `custom_object`,
 *   GUESS, and `comment`; lead_id and data as for other objects) say so.
 */
export class Changes {
  /** the change batch in progress: consolidation compares batches, not wall time, so runs repeat */
  batch = 0;
  rng: Rng;
  log: ChangeLog = emptyLog();
  private readonly latestEvent = new Map<string, EventRec>();

  constructor(private readonly s: Store) {
    this.rng = new Rng(s.w.seed, 1_000_003);
  }

  private note(stream: StreamName, id: string, op: ChangeOp, t: number): void {
    const bucket = op === 'create' ? this.log.created : op === 'update' ? this.log.updated : this.log.deleted;
    (bucket[stream] ??= []).push(id);
    this.s.journal.note(stream, id, op, t);
  }

  // ---------------------------------------------------------------- events

  private emit(kind: RefKind, r: Rec, action: string, before: Snap | null, after: Snap | null, t: number, meta: MergeMeta | null): void {
    // Close lists no event for "Created" activities: the lead's own `created` event stands for them.
    if (kind === 'activity' && r.kind === ACT_CREATED) return;
    const objectType = kind === 'resource' ? this.s.resources.objectType(r) : eventObjectType(kind, r);
    // Resources Close does not log (roles, webhooks …) have no events.
    if (objectType === undefined) return;
    const prev = this.latestEvent.get(r.id);
    const folds =
      action === 'updated' &&
      !meta &&
      prev !== undefined &&
      !prev.meta &&
      (prev.action === 'created' || prev.action === 'updated') &&
      this.batch - prev.batch <= CONSOLIDATE_BATCHES;
    if (folds && prev) {
      this.s.events.remove(prev);
      prev.updated = t;
      prev.after = after;
      prev.ver++;
      prev.batch = this.batch;
      this.s.events.insert(prev);
      this.note('event_log', prev.id, 'update', t);
      return;
    }
    const ev = new EventRec(
      makeId(this.rng, 'ev_'),
      t,
      t,
      objectType,
      action,
      r,
      kind,
      before,
      after,
      r.user,
      makeId(this.rng, 'req_'),
      action === 'created' ? 'post' : action === 'deleted' ? 'delete' : 'put',
      meta,
    );
    ev.batch = this.batch;
    this.s.events.insert(ev);
    this.latestEvent.set(r.id, ev);
    this.note('event_log', ev.id, 'create', t);
  }

  // --------------------------------------------------------------- creation

  private add(kind: RefKind, r: Rec, list: Rec[], childList: Rec[] | null, t: number, meta: MergeMeta | null = null): Rec {
    list.push(r);
    childList?.push(r);
    this.s.index(kind, r);
    for (const stream of streamsOf(kind, r)) this.note(stream, r.id, 'create', t);
    this.emit(kind, r, 'created', null, snap(r), t, meta);
    return r;
  }

  /** A new lead, with the "Created" activity every lead has; `children` adds contacts, maybe an opportunity and a task. */
  createLead(t: number, children: 'default' | 'minimal'): Rec {
    const w = this.s.w;
    const rng = this.rng;
    const li = w.leads.length;
    const lead = new Rec(makeId(rng, 'lead_'), rng.int(w.leadStatuses.length), li, t, t, rng.u32() | 0, rng.int(w.users.length), 0, 0);
    w.children.push({ contacts: [], opps: [], tasks: [], acts: [], threads: [] });
    this.add('lead', lead, w.leads, null, t);
    this.createActivity(li, ACT_CREATED, t);
    const nc = children === 'minimal' ? 1 : 1 + rng.int(2);
    for (let c = 0; c < nc; c++) this.createContact(li, t, false);
    if (children === 'default') {
      if (rng.next() < 0.5) this.createOpportunity(li, t);
      if (rng.next() < 0.5) this.createTask(li, t);
    }
    return lead;
  }

  createContact(li: number, t: number, touchLead = true): Rec {
    const w = this.s.w;
    const r = new Rec(makeId(this.rng, 'cont_'), 0, li, t, t, this.rng.u32() | 0, w.leads[li].user, 0, 0);
    this.add('contact', r, w.contacts, w.children[li].contacts, t);
    // "A contact is added or removed (the contact_ids list of the lead changes)" triggers the lead's `updated`.
    if (touchLead) this.edit('lead', w.leads[li], t);
    return r;
  }

  createOpportunity(li: number, t: number): Rec {
    const w = this.s.w;
    const rng = this.rng;
    const r = new Rec(makeId(rng, 'oppo_'), rng.int(w.oppStatuses.length), li, t, t, rng.u32() | 0, rng.int(w.users.length), (1 + rng.int(500)) * 10000, 0);
    return this.add('opportunity', r, w.opps, w.children[li].opps, t);
  }

  createTask(li: number, t: number): Rec {
    const w = this.s.w;
    const rng = this.rng;
    const kind = pickTaskKind(rng);
    const due = t + (1 + rng.int(14)) * US_PER_DAY;
    const r = new Rec(makeId(rng, 'task_'), kind, li, t, t, rng.u32() | 0, rng.int(w.users.length), due, 0);
    return this.add('task', r, w.tasks, w.children[li].tasks, t);
  }

  /** An activity created now (Close: date_created = when it was created or synced into Close); an Email joins or opens a thread. */
  createActivity(li: number, kind: number, t: number, meta: MergeMeta | null = null, a = 0): Rec {
    const w = this.s.w;
    const user = kind === ACT_CREATED ? w.leads[li].user : this.rng.int(w.users.length);
    const r = new Rec(makeId(this.rng, 'acti_'), kind, li, t, t, this.rng.u32() | 0, user, a, 0);
    if (kind === ACT_EMAIL) {
      const { thread, created } = fileEmail(w, this.rng, r);
      this.add('activity', r, w.acts, w.children[li].acts, t, meta);
      if (created) {
        this.s.index('activity', thread);
        this.note('email_threads', thread.id, 'create', t);
        this.emit('activity', thread, 'created', null, snap(thread), t, meta);
      } else {
        this.touchThread(thread, t, meta);
      }
      return r;
    }
    return this.add('activity', r, w.acts, w.children[li].acts, t, meta);
  }

  createUser(t: number): User {
    const w = this.s.w;
    const rng = this.rng;
    const id = makeId(rng, 'user_');
    const u: User = {
      id,
      first_name: 'New',
      last_name: `Member ${w.users.length}`,
      email: `member${w.users.length}@sandbox-crm.example`,
      image: 'https://secure.gravatar.com/avatar/' + id.slice(5, 37).toLowerCase(),
      last_used_timezone: rng.pick(TIMEZONES),
      created: t,
      updated: t,
      verified: t,
      ver: 0,
    };
    w.users.push(u);
    this.note('users', u.id, 'create', t);
    return u;
  }

  createCustomField(kind: CustomFieldKind, t: number): CustomFieldDef {
    const w = this.s.w;
    const n = w.customFields.filter((f) => f.kind === kind).length;
    const f: CustomFieldDef = {
      id: makeId(this.rng, 'cf_'),
      kind,
      name: `Added field ${n + 1}`,
      type: 'text',
      accepts_multiple_values: false,
      choices: null,
      description: '',
      editable_with_roles: [],
      required: false,
      created: t,
      updated: t,
      createdBy: this.rng.int(w.users.length),
      updatedBy: this.rng.int(w.users.length),
      ver: 0,
      dead: 0,
      added: true,
    };
    w.customFields.push(f);
    this.s.m.refreshCustomFields();
    this.note(CUSTOM_FIELD_STREAMS[kind], f.id, 'create', t);
    return f;
  }

  // ------------------------------------------------------------------ edits

  /** An edit: date_updated moves to `t` (records keyed on it move in their indexes), the version goes up. */
  edit(kind: RefKind, r: Rec, t: number, meta: MergeMeta | null = null, moveTo?: number): void {
    if (r.dead) return;
    const before = snap(r);
    const reindex = this.s.updatedIndexesOf(kind, r);
    for (const idx of reindex) idx.remove(r);
    if (moveTo !== undefined) this.moveChild(kind, r, moveTo);
    r.updated = t;
    r.ver++;
    if (kind === 'task' && moveTo === undefined) r.b ^= TASK_COMPLETE;
    if (kind === 'lead' && moveTo === undefined && this.rng.next() < 0.3) r.kind = this.rng.int(this.s.w.leadStatuses.length);
    for (const idx of reindex) idx.insert(r);
    for (const stream of streamsOf(kind, r)) this.note(stream, r.id, 'update', t);
    this.emit(kind, r, 'updated', before, snap(r), t, meta);
    if (kind === 'activity' && r.kind === ACT_EMAIL && moveTo === undefined) this.touchThread(this.s.w.threads[r.a], t, meta);
  }

  private touchThread(thread: Rec, t: number, meta: MergeMeta | null): void {
    if (thread.dead) return;
    const before = snap(thread);
    thread.updated = Math.max(t, threadUpdated(this.s.w, thread));
    thread.ver++;
    this.note('email_threads', thread.id, 'update', t);
    this.emit('activity', thread, 'updated', before, snap(thread), t, meta);
  }

  /** Moves a child to another lead's lists (a merge). */
  private moveChild(kind: RefKind, r: Rec, toLead: number): void {
    const lists = (li: number): Rec[] => {
      const ch = this.s.w.children[li];
      if (kind === 'contact') return ch.contacts;
      if (kind === 'opportunity') return ch.opps;
      if (kind === 'task') return ch.tasks;
      return r.kind === ACT_THREAD ? ch.threads : ch.acts;
    };
    const from = lists(r.lead);
    const i = from.indexOf(r);
    if (i >= 0) from.splice(i, 1);
    r.lead = toLead;
    lists(toLead).push(r);
  }

  editUser(u: User, t: number): void {
    u.updated = t;
    u.ver++;
    u.last_used_timezone = u.last_used_timezone === 'UTC' ? 'Europe/London' : 'UTC';
    this.note('users', u.id, 'update', t);
  }

  editCustomField(f: CustomFieldDef, t: number): void {
    if (f.dead) return;
    f.updated = t;
    f.ver++;
    f.description = `${f.name} (edit ${f.ver})`;
    f.updatedBy = this.rng.int(this.s.w.users.length);
    this.note(CUSTOM_FIELD_STREAMS[f.kind], f.id, 'update', t);
  }

  // -------------------------------------------------------------- deletions

  delete(kind: RefKind, r: Rec, t: number, meta: MergeMeta | null = null, cascading = false): void {
    if (r.dead) return;
    const w = this.s.w;
    if (kind === 'lead') {
      const ch = w.children[r.lead];
      // Documented: deleting a lead deletes its child objects, each with a `deleted` event (comment threads and
      // subscriptions on it too: GUESS, Close says so for activities, opportunities, tasks and contacts).
      for (const { stream, rec } of this.s.resources.ofLead(r.lead)) this.deleteResource(stream, rec, t, true);
      for (const c of [...ch.contacts]) this.delete('contact', c, t, meta, true);
      for (const o of [...ch.opps]) this.delete('opportunity', o, t, meta, true);
      for (const k of [...ch.tasks]) this.delete('task', k, t, meta, true);
      for (const a of [...ch.acts]) this.delete('activity', a, t, meta, true);
      for (const th of [...ch.threads]) this.delete('activity', th, t, meta, true);
    }
    const before = snap(r);
    this.s.unindex(kind, r);
    this.detach(kind, r);
    r.dead = t;
    for (const stream of streamsOf(kind, r)) this.note(stream, r.id, 'delete', t);
    this.emit(kind, r, 'deleted', before, null, t, meta);
    if (cascading) return;
    if (kind === 'contact') this.edit('lead', w.leads[r.lead], t, meta);
    if (kind === 'activity' && r.kind === ACT_EMAIL) {
      const thread = w.threads[r.a];
      // Guess: a thread whose last email is gone goes too.
      if (liveEmails(w, thread).length === 0) this.delete('activity', thread, t, meta, true);
      else this.touchThread(thread, t, meta);
    }
  }

  private detach(kind: RefKind, r: Rec): void {
    if (kind === 'lead') return;
    const ch = this.s.w.children[r.lead];
    const list = kind === 'contact' ? ch.contacts : kind === 'opportunity' ? ch.opps : kind === 'task' ? ch.tasks : r.kind === ACT_THREAD ? ch.threads : ch.acts;
    const i = list.indexOf(r);
    if (i >= 0) list.splice(i, 1);
  }

  deleteCustomField(f: CustomFieldDef, t: number): void {
    if (f.dead) return;
    f.dead = t;
    this.s.m.refreshCustomFields();
    this.note(CUSTOM_FIELD_STREAMS[f.kind], f.id, 'delete', t);
  }

  // -------------------------------------------------------------- resources

  /** A resource record created now (sandbox/resources), under a random parent and lead where it has them. */
  createResource(stream: StreamName, t: number): Rec | null {
    const r = this.s.resources.newRecord(stream, t, this.rng);
    if (!r) return null;
    this.note(stream, r.id, 'create', t);
    this.emit('resource', r, 'created', null, snap(r), t, null);
    this.touchParent(r, t);
    return r;
  }

  /** An edit of a resource record: date_updated (or updated_at) moves to now, the edited field shows the version. */
  editResource(stream: StreamName, r: Rec, t: number): void {
    if (r.dead) return;
    const before = snap(r);
    r.updated = t;
    r.ver++;
    this.note(stream, r.id, 'update', t);
    this.emit('resource', r, 'updated', before, snap(r), t, null);
  }

  /** A deletion: the record and its children leave every list, each with a `deleted` event where Close logs the kind. */
  deleteResource(stream: StreamName, r: Rec, t: number, cascading = false): void {
    if (r.dead) return;
    for (const child of this.s.resources.childrenOf(r)) this.deleteResource(child.stream, child.rec, t, true);
    const before = snap(r);
    r.dead = t;
    this.note(stream, r.id, 'delete', t);
    this.emit('resource', r, 'deleted', before, null, t, null);
    if (!cascading) this.touchParent(r, t);
  }

  /** A child added or removed changes its parent (a thread's num_comments and updated_at), for seeds that say so. */
  private touchParent(r: Rec, t: number): void {
    const seed = this.s.resources.seedOfRec(r);
    const parent = seed.touchesParent ? this.s.resources.parentRec(r) : null;
    if (parent && seed.parent) this.editResource(seed.parent.stream, parent, t);
  }

  // ------------------------------------------------------------------ merge

  /** Merges `source` into `destination` the way Close documents it. */
  merge(source: Rec, destination: Rec, t: number): void {
    if (source === destination || source.dead || destination.dead) return;
    const w = this.s.w;
    const meta: MergeMeta = { merge_source_lead_id: source.id, merge_destination_lead_id: destination.id };
    const ch = w.children[source.lead];
    const moves: [RefKind, Rec][] = [
      ...ch.contacts.map((r): [RefKind, Rec] => ['contact', r]),
      ...ch.opps.map((r): [RefKind, Rec] => ['opportunity', r]),
      ...ch.tasks.map((r): [RefKind, Rec] => ['task', r]),
      // The source's "Created" activity goes with it (guess): the destination keeps its own.
      ...ch.acts.filter((a) => a.kind !== ACT_CREATED).map((r): [RefKind, Rec] => ['activity', r]),
      ...ch.threads.map((r): [RefKind, Rec] => ['activity', r]),
    ];
    for (const [kind, r] of moves) this.edit(kind, r, t, meta, destination.lead);
    // Comment threads, comments and subscriptions on the source lead move with its objects (GUESS).
    for (const { stream, rec } of this.s.resources.ofLead(source.lead)) {
      rec.lead = destination.lead;
      this.editResource(stream, rec, t);
    }
    this.edit('lead', destination, t, meta);
    this.delete('lead', source, t, meta);
    this.log.merged.push({ source: source.id, destination: destination.id });
    this.emit('lead', destination, 'merged', null, snap(destination), t, meta);
    this.createActivity(destination.lead, ACT_LEAD_MERGE, t, meta, source.lead);
  }
}
