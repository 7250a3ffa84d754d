// POST /api/v1/data/search/: Close's Advanced Filtering API, for the subset the connector uses
// (see search-query.ts for the body). Where Close's docs are silent, the sandbox takes the notes'
// best evidence (/work/notes/data-search.md) and, between equally likely answers, the one that
// is harder on a client. Every such choice is marked GUESS here and listed in
// /work/notes/data-search-sandbox.md.
import { US_PER_SEC } from '../dates';
import { Rec } from '../data/model';
import { Range, SortedIndex, inRange } from '../data/sorted-index';
import { Store } from '../data/store';
import { HandlerResult, badRequest, ok } from './common';
import { SearchDateField, SearchObjectType, SearchRequest, parseSearchRequest } from './search-query';

export interface DataSearchOptions {
  /** Largest `_limit` (GUESS: 200, from public clients; notes §3). */
  maxLimit?: number;
  /** `_limit` when the body has none (GUESS: 100, as the list endpoints). */
  defaultLimit?: number;
  /** How long a cursor stays usable after it was issued (GUESS: 30 s, from public clients; notes §3). */
  cursorTtlMs?: number;
  /** Results one cursor walk can return (GUESS: 10,000, from public clients; notes §3). */
  walkCap?: number;
  /**
   * What a walk does at the cap (UNKNOWN): 'end' hands out no further cursor, as if the results
   * were exhausted — the default, since it is the behaviour a client cannot see; 'error'
   * answers the next page with a 400.
   */
  pastWalkCap?: 'end' | 'error';
  /** A record is found by search only this long after its date_updated (GUESS: Close's search is an asynchronously fed index; default 0). */
  indexLagMs?: number;
  /**
   * How finely results are ordered by the sort key (UNDOCUMENTED): 'microsecond' (the key as
   * Close prints it) or 'second' (the index keeps whole seconds). Records equal at that
   * precision come in an order that is neither id nor insertion order.
   */
  sortPrecision?: 'microsecond' | 'second';
  /** Fields `_fields` may name that the search silently leaves out of its answer (UNDOCUMENTED which, if any; default none). */
  fieldsNotReturned?: string[];
  /** The clock for cursor lifetimes and index lag, in ms since the epoch. */
  now?: () => number;
  /** The next this many cursor continuations answer as expired, whatever their age (tests: a consumer that held a page too long). */
  expireNext?: number;
}

type Resolved = Required<DataSearchOptions>;

const DEFAULTS: Resolved = {
  maxLimit: 200,
  defaultLimit: 100,
  cursorTtlMs: 30_000,
  walkCap: 10_000,
  pastWalkCap: 'end',
  indexLagMs: 0,
  sortPrecision: 'microsecond',
  fieldsNotReturned: [],
  now: () => Date.now(),
  expireNext: 0,
};

interface CursorEntry {
  signature: string;
  /** Results this walk has returned so far: the next page starts there, in the current results (no snapshot). */
  offset: number;
  issuedAt: number;
}

/** Cursors kept at most; older ones are forgotten first (and then answer as expired or invalid). */
const MAX_CURSORS = 100_000;

const keyOf: Record<SearchDateField, (r: Rec) => number> = {
  date_updated: (r) => r.updated,
  date_created: (r) => r.created,
};

