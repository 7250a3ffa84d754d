import {CloseClient} from '../client/close-client';
import {apiErrorInfo} from '../client/close-errors';
import {ClosePage, checkPage} from '../readers/page-shape';
import {Micros, MICROS_PER_DAY, MICROS_PER_SECOND, formatInstant} from '../time/instant';

/** How closely the search pins down the first record. */
export const SEARCH_PRECISION = 30 * MICROS_PER_DAY;

/** GET /activity/ lists every activity type; the per-type endpoints list subsets of it. */
export const ALL_ACTIVITIES = '/activity/';

/**
 * One page of an activity endpoint's [lo, hi) by date_created, newest first.
 * `_fields` keeps probes small; Close documents it on /activity/ (not on the
 * per-type endpoints, which may ignore it: the probe then reads whole
 * records, which costs bytes, not correctness).
 */
export async function activityPage(client: CloseClient, path: string, stream: string, lo: Micros, hi: Micros, limit: number, fields: string): Promise<Record<string, any>[]> {
  return (await activityListPage(client, path, stream, lo, hi, limit, fields)).data;
}

/** The same page whole (has_more included); without `fields`, whole records. */
export async function activityListPage(client: CloseClient, path: string, stream: string, lo: Micros, hi: Micros, limit: number, fields?: string): Promise<ClosePage> {
  const params = {date_created__gte: formatInstant(lo), date_created__lt: formatInstant(hi), _limit: limit, _fields: fields};
  return checkPage(await client.get(path, params, {stream}), `GET ${path} (stream ${stream})`);
}

/** Whether an activity endpoint has any record in [lo, hi). */
export async function anyActivity(client: CloseClient, path: string, stream: string, lo: Micros, hi: Micros): Promise<boolean> {
  return (await activityPage(client, path, stream, lo, hi, 1, 'id')).length > 0;
}

/**
 * Narrows down where the first record of an activity endpoint lies by
 * bisection, asking "any record before t?" one question at a time: decades of
 * nothing take about ten requests. Several questions at once would take fewer
 * rounds but more requests, and requests are what Close's limit counts (the
 * activity group's streams share one budget; issue 11). Returns a time at
 * most SEARCH_PRECISION before the first record in [lower, knownNonEmptyBefore).
 */
export async function searchFirst(client: CloseClient, path: string, stream: string, lower: Micros, knownNonEmptyBefore: Micros): Promise<Micros> {
  let lo = lower;
  let hi = knownNonEmptyBefore;
  while (hi - lo > SEARCH_PRECISION) {
    const t = lo + Math.floor((hi - lo) / 2 / MICROS_PER_SECOND) * MICROS_PER_SECOND;
    if (await anyActivity(client, path, stream, lower, t)) hi = t;
    else lo = t;
  }
  return lo;
}

/** Answers that refuse an endpoint to this key or plan. */
const REFUSALS = new Set([402, 403, 404]);

/** One search per sync and range, shared by the activity streams (keyed by the sync's client). */
const shared = new WeakMap<CloseClient, Map<string, Promise<Micros | undefined>>>();

/**
 * Where the first activity of any type lies in [lower, upper), searched once
 * on GET /activity/ for all activity streams of the sync: a per-type endpoint
 * (form submissions, email threads…) then checks with one request that it has
 * nothing before it, instead of searching on its own. Undefined when GET
 * /activity/ cannot be read (a key without access, say): each stream then
 * searches its own endpoint. On an endpoint with nothing in the range the
 * answer is just below `upper`, which the per-type check then refutes.
 */
export function firstActivity(client: CloseClient, stream: string, lower: Micros, upper: Micros): Promise<Micros | undefined> {
  const perClient = shared.get(client) ?? new Map<string, Promise<Micros | undefined>>();
  shared.set(client, perClient);
  const key = `${lower}:${upper}`;
  let search = perClient.get(key);
  if (!search) {
    // Only a refusal of GET /activity/ (a key or plan without it) lets each endpoint search its own;
    // anything else (a revoked key, Close down) fails the streams as their own requests would.
    search = searchFirst(client, ALL_ACTIVITIES, stream, lower, upper).catch((err) => {
      if (REFUSALS.has(apiErrorInfo(err).status ?? 0)) return undefined;
      throw err;
    });
    perClient.set(key, search);
  }
  return search;
}
