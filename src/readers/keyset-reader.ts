import {systemError} from '../errors';
import {CloseClient, Params} from '../client/close-client';
import {Micros, parseInstant} from '../time/instant';
import {ClosePage, checkPage} from './page-shape';
import {AnchorSet, stepBackSkips} from './overlap';

export interface KeysetBounds {
  /** Inclusive lower bound to send, already rounded down to the filter's precision. */
  gte?: Micros;
  /** Exclusive upper bound to send, rounded up to the filter's precision. */
  lt: Micros;
}

export interface KeysetReadOptions {
  client: CloseClient;
  path: string;
  stream: string;
  /** At least 2: each continuation page repeats one record of the page before. */
  pageSize: number;
  /** The record field the endpoint filters and sorts on. */
  key: string;
  /** The order Close returns records in for the params built below. */
  direction: 'asc' | 'desc';
  /**
   * How precisely Close applies the key filter: 1 s for the `__gte/__lt`
   * filters, 60 s for the lead `query` language. Bounds are rounded to it and
   * the reader pages by position inside a quantum, so precision loss on
   * Close's side costs a few repeated rows at most, never a lost one.
   */
  quantum: Micros;
  /** Only records with key >= lower are returned (exact, filtered here too). */
  lower?: Micros;
  /** Only records with key < upper are returned. */
  upper: Micros;
  /** Endpoint-specific filters and sort for the given bounds. */
  params(bounds: KeysetBounds): Params;
}

/**
 * Reads all records of a key range by keyset pagination: each page is a new
 * query that starts at the quantum (second or minute) of the last key seen,
 * with `_skip` counting only the records already read inside that quantum.
 * Unlike deep `_skip` offsets this never meets Close's skip cap.
 *
 * A count alone cannot be trusted while the account changes: when a record
 * already read in the quantum is edited away or deleted, `_skip` would jump
 * one unread record. So each continuation asks for one record of overlap
 * (`_skip` = count - 1) and is accepted only if it holds a record already read
 * there, unchanged (same id, same key). Such a record proves the page starts
 * at or before where the last one ended: every unchanged record before it was
 * read already, and the page runs on contiguously from it. Otherwise the
 * reader steps back (1, 2, 4 … records, down to `_skip=0`, which is always
 * sound) and asks again. Records that moved (key changed) or appeared count
 * as new and are emitted; records read before are not repeated.
 *
 * This rests on Close sorting records with equal keys the same way on every
 * request (a guess: Close does not document its tie order).
 *
 * Yields the records of each page in Close's order (those outside
 * [lower, upper) removed); a yielded page never runs past an unread record,
 * so a caller may checkpoint after each.
 */
export async function* readKeyset(opts: KeysetReadOptions): AsyncGenerator<Record<string, any>[]> {
  if (opts.pageSize < 2) {
    throw systemError(`readKeyset (stream ${opts.stream}): page size ${opts.pageSize} leaves no room for the overlap record; use 2 or more`);
  }
  const q = opts.quantum;
  const floorQ = (t: Micros) => Math.floor(t / q) * q;
  const where = `GET ${opts.path} (stream ${opts.stream})`;
  const lowerQ = opts.lower === undefined ? undefined : floorQ(opts.lower);
  // Close may drop the fraction of a bound (the query language has minutes
  // only): the upper bound sent is rounded up, and the rest filtered here.
  const upperQ = Math.ceil(opts.upper / q) * q;
  const keyOf = (record: Record<string, any>): Micros => {
    const k = parseInstant(record[opts.key]);
    if (k === undefined) {
      throw systemError(
        `${where}: record ${record.id} has ${opts.key} ${JSON.stringify(record[opts.key])}, not a date-time; cannot page by it`
      );
    }
    return k;
  };

  // The query being continued: its bounds, the quantum it continues in, how
  // many positions of its list were read, and the records read there.
  let bounds: KeysetBounds = {gte: lowerQ, lt: upperQ};
  let boundary: Micros | undefined;
  let covered = 0;
  const anchors = new AnchorSet<Micros>();
  // Accepted pages in a row that held only records read before: after a
  // step back the reader walks forward again over them, but never for longer
  // than that walk can take.
  let stalled = 0;

  /** The next page of the query, verified to line up with what was read (see above). */
  const continuation = async (): Promise<{page: ClosePage; keys: Micros[]; skip: number}> => {
    for (const skip of stepBackSkips(covered - 1)) {
      const page = checkPage(
        await opts.client.get(opts.path, {...opts.params(bounds), _skip: skip, _limit: opts.pageSize}, {stream: opts.stream}),
        where
      );
      const keys = page.data.map(keyOf);
      if (skip === 0 || page.data.some((r, i) => anchors.has(r.id, keys[i]))) return {page, keys, skip};
    }
    throw systemError(`${where}: no page lined up with the records already read`); // not reached: _skip=0 is always accepted
  };

  for (;;) {
    const {page, keys, skip} = await continuation();
    const out: Record<string, any>[] = [];
    let reachedEnd = false; // the range's far end: Close sorts everything after it outside the range too
    let previousKey: Micros | undefined;
    page.data.forEach((record, i) => {
      const k = keys[i];
      if (previousKey !== undefined && (opts.direction === 'asc' ? k < previousKey : k > previousKey)) {
        throw systemError(`${where}: Close returned records out of ${opts.key} order (${record.id}); refusing to guess what was skipped`);
      }
      previousKey = k;
      if (anchors.has(record.id, k)) return; // read before, unchanged
      if (k >= opts.upper) {
        if (opts.direction === 'asc') reachedEnd = true;
        return;
      }
      if (opts.lower !== undefined && k < opts.lower) {
        if (opts.direction === 'desc') reachedEnd = true;
        return;
      }
      out.push(record);
    });
    if (out.length > 0) yield out;
    if (!page.has_more || reachedEnd || page.data.length === 0) return;

    // Continue in the quantum of the last record: by position if it is the
    // quantum this query already continues in, else from a new query whose
    // list starts with this page's trailing records of that quantum.
    const last = floorQ(keys[keys.length - 1]);
    if (boundary !== undefined && (opts.direction === 'asc' ? last < boundary : last > boundary)) {
      throw systemError(`${where}: Close returned a page that ends before the quantum it was asked to continue in; refusing to go back`);
    }
    const known = page.data.every((r, i) => anchors.has(r.id, keys[i]));
    if (last === boundary) {
      covered = skip + page.data.length;
      if (!known) stalled = 0;
      else if (++stalled > Math.ceil(covered / (opts.pageSize - 1)) + 2) {
        throw systemError(`${where}: Close said has_more but its pages bring nothing new at _skip=${skip}; stopping instead of looping`);
      }
    } else {
      boundary = last;
      bounds = opts.direction === 'asc' ? {gte: last, lt: upperQ} : {gte: lowerQ, lt: last + q};
      covered = keys.filter((k) => floorQ(k) === last).length;
      stalled = 0;
      anchors.clear();
    }
    page.data.forEach((record, i) => anchors.add(record.id, keys[i]));
  }
}
