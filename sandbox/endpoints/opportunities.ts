import { Rec } from '../data/model';
import { Range, inRange, isEmptyRange, pageOver } from '../data/sorted-index';
import { Ctx, HandlerResult, andPreds, dateRange, listBody, ok, orderBy, paging } from './common';

type Field = 'date_created' | 'date_updated';
const KEY: Record<Field, (r: Rec) => number> = { date_created: (r) => r.created, date_updated: (r) => r.updated };

export function listOpportunities(ctx: Ctx): HandlerResult {
  const { store, params } = ctx;
  const p = paging(ctx, 250);
  // Documented orderings (each with '-' for descending). The default is UNDOCUMENTED (guess: newest
  // date_created first, as recorded). Orderings other than the two dates are served from a sorted copy.
  const order = orderBy(ctx, ['date_created', 'date_updated', ...OTHER_ORDERS] as const) ?? { field: 'date_created' as const, desc: true };
  if (order.field !== 'date_created' && order.field !== 'date_updated') return listSortedByValue(ctx, order.field, order.desc, p);
  const field: Field = order.field;
  const desc = order.desc;
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
  return ok(withAggregates(listBody(page, (r) => store.m.opportunity(r), true)));
}

const OTHER_ORDERS = ['date_won', 'confidence', 'user_name', 'value', 'annualized_value', 'annualized_expected_value'] as const;
type OtherOrder = (typeof OTHER_ORDERS)[number];

/** A documented ordering the indexes do not keep: sorted per request (filters other than lead_id are not applied). */
function listSortedByValue(ctx: Ctx, field: OtherOrder, desc: boolean, p: { skip: number; limit: number }): HandlerResult {
  const { store } = ctx;
  const leadId = ctx.params.get('lead_id');
  const lead = leadId ? store.leadById.get(leadId) : undefined;
  const recs = leadId ? (lead ? store.w.children[lead.lead].opps : []) : store.oppsByCreated.arr;
  const rows = recs.map((r) => ({ r, j: store.m.opportunity(r) }));
  const val = (j: Record<string, unknown>): string | number => {
    const v = j[field];
    return typeof v === 'number' ? v : typeof v === 'string' ? v : '';
  };
  rows.sort((a, b) => {
    const x = val(a.j);
    const y = val(b.j);
    const d = x < y ? -1 : x > y ? 1 : a.r.id < b.r.id ? -1 : a.r.id > b.r.id ? 1 : 0;
    return desc ? -d : d;
  });
  const items = rows.slice(p.skip, p.skip + p.limit);
  const body = { has_more: p.skip + items.length < rows.length, total_results: rows.length, data: items.map((x) => x.j) };
  return ok(withAggregates(body));
}

/**
 * The aggregates Close says are "contained in all opportunity list responses"
 * (https://developer.close.com/api/resources/opportunities.md): totals over the
 * whole match in Close, over the page served here (a stand-in for the shape;
 * the connector reads none of them).
 */
function withAggregates(body: Record<string, unknown>): Record<string, unknown> {
  const data = (body.data as Record<string, unknown>[]) ?? [];
  const sum = (k: string, period?: string): number =>
    data.filter((o) => !period || o.value_period === period).reduce((a, o) => a + (typeof o[k] === 'number' ? (o[k] as number) : 0), 0);
  const count = (period: string): number => data.filter((o) => o.value_period === period).length;
  return {
    ...body,
    count_by_value_period: { one_time: count('one_time'), monthly: count('monthly'), annual: count('annual') },
    total_value_one_time: sum('value', 'one_time'),
    total_value_monthly: sum('value', 'monthly'),
    total_value_annual: sum('value', 'annual'),
    total_value_annualized: sum('annualized_value'),
    expected_value_one_time: sum('expected_value', 'one_time'),
    expected_value_monthly: sum('expected_value', 'monthly'),
    expected_value_annual: sum('expected_value', 'annual'),
    expected_value_annualized: sum('annualized_expected_value'),
  };
}
