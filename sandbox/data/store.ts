import { US_PER_DAY, clockUs, fmtTs } from '../dates';
import { Rng, makeId } from '../random';
import { Mutation, MutationResult, StreamName, TruthRecord } from '../types';
import { EVENT_WINDOW_US, changedFields, eventObjectType, generate, pickTaskKind } from './generator';
import { Materializer } from './materialize';
import {
  ACTIVITY_TYPES,
  ACT_CALL,
  ACT_CREATED,
  ACT_NOTE,
  CustomFieldKind,
  EventRec,
  Rec,
  RefKind,
  TASK_COMPLETE,
  TASK_LEAD,
} from './model';
import { SortedIndex } from './sorted-index';
import { World } from './world';

const byCreated = (r: Rec): number => r.created;
const byUpdated = (r: Rec): number => r.updated;
const byDue = (r: Rec): number => r.a;
const evByUpdated = (e: EventRec): number => e.updated;

export interface TaskIndexes {
  date_created: SortedIndex<Rec>;
  date_updated: SortedIndex<Rec>;
  date: SortedIndex<Rec>;
}

/**
 * The data set plus the indexes every list endpoint pages over. Indexes are kept
 * sorted through mutations so a page costs a binary search plus the page itself.
 */
export class Store {
  readonly w: World;
  readonly m: Materializer;
  readonly leadById = new Map<string, Rec>();
  readonly leadsByUpdated = new SortedIndex<Rec>(byUpdated);
  readonly leadsByCreated = new SortedIndex<Rec>(byCreated);
  readonly actsByCreated = new SortedIndex<Rec>(byCreated);
  readonly actsByType: SortedIndex<Rec>[];
  readonly tasksAll: TaskIndexes;
  readonly tasksLead: TaskIndexes;
  readonly oppsByUpdated = new SortedIndex<Rec>(byUpdated);
  readonly oppsByCreated = new SortedIndex<Rec>(byCreated);
  readonly contactsByCreated = new SortedIndex<Rec>(byCreated);
  /** For POST /data/search/, which filters and sorts contacts by date_updated (GET /contact/ cannot). */
  readonly contactsByUpdated = new SortedIndex<Rec>(byUpdated);
  readonly events = new SortedIndex<EventRec>(evByUpdated);
  private mutations = 0;

  constructor(opts: { seed: number; scale: number; nowUs: number }) {
    this.w = generate(opts);
    this.m = new Materializer(this.w);
    const w = this.w;
    for (const l of w.leads) this.leadById.set(l.id, l);
    this.leadsByUpdated.build(w.leads);
    this.leadsByCreated.build(w.leads);
    this.actsByCreated.build(w.acts);
    this.actsByType = ACTIVITY_TYPES.map((_, k) => {
      const idx = new SortedIndex<Rec>(byCreated);
      idx.arr = this.actsByCreated.arr.filter((a) => a.kind === k);
      return idx;
    });
    this.tasksAll = this.taskIndexes(w.tasks);
    this.tasksLead = this.taskIndexes(w.tasks.filter((t) => t.kind === TASK_LEAD));
    this.oppsByUpdated.build(w.opps);
    this.oppsByCreated.build(w.opps);
    this.contactsByCreated.build(w.contacts);
    this.contactsByUpdated.build(w.contacts);
    this.events.build(w.events);
  }

  private taskIndexes(tasks: Rec[]): TaskIndexes {
    return {
      date_created: new SortedIndex<Rec>(byCreated).build(tasks),
      date_updated: new SortedIndex<Rec>(byUpdated).build(tasks),
      date: new SortedIndex<Rec>(byDue).build(tasks),
    };
  }

  customFields(kind: CustomFieldKind) {
    return this.w.customFields.filter((f) => f.kind === kind);
  }

  /** Events older than 30 days (by the wall clock) are gone, as in Close. */
  eventCutoff(): number {
    return Date.now() * 1000 - EVENT_WINDOW_US;
  }

