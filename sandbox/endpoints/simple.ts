import { CustomFieldKind } from '../data/model';
import { pageOver } from '../data/sorted-index';
import { Ctx, HandlerResult, listBody, notFound, ok, orderBy, pageArray, paging } from './common';

export function listContacts(ctx: Ctx): HandlerResult {
  const { store, params } = ctx;
  const p = paging(ctx, 100);
  const leadId = params.get('lead_id');
  const idx = store.contactsByCreated;
  let page;
  if (leadId) {
    const lead = store.leadById.get(leadId);
    const list = (lead ? store.w.children[lead.lead].contacts : []).slice().sort(idx.cmp);
    page = pageOver(list, 0, list.length, false, null, p.skip, p.limit, false);
  } else {
    page = pageOver(idx.arr, 0, idx.arr.length, false, null, p.skip, p.limit, false);
  }
  return ok(listBody(page, (r) => store.m.contact(r), false));
}

/** Documented orderings: `last_name,first_name` and `first_name,last_name`; the default (generation order here) is UNDOCUMENTED. */
export function listUsers(ctx: Ctx): HandlerResult {
  const { store } = ctx;
  const p = paging(ctx, 1000);
  const order = orderBy(ctx, ['last_name,first_name', 'first_name,last_name'] as const);
  let users = store.w.users;
  if (order) {
    const keys = order.field.split(',') as ('first_name' | 'last_name')[];
    users = users.slice().sort((a, b) => {
      for (const k of keys) if (a[k] !== b[k]) return (a[k] < b[k] ? -1 : 1) * (order.desc ? -1 : 1);
      return a.id < b.id ? -1 : 1;
    });
  }
  return ok(listBody(pageArray(users, p), (u) => store.m.user(u), false));
}

export function getUser(ctx: Ctx, id: string): HandlerResult {
  const u = ctx.store.w.users.find((x) => x.id === id);
  if (!u) throw notFound('User');
  return ok(ctx.store.m.user(u));
}

function organization(ctx: Ctx): Record<string, unknown> {
  const w = ctx.store.w;
  return {
    id: w.orgId,
    name: w.orgName,
    date_created: ctx.store.m.ts(w.users[0].created),
    date_updated: ctx.store.m.ts(w.users[0].updated),
    currency: 'USD',
    currency_symbol: '$',
    lead_statuses: w.leadStatuses.map((s) => ({ id: s.id, label: s.label })),
  };
}

/** The organization's memberships (sandbox/resources: the memberships seed); the key's first, with the key's role. */
function memberships(ctx: Ctx): Record<string, Record<string, unknown>[]> {
  return ctx.store.resources.embedded('memberships', ctx.keyRole) as Record<string, Record<string, unknown>[]>;
}

/** The key's membership: `role_id` is `admin` or `user` (documented role ids; the key's role is a sandbox option). */
function membership(ctx: Ctx): Record<string, unknown> {
  const me = ctx.store.w.users[0].id;
  return memberships(ctx).memberships.find((m) => m.user_id === me)!;
}

/** GET /me/: the key's user; the organizations/memberships shape is UNVERIFIED (the doc example is cut short). */
export function me(ctx: Ctx): HandlerResult {
  const { store } = ctx;
  return ok({ ...store.m.user(store.w.users[0]), organizations: [organization(ctx)], memberships: [membership(ctx)] });
}

/** GET /organization/{id}/ with its memberships (recorded shape: closex cassette closex_get_organization.json). */
export function getOrganization(ctx: Ctx, id: string): HandlerResult {
  if (id !== ctx.store.w.orgId) throw notFound('Organization');
  return ok({ ...organization(ctx), ...memberships(ctx) });
}

/**
 * GET /custom_field_schema/{lead|contact|opportunity}/: "all (regular and shared) Custom Fields that belong
 * on a given object" (https://developer.close.com/api/resources/custom-fields/custom-field-schemas.md), not
 * paged. The `{"fields": [...]}` envelope is a guess.
 */
export function customFieldSchema(ctx: Ctx, objectType: 'lead' | 'contact' | 'opportunity'): HandlerResult {
  const { store } = ctx;
  const own = store.customFields(objectType);
  const shared = objectType === 'contact' ? [] : store.customFields('shared');
  return ok({ fields: [...own, ...shared].map((f) => store.m.customField(f)) });
}

