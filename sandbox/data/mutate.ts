import { fmtTs } from '../dates';
import { Rng } from '../random';
import { Mutation, MutationResult, STREAM_NAMES, StreamName } from '../types';
import { Changes } from './changes';
import { ACTIVITY_SEEDS } from '../resources/seeds';
import { ACTIVITY_TYPES, ACT_CALL, ACT_EMAIL, ACT_LEAD_MERGE, ACT_NOTE, CustomFieldDef, CustomFieldKind, Rec, RefKind, User } from './model';
import { Store } from './store';

type Found = { kind: RefKind; rec: Rec } | { user: User } | { field: CustomFieldDef } | { resource: StreamName; rec: Rec };

const PREFIX_KIND: [string, RefKind][] = [
  ['lead_', 'lead'],
  ['cont_', 'contact'],
  ['oppo_', 'opportunity'],
  ['task_', 'task'],
  ['acti_', 'activity'],
];

/** A live record by id, whatever its stream. */
export function findById(s: Store, id: string): Found | null {
  const w = s.w;
  if (id.startsWith('user_')) {
    const u = w.users.find((x) => x.id === id);
    return u ? { user: u } : null;
  }
  if (id.startsWith('cf_')) {
    const f = w.customFields.find((x) => x.id === id && !x.dead);
    if (f) return { field: f };
    // custom object custom fields are a resource of the engine (sandbox/resources)
    const found = s.resources.findById(id);
    return found ? { resource: found.stream, rec: found.rec } : null;
  }
  const kind = PREFIX_KIND.find(([p]) => id.startsWith(p))?.[1];
  if (!kind) {
    const found = s.resources.findById(id);
    return found ? { resource: found.stream, rec: found.rec } : null;
  }
  const pool = kind === 'lead' ? w.leads : kind === 'contact' ? w.contacts : kind === 'opportunity' ? w.opps : kind === 'task' ? w.tasks : [...w.acts, ...w.threads];
  const rec = kind === 'lead' ? s.leadById.get(id) : pool.find((r) => r.id === id && !r.dead);
  return rec ? { kind, rec } : null;
}

function pick<T>(rng: Rng, pool: T[], n: number): T[] {
  n = Math.min(Math.max(0, Math.floor(n)), pool.length);
  if (n === pool.length) return pool.slice();
  const seen = new Set<number>();
  const out: T[] = [];
  while (out.length < n) {
    const i = rng.int(pool.length);
    if (seen.has(i)) continue;
    seen.add(i);
    out.push(pool[i]);
  }
  return out;
}

const alive = (rs: Rec[]): Rec[] => rs.filter((r) => !r.dead);

