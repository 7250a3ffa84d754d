import VError from 'verror';
import {CloseClient} from '../client/close-client';
import {apiErrorInfo} from '../client/close-errors';
import {systemError} from '../errors';
import {Micros, MICROS_PER_SECOND, formatInstant, parseInstant} from '../time/instant';
import {DateRange, SearchDateField, SearchObjectType, ceilSecond, floorSecond, searchBody} from './search-body';
import {fetchByIds} from './search-fetch';

export interface SearchLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface SearchReadOptions {
  client: CloseClient;
  stream: string;
  objectType: SearchObjectType;
  /** Fields to ask for; id, date_updated, date_created and `custom` (every custom field, flat) are always asked. */
  fields: readonly string[];
  /** Fields a record must come with; one that lacks any is read whole by id. Defaults to `fields`. */
  required?: readonly string[];
  /** Records with date_updated in [lower, upper) are read; any precision (the search itself works in whole seconds). */
  lower?: Micros;
  upper: Micros;
  /** Records asked per request (Close's maximum is 200 by public clients' account; a 400 naming a lower max_limit lowers it). */
  pageSize?: number;
  /** GET /{type}/{id}/ requests at once when records must be read by id. */
  fetchConcurrency?: number;
  /**
   * Most records sharing one second of date_updated and one of date_created that can be read:
   * they can only be told apart by Close's cursor, whose walks stop near 10,000 results.
   */
  maxCellRecords?: number;
  /** Attempts at reading such a group while it changes under the cursor. */
  maxCellRounds?: number;
  logger?: SearchLogger;
}

export interface SearchPage {
  records: Record<string, any>[];
  /** Every record with date_updated in [lower, safeBefore) has been yielded, in this page or an earlier one. */
  safeBefore: Micros;
}

const PATH = '/data/search/';
const SECOND = MICROS_PER_SECOND;
const DEFAULTS = {pageSize: 200, fetchConcurrency: 4, maxCellRecords: 9_000, maxCellRounds: 5};

interface Page {
  rows: Record<string, any>[];
  cursor: string | null;
  count?: number;
}

interface Row {
  record: Record<string, any>;
  updated: Micros;
  created: Micros;
}

/** Ids already seen at the current position, layered: a group inside a second also knows the second's. */
class SeenIds {
  private own = new Set<string>();
  constructor(private readonly parent?: SeenIds) {}
  has(id: string): boolean {
    return this.own.has(id) || (this.parent?.has(id) ?? false);
  }
  add(id: string): void {
    this.own.add(id);
  }
  reset(): void {
    this.own = new Set();
  }
}

interface PassResult {
  /** Every id the pass returned, emitted before or not. */
  ids: Set<string>;
  /** Close's count at the start of the pass. */
  count?: number;
  end: 'complete' | 'expired' | 'cut';
  /** Whether the pass emitted anything new. */
  progressed: boolean;
}

const fallbackNoticed = new WeakMap<CloseClient, Set<string>>();

function transientError(message: string): VError {
  return new VError({name: 'TransientError', info: {failureType: 'transient_error'}}, '%s', message);
}

function isExpiredCursor(err: unknown): boolean {
  const info = apiErrorInfo(err);
  return info.status === 400 && /cursor/i.test(info.closeMessage ?? '') && /expire/i.test(info.closeMessage ?? '');
}

/**
 * Reads the records of one object type whose date_updated is in [lower, upper), oldest second
 * first, through Close's Advanced Filtering API, so that no cursor limit, no change between two
 * pages and no answer short of fields can lose a record:
 *
 * - Keyset by the second: every page is a fresh query from the last second seen (no cursor, so
 *   neither the cursor's 30 s lifetime nor its 10,000-result walk applies), and the ids already
 *   emitted in that second are dropped. Records edited meanwhile move to now, past `upper`;
 *   deleted ones vanish; neither shifts a fresh query.
 * - A page that sits in one second (bulk edits, imports) cannot move the keyset: that second is
 *   read the same way by date_created, inside it.
 * - A page that sits in one second of both is read with Close's cursor, whose continuation may
 *   shift when records change (it is undocumented whether it is a snapshot). Such a group is
 *   read again until one pass is consistent: the count Close gives at its start and after its end
 *   are equal (records only ever leave a past second) and the pass returned that many. Without
 *   counts, two passes must return the same ids. An expired cursor restarts the pass; a group
 *   larger than a cursor walk fails the read loudly.
 *
 * Only Close's order by whole seconds is relied on: inside a second records may come in any
 * order, so `safeBefore` (not the largest date_updated yielded) is what a checkpoint may use.
 */
