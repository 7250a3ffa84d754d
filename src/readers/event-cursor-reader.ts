import {systemError} from '../errors';
import {CloseClient, Params} from '../client/close-client';
import {apiErrorInfo} from '../client/close-errors';
import {Micros, MICROS_PER_SECOND, formatInstant, parseInstant} from '../time/instant';
import {ClosePage, checkPage} from './page-shape';

export interface EventReadOptions {
  client: CloseClient;
  stream: string;
  pageSize: number;
  /** Events with date_updated in [lower, upper) are returned. */
  lower: Micros;
  upper: Micros;
  /**
   * Filters besides the date range (`object_type`, `action`: one of Close's
   * supported combinations), sent with every request, cursor requests too:
   * Close asks that they be resent with `_cursor`.
   */
  filters?: Params;
}

const PATH = '/event/';
/** Cursor pages that bring nothing new while Close still hands out a cursor: give up after this many. */
const MAX_EMPTY_PAGES = 3;
/** Fresh starts in a row (after a refused cursor, a cursor that jumped, a walk that may have been cut short) that bring nothing new. */
const MAX_IDLE_RESTARTS = 3;
/** Statuses with which Close may refuse a cursor it no longer knows (undocumented: a guess). */
const REFUSED_CURSOR_STATUS = new Set([400, 404, 410]);

const floorSecond = (t: Micros) => Math.floor(t / MICROS_PER_SECOND) * MICROS_PER_SECOND;
const ceilSecond = (t: Micros) => Math.ceil(t / MICROS_PER_SECOND) * MICROS_PER_SECOND;

/**
 * The event log pages by cursor (`_cursor` from `cursor_next`), newest first.
 * The first request carries the date range; Close asks that cursor requests
 * resend every filter except date_updated, and the cursor keeps the range.
 *
 * Close documents cursors as "events before the given ID" and says nothing
 * of how long one lives or what becomes of it when that event is
 * consolidated (its date_updated moves) between two pages. So the walk never
 * depends on a cursor alone: when one is refused (4xx), or a cursor page
 * jumps back to events newer than those already read, or the walk ends on a
 * full page (a walk cut short looks the same), the reader starts afresh with
 * a date query, `date_updated__lte` = the oldest event read:
 * - to that event's own instant when Close's answer shows the filter keeps
 *   fractions of a second (the event itself comes back, as the docs'
 *   "events happening in the same millisecond" suggest),
 * - else rounded up to the second, which loses nothing whatever precision
 *   Close applies;
 * and it drops the events of that second it already printed. Events that
 * appear meanwhile are newer (Close keys them by write time) and belong to
 * the next sync, which re-scans the last minutes before its cursor as Close
 * recommends.
 */
