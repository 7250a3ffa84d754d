import {systemError} from '../errors';
import {CloseClient, Params} from '../client/close-client';
import {Micros, parseInstant} from '../time/instant';
import {checkPage} from './page-shape';

export interface KeysetBounds {
  /** Inclusive lower bound to send, already rounded down to the filter's precision. */
  gte?: Micros;
  /** Exclusive upper bound to send. */
  lt: Micros;
}

export interface KeysetReadOptions {
  client: CloseClient;
  path: string;
  stream: string;
  pageSize: number;
  /** The record field the endpoint filters and sorts on. */
  key: string;
  /** The order Close returns records in for the params built below. */
  direction: 'asc' | 'desc';
  /**
   * How precisely Close applies the key filter: 1 s for the `__gte/__lt`
   * filters, 60 s for the lead `query` language. Bounds are rounded to it and
   * the reader re-counts records inside a quantum, so precision loss on
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
 * query that starts at the last key seen, with `_skip` counting only the
 * records already read inside that key's quantum. Unlike deep `_skip` offsets
 * this never meets Close's skip cap, and records that change during the read
 * cannot shift later records past us.
 *
 * Yields the records of each page in Close's order (those outside
 * [lower, upper) removed). Records with the same key that straddle a page
 * boundary are recognised by id and not repeated.
 */
export async function* readKeyset(opts: KeysetReadOptions): AsyncGenerator<Record<string, any>[]> {
  const q = opts.quantum;
  const floorQ = (t: Micros) => Math.floor(t / q) * q;
  const lowerQ = opts.lower === undefined ? undefined : floorQ(opts.lower);
  let bounds: KeysetBounds = {gte: lowerQ, lt: opts.upper};
  let skip = 0;
  let boundary: Micros | undefined;
  const boundaryIds = new Set<string>();
  let previousKey: Micros | undefined;

  for (;;) {
    const where = `GET ${opts.path} (stream ${opts.stream})`;
    const raw = await opts.client.get(
      opts.path,
      {...opts.params(bounds), _skip: skip, _limit: opts.pageSize},
      {stream: opts.stream}
    );
    const page = checkPage(raw, where);
    const out: Record<string, any>[] = [];
    let reachedLower = false;
    for (const record of page.data) {
      const k = parseInstant(record[opts.key]);
      if (k === undefined) {
        throw systemError(
          `${where}: record ${record.id} has ${opts.key} ${JSON.stringify(record[opts.key])}, not a date-time; cannot page by it`
        );
      }
      if (previousKey !== undefined && (opts.direction === 'asc' ? k < previousKey : k > previousKey)) {
        throw systemError(`${where}: Close returned records out of ${opts.key} order (${record.id}); refusing to guess what was skipped`);
      }
      previousKey = k;
      const quantum = floorQ(k);
      if (quantum !== boundary) {
        boundary = quantum;
        boundaryIds.clear();
      }
      if (boundaryIds.has(record.id)) continue;
      boundaryIds.add(record.id);
      if (k >= opts.upper) continue;
      if (opts.lower !== undefined && k < opts.lower) {
        if (opts.direction === 'desc') reachedLower = true;
        continue;
      }
      out.push(record);
    }
    if (out.length > 0) yield out;
    if (!page.has_more || reachedLower) return;
    if (boundary === undefined) {
      throw systemError(`${where}: Close said has_more but sent no record to continue from; stopping instead of looping`);
    }
    // Continue from the last quantum seen, skipping what was read in it.
    bounds = opts.direction === 'asc' ? {gte: boundary, lt: opts.upper} : {gte: lowerQ, lt: boundary + q};
    skip = boundaryIds.size;
    previousKey = undefined;
  }
}
