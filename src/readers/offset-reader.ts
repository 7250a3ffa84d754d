import {systemError} from '../errors';
import {CloseClient, Params} from '../client/close-client';
import {checkPage} from './page-shape';

export interface OffsetReadOptions {
  client: CloseClient;
  path: string;
  stream: string;
  pageSize: number;
  params?: Params;
}

/**
 * `_skip`/`_limit` paging through a whole resource. Only for resources without
 * a date filter (definitions, users, contacts): offsets are capped by Close
 * and shift when records change, which the keyset reader avoids.
 */
export async function* readAllPages(opts: OffsetReadOptions): AsyncGenerator<Record<string, any>[]> {
  let skip = 0;
  for (;;) {
    const where = `GET ${opts.path} (stream ${opts.stream}, _skip=${skip})`;
    const raw = await opts.client.get(opts.path, {...opts.params, _skip: skip, _limit: opts.pageSize}, {stream: opts.stream});
    const page = checkPage(raw, where);
    if (page.data.length > 0) yield page.data;
    if (!page.has_more) return;
    if (page.data.length === 0) {
      throw systemError(`${where}: Close said has_more but sent an empty page; stopping instead of looping`);
    }
    skip += page.data.length;
  }
}
