import {CloseClient} from '../client/close-client';
import {apiErrorInfo} from '../client/close-errors';
import {systemError} from '../errors';
import {Micros, parseInstant} from '../time/instant';
import {SearchObjectType} from './search-body';

export interface FetchByIdOptions {
  client: CloseClient;
  stream: string;
  objectType: SearchObjectType;
  /** Requests in flight at once. */
  concurrency: number;
  /** A record read now whose date_updated is at or past this was edited after the search found it. */
  upper: Micros;
}

/**
 * Reads records whole, one GET /{type}/{id}/ each (documented for leads and contacts), at most
 * `concurrency` at a time, in the order asked. A record that is gone (404: deleted or merged
 * since the search found it) or that was edited since (its date_updated moved to or past the
 * range's end, where the next sync finds it) answers null: emitting the new version here would
 * put a later date_updated among this range's records.
 */
export async function fetchByIds(ids: readonly string[], o: FetchByIdOptions): Promise<(Record<string, any> | null)[]> {
  const out: (Record<string, any> | null)[] = new Array(ids.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const i = next++;
      out[i] = await fetchOne(ids[i], o);
    }
  };
  await Promise.all(Array.from({length: Math.max(1, Math.min(o.concurrency, ids.length))}, worker));
  return out;
}

async function fetchOne(id: string, o: FetchByIdOptions): Promise<Record<string, any> | null> {
  const path = `/${o.objectType}/${encodeURIComponent(id)}/`;
  let record: unknown;
  try {
    record = await o.client.get(path, {}, {stream: o.stream});
  } catch (err) {
    if (apiErrorInfo(err).status === 404) return null;
    throw err;
  }
  const r = record as Record<string, any> | null;
  const key = parseInstant(r?.date_updated);
  if (typeof r !== 'object' || r === null || r.id !== id || key === undefined) {
    throw systemError(`GET ${path} (stream ${o.stream}): Close answered ${JSON.stringify(record).slice(0, 200)} where ${o.objectType} ${id} with a date_updated was expected`);
  }
  return key >= o.upper ? null : r;
}
