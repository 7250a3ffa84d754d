import {HttpRequest, HttpResponse, Transport} from '../../../src/client/transport';
import {Micros, parseInstant} from '../../../src/time/instant';

export interface FakeKeysetOptions {
  path: string;
  key: string;
  direction: 'asc' | 'desc';
  /** The server truncates __gte/__lt bounds down to this precision (1 = exact). */
  serverQuantum: Micros;
  skipCap: number;
  /** A reader that loops is failed instead of hanging the test run. */
  maxRequests?: number;
}

export interface SeenRequest {
  skip: number;
  limit: number;
  gte?: Micros;
  lt?: Micros;
  /** How many matching records share the key quantum of the first matching record (the "ties" a skip may jump). */
  tiesAtHead: number;
}

/**
 * An in-memory Close list endpoint: __gte/__lt filtering (bounds truncated to
 * the server's quantum), sort by key then id (both reversed for desc),
 * _skip/_limit with a skip cap answered by Close's 400.
 */
export function fakeKeysetClose(
  records: Record<string, any>[],
  opts: FakeKeysetOptions,
  tiesQuantum: Micros
): Transport & {seen: SeenRequest[]} {
  const seen: SeenRequest[] = [];
  const trunc = (t: Micros) => Math.floor(t / opts.serverQuantum) * opts.serverQuantum;
  const t = (async (req: HttpRequest): Promise<HttpResponse> => {
    const path = new URL(req.url).pathname.replace(/^\/api\/v1/, '');
    if (path !== opts.path) return {status: 404, headers: {}, body: '{"error": "not found"}'};
    const p = req.params;
    const skip = Number(p._skip ?? 0);
    const limit = Number(p._limit ?? 100);
    const gteRaw = p[`${opts.key}__gte`];
    const ltRaw = p[`${opts.key}__lt`];
    const gte = gteRaw === undefined ? undefined : trunc(parseInstant(String(gteRaw))!);
    const lt = ltRaw === undefined ? undefined : trunc(parseInstant(String(ltRaw))!);
    const sign = opts.direction === 'asc' ? 1 : -1;
    const matching = records
      .map((r) => ({r, k: parseInstant(r[opts.key])!}))
      .filter(({k}) => (gte === undefined || k >= gte) && (lt === undefined || k < lt))
      .sort((a, b) => sign * (a.k - b.k || (a.r.id < b.r.id ? -1 : a.r.id > b.r.id ? 1 : 0)));
    const headQ = matching.length ? Math.floor(matching[0].k / tiesQuantum) : undefined;
    const tiesAtHead = matching.filter(({k}) => Math.floor(k / tiesQuantum) === headQ).length;
    seen.push({skip, limit, gte, lt, tiesAtHead});
    if (seen.length > (opts.maxRequests ?? 2000)) {
      return {status: 400, headers: {}, body: '{"error": "fake Close: too many requests, the reader seems to loop"}'};
    }
    if (skip > opts.skipCap) {
      return {
        status: 400,
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({
          error: `The skip you set is larger than the maximum skip for this resource (max_skip = ${opts.skipCap}). Please refine your search query.`,
        }),
      };
    }
    const data = matching.slice(skip, skip + limit).map(({r}) => r);
    return {
      status: 200,
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({has_more: skip + limit < matching.length, data}),
    };
  }) as Transport & {seen: SeenRequest[]};
  t.seen = seen;
  return t;
}
