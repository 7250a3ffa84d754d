import {systemError} from '../errors';
import {CloseClient} from '../client/close-client';
import {Micros, formatInstant, parseInstant} from '../time/instant';
import {checkPage} from './page-shape';

export interface EventReadOptions {
  client: CloseClient;
  stream: string;
  pageSize: number;
  /** Events with date_updated in [lower, upper) are returned. */
  lower: Micros;
  upper: Micros;
}

const PATH = '/event/';
/** Cursor pages that bring nothing new while Close still hands out a cursor: give up after this many. */
const MAX_EMPTY_PAGES = 3;

/**
 * The event log pages by cursor (`_cursor` from `cursor_next`), newest first.
 * The first request carries the date range; Close asks that cursor requests
 * resend every filter except date_updated, and the cursor keeps the range.
 */
export async function* readEvents(opts: EventReadOptions): AsyncGenerator<Record<string, any>[]> {
  let cursor: string | undefined;
  let emptyPages = 0;
  for (;;) {
    const where = `GET ${PATH} (stream ${opts.stream})`;
    const params = cursor
      ? {_cursor: cursor, _limit: opts.pageSize}
      : {
          date_updated__gte: formatInstant(opts.lower),
          date_updated__lte: formatInstant(opts.upper),
          _limit: opts.pageSize,
        };
    const page = checkPage(await opts.client.get(PATH, params, {stream: opts.stream}), where);
    const out: Record<string, any>[] = [];
    let pastLower = false;
    for (const event of page.data) {
      const k = parseInstant(event.date_updated);
      if (k === undefined) {
        throw systemError(`${where}: event ${event.id} has date_updated ${JSON.stringify(event.date_updated)}, not a date-time`);
      }
      if (k >= opts.upper) continue;
      if (k < opts.lower) {
        pastLower = true;
        continue;
      }
      out.push(event);
    }
    if (out.length > 0) yield out;
    const next = page.cursor_next;
    if (!next || pastLower) return;
    if (page.data.length === 0 || next === cursor) {
      emptyPages++;
      if (emptyPages >= MAX_EMPTY_PAGES) {
        throw systemError(`${where}: Close keeps sending a cursor with no new events; stopping instead of looping`);
      }
    } else {
      emptyPages = 0;
    }
    cursor = next;
  }
}
