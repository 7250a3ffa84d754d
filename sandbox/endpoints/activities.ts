import { ACTIVITY_TYPES, ACT_EMAIL, ACT_THREAD, Rec } from '../data/model';
import { SortedIndex, pageOver } from '../data/sorted-index';
import { ApiError, Ctx, HandlerResult, andPreds, badRequest, dateRange, intersect, listBody, ok, paging } from './common';

const TYPE_BY_NAME = new Map(ACTIVITY_TYPES.map((t, i) => [t.type.toLowerCase(), i]));

/**
 * `thread_emails` on GET /activity/ (https://developer.close.com/api/resources/activities.md):
 * - absent: "`Email` objects will be returned for each email message" — no EmailThreads;
 * - `true`: "`EmailThread` objects representing email conversations. Stripped-down version of `Email`
 *   objects will also be returned" (which fields are stripped is UNDOCUMENTED: STRIPPED_EMAIL_FIELDS);
 * - `only`: EmailThreads, and "`Email` objects will not be returned".
 * Other activity types are listed in every mode. Any other value is treated as absent (guess).
 */
type ThreadMode = 'emails' | 'both' | 'threads';

function threadMode(ctx: Ctx): ThreadMode {
  const raw = (ctx.params.get('thread_emails') ?? '').toLowerCase();
  if (raw === 'true') return 'both';
  if (raw === 'only') return 'threads';
  return 'emails';
}

/** `/activity/` (typeIdx null) and the per-type endpoints; newest date_created first. */
export function listActivities(ctx: Ctx, typeIdx: number | null): HandlerResult {
  const { store, params } = ctx;
  const p = paging(ctx, 100);
  const leadId = params.get('lead_id');
  const typeParam = params.get('_type');
  // Close documents _type on /activity/ only together with lead_id; its answer without one is UNDOCUMENTED (guess: 400).
  if (typeParam && !leadId) throw badRequest('The _type filter can only be used together with lead_id.');
  let range = dateRange(params, 'date_created');
  range = intersect(range, dateRange(params, 'activity_at'));
  const mode = typeIdx === null ? threadMode(ctx) : 'emails';
  const preds: ((r: Rec) => boolean)[] = [];
  const userId = params.get('user_id');
  if (userId) preds.push((r) => store.w.users[r.user].id === userId);
  if (mode === 'threads') preds.push((r) => r.kind !== ACT_EMAIL);

  let page;
  if (leadId) {
    let kinds: Set<number> | null = typeIdx === null ? null : new Set([typeIdx]);
    if (typeParam) {
      const want = new Set<number>();
      for (const name of typeParam.split(',')) {
        const k = TYPE_BY_NAME.get(name.trim().toLowerCase());
        if (k === undefined) throw badRequest(`Invalid _type: ${name}`);
        if (!kinds || kinds.has(k)) want.add(k);
      }
      kinds = want;
    }
    const lead = store.leadById.get(leadId);
    const ch = lead ? store.w.children[lead.lead] : null;
    const withThreads = mode !== 'emails' || typeIdx === ACT_THREAD || (kinds?.has(ACT_THREAD) ?? false);
    const pool = ch ? (withThreads ? [...ch.acts, ...ch.threads] : ch.acts) : [];
    const idx = store.actsByCreated;
    const list = pool
      .filter((r) => (!kinds || kinds.has(r.kind)) && (r.kind !== ACT_THREAD || withThreads) && inRangeCreated(r, range))
      .sort(idx.cmp);
    page = pageOver(list, 0, list.length, true, andPreds(preds), p.skip, p.limit, false);
  } else {
    const idx: SortedIndex<Rec> =
      typeIdx !== null ? store.actsByType[typeIdx] : mode === 'emails' ? store.actsByCreated : store.actsAndThreads;
    const [s, e] = idx.span(range);
    page = pageOver(idx.arr, s, e, true, andPreds(preds), p.skip, p.limit, false);
  }
  const render = (r: Rec): unknown => (mode === 'both' && r.kind === ACT_EMAIL ? store.m.strippedEmail(r) : store.m.activity(r));
  return ok(listBody(page, render, false));
}

/** GET /activity/emailthread/{id}/: one thread with all of its (stripped) emails. */
export function getEmailThread(ctx: Ctx, id: string): HandlerResult {
  const t = ctx.store.w.threads.find((x) => x.id === id && !x.dead);
  if (!t) throw new ApiError(404, { error: 'Empty query: EmailThread matching query does not exist.' });
  return ok(ctx.store.m.threadDetail(t));
}

function inRangeCreated(r: Rec, range: { gt?: number; gte?: number; lt?: number; lte?: number }): boolean {
  const v = r.created;
  return (
    (range.gt === undefined || v > range.gt) &&
    (range.gte === undefined || v >= range.gte) &&
    (range.lt === undefined || v < range.lt) &&
    (range.lte === undefined || v <= range.lte)
  );
}

export const ACTIVITY_ENDPOINTS = ACTIVITY_TYPES.map((t, i) => ({ path: `/activity/${t.endpoint}/`, typeIdx: i }));