/** Applies a Mutation through `changes`, all of it at one instant. */
export function applyMutation(s: Store, changes: Changes, mu: Mutation, rng: Rng): MutationResult {
  const w = s.w;
  const t = s.now();
  changes.rng = rng;
  changes.log = { created: {}, updated: {}, deleted: {}, merged: [] };

  // Named records first.
  for (const id of mu.update ?? []) {
    const f = findById(s, id);
    if (!f) continue;
    if ('user' in f) changes.editUser(f.user, t);
    else if ('field' in f) changes.editCustomField(f.field, t);
    else if ('resource' in f) changes.editResource(f.resource, f.rec, t);
    else changes.edit(f.kind, f.rec, t);
  }
  for (const [src, dst] of mu.merge ?? []) {
    const a = s.leadById.get(src);
    const b = s.leadById.get(dst);
    if (a && b) changes.merge(a, b, t);
  }
  for (const id of mu.delete ?? []) {
    const f = findById(s, id);
    if (!f || 'user' in f) continue;
    if ('field' in f) changes.deleteCustomField(f.field, t);
    else if ('resource' in f) changes.deleteResource(f.resource, f.rec, t);
    else changes.delete(f.kind, f.rec, t);
  }

  // Edits of records that existed before this mutation.
  const activityPool = (): Rec[] => {
    const all = s.actsByCreated.arr;
    return mu.recentActivities ? all.slice(Math.max(0, all.length - mu.recentActivities)) : all;
  };
  for (const r of pick(rng, alive(w.leads), mu.updatedLeads ?? 0)) changes.edit('lead', r, t);
  for (const r of pick(rng, alive(w.contacts), mu.updatedContacts ?? 0)) changes.edit('contact', r, t);
  for (const r of pick(rng, alive(w.opps), mu.updatedOpportunities ?? 0)) changes.edit('opportunity', r, t);
  for (const r of pick(rng, alive(w.tasks), mu.updatedTasks ?? 0)) changes.edit('task', r, t);
  for (const r of pick(rng, activityPool(), mu.updatedActivities ?? 0)) changes.edit('activity', r, t);
  for (const u of pick(rng, w.users, mu.updatedUsers ?? 0)) changes.editUser(u, t);
  for (const f of pick(rng, w.customFields.filter((x) => !x.dead), mu.updatedCustomFields ?? 0)) changes.editCustomField(f, t);

  // Merges and deletions.
  for (let i = 0; i < (mu.mergedLeads ?? 0); i++) {
    const [a, b] = pick(rng, alive(w.leads), 2);
    if (a && b) changes.merge(a, b, t);
  }
  for (const r of pick(rng, alive(w.contacts), mu.deletedContacts ?? 0)) changes.delete('contact', r, t);
  for (const r of pick(rng, alive(w.opps), mu.deletedOpportunities ?? 0)) changes.delete('opportunity', r, t);
  for (const r of pick(rng, alive(w.tasks), mu.deletedTasks ?? 0)) changes.delete('task', r, t);
  for (const r of pick(rng, activityPool(), mu.deletedActivities ?? 0)) changes.delete('activity', r, t);
  for (const r of pick(rng, alive(w.leads), mu.deletedLeads ?? 0)) changes.delete('lead', r, t);
  // Keep at least one field per object type: the connector's typed columns need something to type.
  const deletable = w.customFields.filter((f) => !f.dead && w.customFields.filter((g) => g.kind === f.kind && !g.dead).length > 1);
  for (const f of pick(rng, deletable, mu.deletedCustomFields ?? 0)) changes.deleteCustomField(f, t);

  // Creations.
  const liveLeads = (): number[] => w.leads.filter((l) => !l.dead).map((l) => l.lead);
  const someLead = (): number => {
    const ls = liveLeads();
    return ls.length ? ls[rng.int(ls.length)] : changes.createLead(t, 'minimal').lead;
  };
  const newLeads = mu.newLeads ?? 0;
  const spreadUs = Math.max(0, Math.round((mu.newLeadsOverMs ?? 0) * 1000));
  for (let i = 0; i < newLeads; i++) {
    const at = spreadUs > 0 ? t - spreadUs + Math.floor((spreadUs * (i + 1)) / newLeads) : t;
    changes.createLead(at, mu.minimalLeads ? 'minimal' : 'default');
  }
  for (let i = 0; i < (mu.newContacts ?? 0); i++) changes.createContact(someLead(), t);
  for (let i = 0; i < (mu.newOpportunities ?? 0); i++) changes.createOpportunity(someLead(), t);
  for (let i = 0; i < (mu.newTasks ?? 0); i++) changes.createTask(someLead(), t);
  for (let i = 0; i < (mu.newActivities ?? 0); i++) changes.createActivity(someLead(), rng.next() < 0.5 ? ACT_NOTE : ACT_CALL, t);
  for (let i = 0; i < (mu.newEmails ?? 0); i++) changes.createActivity(someLead(), ACT_EMAIL, t);
  for (let i = 0; i < (mu.newUsers ?? 0); i++) changes.createUser(t);
  const kinds: CustomFieldKind[] = ['lead', 'contact', 'opportunity', 'activity'];
  for (let i = 0; i < (mu.newCustomFields ?? 0); i++) changes.createCustomField(kinds[rng.int(kinds.length)], t);
  applyResourceChanges(s, changes, mu, rng, t, someLead);

  const log = changes.log;
  const changed = {} as Record<StreamName, string[]>;
  for (const stream of STREAM_NAMES) {
    const gone = new Set(log.deleted[stream] ?? []);
    const ids = [...new Set([...(log.created[stream] ?? []), ...(log.updated[stream] ?? [])])].filter((id) => !gone.has(id));
    if (ids.length) changed[stream] = ids;
  }
  return { changed, created: log.created, updated: log.updated, deleted: log.deleted, merged: log.merged, at: fmtTs(t) };
}

/**
 * Mutation.resources: per stream of the resource engine (edits, deletions,
 * then creations), or of an activity-type stream (through the activity
 * engine, so that `activities` lists them too).
 */
function applyResourceChanges(s: Store, changes: Changes, mu: Mutation, rng: Rng, t: number, someLead: () => number): void {
  for (const [name, want] of Object.entries(mu.resources ?? {})) {
    const stream = name as StreamName;
    if (!want) continue;
    const seed = ACTIVITY_SEEDS.find((a) => a.stream === stream);
    if (seed) {
      const kind = ACTIVITY_TYPES.findIndex((x) => x.type === seed.type);
      const pool = (): Rec[] => s.w.acts.filter((a) => a.kind === kind && !a.dead);
      for (const r of pick(rng, pool(), want.updated ?? 0)) changes.edit('activity', r, t);
      for (const r of pick(rng, pool(), want.deleted ?? 0)) changes.delete('activity', r, t);
      for (let i = 0; i < (want.created ?? 0); i++) changes.createActivity(someLead(), kind, t, null, kind === ACT_LEAD_MERGE ? -1 : 0);
      continue;
    }
    if (!s.resources.has(stream)) throw new Error(`mutate: ${stream} is not a resource of the sandbox's resource engine`);
    for (const r of pick(rng, s.resources.pool(stream), want.updated ?? 0)) changes.editResource(stream, r, t);
    for (const r of pick(rng, s.resources.pool(stream), want.deleted ?? 0)) changes.deleteResource(stream, r, t);
    for (let i = 0; i < (want.created ?? 0); i++) changes.createResource(stream, t);
  }
}

/** Applies mutations one batch after another: batch numbers drive event consolidation and the random picks. */
export class Mutator {
  readonly changes: Changes;
  private n = 0;

  constructor(private readonly s: Store) {
    this.changes = new Changes(s);
  }

  apply(mu: Mutation, rng?: Rng): MutationResult {
    const n = this.n++;
    this.changes.batch = n;
    return applyMutation(this.s, this.changes, mu, rng ?? new Rng(this.s.w.seed, 1_000_003 + n));
  }
}
