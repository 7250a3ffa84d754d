import {createHash} from 'crypto';
import {systemError} from '../errors';
import {CloseClient, Params} from '../client/close-client';
import {ClosePage, checkPage} from './page-shape';
import {AnchorSet, stepBackSkips} from './overlap';

export interface OffsetReadOptions {
  client: CloseClient;
  path: string;
  stream: string;
  /** At least 2: each page repeats one record of the page before. */
  pageSize: number;
  params?: Params;
  /** Pages requested at once; the ones past the end cost one request each. */
  concurrency?: number;
  /** The field that identifies a record (default `id`). */
  key?: string;
}

/** How many pages' worth of records are remembered to recognise a page that moved (see below). */
const REMEMBERED_PAGES = 8;

/**
 * What says a record is the one read before, unchanged: its date_updated when
 * it has one (an edit may move it in Close's order), else a digest of its
 * content (kept small: only a few pages of them are remembered).
 */
function versionOf(record: Record<string, any>): string {
  if (typeof record.date_updated === 'string') return record.date_updated;
  return createHash('sha1').update(JSON.stringify(record)).digest('base64');
}

/**
 * `_skip`/`_limit` paging through a whole resource. Only for resources without
 * a date filter (definitions, users, contacts): offsets are capped by Close,
 * which the keyset reader avoids.
 *
 * Offsets shift when records before the position are deleted (or move, or
 * appear): a plain `_skip = n * pageSize` then jumps over a row. So each page
 * starts on the last record of the page before (`_skip` steps by
 * pageSize - 1) and is accepted only if it holds a record already read,
 * unchanged: every unchanged record before that one was read, and the page
 * runs on contiguously from it. A page that does not line up is asked for
 * again 1, 2, 4 … records further back (down to `_skip=0`, always sound).
 * Recently read records are remembered (a few pages' worth, bounded) so that
 * they are not printed twice.
 *
 * The first page is fetched alone (most such resources fit in one); after
 * it, up to `concurrency` pages are fetched ahead at the offsets expected and
 * checked in order as they reach the front; after a shift, the pages fetched
 * ahead that no longer line up are fetched again.
 */
export async function* readAllPages(opts: OffsetReadOptions): AsyncGenerator<Record<string, any>[]> {
  if (opts.pageSize < 2) {
    throw systemError(`readAllPages (stream ${opts.stream}): page size ${opts.pageSize} leaves no room for the overlap record; use 2 or more`);
  }
  const step = opts.pageSize - 1;
  const key = opts.key ?? 'id';
  const concurrency = Math.max(1, opts.concurrency ?? 1);
  const read = new AnchorSet<string>(REMEMBERED_PAGES * opts.pageSize * Math.max(2, concurrency));

  type Fetched = {page: ClosePage; asked: number};
  let requests = 0;
  const fetchPage = async (skip: number): Promise<Fetched> => {
    const asked = requests++;
    const where = `GET ${opts.path} (stream ${opts.stream}, _skip=${skip})`;
    const raw = await opts.client.get(opts.path, {...opts.params, _skip: skip, _limit: opts.pageSize}, {stream: opts.stream});
    return {page: checkPage(raw, where, key), asked};
  };
  /** Pages fetched ahead, by offset. Offsets past a page that said it was the last are not fetched ahead. */
  const ahead = new Map<number, Promise<Fetched>>();
  let endsAt = Infinity;
  const prefetch = (skip: number) => {
    if (ahead.has(skip) || skip > endsAt) return;
    const page = fetchPage(skip);
    page.then(
      ({page: p}) => {
        if (!p.has_more) endsAt = Math.min(endsAt, skip);
      },
      () => {
        endsAt = Math.min(endsAt, skip); // nothing past a failed page is worth asking for
      }
    );
    ahead.set(skip, page);
  };
  const take = (skip: number): Promise<Fetched> => {
    const page = ahead.get(skip) ?? fetchPage(skip);
    ahead.delete(skip);
    return page;
  };
  const linesUp = (page: ClosePage) => page.data.some((r) => read.has(r[key], versionOf(r)));

  let skip = 0;
  let first = true;
  let lastAccepted = -1; // request number of the page accepted last
  // After a shift the pages fetched ahead are likely stale too: work ahead
  // again slowly (1, 2, 4 … pages) so that a busy account does not cost a
  // whole round of wasted requests per change.
  let width = concurrency;
  try {
    for (;;) {
      if (!first) for (let i = 0; i < width; i++) prefetch(skip + i * step);
      let {page, asked} = await take(skip);
      let at = skip;
      if (!first && !linesUp(page)) {
        width = 1;
        // The list shifted under us: find where it continues, further back.
        // A page fetched ahead before the last accepted one may only be
        // stale: its offset is asked again first.
        for (const back of stepBackSkips(asked < lastAccepted ? skip : skip - 1)) {
          at = back;
          ({page, asked} = await fetchPage(back));
          if (back === 0 || linesUp(page)) break;
        }
      } else {
        width = Math.min(concurrency, width * 2);
      }
      first = false;
      lastAccepted = asked;
      const fresh = page.data.filter((r) => !read.has(r[key], versionOf(r)));
      for (const r of page.data) read.add(r[key], versionOf(r));
      if (fresh.length > 0) yield fresh;
      if (!page.has_more) return;
      if (page.data.length < 2) {
        throw systemError(
          `GET ${opts.path} (stream ${opts.stream}, _skip=${at}): Close said has_more but sent one record, too few to page on from; stopping instead of looping`
        );
      }
      skip = at + page.data.length - 1;
      // Pages fetched ahead at offsets that no longer come next are dropped (their errors with them).
      for (const offset of ahead.keys()) {
        if (offset < skip || (offset - skip) % step !== 0) ahead.delete(offset);
      }
    }
  } finally {
    ahead.clear(); // their failures were already handled in prefetch()
  }
}