export async function* readSearch(opts: SearchReadOptions): AsyncGenerator<SearchPage> {
  yield* new SearchWalk(opts).run();
}

class SearchWalk {
  private readonly o: Required<Omit<SearchReadOptions, 'logger' | 'lower' | 'required'>> & Pick<SearchReadOptions, 'logger' | 'lower'>;
  private readonly fields: string[];
  private readonly required: readonly string[];
  private readonly where: string;
  private readonly end: Micros;
  private pageSize: number;

  constructor(opts: SearchReadOptions) {
    this.o = {
      ...opts,
      pageSize: opts.pageSize ?? DEFAULTS.pageSize,
      fetchConcurrency: opts.fetchConcurrency ?? DEFAULTS.fetchConcurrency,
      maxCellRecords: opts.maxCellRecords ?? DEFAULTS.maxCellRecords,
      maxCellRounds: opts.maxCellRounds ?? DEFAULTS.maxCellRounds,
    };
    this.fields = [...new Set(['id', 'date_updated', 'date_created', ...opts.fields, 'custom'])];
    this.required = opts.required ?? opts.fields.filter((f) => f !== 'custom');
    this.where = `POST ${PATH} (stream ${opts.stream})`;
    this.end = ceilSecond(opts.upper);
    this.pageSize = this.o.pageSize;
  }

  async *run(): AsyncGenerator<SearchPage> {
    const {lower, upper} = this.o;
    if (lower !== undefined && lower >= upper) return;
    let anchor: Micros | undefined = lower === undefined ? undefined : floorSecond(lower);
    const seen = new SeenIds();
    for (;;) {
      const page = await this.query([{field: 'date_updated', gte: anchor, lt: this.end}], 'date_updated');
      const rows = this.rows(page, (r) => this.checkInRange(r, anchor));
      this.checkAscending(rows, 'updated');
      if (rows.length === 0) return;
      const first = floorSecond(rows[0].updated);
      const last = floorSecond(rows[rows.length - 1].updated);
      const plateau = first === last && page.cursor !== null;
      const records = await this.emit(rows, seen);
      if (!plateau) keepLast(seen, rows, last, 'updated');
      const done = page.cursor === null;
      const safeBefore = done ? upper : last;
      if (records.length > 0) yield {records, safeBefore};
      if (done) return;
      if (plateau) {
        yield* this.walkSecond(last, seen);
        seen.reset();
        anchor = last + SECOND;
        if (anchor >= this.end) return;
      } else {
        if (anchor !== undefined && last <= anchor) throw this.noProgress(anchor);
        anchor = last;
      }
    }
  }

  /** Every record of the date_updated second `s`, by date_created. */
  private async *walkSecond(s: Micros, parent: SeenIds): AsyncGenerator<SearchPage> {
    const seen = new SeenIds(parent);
    const inSecond: DateRange = {field: 'date_updated', gte: s, lt: s + SECOND};
    let anchor: Micros | undefined;
    for (;;) {
      const page = await this.query([inSecond, {field: 'date_created', gte: anchor}], 'date_created');
      const rows = this.rows(page, (r) => this.checkInSecond(r, s, anchor));
      this.checkAscending(rows, 'created');
      if (rows.length === 0) return;
      const first = floorSecond(rows[0].created);
      const last = floorSecond(rows[rows.length - 1].created);
      const plateau = first === last && page.cursor !== null;
      const records = await this.emit(rows, seen);
      if (!plateau) keepLast(seen, rows, last, 'created');
      if (records.length > 0) yield {records, safeBefore: s};
      if (page.cursor === null) return;
      if (plateau) {
        yield* this.walkCell(s, last, seen);
        seen.reset();
        anchor = last + SECOND;
      } else {
        if (anchor !== undefined && last <= anchor) throw this.noProgress(anchor);
        anchor = last;
      }
    }
  }