export async function* readEvents(opts: EventReadOptions): AsyncGenerator<Record<string, any>[]> {
  const filtered = Object.entries(opts.filters ?? {}).map(([k, v]) => `${k}=${v}`).join('&');
  const where = `GET ${PATH}${filtered ? `?${filtered}` : ''} (stream ${opts.stream})`;
  let cursor: string | undefined;
  let emptyPages = 0;
  let idleRestarts = 0;
  // The oldest event printed (its key and id), and the ids printed in its second.
  let oldest: {key: Micros; id: string} | undefined;
  let tailSecond: Micros | undefined;
  const tail = new Set<string>();
  let restartFrom: Micros | undefined;
  let confirmedFrom: Micros | undefined;
  // Whether Close's date_updated__lte keeps fractions of a second: known once
  // an answer proves it, asked again at each restart until then.
  let exactFilter = false;

  /** Starts again by date below what was printed; gives up when several starts in a row found nothing. */
  const restart = (why: string) => {
    if (++idleRestarts > MAX_IDLE_RESTARTS) {
      throw systemError(
        `${where}: ${why}, and ${MAX_IDLE_RESTARTS} fresh starts from ${formatInstant(restartFrom ?? opts.upper)} brought nothing new; stopping`
      );
    }
    cursor = undefined;
    restartFrom = oldest?.key;
  };
  const dateQuery = (lte: Micros): Params => ({
    ...opts.filters,
    date_updated__gte: formatInstant(opts.lower),
    date_updated__lte: formatInstant(Math.min(lte, opts.upper)),
    _limit: opts.pageSize,
  });
  const get = async (params: Params): Promise<ClosePage> => checkPage(await opts.client.get(PATH, params, {stream: opts.stream}), where);

  for (;;) {
    const byCursor = cursor !== undefined;
    let page: ClosePage;
    try {
      if (cursor !== undefined) {
        page = await get({...opts.filters, _cursor: cursor, _limit: opts.pageSize});
      } else if (restartFrom === undefined || oldest === undefined) {
        page = await get(dateQuery(opts.upper));
      } else if (exactFilter || restartFrom === floorSecond(restartFrom)) {
        page = await get(dateQuery(restartFrom));
      } else {
        // Events after the whole second and up to the instant prove that the
        // fraction was kept; without them, the rounded-up query is the safe one.
        const from = restartFrom;
        page = await get(dateQuery(from));
        exactFilter = page.data.some((e) => {
          const k = parseInstant(e.date_updated);
          return k !== undefined && k > floorSecond(from) && k <= from;
        });
        if (!exactFilter) page = await get(dateQuery(ceilSecond(from)));
      }
    } catch (err) {
      const status = apiErrorInfo(err).status;
      if (!byCursor || status === undefined || !REFUSED_CURSOR_STATUS.has(status)) throw err;
      restart(`Close refused a cursor (${status}: ${apiErrorInfo(err).closeMessage ?? 'no message'})`);
      continue;
    }

    const keys = page.data.map((event) => {
      const k = parseInstant(event.date_updated);
      if (k === undefined) {
        throw systemError(`${where}: event ${event.id} has date_updated ${JSON.stringify(event.date_updated)}, not a date-time`);
      }
      return k;
    });
    for (let i = 1; i < keys.length; i++) {
      if (keys[i] > keys[i - 1]) {
        throw systemError(`${where}: Close returned events out of date_updated order (${page.data[i].id}); refusing to guess what was skipped`);
      }
    }
    if (byCursor && tailSecond !== undefined && keys.length > 0 && floorSecond(keys[0]) > tailSecond) {
      // A cursor is a position: this one went back up the log. Its page is not trusted.
      restart('a cursor page went back to newer events');
      continue;
    }

    const out: Record<string, any>[] = [];
    let pastLower = false;
    page.data.forEach((event, i) => {
      const k = keys[i];
      if (k >= opts.upper) return;
      if (k < opts.lower) {
        pastLower = true;
        return;
      }
      if (floorSecond(k) === tailSecond && tail.has(event.id)) return; // printed before a fresh start
      if (floorSecond(k) !== tailSecond) {
        tailSecond = floorSecond(k);
        tail.clear();
      }
      tail.add(event.id);
      if (oldest === undefined || k <= oldest.key) oldest = {key: k, id: event.id};
      out.push(event);
    });
    if (out.length > 0) {
      idleRestarts = 0;
      yield out;
    }
    if (pastLower) return;
    const next = page.cursor_next;
    if (!next) {
      // A walk that ends on a full page may have been cut short: a date query
      // from the oldest event tells, once per oldest event.
      if (page.data.length < opts.pageSize || oldest === undefined) return;
      if (oldest.key === confirmedFrom && out.length === 0) {
        throw systemError(
          `${where}: Close's cursor walks keep ending on full pages of events already read at ${formatInstant(oldest.key)}; cannot tell whether older events follow, stopping`
        );
      }
      confirmedFrom = oldest.key;
      restart('the cursor walk ended on a full page');
      continue;
    }
    if (page.data.length === 0 || next === cursor) {
      if (++emptyPages >= MAX_EMPTY_PAGES) {
        throw systemError(`${where}: Close keeps sending a cursor with no new events; stopping instead of looping`);
      }
    } else {
      emptyPages = 0;
    }
    cursor = next;
  }
}
