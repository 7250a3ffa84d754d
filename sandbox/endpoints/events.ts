import { EventRec } from '../data/model';
import { Range } from '../data/sorted-index';
import { ApiError, Ctx, HandlerResult, andPreds, badRequest, dateRange, intersect, ok } from './common';

const MAX_LIMIT = 50;

interface Cursor {
  /** position of the last event delivered: (date_updated µs, id) */
  t: number;
  id: string;
  /** date_updated range of the first request: clients do not resend it */
  r: Range;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.t, c.id, c.r])).toString('base64url');
}

function decodeCursor(s: string): Cursor {
  try {
    const [t, id, r] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as [number, string, Range];
    if (typeof t !== 'number' || typeof id !== 'string' || typeof r !== 'object' || r === null) throw new Error('shape');
    return { t, id, r };
  } catch {
    throw badRequest('Invalid cursor.');
  }
}

/**
 * Cursor paging, newest date_updated first. The cursor holds the last position,
 * so events arriving meanwhile (always newer) cannot shift the remaining pages.
 */
export function listEvents(ctx: Ctx): HandlerResult {
  const { store, params } = ctx;
  if (params.has('_skip')) throw badRequest('The _skip parameter is not supported for this resource. Use _cursor instead.');
  const rawLimit = params.get('_limit');
  let limit = MAX_LIMIT;
  if (rawLimit !== null && rawLimit !== '') {
    if (!/^\d+$/.test(rawLimit)) throw badRequest(`Invalid value for _limit: ${rawLimit}`);
    limit = parseInt(rawLimit, 10);
    if (limit > MAX_LIMIT) {
      throw badRequest(`The limit you set is larger than the maximum limit for this resource (max_limit = ${MAX_LIMIT}).`);
    }
    if (limit <= 0) limit = MAX_LIMIT;
  }
  const requested = dateRange(params, 'date_updated');
  const rawCursor = params.get('_cursor');
  const cursor = rawCursor ? decodeCursor(rawCursor) : null;
  const userRange = cursor ? intersect(cursor.r, requested) : requested;
  const range = intersect(userRange, { gte: store.eventCutoff() });

  const preds: ((e: EventRec) => boolean)[] = [];
  const eq = (name: string, get: (e: EventRec) => string): void => {
    const v = params.get(name);
    if (v) preds.push((e) => get(e) === v);
  };
  eq('object_type', (e) => e.objectType);
  eq('action', (e) => e.action);
  eq('object_id', (e) => e.ref.id);
  eq('request_id', (e) => e.requestId);
  eq('lead_id', (e) => store.w.leads[e.ref.lead].id);
  eq('user_id', (e) => store.w.users[e.user].id);
  const pred = andPreds(preds);

  const idx = store.events;
  const [s, e0] = idx.span(range);
  const e = cursor ? Math.min(e0, idx.posOf(cursor.t, cursor.id)) : e0;
  const items: EventRec[] = [];
  let hasMore = false;
  for (let i = e - 1; i >= s; i--) {
    const ev = idx.arr[i];
    if (pred && !pred(ev)) continue;
    if (items.length === limit) {
      hasMore = true;
      break;
    }
    items.push(ev);
  }
  const last = items[items.length - 1];
  return ok({
    data: items.map((ev) => store.m.event(ev)),
    cursor_next: hasMore && last ? encodeCursor({ t: last.updated, id: last.id, r: userRange }) : null,
    cursor_previous: null,
  });
}

/** Cursor for a scripted empty page: keeps the client where it is. */
export function sameCursor(ctx: Ctx): string {
  const raw = ctx.params.get('_cursor');
  if (raw) return raw;
  return encodeCursor({ t: Number.MAX_SAFE_INTEGER, id: '', r: {} });
}

export function getEvent(ctx: Ctx, id: string): HandlerResult {
  const ev = ctx.store.events.arr.find((e) => e.id === id && e.updated >= ctx.store.eventCutoff());
  if (!ev) throw new ApiError(404, { error: 'Empty query: Event matching query does not exist.' });
  return ok(ctx.store.m.event(ev));
}