  /** Every record of date_updated second `s` and date_created second `c`: only the cursor tells them apart. */
  private async *walkCell(s: Micros, c: Micros, parent: SeenIds): AsyncGenerator<SearchPage> {
    const seen = new SeenIds(parent);
    const what = `${this.o.objectType}s with date_updated in ${formatInstant(s)} and date_created in ${formatInstant(c)} (the same second)`;
    let previous: Set<string> | undefined;
    let stalled = 0;
    const maxPasses = this.o.maxCellRounds + Math.ceil(this.o.maxCellRecords / this.pageSize) + 2;
    const history: string[] = [];
    for (let pass = 0, rounds = 0; pass < maxPasses && rounds < this.o.maxCellRounds; pass++) {
      const result: PassResult = yield* this.cellPass(s, c, seen, what);
      history.push(`${result.end} after ${result.ids.size}${result.count === undefined ? '' : ` of ${result.count}`}`);
      if (result.end === 'expired') {
        // The consumer held a page past the cursor's lifetime: start over (already emitted ids are skipped, so each pass gets further).
        stalled = result.progressed ? 0 : stalled + 1;
        if (stalled >= 3) break;
        continue;
      }
      rounds++;
      const after = await this.count(s, c);
      if (result.count !== undefined && after !== undefined) {
        // Records only leave a past second (edited to now, deleted): equal counts mean nothing changed during the pass.
        if (result.count === after && result.ids.size === after) return;
        continue;
      }
      if (result.end === 'complete' && previous && sameIds(previous, result.ids)) return;
      previous = result.end === 'complete' ? result.ids : undefined;
    }
    throw transientError(
      `${this.where}: could not read all ${what} consistently: Close's cursor passes ended ${history.join('; ')}. ` +
        'They change while being read, or Close ends cursor walks early; the state was not moved past them, a retry reads them again'
    );
  }

  private async *cellPass(s: Micros, c: Micros, seen: SeenIds, what: string): AsyncGenerator<SearchPage, PassResult> {
    const ranges: DateRange[] = [
      {field: 'date_updated', gte: s, lt: s + SECOND},
      {field: 'date_created', gte: c, lt: c + SECOND},
    ];
    const body = this.body(ranges, 'date_created', {includeCounts: true});
    let page = await this.post(body);
    const count = page.count;
    if (count !== undefined && count > this.o.maxCellRecords) throw this.tooMany(what, count);
    const ids = new Set<string>();
    let progressed = false;
    const maxPages = Math.ceil(this.o.maxCellRecords / this.pageSize) + 2;
    for (let pages = 1; ; pages++) {
      const rows = this.rows(page, (r) => this.checkInCell(r, s, c));
      for (const r of rows) ids.add(r.record.id);
      if (ids.size > this.o.maxCellRecords) throw this.tooMany(what, ids.size);
      const records = await this.emit(rows, seen);
      if (records.length > 0) {
        progressed = true;
        yield {records, safeBefore: s};
      }
      if (page.cursor === null) return {ids, count, end: 'complete', progressed};
      if (pages >= maxPages) throw systemError(`${this.where}: Close kept handing out cursors for ${what} past ${pages} pages; stopping instead of looping`);
      try {
        page = await this.post({...body, cursor: page.cursor});
      } catch (err) {
        if (isExpiredCursor(err)) return {ids, count, end: 'expired', progressed};
        // Any other refusal of a continuation (the walk's cap, said as an error): the pass is short, which the count check sees.
        if (apiErrorInfo(err).status === 400) {
          this.o.logger?.warn(`${this.where}: Close refused to continue a cursor walk over ${what} after ${ids.size} records (${apiErrorInfo(err).closeMessage}); reading them again`);
          return {ids, count, end: 'cut', progressed};
        }
        throw err;
      }
    }
  }

