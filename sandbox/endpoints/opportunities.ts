import { Rec } from '../data/model';
import { Range, inRange, isEmptyRange, pageOver } from '../data/sorted-index';
import { Ctx, HandlerResult, andPreds, badRequest, dateRange, listBody, ok, paging } from './common';

type Field = 'date_created' | 'date_updated';
const KEY: Record<Field, (r: Rec) => number> = { date_created: (r) => r.created, date_updated: (r) => r.updated };

export function listOpportunities(ctx: Ctx): HandlerResult {
  const { store, params } = ctx;
  const p = paging(ctx, 250);
  const orderRaw = params.get('_order_by') || '-date_created';
  const desc = orderRaw.startsWith('-');
  const field = orderRaw.replace(/^[-+]/, '') as Field;
  if (!(field in KEY)) throw badRequest(`Invalid _order_by: ${orderRaw}`);
  const ranges: Record<Field, Range> = {
    date_created: dateRange(params, 'date_created'),
    date_updated: dateRange(params, 'date_updated'),
  };
  const preds: ((r: Rec) => boolean)[] = [];
  const other: Field = field === 'date_created' ? 'date_updated' : 'date_created';
  if (!isEmptyRange(ranges[other])) preds.push((r) => inRange(KEY[other](r), ranges[other]));
  const statusType = params.get('status_type');
  if (statusType) preds.push((r) => store.w.oppStatuses[r.kind].type === statusType);
  const statusId = params.get('status_id');
  if (statusId) preds.push((r) => store.w.oppStatuses[r.kind].id === statusId);
  const userId = params.get('user_id');
  if (userId) preds.push((r) => store.w.users[r.user].id === userId);

  const idx = field === 'date_created' ? store.oppsByCreated : store.oppsByUpdated;
  const leadId = params.get('lead_id');
  let page;
  if (leadId) {
    const lead = store.leadById.get(leadId);
    const list = (lead ? store.w.children[lead.lead].opps : []).filter((r) => inRange(KEY[field](r), ranges[field])).sort(idx.cmp);
    page = pageOver(list, 0, list.length, desc, andPreds(preds), p.skip, p.limit, true);
  } else {
    const [s, e] = idx.span(ranges[field]);
    page = pageOver(idx.arr, s, e, desc, andPreds(preds), p.skip, p.limit, true);
  }
  return ok(listBody(page, (r) => store.m.opportunity(r), true));
}
