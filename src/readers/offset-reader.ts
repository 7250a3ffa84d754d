import {CloseClient, Params} from '../client/close-client';
import {isTaskEnd, orderedConcurrent} from '../concurrency/ordered-concurrent';
import {ClosePage, checkPage} from './page-shape';

export interface OffsetReadOptions {
  client: CloseClient;
  path: string;
  stream: string;
  pageSize: number;
  params?: Params;
  /** Pages requested at once; the ones past the end cost one request each. */
  concurrency?: number;
}

/**
 * `_skip`/`_limit` paging through a whole resource. Only for resources without
 * a date filter (definitions, users, contacts): offsets are capped by Close
 * and shift when records change, which the keyset reader avoids. The first
 * page is fetched alone (most such resources fit in one); after it, pages are
 * fetched `concurrency` at a time and yielded in order, and once a page says
 * has_more is false no further page is requested.
 */
export async function* readAllPages(opts: OffsetReadOptions): AsyncGenerator<Record<string, any>[]> {
  let ended = false;
  const fetchPage = async (skip: number): Promise<ClosePage> => {
    const where = `GET ${opts.path} (stream ${opts.stream}, _skip=${skip})`;
    let page: ClosePage;
    try {
      const raw = await opts.client.get(opts.path, {...opts.params, _skip: skip, _limit: opts.pageSize}, {stream: opts.stream});
      page = checkPage(raw, where);
    } catch (err) {
      ended = true; // nothing past a failed page is worth asking for
      throw err;
    }
    if (!page.has_more) ended = true;
    return page;
  };
  const first = await fetchPage(0);
  if (first.data.length > 0) yield first.data;
  if (!first.has_more) return;
  let nextIndex = 1;
  const nextTask = () => {
    if (ended) return undefined;
    const skip = nextIndex++ * opts.pageSize;
    return {
      key: skip,
      run: async function* (): AsyncGenerator<ClosePage> {
        yield await fetchPage(skip);
      },
    };
  };
  const concurrency = opts.concurrency ?? 1;
  const pages = orderedConcurrent(nextTask, {concurrency, budget: concurrency * opts.pageSize, weight: (p) => p.data.length});
  for await (const item of pages) {
    if (isTaskEnd(item)) continue;
    if (item.data.length > 0) yield item.data;
    if (!item.has_more) return;
  }
}