  private noProgress(at: Micros): VError {
    return systemError(`${this.where}: the search did not move past ${formatInstant(at)}; stopping instead of looping`);
  }

  private tooMany(what: string, n: number): VError {
    return systemError(
      `${this.where}: ${n} ${what}: more than ${this.o.maxCellRecords}, which Close's search cannot page through ` +
        '(one cursor walk stops near 10,000 results, and nothing else tells these records apart); the state was not moved past them'
    );
  }

  private async count(s: Micros, c: Micros): Promise<number | undefined> {
    const ranges: DateRange[] = [
      {field: 'date_updated', gte: s, lt: s + SECOND},
      {field: 'date_created', gte: c, lt: c + SECOND},
    ];
    return (await this.post(this.body(ranges, 'date_created', {includeCounts: true, resultsLimit: 0}))).count;
  }

  private body(ranges: DateRange[], sortBy: SearchDateField, extra: {includeCounts?: boolean; resultsLimit?: number} = {}) {
    return searchBody({objectType: this.o.objectType, ranges, sortBy, fields: this.fields, limit: this.pageSize, ...extra});
  }

  private query(ranges: DateRange[], sortBy: SearchDateField): Promise<Page> {
    return this.post(this.body(ranges, sortBy));
  }

  /** One request; a 400 that names a lower max_limit lowers the page size once and asks again. */
  private async post(body: Record<string, unknown>): Promise<Page> {
    let raw: unknown;
    try {
      raw = await this.o.client.post(PATH, body, {stream: this.o.stream});
    } catch (err) {
      const info = apiErrorInfo(err);
      const max = info.status === 400 ? /max_limit\s*=\s*(\d+)/.exec(info.closeMessage ?? '') : null;
      if (!max || body.cursor !== undefined || Number(max[1]) < 1 || Number(max[1]) >= this.pageSize) throw err;
      this.o.logger?.info(`${this.where}: Close allows ${max[1]} records per search page, not ${this.pageSize}; asking for ${max[1]}`);
      this.pageSize = Number(max[1]);
      return this.post({...body, _limit: this.pageSize});
    }
    return this.page(raw);
  }

  private page(raw: unknown): Page {
    const p = raw as {data?: unknown; cursor?: unknown; count?: {total?: unknown}} | null;
    if (typeof p !== 'object' || p === null || !Array.isArray(p.data)) {
      throw systemError(`${this.where}: Close answered ${JSON.stringify(raw)?.slice(0, 200)} where {"data": [...], "cursor": ...} was expected`);
    }
    if (p.cursor !== undefined && p.cursor !== null && typeof p.cursor !== 'string') {
      throw systemError(`${this.where}: Close answered a cursor that is not a string: ${JSON.stringify(p.cursor).slice(0, 100)}`);
    }
    const cursor = typeof p.cursor === 'string' && p.cursor !== '' ? p.cursor : null;
    if (cursor !== null && p.data.length === 0) throw systemError(`${this.where}: Close handed out a cursor with an empty page; stopping instead of looping`);
    const total = p.count?.total;
    return {rows: p.data as Record<string, any>[], cursor, count: typeof total === 'number' ? total : undefined};
  }

  /** The rows of a page with their keys, each checked against what was asked. */
  private rows(page: Page, check: (r: Row) => string | undefined): Row[] {
    return page.rows.map((record) => {
      if (typeof record !== 'object' || record === null || typeof record.id !== 'string' || record.id === '') {
        throw systemError(`${this.where}: Close answered a record without an id: ${JSON.stringify(record).slice(0, 200)}`);
      }
      const updated = parseInstant(record.date_updated);
      const created = parseInstant(record.date_created);
      if (updated === undefined || created === undefined) {
        throw systemError(
          `${this.where}: ${this.o.objectType} ${record.id} came without a date_updated and date_created (${JSON.stringify(record.date_updated)}, ${JSON.stringify(record.date_created)}), which the search was asked for and pages by`
        );
      }
      const row = {record, updated, created};
      const problem = check(row);
      if (problem) throw systemError(`${this.where}: ${this.o.objectType} ${record.id} ${problem}; refusing to guess what else the search got wrong`);
      return row;
    });
  }

