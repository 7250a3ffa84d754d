import {HttpRequest, HttpResponse, Transport} from '../../../src/client/transport';
import {Micros, formatInstant, parseInstant} from '../../../src/time/instant';
import {FakeClock} from './fakes';

export type FakeRecord = {id: string; date_updated: string; date_created: string} & Record<string, unknown>;

export interface FakeSearchOptions {
  maxLimit?: number;
  /** Pages hold at most this many rows whatever _limit asks (a silent cap), still with a cursor. */
  silentPageCap?: number;
  cursorTtlMs?: number;
  walkCap?: number;
  pastWalkCap?: 'end' | 'error';
  /** 'second': inside a second rows come in a scrambled order, not by microseconds. */
  sortPrecision?: 'microsecond' | 'second';
  /** Answers carry no count even with include_counts. */
  noCounts?: boolean;
  /** Fields the search leaves out of its answers. */
  notReturned?: string[];
  /** A reader that loops is failed instead of hanging the test run. */
  maxRequests?: number;
}

export interface SearchCall {
  kind: 'fresh' | 'cursor' | 'count' | 'get';
  body?: any;
  path: string;
}

const SECOND = 1_000_000;

function tieRank(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

function json(status: number, body: unknown): HttpResponse {
  return {status, headers: {'content-type': 'application/json'}, body: JSON.stringify(body)};
}

/**
 * An in-memory Close for POST /data/search/ and GET /{type}/{id}/, as the sandbox models it:
 * whole-second bounds (fractions refused here, so the reader must send whole seconds), sort by
 * the first key then scrambled ties, cursors that continue at an offset in the current results
 * (no snapshot) and expire, a walk cap, counts. `beforeAnswer` runs before each answer: tests
 * change the data there, between pages.
 */
export class FakeSearchClose {
  readonly records = new Map<string, FakeRecord>();
  readonly calls: SearchCall[] = [];
  beforeAnswer: (call: SearchCall, n: number) => void = () => undefined;
  private cursors = new Map<string, {sig: string; offset: number; issuedAt: number}>();
  private issued = 0;
  readonly transport: Transport;

  constructor(
    records: FakeRecord[],
    readonly clock: FakeClock,
    readonly opts: FakeSearchOptions = {}
  ) {
    for (const r of records) this.records.set(r.id, r);
    this.transport = (req) => this.answer(req);
  }

  /** Close's edit: date_updated moves to the clock's now (µs, strictly after every earlier edit). */
  edit(id: string, at: Micros = this.clock.now() * 1000): void {
    const r = this.records.get(id);
    if (r) this.records.set(id, {...r, date_updated: formatInstant(at), version: Number(r.version ?? 0) + 1});
  }

  remove(id: string): void {
    this.records.delete(id);
  }

  insert(r: FakeRecord): void {
    this.records.set(r.id, r);
  }

  count(kind: SearchCall['kind']): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }

  private async answer(req: HttpRequest): Promise<HttpResponse> {
    const path = new URL(req.url).pathname.replace(/^\/api\/v1/, '');
    const body = req.body === undefined ? undefined : JSON.parse(req.body);
    const kind: SearchCall['kind'] = req.method !== 'POST' ? 'get' : body.cursor ? 'cursor' : body.results_limit === 0 ? 'count' : 'fresh';
    const call = {kind, body, path};
    this.calls.push(call);
    if (this.calls.length > (this.opts.maxRequests ?? 5000)) return json(400, {error: 'fake Close: too many requests, the reader seems to loop'});
    this.beforeAnswer(call, this.calls.length);
    if (kind === 'get') {
      const m = /^\/(lead|contact)\/([^/]+)\/$/.exec(path);
      const r = m ? this.records.get(decodeURIComponent(m[2])) : undefined;
      return r ? json(200, r) : json(404, {error: 'Empty query: Lead matching query does not exist.'});
    }
    if (path !== '/data/search/') return json(404, {error: 'not found'});
    return this.search(body);
  }

  private search(body: any): HttpResponse {
    const o = this.opts;
    const ranges: Record<string, {gte?: number; lt?: number}> = {date_updated: {}, date_created: {}};
    let type = '';
    for (const q of body.query.queries) {
      if (q.type === 'object_type') type = q.object_type;
      if (q.type !== 'field_condition') continue;
      for (const [bound, key] of [['on_or_after', 'gte'], ['before', 'lt']] as const) {
        const m = q.condition[bound];
        if (!m) continue;
        const t = parseInstant(m.value)!;
        if (t % SECOND !== 0 || !/\+00:00$/.test(m.value)) return json(400, {error: `fake Close: fixed_utc value ${m.value} is not a whole UTC second`});
        (ranges[q.field.field_name] as any)[key] = t;
      }
    }
    const limit = body._limit ?? 100;
    if (limit > (o.maxLimit ?? 200)) {
      return json(400, {error: `The limit you set is larger than the maximum limit for this resource (max_limit = ${o.maxLimit ?? 200}).`});
    }
    const sortKey: string = body.sort[0].field.field_name;
    const sig = JSON.stringify({...body, cursor: undefined});
    const now = this.clock.now();
    let offset = 0;
    if (body.cursor) {
      const c = this.cursors.get(body.cursor);
      if (!c) return json(400, {error: 'Invalid cursor.'});
      if (now - c.issuedAt > (o.cursorTtlMs ?? 30_000)) return json(400, {error: 'The cursor has expired. Please repeat your search without a cursor.'});
      if (c.sig !== sig) return json(400, {error: 'The cursor does not belong to this query.'});
      offset = c.offset;
    }
    const cap = o.walkCap ?? 10_000;
    if (body.cursor && offset >= cap && o.pastWalkCap === 'error') return json(400, {error: `Cannot page past ${cap} results of one search.`});
    const quantum = o.sortPrecision === 'second' ? SECOND : 1;
    const inRange = (t: number, r: {gte?: number; lt?: number}) => (r.gte === undefined || t >= r.gte) && (r.lt === undefined || t < r.lt);
    const matching = [...this.records.values()]
      .filter((r) => r.id.startsWith(type === 'lead' ? 'lead_' : 'cont_'))
      .map((r) => ({r, u: parseInstant(r.date_updated)!, c: parseInstant(r.date_created)!}))
      .filter((x) => inRange(x.u, ranges.date_updated) && inRange(x.c, ranges.date_created))
      .map((x) => ({...x, k: Math.floor((sortKey === 'date_updated' ? x.u : x.c) / quantum)}))
      .sort((a, b) => a.k - b.k || tieRank(a.r.id) - tieRank(b.r.id));
    let want = Math.min(limit, o.silentPageCap ?? Infinity, Math.max(0, cap - offset));
    if (typeof body.results_limit === 'number') want = Math.min(want, Math.max(0, body.results_limit - offset));
    const page = matching.slice(offset, offset + want);
    const next = offset + page.length;
    const more = next < matching.length && !(o.pastWalkCap !== 'error' && next >= cap) && !(typeof body.results_limit === 'number' && next >= body.results_limit);
    let cursor: string | null = null;
    if (more) {
      cursor = `c${++this.issued}`;
      this.cursors.set(cursor, {sig, offset: next, issuedAt: now});
    }
    const fields: string[] = body._fields?.[type] ?? [];
    const dropped = o.notReturned ?? [];
    const data = page.map(({r}) => {
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        if (dropped.includes(f)) continue;
        if (f === 'custom') for (const k of Object.keys(r)) if (k.startsWith('custom.')) out[k] = r[k];
        if (f in r) out[f] = r[f];
      }
      return out;
    });
    const answer: Record<string, unknown> = {data, cursor};
    if (body.include_counts && !o.noCounts) answer.count = {total: matching.length};
    return json(200, answer);
  }
}
