import { EventRec } from '../data/model';
import { Range } from '../data/sorted-index';
import { ApiError, Ctx, HandlerResult, andPreds, badRequest, dateRange, intersect, ok } from './common';

const MAX_LIMIT = 50;

/** Non-admin keys see `data`/`previous_data` of events for an hour (documented); counted from date_created (guess). */
const NON_ADMIN_DATA_US = 3600 * 1_000_000;

/**
 * The filter combinations Close supports (https://developer.close.com/api/resources/events.md,
 * "Only certain combinations of filters are supported"); `date_updated` may join any of them, and no
 * filter at all is what every sync uses. Close's answer to another combination is UNDOCUMENTED: the
 * sandbox's 400 and its wording are a guess.
 */
const FILTERS = ['object_type', 'object_id', 'action', 'lead_id', 'user_id', 'request_id'] as const;
const ALLOWED_COMBINATIONS = new Set(
  [
    [],
    ['object_type', 'object_id'],
    ['object_type', 'action'],
    ['object_id', 'action'],
    ['lead_id', 'object_type'],
    ['lead_id', 'object_type', 'action'],
    ['lead_id', 'user_id', 'object_type'],
    ['lead_id', 'user_id', 'object_type', 'action'],
    ['lead_id', 'user_id'],
    ['user_id', 'object_id'],
    ['user_id', 'object_id', 'action'],
    ['user_id', 'object_type'],
    ['user_id', 'object_type', 'action'],
    ['lead_id'],
    ['user_id'],
    ['request_id'],
  ].map((c) => [...c].sort().join(',')),
);

interface Cursor {
  /** position of the event the page ended (next) or started (previous) at: (date_updated µs, id) */
  t: number;
  id: string;
  /** date_updated range of the first request: clients do not resend it */
  r: Range;
  /** 'n': events before the position (older), 'p': events after it (newer) */
  d: 'n' | 'p';
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.t, c.id, c.r, c.d])).toString('base64url');
}

function decodeCursor(s: string): Cursor {
  try {
    const [t, id, r, d] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as [number, string, Range, string?];
    if (typeof t !== 'number' || typeof id !== 'string' || typeof r !== 'object' || r === null) throw new Error('shape');
    return { t, id, r, d: d === 'p' ? 'p' : 'n' };
  } catch {
    throw badRequest('Invalid cursor.');
  }
}

/**
 * Cursor paging, newest date_updated first. The cursor holds the last position,
 * so events arriving meanwhile (always newer) cannot shift the remaining pages.
 * `cursor_previous` leads to the events after a page (newer), `cursor_next` to
 * those before it (older), as documented.
 */
export function listEvents(ctx: Ctx): HandlerResult {
  const { store, params } = ctx;
  // What Close does with _skip here is UNDOCUMENTED ("does *not* support `_skip`"): the 400 and its wording are the sandbox's.
  if (params.has('_skip')) throw badRequest('The _skip parameter is not supported for this resource. Use _cursor instead.');
  const rawLimit = params.get('_limit');
  let limit = MAX_LIMIT;
  if (rawLimit !== null && rawLimit !== '') {
    if (!/^\d+$/.test(rawLimit)) throw badRequest(`_limit must be an integer (got "${rawLimit}" instead).`);
    limit = parseInt(rawLimit, 10);
    if (limit > MAX_LIMIT) {
      throw badRequest(`The limit you set is larger than the maximum limit for this resource (max_limit = ${MAX_LIMIT}).`);
    }
    if (limit <= 0) limit = MAX_LIMIT;
  }
  const used = FILTERS.filter((f) => params.get(f));
  if (!ALLOWED_COMBINATIONS.has([...used].sort().join(','))) {
    throw badRequest(`Unsupported combination of filters: ${used.join(', ')}. See https://developer.close.com/api/resources/events/ for the supported ones.`);
  }
  const requested = dateRange(params, 'date_updated');
  const rawCursor = params.get('_cursor');
  const cursor = rawCursor ? decodeCursor(rawCursor) : null;
  const userRange = cursor ? intersect(cursor.r, requested) : requested;
  const range = intersect(userRange, { gte: store.eventCutoff() });

  const preds: ((e: EventRec) => boolean)[] = [];
  const eq = (name: string, get: (e: EventRec) => string | null): void => {
    const v = params.get(name);
    if (v) preds.push((e) => get(e) === v);
  };
  eq('object_type', (e) => e.objectType);
  eq('action', (e) => e.action);
  eq('object_id', (e) => e.ref.id);
  eq('request_id', (e) => e.requestId);
  eq('lead_id', (e) => store.w.leads[(e.after ?? e.before ?? e.ref).lead]?.id ?? null);
  eq('user_id', (e) => (e.user >= 0 ? store.w.users[e.user].id : null));
  const pred = andPreds(preds) ?? (() => true);

  const idx = store.events;
  const [s, e0] = idx.span(range);
  const items: EventRec[] = [];
  let older = false;
  let newer = false;
  if (cursor && cursor.d === 'p') {
    // The `limit` events just after the position, served newest first.
    let i = idx.posOf(cursor.t, cursor.id) + 1;
    i = Math.max(i, s);
    for (; i < e0; i++) {
      const ev = idx.arr[i];
      if (!pred(ev)) continue;
      if (items.length === limit) {
        newer = true;
        break;
      }
      items.push(ev);
    }
    items.reverse();
    older = items.length > 0;
  } else {
    const e = cursor ? Math.min(e0, idx.posOf(cursor.t, cursor.id)) : e0;
    for (let i = e - 1; i >= s; i--) {
      const ev = idx.arr[i];
      if (!pred(ev)) continue;
      if (items.length === limit) {
        older = true;
        break;
      }
      items.push(ev);
    }
    const first = items[0];
    if (first) for (let i = idx.posOf(first.updated, first.id) + 1; i < e0 && !newer; i++) newer = pred(idx.arr[i]);
  }
  const first = items[0];
  const last = items[items.length - 1];
  const nowUs = Date.now() * 1000;
  const hide = (ev: EventRec): boolean => ctx.keyRole !== 'admin' && nowUs - ev.created > NON_ADMIN_DATA_US;
  return ok({
    data: items.map((ev) => store.m.event(ev, hide(ev))),
    cursor_next: older && last ? encodeCursor({ t: last.updated, id: last.id, r: userRange, d: 'n' }) : null,
    cursor_previous: newer && first ? encodeCursor({ t: first.updated, id: first.id, r: userRange, d: 'p' }) : null,
  });
}

/** Cursor for a scripted empty page: keeps the client where it is. */
export function sameCursor(ctx: Ctx): string {
  const raw = ctx.params.get('_cursor');
  if (raw) return raw;
  return encodeCursor({ t: Number.MAX_SAFE_INTEGER, id: '', r: {}, d: 'n' });
}

export function getEvent(ctx: Ctx, id: string): HandlerResult {
  const ev = ctx.store.events.arr.find((e) => e.id === id && e.updated >= ctx.store.eventCutoff());
  if (!ev) throw new ApiError(404, { error: 'Empty query: Event matching query does not exist.' });
  const hide = ctx.keyRole !== 'admin' && Date.now() * 1000 - ev.created > NON_ADMIN_DATA_US;
  return ok(ctx.store.m.event(ev, hide));
}