/** A stable scramble of ids, so that ties come in neither id nor creation order. */
function tieRank(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class DataSearch {
  private opts: Resolved;
  private cursors = new Map<number, CursorEntry>();
  private issued = 0;
  /** Requests answered, by whether they carried a cursor (tests count walks with it). */
  readonly counts = { fresh: 0, continued: 0 };

  constructor(opts: DataSearchOptions = {}) {
    this.opts = { ...DEFAULTS, ...stripUndefined(opts) };
  }

  configure(opts: DataSearchOptions): void {
    this.opts = { ...this.opts, ...stripUndefined(opts) };
  }

  get options(): Readonly<Resolved> {
    return this.opts;
  }

  answer(store: Store, body: unknown): HandlerResult {
    const o = this.opts;
    const req = parseSearchRequest(body, { maxLimit: o.maxLimit, defaultLimit: o.defaultLimit });
    const now = o.now();
    let offset = 0;
    if (req.cursor !== null) {
      offset = this.resume(req, now).offset;
      this.counts.continued++;
    } else {
      this.counts.fresh++;
    }
    if (req.cursor !== null && offset >= o.walkCap && o.pastWalkCap === 'error') {
      // GUESS: the wording; only that a walk stops near 10,000 results is reported (notes §3).
      throw badRequest(`Cannot page past ${o.walkCap} results of one search. Please refine your search query.`);
    }

    let want = req.limit;
    if (req.resultsLimit !== null) want = Math.min(want, Math.max(0, req.resultsLimit - offset));
    // A walk returns at most walkCap results: the last page is cut there.
    want = Math.min(want, Math.max(0, o.walkCap - offset));

    const matches = this.ordered(store, req, now);
    const page: Rec[] = [];
    let more = false;
    let total = 0;
    for (const r of matches) {
      if (total >= offset && page.length < want) page.push(r);
      else if (total >= offset + want) more = true;
      total++;
      if (more && !req.includeCounts) break;
    }
    const next = offset + page.length;
    const capped = o.pastWalkCap === 'end' && next >= o.walkCap;
    const limited = req.resultsLimit !== null && next >= req.resultsLimit;
    const cursor = more && !capped && !limited ? this.issue(req.signature, next, now) : null;

    const answer: Record<string, unknown> = { data: page.map((r) => this.render(store, req, r)), cursor };
    if (req.includeCounts) answer.count = { total };
    return ok(answer);
  }

  /** The cursor's walk, or Close-like 400s for one that expired, is unknown, or belongs to another query. */
  private resume(req: SearchRequest, now: number): CursorEntry {
    const token = decodeCursor(req.cursor!);
    const entry = token ? this.cursors.get(token.n) : undefined;
    const issuedAt = entry?.issuedAt ?? token?.issuedAt;
    const forced = entry !== undefined && this.opts.expireNext > 0;
    if (forced) this.opts.expireNext--;
    if (forced || (issuedAt !== undefined && now - issuedAt > this.opts.cursorTtlMs)) {
      if (token) this.cursors.delete(token.n);
      // GUESS: status 400 and a message that names the cursor and its expiry (a public client detects it so; notes §3). The text is ours.
      throw badRequest('The cursor has expired. Please repeat your search without a cursor.');
    }
    if (!entry) throw badRequest('Invalid cursor.');
    if (entry.signature !== req.signature) {
      // GUESS: clients resend the same body with the cursor; the sandbox refuses a cursor sent with another query.
      throw badRequest('The cursor does not belong to this query. Please send the same query with its cursor.');
    }
    return entry;
  }

  private issue(signature: string, offset: number, now: number): string {
    for (const [n, e] of this.cursors) {
      if (now - e.issuedAt <= this.opts.cursorTtlMs && this.cursors.size < MAX_CURSORS) break;
      this.cursors.delete(n);
    }
    const n = ++this.issued;
    this.cursors.set(n, { signature, offset, issuedAt: now });
    return Buffer.from(`sc1.${n}.${now}`).toString('base64url');
  }

  private index(store: Store, type: SearchObjectType, field: SearchDateField): SortedIndex<Rec> {
    if (type === 'lead') return field === 'date_updated' ? store.leadsByUpdated : store.leadsByCreated;
    return field === 'date_updated' ? store.contactsByUpdated : store.contactsByCreated;
  }

  /**
   * Matches in answer order. The first sort key picks the index and its span; the other date
   * range and index lag are checked per record. Records equal on the first key (at
   * `sortPrecision`) are ordered by the second sort key, then by a scramble of their ids.
   * Without a sort: date_created ascending (GUESS: Close's default order is undocumented).
   */
  private *ordered(store: Store, req: SearchRequest, now: number): Generator<Rec> {
    const primary = req.sort[0] ?? { field: 'date_created' as const, desc: false };
    const secondary = req.sort[1];
    const idx = this.index(store, req.objectType, primary.field);
    const [s, e] = idx.span(req.ranges[primary.field]);
    const otherField: SearchDateField = primary.field === 'date_updated' ? 'date_created' : 'date_updated';
    const otherRange: Range = req.ranges[otherField];
    const otherKey = keyOf[otherField];
    const visibleUntil = this.opts.indexLagMs > 0 ? (now - this.opts.indexLagMs) * 1000 : Infinity;
    const matches = (r: Rec) => inRange(otherKey(r), otherRange) && r.updated <= visibleUntil;
    const key = keyOf[primary.field];
    const quantum = this.opts.sortPrecision === 'second' ? US_PER_SEC : 1;
    const bucketOf = (r: Rec) => Math.floor(key(r) / quantum);
    const secKey = secondary ? keyOf[secondary.field] : undefined;
    const tieCmp = (a: Rec, b: Rec): number => {
      if (secKey && secondary) {
        const d = secKey(a) - secKey(b);
        if (d !== 0) return secondary.desc ? -d : d;
      }
      return tieRank(a.id) - tieRank(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    };
    const n = e - s;
    let group: Rec[] = [];
    let groupBucket = NaN;
    for (let i = 0; i < n; i++) {
      const r = primary.desc ? idx.arr[e - 1 - i] : idx.arr[s + i];
      const b = bucketOf(r);
      if (b !== groupBucket) {
        if (group.length > 1) group.sort(tieCmp);
        yield* group;
        group = [];
        groupBucket = b;
      }
      if (matches(r)) group.push(r);
    }
    if (group.length > 1) group.sort(tieCmp);
    yield* group;
  }

  private render(store: Store, req: SearchRequest, r: Rec): Record<string, unknown> {
    // Documented: without _fields a result is {"__object_type": ..., "id": ...}.
    if (req.fields === null) return { __object_type: req.objectType, id: r.id };
    const full = req.objectType === 'lead' ? store.m.lead(r, true) : store.m.contact(r);
    const dropped = this.opts.fieldsNotReturned;
    const out: Record<string, unknown> = {};
    // GUESS: with _fields the answer holds exactly the fields named (no __object_type, no id unless named);
    // `custom` stands for every custom field as a flat `custom.cf_...` key (a public client relies on it; notes §3).
    for (const f of req.fields) {
      if (dropped.includes(f)) continue;
      if (f === 'custom') {
        for (const k of Object.keys(full)) if (k.startsWith('custom.') && !dropped.includes(k)) out[k] = full[k];
      } else if (f in full) {
        out[f] = full[f];
      }
    }
    return out;
  }
}

function decodeCursor(token: string): { n: number; issuedAt: number } | null {
  const m = /^sc1\.(\d+)\.(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return m ? { n: Number(m[1]), issuedAt: Number(m[2]) } : null;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
