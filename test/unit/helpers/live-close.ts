import {HttpRequest, HttpResponse, Transport} from '../../../src/client/transport';
import {Micros, MICROS_PER_MS, formatInstant, parseInstant} from '../../../src/time/instant';

/**
 * A fake Close whose data changes between two pages: each resource is a
 * mutable collection that every request filters, sorts and pages afresh (the
 * way Close answers), and a hook runs before each request is answered, so
 * that a test can edit, delete or create records exactly between two pages.
 * Close's clock moves on with every request; edits and creates take its time,
 * as Close keys records by write time.
 */

export type Rec = Record<string, any> & {id: string};

export interface ResourceOptions {
  /**
   * 'filtered': `<field>__gte|gt|lt|lte` filters and `_order_by` (opportunity, task, activity);
   * 'query': the lead `query` language (`date_updated>="2024-03-01T10:05" sort:date_updated`);
   * 'offset': no filters, one fixed order (contact, user, definitions);
   * 'events': /event/, newest date_updated first, paged by `_cursor`.
   */
  kind: 'filtered' | 'query' | 'offset' | 'events';
  /** The order without `_order_by`/`sort:`, as `field` or `-field`; ties are broken by id the same way. */
  order: string;
  /** Filter values are truncated down to this (µs) before comparing: Close's precision is undocumented. */
  filterPrecision?: Micros;
  /** `_skip` above this gets Close's 400. */
  skipCap?: number;
  /** Answer `total_results` (lead search, opportunities). */
  totalResults?: boolean;
  /**
   * How an event cursor continues: 'position' remembers the last event's place
   * (date_updated, id); 'anchor' only its id, continuing below wherever that
   * event is now (a consolidated event jumps to the top); a number n: cursors
   * older than n requests are refused with a 400.
   */
  cursor?: 'position' | 'anchor' | number;
  /** A cursor walk that stops handing out cursors after this many pages (a cut-short walk). */
  walkCap?: number;
  /** Close's 400 body past the skip cap (default: the recorded wording). */
  skipCapBody?: (cap: number) => unknown;
}

export interface SeenRequest {
  n: number;
  path: string;
  params: Record<string, string | number>;
  /** Ids answered, in order (empty for an error). */
  ids: string[];
  status: number;
}

export interface HookContext {
  /** Requests answered so far. */
  n: number;
  path: string;
  params: Record<string, string | number>;
  close: LiveClose;
}

export const SKIP_CAP_MESSAGE = (cap: number) =>
  `The skip you set is larger than the maximum skip for this resource (max_skip = ${cap}). Please refine your search query.`;

interface Resource {
  opts: ResourceOptions;
  records: Map<string, Rec>;
  /** A version per record that moves with every change, to tell unchanged records from changed ones. */
  versions: Map<string, number>;
}

export class LiveClose {
  private readonly resources = new Map<string, Resource>();
  private readonly initial = new Map<string, Map<string, number>>();
  private clock: Micros;
  private version = 0;
  readonly seen: SeenRequest[] = [];
  /** Runs before each request is answered: the changes a scenario makes between two pages. */
  between: ((ctx: HookContext) => void) | undefined;
  /** A reader that loops is failed instead of hanging the test run. */
  maxRequests = 5000;
  /** Cursors handed out before this request number are refused (see expireCursors). */
  private cursorsValidFrom = 0;
  /** How far Close's clock moves per request. */
  tick: Micros = MICROS_PER_MS;

  constructor(now: Micros) {
    this.clock = now;
  }

  now(): Micros {
    return this.clock;
  }

  advance(by: Micros): void {
    this.clock += by;
  }

  resource(path: string, opts: ResourceOptions, records: Rec[] = []): this {
    const r: Resource = {opts, records: new Map(), versions: new Map()};
    this.resources.set(path, r);
    for (const rec of records) this.put(r, {...rec});
    return this;
  }

  /** Marks the start of the sync: "unchanged" from now on means unchanged since this moment. */
  start(): this {
    for (const [path, r] of this.resources) this.initial.set(path, new Map(r.versions));
    return this;
  }

  private put(r: Resource, rec: Rec): void {
    r.records.set(rec.id, rec);
    r.versions.set(rec.id, ++this.version);
  }

  private res(path: string): Resource {
    const r = this.resources.get(path);
    if (!r) throw new Error(`LiveClose: no resource ${path}`);
    return r;
  }

  records(path: string): Rec[] {
    return [...this.res(path).records.values()];
  }

  get(path: string, id: string): Rec | undefined {
    return this.res(path).records.get(id);
  }

