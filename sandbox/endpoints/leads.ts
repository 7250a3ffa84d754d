import { Rec } from '../data/model';
import { inRange, isEmptyRange, pageOver } from '../data/sorted-index';
import { Ctx, HandlerResult, listBody, notFound, ok, paging } from './common';
import { parseLeadQuery } from './lead-query';

export function listLeads(ctx: Ctx): HandlerResult {
  const { store } = ctx;
  const q = parseLeadQuery(ctx.params.get('query'));
  const p = paging(ctx, 200);
  const idx = q.sort.field === 'date_updated' ? store.leadsByUpdated : store.leadsByCreated;
  const [s, e] = idx.span(q.ranges[q.sort.field]);
  const other = q.sort.field === 'date_updated' ? 'date_created' : 'date_updated';
  const otherRange = q.ranges[other];
  const pred = isEmptyRange(otherRange)
    ? null
    : (r: Rec) => inRange(other === 'date_created' ? r.created : r.updated, otherRange);
  const page = pageOver(idx.arr, s, e, q.sort.desc, pred, p.skip, p.limit, true);
  return ok(listBody(page, (r) => store.m.lead(r, true), true));
}

export function getLead(ctx: Ctx, id: string): HandlerResult {
  const r = ctx.store.leadById.get(id);
  if (!r) throw notFound('Lead');
  return ok(ctx.store.m.lead(r, true));
}