  private checkInRange(r: Row, anchor: Micros | undefined): string | undefined {
    if ((anchor !== undefined && r.updated < anchor) || r.updated >= this.end) {
      return `has date_updated ${formatInstant(r.updated)}, outside the range asked for [${anchor === undefined ? '' : formatInstant(anchor)}, ${formatInstant(this.end)})`;
    }
    return undefined;
  }

  private checkInSecond(r: Row, s: Micros, createdFrom: Micros | undefined): string | undefined {
    if (floorSecond(r.updated) !== s) return `has date_updated ${formatInstant(r.updated)}, outside the second asked for (${formatInstant(s)})`;
    if (createdFrom !== undefined && r.created < createdFrom) return `has date_created ${formatInstant(r.created)}, before the ${formatInstant(createdFrom)} asked for`;
    return undefined;
  }

  private checkInCell(r: Row, s: Micros, c: Micros): string | undefined {
    if (floorSecond(r.updated) !== s || floorSecond(r.created) !== c) {
      return `has date_updated ${formatInstant(r.updated)} and date_created ${formatInstant(r.created)}, outside the seconds asked for (${formatInstant(s)}, ${formatInstant(c)})`;
    }
    return undefined;
  }

  /** Close's sort is relied on to the second only. */
  private checkAscending(rows: Row[], key: 'updated' | 'created'): void {
    for (let i = 1; i < rows.length; i++) {
      if (floorSecond(rows[i][key]) < floorSecond(rows[i - 1][key])) {
        throw systemError(`${this.where}: Close returned ${this.o.objectType}s out of date_${key} order (${rows[i].record.id}); refusing to guess what was skipped`);
      }
    }
  }

  /** The rows not emitted yet and inside [lower, upper), whole: those that lack a required field are read by id. */
  private async emit(rows: Row[], seen: SeenIds): Promise<Record<string, any>[]> {
    const fresh: Record<string, any>[] = [];
    for (const r of rows) {
      if (seen.has(r.record.id)) continue;
      seen.add(r.record.id);
      if ((this.o.lower !== undefined && r.updated < this.o.lower) || r.updated >= this.o.upper) continue;
      fresh.push(r.record);
    }
    const lacking = fresh.filter((r) => this.required.some((f) => !(f in r)));
    if (lacking.length === 0) return fresh;
    this.noticeFallback(lacking[0]);
    const whole = await fetchByIds(
      lacking.map((r) => r.id),
      {client: this.o.client, stream: this.o.stream, objectType: this.o.objectType, concurrency: this.o.fetchConcurrency, upper: this.o.upper}
    );
    const byId = new Map(lacking.map((r, i) => [r.id, whole[i]]));
    return fresh.flatMap((r) => {
      if (!byId.has(r.id)) return [r];
      const w = byId.get(r.id);
      return w ? [w] : [];
    });
  }

  private noticeFallback(sample: Record<string, any>): void {
    let noticed = fallbackNoticed.get(this.o.client);
    if (!noticed) fallbackNoticed.set(this.o.client, (noticed = new Set()));
    if (noticed.has(this.o.stream)) return;
    noticed.add(this.o.stream);
    const missing = this.required.filter((f) => !(f in sample));
    this.o.logger?.warn(
      `Stream ${this.o.stream}: Close's search answered ${this.o.objectType}s without ${missing.join(', ')}; ` +
        `reading those ${this.o.objectType}s whole by id (GET /${this.o.objectType}/{id}/, one request each, ${this.o.fetchConcurrency} at a time)`
    );
  }
}

/** After the keyset moved to second `last`: only the ids seen there can come again. */
function keepLast(seen: SeenIds, rows: Row[], last: Micros, key: 'updated' | 'created'): void {
  seen.reset();
  for (const r of rows) if (floorSecond(r[key]) === last) seen.add(r.record.id);
}

function sameIds(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const id of a) if (!b.has(id)) return false;
  return true;
}