  truth(stream: StreamName): TruthRecord[] {
    const w = this.w;
    const recs = (rs: Rec[]): TruthRecord[] =>
      rs.map((r) => ({ id: r.id, date_created: fmtTs(r.created), date_updated: fmtTs(r.updated) }));
    const dated = (xs: { id: string; created: number; updated: number }[]): TruthRecord[] =>
      xs.map((x) => ({ id: x.id, date_created: fmtTs(x.created), date_updated: fmtTs(x.updated) }));
    switch (stream) {
      case 'activities':
        return recs(w.acts);
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
          .map((e) => ({ id: e.id, date_created: fmtTs(e.created), date_updated: fmtTs(e.updated) }));
      }
      default:
        throw new Error(`unknown stream: ${String(stream)}`);
    }
  }

  // ---------------------------------------------------------------- mutations

  mutate(mu: Mutation): MutationResult {
    const rng = new Rng(this.w.seed, 1_000_003 + this.mutations++);
    const changed: Partial<Record<StreamName, string[]>> = {};
    const note = (s: StreamName, id: string): void => {
      (changed[s] ??= []).push(id);
    };
    const w = this.w;
    const nUsers = w.users.length;
    const event = (kind: RefKind, r: Rec, action: string, prev: number, fields: string[]): void => {
      const ev = new EventRec(
        makeId(rng, 'ev_'),
        r.updated,
        r.updated,
        eventObjectType(kind, r),
        action,
        r,
        kind,
        prev,
        fields,
        r.user,
        makeId(rng, 'req_'),
        action === 'created' ? 'post' : 'put',
      );
      this.events.insert(ev);
      note('event_log', ev.id);
    };

    const addActivity = (li: number, kind: number, t: number): Rec => {
      const r = new Rec(makeId(rng, 'acti_'), kind, li, t, t, rng.u32() | 0, kind === ACT_CREATED ? w.leads[li].user : rng.int(nUsers), 0, 0);
      w.acts.push(r);
      w.children[li].acts.push(r);
      this.actsByCreated.insert(r);
      this.actsByType[kind].insert(r);
      note('activities', r.id);
      event('activity', r, 'created', 0, []);
      return r;
    };
    const addContact = (li: number, t: number): Rec => {
      const r = new Rec(makeId(rng, 'cont_'), 0, li, t, t, rng.u32() | 0, w.leads[li].user, 0, 0);
      w.contacts.push(r);
      w.children[li].contacts.push(r);
      this.contactsByCreated.insert(r);
      this.contactsByUpdated.insert(r);
      note('contacts', r.id);
      event('contact', r, 'created', 0, []);
      return r;
    };
    const addOpp = (li: number, t: number): Rec => {
      const r = new Rec(makeId(rng, 'oppo_'), rng.int(w.oppStatuses.length), li, t, t, rng.u32() | 0, rng.int(nUsers), (1 + rng.int(500)) * 10000, 0);
      w.opps.push(r);
      w.children[li].opps.push(r);
      this.oppsByCreated.insert(r);
      this.oppsByUpdated.insert(r);
      note('opportunities', r.id);
      event('opportunity', r, 'created', 0, []);
      return r;
    };
    const addTask = (li: number, t: number): Rec => {
      const kind = pickTaskKind(rng);
      const due = t + (1 + rng.int(14)) * US_PER_DAY;
      const r = new Rec(makeId(rng, 'task_'), kind, li, t, t, rng.u32() | 0, rng.int(nUsers), due, 0);
      w.tasks.push(r);
      w.children[li].tasks.push(r);
      this.taskIndexInsert(r);
      note('tasks', r.id);
      event('task', r, 'created', 0, []);
      return r;
    };
    const randomLead = (): number => rng.int(w.leads.length);

    for (let i = 0; i < (mu.newLeads ?? 0); i++) {
      const t = clockUs();
      const li = w.leads.length;
      const lead = new Rec(makeId(rng, 'lead_'), rng.int(w.leadStatuses.length), li, t, t, rng.u32() | 0, rng.int(nUsers), 0, 0);
      w.leads.push(lead);
      w.children.push({ contacts: [], opps: [], tasks: [], acts: [] });
      this.leadById.set(lead.id, lead);
      this.leadsByCreated.insert(lead);
      this.leadsByUpdated.insert(lead);
      note('leads', lead.id);
      event('lead', lead, 'created', 0, []);
      addActivity(li, ACT_CREATED, t);
      const nc = 1 + rng.int(2);
      for (let c = 0; c < nc; c++) addContact(li, t);
      if (rng.next() < 0.5) addOpp(li, t);
      if (rng.next() < 0.5) addTask(li, t);
    }

    const bump = (kind: RefKind, r: Rec, reindex: SortedIndex<Rec>[], stream: StreamName): void => {
      const prev = r.updated;
      for (const idx of reindex) idx.remove(r);
      r.updated = clockUs();
      r.ver++;
      for (const idx of reindex) idx.insert(r);
      note(stream, r.id);
      event(kind, r, 'updated', prev, changedFields(kind, rng));
    };

    for (const r of this.pickDistinct(rng, w.leads, mu.updatedLeads ?? 0)) {
      bump('lead', r, [this.leadsByUpdated], 'leads');
    }
    for (let i = 0; i < (mu.newActivities ?? 0); i++) {
      addActivity(randomLead(), rng.next() < 0.5 ? ACT_NOTE : ACT_CALL, clockUs());
    }
    for (const r of this.pickDistinct(rng, w.acts, mu.updatedActivities ?? 0)) {
      // date_created is the only activity index key, so an edit never moves it.
      bump('activity', r, [], 'activities');
    }
    for (let i = 0; i < (mu.newTasks ?? 0); i++) addTask(randomLead(), clockUs());
    for (const r of this.pickDistinct(rng, w.tasks, mu.updatedTasks ?? 0)) {
      const idxs = [this.tasksAll.date_updated];
      if (r.kind === TASK_LEAD) idxs.push(this.tasksLead.date_updated);
      r.b ^= TASK_COMPLETE;
      bump('task', r, idxs, 'tasks');
    }
    for (let i = 0; i < (mu.newOpportunities ?? 0); i++) addOpp(randomLead(), clockUs());
    for (const r of this.pickDistinct(rng, w.opps, mu.updatedOpportunities ?? 0)) {
      bump('opportunity', r, [this.oppsByUpdated], 'opportunities');
    }
    for (const r of this.pickDistinct(rng, w.contacts, mu.updatedContacts ?? 0)) {
      bump('contact', r, [this.contactsByUpdated], 'contacts');
    }
    for (const u of this.pickDistinct(rng, w.users, mu.updatedUsers ?? 0)) {
      u.updated = clockUs();
      u.last_used_timezone = u.last_used_timezone === 'UTC' ? 'Europe/London' : 'UTC';
      note('users', u.id);
    }
    const cfStream: Record<CustomFieldKind, StreamName> = {
      lead: 'custom_fields',
      contact: 'contact_custom_fields',
      opportunity: 'opportunity_custom_fields',
      activity: 'activity_custom_fields',
      shared: 'shared_custom_fields',
    };
    for (const f of this.pickDistinct(rng, w.customFields, mu.updatedCustomFields ?? 0)) {
      f.updated = clockUs();
      f.description = `${f.name} (edited ${fmtTs(f.updated).slice(0, 19)})`;
      f.updatedBy = rng.int(nUsers);
      note(cfStream[f.kind], f.id);
    }
    return { changed: changed as Record<StreamName, string[]> };
  }

  private taskIndexInsert(r: Rec): void {
    const sets = r.kind === TASK_LEAD ? [this.tasksAll, this.tasksLead] : [this.tasksAll];
    for (const s of sets) {
      s.date_created.insert(r);
      s.date_updated.insert(r);
      s.date.insert(r);
    }
  }

  private pickDistinct<T>(rng: Rng, arr: T[], n: number): T[] {
    n = Math.min(Math.max(0, Math.floor(n)), arr.length);
    if (n === arr.length) return arr.slice();
    const seen = new Set<number>();
    const out: T[] = [];
    while (out.length < n) {
      const i = rng.int(arr.length);
      if (seen.has(i)) continue;
      seen.add(i);
      out.push(arr[i]);
    }
    return out;
  }
}