  /** An edit: date_updated moves to Close's now (and any fields given change). */
  edit(path: string, id: string, fields: Record<string, unknown> = {}): void {
    const r = this.res(path);
    const rec = r.records.get(id);
    if (!rec) return;
    this.put(r, {...rec, ...fields, date_updated: formatInstant(this.clock)});
  }

  /** A change that keeps date_updated (e.g. a consolidated event's key moving is an edit instead). */
  replace(path: string, rec: Rec): void {
    this.put(this.res(path), {...rec});
  }

  remove(path: string, id: string): void {
    const r = this.res(path);
    r.records.delete(id);
    r.versions.delete(id);
  }

  /** A new record, created now unless its dates are given (a backdated import). */
  create(path: string, rec: Partial<Rec> & {id: string}): void {
    const t = formatInstant(this.clock);
    this.put(this.res(path), {date_created: t, date_updated: t, ...rec} as Rec);
  }

  /** Every event cursor handed out so far is refused from now on (an expiry). */
  expireCursors(): void {
    this.cursorsValidFrom = this.seen.length;
  }

  /** Present at the start and unchanged since. */
  unchanged(path: string, id: string): boolean {
    const v = this.initial.get(path)?.get(id);
    return v !== undefined && this.res(path).versions.get(id) === v;
  }

  /** Records present at the start and unchanged since. */
  stable(path: string): Rec[] {
    return this.records(path).filter((r) => this.unchanged(path, r.id));
  }

  /** The ids Close answered last on this path. */
  lastAnswer(path: string): string[] {
    for (let i = this.seen.length - 1; i >= 0; i--) if (this.seen[i].path === path && this.seen[i].status === 200) return this.seen[i].ids;
    return [];
  }

  requestsTo(path: string): SeenRequest[] {
    return this.seen.filter((s) => s.path === path);
  }

  readonly transport: Transport = async (req: HttpRequest): Promise<HttpResponse> => {
    const path = new URL(req.url).pathname.replace(/^\/api\/v1/, '');
    const params = req.params;
    this.between?.({n: this.seen.length, path, params, close: this});
    this.clock += this.tick;
    const seen: SeenRequest = {n: this.seen.length, path, params, ids: [], status: 200};
    this.seen.push(seen);
    if (this.seen.length > this.maxRequests) return this.error(seen, 400, 'fake Close: too many requests, the reader seems to loop');
    const r = this.resources.get(path);
    if (!r) return this.error(seen, 404, `Empty query: nothing at ${path}`);
    try {
      const body = r.opts.kind === 'events' ? this.events(r, params) : this.list(r, params);
      seen.ids = body.data.map((x: Rec) => x.id);
      return {status: 200, headers: {'content-type': 'application/json'}, body: JSON.stringify(body)};
    } catch (err) {
      if (err instanceof FakeError) return this.error(seen, err.status, err.message, err.body);
      throw err;
    }
  };

  private error(seen: SeenRequest, status: number, message: string, body: unknown = {error: message}): HttpResponse {
    seen.status = status;
    return {status, headers: {'content-type': 'application/json'}, body: typeof body === 'string' ? body : JSON.stringify(body)};
  }

