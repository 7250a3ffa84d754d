import { Rec, TASK_COMPLETE, TASK_LEAD, TASK_TYPES, taskDateKey } from '../data/model';
import { Range, inRange, isEmptyRange, pageOver } from '../data/sorted-index';
import { TaskIndexes } from '../data/store';
import { Ctx, HandlerResult, andPreds, badRequest, boolParam, dateRange, listBody, ok, orderBy, paging } from './common';

type OrderField = keyof TaskIndexes;
const KEY: Record<OrderField, (r: Rec) => number> = {
  date_created: (r) => r.created,
  date_updated: (r) => r.updated,
  date: (r) => taskDateKey(r),
};

export function listTasks(ctx: Ctx): HandlerResult {
  const { store, params } = ctx;
  const p = paging(ctx, 1000);
  // Documented orderings: date and date_created, '-' for descending. The default is UNDOCUMENTED (guess:
  // newest date_created first); date_updated is not an ordering Close offers, so it is ignored like any other.
  const order = orderBy(ctx, ['date', 'date_created'] as const) ?? { field: 'date_created' as const, desc: true };
  const field: OrderField = order.field;
  const desc = order.desc;

  // Without _type Close returns only "lead" tasks; _type=all returns every type; _type__in lists several.
  const typeParam = params.get('_type__in') || params.get('_type');
  let kinds: Set<number> | null = new Set([TASK_LEAD]);
  if (typeParam === 'all') kinds = null;
  else if (typeParam) {
    kinds = new Set();
    for (const t of typeParam.split(',')) {
      const k = TASK_TYPES.indexOf(t.trim());
      if (k < 0) throw badRequest(`Invalid _type: ${t}`);
      kinds.add(k);
    }
  }
  const ranges: Record<OrderField, Range> = {
    date_created: dateRange(params, 'date_created'),
    date_updated: dateRange(params, 'date_updated'),
    date: dateRange(params, 'date'),
  };
  const preds: ((r: Rec) => boolean)[] = [];
  for (const f of Object.keys(ranges) as OrderField[]) {
    if (f !== field && !isEmptyRange(ranges[f])) preds.push((r) => inRange(KEY[f](r), ranges[f]));
  }
  const complete = boolParam(params, 'is_complete');
  if (complete !== undefined) preds.push((r) => ((r.b & TASK_COMPLETE) !== 0) === complete);
  const onlyLead = kinds !== null && kinds.size === 1 && kinds.has(TASK_LEAD);
  if (kinds && !onlyLead) {
    const ks = kinds;
    preds.push((r) => ks.has(r.kind));
  }
  const assigned = params.get('assigned_to');
  if (assigned) preds.push((r) => store.w.users[r.user].id === assigned);

  const leadId = params.get('lead_id');
  const indexes = onlyLead ? store.tasksLead : store.tasksAll;
  const idx = indexes[field];
  let page;
  if (leadId) {
    const lead = store.leadById.get(leadId);
    if (onlyLead) preds.push((r) => r.kind === TASK_LEAD);
    const list = (lead ? store.w.children[lead.lead].tasks : []).filter((r) => inRange(KEY[field](r), ranges[field])).sort(idx.cmp);
    page = pageOver(list, 0, list.length, desc, andPreds(preds), p.skip, p.limit, false);
  } else {
    const [s, e] = idx.span(ranges[field]);
    page = pageOver(idx.arr, s, e, desc, andPreds(preds), p.skip, p.limit, false);
  }
  return ok(listBody(page, (r) => store.m.task(r), false));
}
