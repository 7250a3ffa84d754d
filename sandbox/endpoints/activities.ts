import { ACTIVITY_TYPES, Rec } from '../data/model';
import { pageOver } from '../data/sorted-index';
import { Ctx, HandlerResult, andPreds, badRequest, dateRange, intersect, listBody, ok, paging } from './common';

const TYPE_BY_NAME = new Map(ACTIVITY_TYPES.map((t, i) => [t.type.toLowerCase(), i]));

/** `/activity/` (typeIdx null) and the per-type endpoints; newest date_created first. */
export function listActivities(ctx: Ctx, typeIdx: number | null): HandlerResult {
  const { store, params } = ctx;
  const p = paging(ctx, 100);
  const leadId = params.get('lead_id');
  const typeParam = params.get('_type');
  // Close rejects a bare _type on /activity/: it needs lead_id to narrow the search.
  if (typeParam && !leadId) throw badRequest('The _type filter can only be used together with lead_id.');
  let range = dateRange(params, 'date_created');
  range = intersect(range, dateRange(params, 'activity_at'));
  const preds: ((r: Rec) => boolean)[] = [];
  const userId = params.get('user_id');
  if (userId) preds.push((r) => store.w.users[r.user].id === userId);

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
    const idx = store.actsByCreated;
    const list = (lead ? store.w.children[lead.lead].acts : [])
      .filter((r) => (!kinds || kinds.has(r.kind)) && inRangeCreated(r, range))
      .sort(idx.cmp);
    page = pageOver(list, 0, list.length, true, andPreds(preds), p.skip, p.limit, false);
  } else {
    const idx = typeIdx === null ? store.actsByCreated : store.actsByType[typeIdx];
    const [s, e] = idx.span(range);
    page = pageOver(idx.arr, s, e, true, andPreds(preds), p.skip, p.limit, false);
  }
  return ok(listBody(page, (r) => store.m.activity(r), false));
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
