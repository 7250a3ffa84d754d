import { fmtTs } from '../dates';
import { CustomFieldKind } from '../data/model';
import { pageOver } from '../data/sorted-index';
import { Ctx, HandlerResult, listBody, notFound, ok, pageArray, paging } from './common';

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

export function listUsers(ctx: Ctx): HandlerResult {
  const { store } = ctx;
  const page = pageArray(store.w.users, paging(ctx, 1000));
  return ok(listBody(page, (u) => store.m.user(u), false));
}

export function getUser(ctx: Ctx, id: string): HandlerResult {
  const u = ctx.store.w.users.find((x) => x.id === id);
  if (!u) throw notFound('User');
  return ok(ctx.store.m.user(u));
}

export function me(ctx: Ctx): HandlerResult {
  const { store } = ctx;
  const w = store.w;
  const u = w.users[0];
  return ok({
    ...store.m.user(u),
    organizations: [
      {
        id: w.orgId,
        name: w.orgName,
        date_created: fmtTs(w.users[0].created),
        date_updated: fmtTs(w.users[0].updated),
        currency: 'USD',
        currency_symbol: '$',
        lead_statuses: w.leadStatuses.map((s) => ({ id: s.id, label: s.label })),
      },
    ],
    memberships: [{ id: 'mem_' + u.id.slice(5), organization_id: w.orgId, role_id: 'admin', user_id: u.id }],
  });
}

export function listCustomFields(ctx: Ctx, kind: CustomFieldKind): HandlerResult {
  const { store } = ctx;
  const page = pageArray(store.customFields(kind), paging(ctx, 1000));
  return ok(listBody(page, (f) => store.m.customField(f), false));
}

export function getCustomField(ctx: Ctx, kind: CustomFieldKind, id: string): HandlerResult {
  const f = ctx.store.customFields(kind).find((x) => x.id === id);
  if (!f) throw notFound('Custom field');
  return ok(ctx.store.m.customField(f));
}

export function listLeadStatuses(ctx: Ctx): HandlerResult {
  const { w } = ctx.store;
  const page = pageArray(w.leadStatuses, paging(ctx, 100));
  return ok(listBody(page, (s) => ({ id: s.id, label: s.label, organization_id: w.orgId }), false));
}

export function listOpportunityStatuses(ctx: Ctx): HandlerResult {
  const { w } = ctx.store;
  const page = pageArray(w.oppStatuses, paging(ctx, 100));
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
  const { w } = ctx.store;
  const page = pageArray(w.pipelines, paging(ctx, 100));
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
        date_created: fmtTs(pl.created),
        date_updated: fmtTs(pl.updated),
      }),
      false,
    ),
  );
}

export function listEmailTemplates(ctx: Ctx): HandlerResult {
  const { w } = ctx.store;
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
        date_created: fmtTs(t.created),
        date_updated: fmtTs(t.updated),
      }),
      false,
    ),
  );
}

export function listSequences(ctx: Ctx): HandlerResult {
  const { w } = ctx.store;
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
          date_created: fmtTs(s.created),
          date_updated: fmtTs(s.updated),
        })),
        created_by_id: w.users[s.createdBy].id,
        updated_by_id: w.users[s.updatedBy].id,
        date_created: fmtTs(s.created),
        date_updated: fmtTs(s.updated),
      }),
      false,
    ),
  );
}
