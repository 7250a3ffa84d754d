import fs from 'node:fs';
import path from 'node:path';
import type { StreamName } from '../types';
import { US_PER_DAY, US_PER_SEC, fmtDay, fmtTs, parseDate } from '../dates';
import { Rng, makeId } from '../random';
import { ACTIVITY_TYPES, ACT_CREATED, EventRec, Rec, snap } from '../data/model';
import type { Store } from '../data/store';
import type { TruthRecord } from '../types';
import { Ctx, HandlerResult, badRequest, listBody, notFound, ok, pageArray, paging } from '../endpoints/common';
import { ACTIVITY_SEEDS, RESOURCE_SEEDS } from './seeds';
import type { ActivitySeed, Json, LeadRef, ResourceSeed, ValueCtx, ValueSpec } from './spec';
import { fieldSalt, valueFor } from './values';
import { FieldDef, customFieldValue } from './custom-values';

type Schema = Record<string, any>;

const SCHEMA_DIR = path.resolve(__dirname, '..', '..', 'resources', 'schemas');
const schemaCache = new Map<string, Schema>();

export function resourceSchema(stream: string): Schema {
  let s = schemaCache.get(stream);
  if (!s) {
    s = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${stream}.json`), 'utf8')) as Schema;
    schemaCache.set(stream, s);
  }
  return s;
}

const SPAN_US = 730 * US_PER_DAY;
const EVENT_WINDOW_US = 30 * US_PER_DAY;
const EDIT_FIELDS = ['description', 'name', 'text', 'label'];
/** Built-in resources a seed may name as parent (their records live in World). */
const BUILT_IN_PARENTS: Partial<Record<StreamName, (s: Store) => { id: string }[]>> = {
  sequences: (s) => s.w.sequences,
};

/** Where a record sits: its position in its stream (children point at their parent's). */
interface Place {
  pos: number;
  /** position among its parent's children, or in the stream */
  index: number;
}

/**
 * Serves every resource of RESOURCE_SEEDS from its schema: records are
 * small Recs (kind = the seed's position, lead, parent position in `a`,
 * flags in `b`), rendered on demand from their random seed and version, so
 * an edit shows and an unchanged record renders the same every time.
 * Deterministic from the sandbox's seed; each resource draws from its own
 * random stream, so adding one leaves the others as they were.
 */
export class ResourceEngine {
  readonly seeds = RESOURCE_SEEDS;
  private readonly bySeed = new Map<StreamName, number>();
  /** every record ever, per resource, in creation order (deleted ones flagged dead) */
  private readonly lists: Rec[][];
  private readonly places = new Map<string, Place>();
  /** ids of the records generated with the account, per resource (not those created later) */
  private readonly initial: string[][];

  constructor(private readonly s: Store) {
    this.lists = this.seeds.map(() => []);
    this.seeds.forEach((seed, k) => this.bySeed.set(seed.stream, k));
    this.seeds.forEach((seed, k) => this.generate(seed, k));
    this.initial = this.lists.map((l) => l.map((r) => r.id));
  }

  /** The ids of a resource's records generated with the account, in order (deleted ones too). */
  initialIds(stream: StreamName): string[] {
    const k = this.bySeed.get(stream);
    return k === undefined ? [] : this.initial[k];
  }

  /**
   * The live definitions of a custom-field stream whose `link` field is
   * `value`: activity custom fields come from the World, the others are
   * records of this engine.
   */
  definitions(stream: StreamName, link: string, value: unknown): Json[] {
    if (value === null || value === undefined) return [];
    const all =
      stream === 'activity_custom_fields'
        ? this.s.customFields('activity').map((f) => this.s.m.customField(f))
        : this.has(stream)
          ? this.live(stream).map((r) => this.render(r, false, true))
          : [];
    return all.filter((d) => d[link] === value);
  }

  has(stream: StreamName): boolean {
    return this.bySeed.has(stream);
  }

  seedOf(stream: StreamName): ResourceSeed {
    const k = this.bySeed.get(stream);
    if (k === undefined) throw new Error(`no resource seed for ${stream}`);
    return this.seeds[k];
  }

  /** The seed of a record (Rec.kind). */
  seedOfRec(r: Rec): ResourceSeed {
    return this.seeds[r.kind];
  }

  private key(r: Rec): string {
    return `${r.kind}:${r.id}`;
  }

  // ------------------------------------------------------------ generation

  private generate(seed: ResourceSeed, k: number): void {
    const w = this.s.w;
    const rng = new Rng(w.seed, 7000 + k);
    const end = w.nowUs - 60 * US_PER_SEC;
    const start = w.nowUs - SPAN_US;
    const parents = seed.parent ? this.parentList(seed.parent.stream) : [null];
    parents.forEach((parent, pi) => {
      if (parent && 'dead' in parent && (parent as Rec).dead) return;
      const n = seed.count(w.leads.length, pi);
      for (let i = 0; i < n; i++) {
        const created = Math.floor((start + rng.next() * (end - start)) / 1000) * 1000;
        const updated = rng.next() < 0.4 ? Math.min(end, created + Math.floor(rng.next() * 90 * US_PER_DAY / 1000) * 1000) : created;
        const id = this.newId(seed, rng, this.lists[k].length);
        const lead = seed.lead ? this.leadFor(seed, parent, rng) : -1;
        const r = new Rec(id, k, lead, created, updated, rng.u32() | 0, rng.int(w.users.length), seed.parent ? pi : -1, 0);
        if (seed.embedded && this.lists[k].length > 0 && rng.next() < seed.embedded.inactiveShare) r.b = 1;
        this.place(r, seed.parent ? i : this.lists[k].length);
        this.lists[k].push(r);
        this.generatedEvents(seed, r, rng);
      }
    });
  }

  private newId(seed: ResourceSeed, rng: Rng, n: number): string {
    const fixed = seed.fixed?.[n]?.id;
    if (typeof fixed === 'string') return fixed;
    if (seed.key && seed.key !== 'id') return `unsub${n}.${rng.int(1e6).toString(36)}@example.com`;
    return makeId(rng, seed.idPrefix);
  }

  private place(r: Rec, index: number): void {
    this.places.set(this.key(r), { pos: this.lists[r.kind].length, index });
  }

  /** A child's lead is its parent's; other lead-owned records get a live lead at random. */
  private leadFor(seed: ResourceSeed, parent: unknown, rng: Rng): number {
    if (parent instanceof Rec && parent.lead >= 0) return parent.lead;
    const leads = this.s.w.leads;
    if (leads.length === 0) return -1;
    for (let tries = 0; tries < 20; tries++) {
      const l = leads[rng.int(leads.length)];
      if (!l.dead) return l.lead;
    }
    return -1;
  }

  /** Events of the last 30 days, as the generator writes them for leads (created, then updated). */
  private generatedEvents(seed: ResourceSeed, r: Rec, rng: Rng): void {
    if (!seed.eventObjectType) return;
    const from = this.s.w.nowUs - EVENT_WINDOW_US;
    const first = { ...snap(r), ver: -1, updated: r.created };
    if (r.created >= from) {
      this.s.w.events.push(new EventRec(makeId(rng, 'ev_'), r.created, r.created, seed.eventObjectType, 'created', r, 'resource', null, first, r.user, makeId(rng, 'req_'), 'post'));
    }
    if (r.updated >= from && r.updated > r.created) {
      this.s.w.events.push(new EventRec(makeId(rng, 'ev_'), r.updated, r.updated, seed.eventObjectType, 'updated', r, 'resource', first, snap(r), r.user, makeId(rng, 'req_'), 'put'));
    }
  }

  // ---------------------------------------------------------------- access

  private parentList(stream: StreamName): (Rec | { id: string })[] {
    if (this.bySeed.has(stream)) return this.lists[this.bySeed.get(stream)!];
    const builtIn = BUILT_IN_PARENTS[stream];
    if (!builtIn) throw new Error(`resource seeds: ${stream} cannot be a parent`);
    return builtIn(this.s);
  }

  private parentOf(r: Rec): Rec | { id: string } | null {
    const seed = this.seedOfRec(r);
    return seed.parent && r.a >= 0 ? (this.parentList(seed.parent.stream)[r.a] ?? null) : null;
  }

  /** Records the key can see now. */
  live(stream: StreamName): Rec[] {
    const seed = this.seedOf(stream);
    const me = this.s.w.users[0].id;
    return this.lists[this.bySeed.get(stream)!].filter((r) => {
      if (r.dead) return false;
      const p = this.parentOf(r);
      if (p instanceof Rec && p.dead) return false;
      if (!seed.visibleWhen) return true;
      const out = this.render(r);
      return seed.visibleWhen.some((f) => out[f] === me);
    });
  }

  everIds(stream: StreamName): Set<string> {
    return new Set(this.lists[this.bySeed.get(stream)!].map((r) => r.id));
  }

  findById(id: string): { stream: StreamName; rec: Rec } | null {
    for (let k = 0; k < this.seeds.length; k++) {
      const rec = this.lists[k].find((r) => r.id === id && !r.dead);
      if (rec) return { stream: this.seeds[k].stream, rec };
    }
    return null;
  }

  /** The event log's object_type of a record, if Close logs its kind. */
  objectType(r: Rec): string | undefined {
    return this.seedOfRec(r).eventObjectType;
  }

  /** The endpoint a record is written at (events' meta.request_path). */
  pathOf(r: Rec): string {
    return this.seedOfRec(r).path;
  }

  // ------------------------------------------------------------- rendering

  private tsFor(seed: ResourceSeed): (us: number) => string {
    const m = this.s.m;
    return seed.naiveDates ? (us) => fmtTs(us).slice(0, -6) : (us) => m.ts(us);
  }

  private leadRef(li: number): LeadRef | null {
    if (li < 0) return null;
    const lead = this.s.w.leads[li];
    return lead ? { id: lead.id, name: this.s.m.leadName(lead) } : null;
  }

  private ctxFor(r: Rec, out: Json, seed: ResourceSeed | ActivitySeed, ts: (us: number) => string, index: number, parent: Json | null): ValueCtx {
    const s = this.s;
    const w = s.w;
    const lead = this.leadRef(r.lead);
    let contact: ReturnType<ValueCtx['leadContact']> | undefined;
    let activity: ReturnType<ValueCtx['leadActivity']> | undefined;
    return {
      rng: new Rng(r.seed, 1),
      index,
      id: r.id,
      created: r.created,
      updated: r.updated,
      ver: r.ver,
      me: w.users[0].id,
      users: w.users.map((u) => u.id),
      orgId: w.orgId,
      ts,
      day: fmtDay,
      now: w.nowUs,
      record: out,
      parent,
      lead,
      leadContact: () => {
        if (contact !== undefined) return contact;
        const cs = r.lead >= 0 ? w.children[r.lead].contacts.filter((c) => !c.dead) : [];
        const c = cs.length ? cs[new Rng(r.seed, 92).int(cs.length)] : null;
        const name = c ? s.m.contactName(c) : '';
        contact = c ? { id: c.id, name, email: `${name.split(' ')[0].toLowerCase()}@example.com` } : null;
        return contact;
      },
      leadActivity: () => {
        if (activity !== undefined) return activity;
        const as = r.lead >= 0 ? w.children[r.lead].acts.filter((a) => !a.dead && a.kind !== ACT_CREATED) : [];
        const a = as.length ? as[new Rng(r.seed, 93).int(as.length)] : null;
        activity = a ? { id: a.id, type: ACTIVITY_TYPES[a.kind].type, eventType: ACTIVITY_TYPES[a.kind].eventType } : null;
        return activity;
      },
      ids: (stream) => (this.has(stream) ? this.live(stream).map((x) => x.id) : s.truth(stream).map((t) => t.id)),
      definitions: (stream, link, value) => this.definitions(stream, link, value),
      children: (stream) => {
        const k = this.bySeed.get(stream);
        if (k === undefined) return [];
        const pos = this.places.get(this.key(r))?.pos;
        return this.lists[k].filter((c) => !c.dead && c.a === pos).map((c) => this.render(c, false, true));
      },
    };
  }

  /** Applies a seed's values in order, each from its own random stream. */
  private applyValues(values: Record<string, ValueSpec | undefined> | undefined, r: Rec, ctx: ValueCtx, out: Json): void {
    for (const [field, spec] of Object.entries(values ?? {})) {
      if (!spec) continue;
      const v = spec({ ...ctx, rng: new Rng(r.seed, fieldSalt(field) + 7) });
      if (v === undefined) delete out[field];
      else out[field] = v;
    }
  }

  /**
   * A record as Close serves it: on lists, or (detail) from GET <path><id>/.
   * `shallow`: its parent is only an id (a parent's values may look at its
   * children, which must not look back).
   */
  render(r: Rec, detail = false, shallow = false): Json {
    const seed = this.seedOfRec(r);
    const schema = resourceSchema(seed.stream);
    const ts = this.tsFor(seed);
    const place = this.places.get(this.key(r));
    const parentRec = this.parentOf(r);
    const parent = parentRec instanceof Rec && !shallow ? this.render(parentRec) : parentRec ? { id: parentRec.id } : null;
    const out: Json = {};
    const ctx = this.ctxFor(r, out, seed, ts, place?.index ?? 0, parent);
    for (const [field, sub] of Object.entries<Schema>(schema.properties ?? {})) {
      if (isConnectorColumn(field)) continue;
      out[field] = valueFor(field, sub, ctx, new Rng(r.seed, fieldSalt(field)));
    }
    const key = seed.key ?? 'id';
    out[key] = r.id;
    if ('organization_id' in out) out.organization_id = this.s.w.orgId;
    const dates = seed.dates ?? 'date';
    if (dates === 'date') {
      out.date_created = ts(r.created);
      out.date_updated = ts(r.updated);
    } else if (dates === 'at') {
      out.created_at = ts(r.created);
      out.updated_at = ts(r.updated);
    }
    if (seed.parent && parent) out[seed.parent.field] = parent.id;
    const edit = seed.editField ?? EDIT_FIELDS.find((f) => f in out && f !== key);
    this.applyValues(seed.values, r, ctx, out);
    if (edit && r.ver > 0) out[edit] = `${typeof out[edit] === 'string' ? out[edit] : ''} (edit ${r.ver})`.trim();
    if (seed.customFields) this.addCustomValues(seed.customFields, r, out);
    const fixed = place && !seed.parent ? seed.fixed?.[place.pos] : undefined;
    if (fixed) Object.assign(out, fixed);
    for (const [field, spec] of Object.entries(seed.extra ?? {})) out[field] = spec({ ...ctx, rng: new Rng(r.seed, fieldSalt(field) + 11) });
    if (!detail) for (const f of seed.detailOnly ?? []) delete out[f];
    if (this.s.m.recordVersions) out._sandbox_version = r.ver;
    return out;
  }

  /**
   * `custom.<field id>` values for the definitions linked to the record (its
   * type's fields). Every field draws, set or not, so that the others keep
   * their values when one is added or deleted; a field added while the
   * sandbox runs holds no value on records last edited before it (as for leads).
   */
  private addCustomValues(spec: { definitions: StreamName; link: string }, r: Rec, out: Json): void {
    const rng = new Rng(r.seed, 300 + r.ver);
    const users = this.s.w.users.map((u) => u.id);
    const defs = this.definitions(spec.definitions, spec.link, out[spec.link]);
    for (const def of defs.sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1))) {
      const skip = rng.next() < 0.3;
      const v = customFieldValue(def as unknown as FieldDef, rng, users, this.s.w.nowUs);
      const created = typeof def.date_created === 'string' ? (parseDate(def.date_created) ?? 0) : 0;
      // Only fields added while the sandbox runs: generated ones are taken to predate the values.
      const addedLater = created > this.s.w.nowUs - 60 * US_PER_SEC;
      if (skip || (addedLater && created > r.updated)) continue;
      out['custom.' + String(def.id)] = v;
    }
  }

  /**
   * The fields of an activity-type's schema that the activity engine did not
   * fill in (Materializer.activity), plausible per type, then the seed's values.
   */
  activityFields(r: Rec, base: Json): Json {
    const type = ACTIVITY_TYPES[r.kind].type;
    const seed = ACTIVITY_SEEDS.find((a) => a.type === type);
    if (!seed) return base;
    const schema = resourceSchema(seed.stream);
    const out: Json = { ...base };
    const ctx = this.ctxFor(r, out, seed, (us) => this.s.m.ts(us), 0, null);
    for (const [field, sub] of Object.entries<Schema>(schema.properties ?? {})) {
      if (!(field in out) && !isConnectorColumn(field)) out[field] = valueFor(field, sub, ctx, new Rng(r.seed, fieldSalt(field)));
    }
    this.applyValues(seed.values, r, ctx, out);
    return out;
  }

  // --------------------------------------------------------------- serving

  /** GET <path>: the seed's filters, parent and paging. */
  list(ctx: Ctx, stream: StreamName): HandlerResult {
    const seed = this.seedOf(stream);
    const params = ctx.params;
    if (seed.required && !seed.required.some((p) => params.get(p))) {
      // GUESS: Close's wording of this 400.
      throw badRequest(`One of ${seed.required.join(', ')} is required.`);
    }
    let recs = this.live(stream);
    // Records of a lead are found by their lead without rendering them all (custom objects are listed per lead).
    const leadId = seed.lead ? params.get('lead_id') : null;
    if (leadId) recs = recs.filter((r) => r.lead >= 0 && this.s.w.leads[r.lead]?.id === leadId);
    if (seed.parent) {
      const want = params.get(seed.parent.param);
      if (want) {
        const parents = this.parentList(seed.parent.stream);
        recs = recs.filter((r) => parents[r.a]?.id === want);
      }
    }
    const filters = seed.filters ?? [];
    const given = filters.some((f) => params.get(f.param) || (f.in && params.get(f.in)));
    const conditions: [string, Set<string>][] = [];
    for (const f of filters) {
      const one = params.get(f.param);
      const many = f.in ? params.get(f.in) : null;
      let values: string[] | null = one ? [one] : many ? many.split(',').map((v) => v.trim()) : null;
      if (!values && !given && f.default) values = [f.default === 'me' ? this.s.w.users[0].id : f.default];
      if (values) conditions.push([f.field ?? f.param, new Set(values)]);
    }
    let rendered = recs.map((r) => ({ r, out: conditions.length ? this.render(r) : null }));
    if (conditions.length) rendered = rendered.filter(({ out }) => conditions.every(([field, vs]) => vs.has(String(out![field]))));
    // Close's framework pages with _skip/_limit where it documents them; the rest answer everything at once.
    const page = seed.maxLimit
      ? pageArray(rendered, paging(ctx, seed.maxLimit))
      : { items: rendered, hasMore: false, total: rendered.length };
    return ok(listBody(page, ({ r, out }) => (out && !seed.detailOnly ? out : this.render(r)), false));
  }

  /** GET <path><id>/. */
  get(ctx: Ctx, stream: StreamName, id: string): HandlerResult {
    void ctx;
    const r = this.live(stream).find((x) => x.id === id);
    if (!r) throw notFound(stream);
    return ok(this.render(r, true));
  }

  /** The lists GET /organization/{id}/ embeds (memberships), the key's own with the key's role. */
  embedded(stream: StreamName, keyRole: string): Record<string, Json[]> {
    const seed = this.seedOf(stream);
    if (!seed.embedded) return {};
    const active: Json[] = [];
    const inactive: Json[] = [];
    const me = this.s.w.users[0].id;
    for (const r of this.live(stream)) {
      const out = this.render(r);
      if (out.user_id === me) Object.assign(out, { role_id: keyRole, role: keyRole });
      (r.b & 1 ? inactive : active).push(out);
    }
    return { [seed.embedded.active]: active, [seed.embedded.inactive]: inactive };
  }

  truth(stream: StreamName): TruthRecord[] {
    const seed = this.seedOf(stream);
    const key = seed.key ?? 'id';
    return this.live(stream).map((r) => {
      const out = this.render(r);
      const t: TruthRecord = { id: String(out[key]), version: r.ver };
      if (typeof out.date_created === 'string') t.date_created = out.date_created;
      if (typeof out.date_updated === 'string') t.date_updated = out.date_updated;
      return t;
    });
  }

  // --------------------------------------------------------------- changes

  /** A new record at `t`: under a random live parent, on a random live lead. */
  newRecord(stream: StreamName, t: number, rng: Rng): Rec | null {
    const k = this.bySeed.get(stream)!;
    const seed = this.seeds[k];
    let pi = -1;
    let parent: unknown = null;
    if (seed.parent) {
      const parents = this.parentList(seed.parent.stream);
      const livePos = parents.map((p, i) => ((p as Rec).dead ? -1 : i)).filter((i) => i >= 0);
      if (livePos.length === 0) return null;
      pi = livePos[rng.int(livePos.length)];
      parent = parents[pi];
    }
    const id = this.newId(seed, rng, this.lists[k].length);
    const lead = seed.lead ? this.leadFor(seed, parent, rng) : -1;
    const r = new Rec(id, k, lead, t, t, rng.u32() | 0, rng.int(this.s.w.users.length), pi, 0);
    const siblings = seed.parent ? this.lists[k].filter((c) => c.a === pi).length : this.lists[k].length;
    this.place(r, siblings);
    this.lists[k].push(r);
    return r;
  }

  /** The live children of a record, per child resource. */
  childrenOf(r: Rec): { stream: StreamName; rec: Rec }[] {
    const stream = this.seedOfRec(r).stream;
    const pos = this.places.get(this.key(r))?.pos;
    const out: { stream: StreamName; rec: Rec }[] = [];
    this.seeds.forEach((seed, k) => {
      if (seed.parent?.stream !== stream) return;
      for (const c of this.lists[k]) if (!c.dead && c.a === pos) out.push({ stream: seed.stream, rec: c });
    });
    return out;
  }

  /** The parent record of a child, if it is a resource of this engine. */
  parentRec(r: Rec): Rec | null {
    const p = this.parentOf(r);
    return p instanceof Rec ? p : null;
  }

  /** Live records of a lead (deleted with it). */
  ofLead(li: number): { stream: StreamName; rec: Rec }[] {
    const out: { stream: StreamName; rec: Rec }[] = [];
    this.seeds.forEach((seed, k) => {
      if (!seed.lead) return;
      for (const r of this.lists[k]) if (!r.dead && r.lead === li) out.push({ stream: seed.stream, rec: r });
    });
    return out;
  }

  /** Live records of a resource (for random picks of changes). */
  pool(stream: StreamName): Rec[] {
    return this.live(stream);
  }
}

/** Columns the connector adds (`_ab_cdc_deleted_at` on deletion records): Close never sends them. */
function isConnectorColumn(field: string): boolean {
  return field.startsWith('_ab_');
}