  private list(r: Resource, params: Record<string, string | number>): Record<string, any> {
    const skip = Number(params._skip ?? 0);
    const limit = Number(params._limit ?? 100);
    if (r.opts.skipCap !== undefined && skip > r.opts.skipCap) {
      throw new FakeError(400, SKIP_CAP_MESSAGE(r.opts.skipCap), r.opts.skipCapBody?.(r.opts.skipCap));
    }
    const preds: ((rec: Rec) => boolean)[] = [];
    let order = r.opts.order;
    const precision = r.opts.filterPrecision ?? 1;
    const at = (raw: unknown) => {
      const t = parseInstant(String(raw));
      if (t === undefined) throw new FakeError(400, `Invalid date: ${raw}`);
      return Math.floor(t / precision) * precision;
    };
    if (r.opts.kind === 'filtered') {
      for (const [name, raw] of Object.entries(params)) {
        const m = /^(\w+)__(gte|gt|lte|lt)$/.exec(name);
        if (!m) continue;
        preds.push(compare(m[1], m[2], at(raw)));
      }
      if (params._order_by) order = String(params._order_by);
    } else if (r.opts.kind === 'query' && params.query !== undefined) {
      for (const term of String(params.query).split(/\s+/).filter(Boolean)) {
        const sort = /^sort:(-?\w+)$/.exec(term);
        if (sort) {
          order = sort[1];
          continue;
        }
        const m = /^(\w+)(>=|>|<=|<)"([^"]+)"$/.exec(term);
        if (!m) throw new FakeError(400, `fake Close: cannot parse query term ${term}`);
        const op = {'>=': 'gte', '>': 'gt', '<=': 'lte', '<': 'lt'}[m[2]]!;
        preds.push(compare(m[1], op, at(m[3])));
      }
    }
    const matching = sortBy([...r.records.values()].filter((rec) => preds.every((p) => p(rec))), order);
    const data = matching.slice(skip, skip + limit);
    const body: Record<string, any> = {has_more: skip + limit < matching.length, data};
    if (r.opts.totalResults) body.total_results = matching.length;
    return body;
  }

  private events(r: Resource, params: Record<string, string | number>): Record<string, any> {
    const limit = Math.min(50, Number(params._limit ?? 50));
    const all = sortBy([...r.records.values()], '-date_updated');
    let range: {gte?: Micros; lte?: Micros};
    let from = 0;
    if (params._cursor !== undefined) {
      let c: {t: Micros; id: string; range: typeof range; issued: number; walked: number};
      try {
        c = JSON.parse(Buffer.from(String(params._cursor), 'base64url').toString());
      } catch {
        throw new FakeError(400, 'Invalid cursor.');
      }
      const mode = r.opts.cursor ?? 'position';
      if ((typeof mode === 'number' && this.seen.length - 1 - c.issued > mode) || c.issued < this.cursorsValidFrom) {
        throw new FakeError(400, 'Invalid cursor: it expired.');
      }
      range = c.range;
      const inRange = all.filter(within(range));
      if (mode === 'anchor') {
        const i = inRange.findIndex((e) => e.id === c.id);
        if (i < 0) throw new FakeError(400, 'Invalid cursor.');
        from = i + 1;
      } else {
        from = inRange.findIndex((e) => key(e, 'date_updated') < c.t || (key(e, 'date_updated') === c.t && e.id < c.id));
        if (from < 0) from = inRange.length;
      }
      return this.eventPage(r, inRange, from, limit, range, c.walked + 1);
    }
    range = {};
    const precision = r.opts.filterPrecision ?? 1;
    const at = (raw: unknown) => Math.floor(parseInstant(String(raw))! / precision) * precision;
    if (params.date_updated__gte !== undefined) range.gte = at(params.date_updated__gte);
    if (params.date_updated__lte !== undefined) range.lte = at(params.date_updated__lte);
    return this.eventPage(r, all.filter(within(range)), from, limit, range, 1);
  }

  private eventPage(r: Resource, list: Rec[], from: number, limit: number, range: {gte?: Micros; lte?: Micros}, walked: number): Record<string, any> {
    const data = list.slice(from, from + limit);
    const last = data[data.length - 1];
    const more = from + limit < list.length && walked < (r.opts.walkCap ?? Infinity);
    const position = last && {t: key(last, 'date_updated'), id: last.id, range, issued: this.seen.length - 1, walked};
    const cursor = more && position ? Buffer.from(JSON.stringify(position)).toString('base64url') : null;
    return {data, cursor_next: cursor, cursor_previous: null};
  }
}

class FakeError extends Error {
  constructor(readonly status: number, message: string, readonly body?: unknown) {
    super(message);
  }
}

const parsed = new Map<string, Micros | undefined>();
/** parseInstant, remembered: every request sorts whole collections. */
function instant(text: unknown): Micros | undefined {
  if (typeof text !== 'string') return undefined;
  if (!parsed.has(text)) {
    if (parsed.size > 200_000) parsed.clear();
    parsed.set(text, parseInstant(text));
  }
  return parsed.get(text);
}

function key(rec: Rec, field: string): Micros {
  const t = instant(rec[field]);
  if (t === undefined) throw new Error(`LiveClose: record ${rec.id} has no ${field}`);
  return t;
}

function compare(field: string, op: string, t: Micros): (rec: Rec) => boolean {
  return (rec) => {
    const k = key(rec, field);
    return op === 'gte' ? k >= t : op === 'gt' ? k > t : op === 'lte' ? k <= t : k < t;
  };
}

function within(range: {gte?: Micros; lte?: Micros}): (rec: Rec) => boolean {
  return (rec) => {
    const k = key(rec, 'date_updated');
    return (range.gte === undefined || k >= range.gte) && (range.lte === undefined || k <= range.lte);
  };
}

/** Sorts by `field` or `-field`, ties by id in the same direction. */
export function sortBy(records: Rec[], order: string): Rec[] {
  const desc = order.startsWith('-');
  const field = desc ? order.slice(1) : order;
  const sign = desc ? -1 : 1;
  return [...records].sort((a, b) => sign * (key(a, field) - key(b, field) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
}
