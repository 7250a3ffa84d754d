import { Ctx, HandlerResult, notFound, ok } from './common';

/**
 * GET /contact/{id}/ (documented). The connector reads a contact by id when a search answer
 * lacks fields it asked for. A scan, not a map: contacts are few enough, and a scan cannot
 * go stale when records are created or removed.
 */
export function getContact(ctx: Ctx, id: string): HandlerResult {
  const r = ctx.store.contactsByCreated.arr.find((c) => c.id === id);
  if (!r) throw notFound('Contact');
  return ok(ctx.store.m.contact(r));
}