export function listCustomFields(ctx: Ctx, kind: CustomFieldKind): HandlerResult {
  const { store } = ctx;
  // Close does not page /custom_field/shared/ (only `_fields` is documented): every field, has_more false.
  const page = kind === 'shared' ? unpaged(store.customFields(kind)) : pageArray(store.customFields(kind), paging(ctx, 1000));
  return ok(listBody(page, (f) => store.m.customField(f), false));
}

/** Resources Close does not page (statuses, pipelines, shared custom fields): `_skip`/`_limit` are ignored. */
function unpaged<T>(items: T[]): { items: T[]; hasMore: boolean; total: number } {
  return { items, hasMore: false, total: items.length };
}

export function getCustomField(ctx: Ctx, kind: CustomFieldKind, id: string): HandlerResult {
  const f = ctx.store.customFields(kind).find((x) => x.id === id);
  if (!f) throw notFound('Custom field');
  return ok(ctx.store.m.customField(f));
}

export function listLeadStatuses(ctx: Ctx): HandlerResult {
  const { w } = ctx.store;
  const page = unpaged(w.leadStatuses);
  return ok(listBody(page, (s) => ({ id: s.id, label: s.label, organization_id: w.orgId }), false));
}

export function listOpportunityStatuses(ctx: Ctx): HandlerResult {
  const { w } = ctx.store;
  const page = unpaged(w.oppStatuses);
  return ok(
    listBody(
      page,
      (s) => ({
        id: s.id,
        label: s.label,
        type: s.type,
        pipeline_id: w.pipelines[s.pipeline ?? 0].id,
        organization_id: w.orgId,
      }),
      false,
    ),
  );
}

export function listPipelines(ctx: Ctx): HandlerResult {
  const { w, m } = ctx.store;
  const page = unpaged(w.pipelines);
  return ok(
    listBody(
      page,
      (pl) => ({
        id: pl.id,
        name: pl.name,
        organization_id: w.orgId,
        statuses: pl.statuses.map((i) => {
          const s = w.oppStatuses[i];
          return { id: s.id, label: s.label, type: s.type };
        }),
        updated_by: w.users[pl.updatedBy].id,
        date_created: m.ts(pl.created),
        date_updated: m.ts(pl.updated),
      }),
      false,
    ),
  );
}

export function listEmailTemplates(ctx: Ctx): HandlerResult {
  const { w, m } = ctx.store;
  const page = pageArray(w.templates, paging(ctx, 100));
  return ok(
    listBody(
      page,
      (t) => ({
        id: t.id,
        name: t.name,
        subject: t.subject,
        body: t.body,
        is_shared: t.is_shared,
        is_archived: t.is_archived,
        attachments: [],
        bcc: [],
        cc: [],
        unsubscribe_link_enabled: false,
        organization_id: w.orgId,
        created_by: w.users[t.createdBy].id,
        updated_by: w.users[t.updatedBy].id,
        date_created: m.ts(t.created),
        date_updated: m.ts(t.updated),
      }),
      false,
    ),
  );
}

export function listSequences(ctx: Ctx): HandlerResult {
  const { w, m } = ctx.store;
  const page = pageArray(w.sequences, paging(ctx, 1000));
  return ok(
    listBody(
      page,
      (s) => ({
        id: s.id,
        name: s.name,
        status: s.status,
        timezone: s.timezone,
        allow_manual_enrollment: true,
        organization_id: w.orgId,
        schedule: { ranges: [1, 2, 3, 4, 5].map((d) => ({ weekday: d, start: '09:00', end: '17:00' })) },
        steps: s.templates.map((tmpl, i) => ({
          id: s.stepIds[i],
          step_type: 'email',
          delay: i === 0 ? 0 : 86400 * (i + 1),
          email_template_id: tmpl,
          sms_template_id: null,
          threading: i === 0 ? 'new_thread' : 'old_thread',
          required: false,
          created_by_id: w.users[s.createdBy].id,
          updated_by_id: w.users[s.updatedBy].id,
          date_created: m.ts(s.created),
          date_updated: m.ts(s.updated),
        })),
        created_by_id: w.users[s.createdBy].id,
        updated_by_id: w.users[s.updatedBy].id,
        date_created: m.ts(s.created),
        date_updated: m.ts(s.updated),
      }),
      false,
    ),
  );
}
