import { ActivitySeed, ResourceSeed, always, cycle, fixedCount, maybe, oneOf, ref, scaled, someOf, user } from './spec';

/**
 * The resources the sandbox serves from their schema and a seed alone (see
 * ResourceSeed). What each says about Close comes from its docs
 * (https://developer.close.com/api/resources/…) unless marked GUESS; paging
 * follows the docs: endpoints documented with `_skip`/`_limit` page (their
 * maximum `_limit` is UNDOCUMENTED: 100, the documented default, is the
 * sandbox's), the others answer everything at once.
 */

const MAX_LIMIT = 100;
const ROLE_PERMISSIONS = ['bulk_edit', 'bulk_email', 'bulk_delete', 'bulk_sequence_subscriptions', 'export', 'manage_organization', 'view_all_leads'];
const BULK_STATUSES = ['created', 'loading', 'processing', 'done', 'done', 'paused', 'error'];
const matchAll = always({ query: { negate: false, type: 'match_all' }, results_limit: null, sort: [] });

export const RESOURCE_SEEDS: readonly ResourceSeed[] = [
  {
    stream: 'roles',
    path: '/role/',
    idPrefix: 'role_',
    count: fixedCount(7),
    // Recorded (Airbyte's expected records): predefined roles carry bare ids and year-1 dates, naive.
    fixed: [
      { id: 'admin', name: 'Admin', editable: false, date_created: '0001-01-01T00:00:00', date_updated: '0001-01-01T00:00:00' },
      { id: 'superuser', name: 'Super User', editable: false, date_created: '0001-01-01T00:00:00', date_updated: '0001-01-01T00:00:00' },
      { id: 'user', name: 'User', editable: false, date_created: '0001-01-01T00:00:00', date_updated: '0001-01-01T00:00:00' },
      { id: 'restricteduser', name: 'Restricted User', editable: false, date_created: '0001-01-01T00:00:00', date_updated: '0001-01-01T00:00:00' },
    ],
    values: {
      editable: always(true),
      permissions: someOf(ROLE_PERMISSIONS, 5),
      visibility_user_lcf_behavior: oneOf([null, 'require_assignment', 'allow_unassigned']),
      visibility_user_lcf_ids: always([]),
    },
  },
  {
    stream: 'smart_views',
    path: '/saved_search/',
    idPrefix: 'save_',
    count: fixedCount(14),
    maxLimit: MAX_LIMIT,
    // Documented: `type` defaults to lead; `type__in` selects several.
    filters: [{ param: 'type', in: 'type__in', default: 'lead' }],
    readAll: ['type__in=lead,contact,opportunity,call,email,sms,meeting,note,whatsapp_message,custom_activity,form_submission'],
    values: {
      type: cycle(['lead', 'contact', 'opportunity', 'call', 'email', 'sms', 'meeting', 'note', 'whatsapp_message', 'custom_activity', 'form_submission', 'lead']),
      query: always(null),
      s_query: matchAll,
      user_id: user,
      selected_fields: always(null),
      shared_with: always(null),
    },
    eventObjectType: 'saved_search',
  },
  {
    stream: 'send_as',
    path: '/send_as/',
    idPrefix: 'sdas_',
    count: fixedCount(9),
    dates: 'none',
    // Documented: only associations the key's user is part of; `allowing_user_id` is assumed when neither filter is given.
    visibleWhen: ['allowing_user_id', 'allowed_user_id'],
    filters: [{ param: 'allowing_user_id', default: 'me' }, { param: 'allowed_user_id' }],
    readAll: ['allowing_user_id={me}', 'allowed_user_id={me}'],
    values: {
      // a third each: the key's user allows someone, is allowed by someone, or neither (invisible to the key)
      allowing_user_id: (c) => (c.index % 3 === 0 ? c.me : c.users[1 + (c.index % (c.users.length - 1))]),
      allowed_user_id: (c) => (c.index % 3 === 1 ? c.me : c.users[1 + ((c.index + 3) % (c.users.length - 1))]),
    },
  },
  {
    stream: 'connected_accounts',
    path: '/connected_account/',
    idPrefix: 'emailacct_',
    count: fixedCount(8),
    // Close has no date_updated here (documented default `_fields`).
    values: {
      _type: cycle(['google', 'custom_email', 'zoom', 'microsoft', 'calendly']),
      user_id: user,
      latest_receive_error: maybe(0.2, always('Authentication failed')),
      latest_send_error: always(null),
      date_updated: always(undefined),
    },
  },
  {
    stream: 'dialers',
    path: '/dialer/',
    idPrefix: 'dial_',
    count: fixedCount(6),
    maxLimit: MAX_LIMIT,
    naiveDates: true,
    values: {
      type: oneOf(['power', 'predictive']),
      status: oneOf(['active', 'ended', 'paused']),
      source_type: oneOf(['saved-search', 'shared-entry']),
      source_value: ref('smart_views'),
    },
    filters: [{ param: 'status', in: 'status__in' }, { param: 'user_id' }],
  },
  ...(
    [
      ['email_bulk_actions', 'email', 'bulkemail_'],
      ['edit_bulk_actions', 'edit', 'bulkedit_'],
      ['delete_bulk_actions', 'delete', 'bulkdelete_'],
      ['sequence_subscription_bulk_actions', 'sequence_subscription', 'bulkseqsub_'],
    ] as const
  ).map(
    ([stream, kind, idPrefix]): ResourceSeed => ({
      stream,
      path: `/bulk_action/${kind}/`,
      idPrefix,
      count: fixedCount(5),
      maxLimit: MAX_LIMIT,
      values: {
        status: oneOf(BULK_STATUSES),
        s_query: matchAll,
        query: always(null),
        ...(kind === 'edit' ? { custom_field_value: oneOf(['Enterprise', 12, null, ['a', 'b']]) } : {}),
        ...(kind === 'sequence_subscription' ? { sequence_id: ref('sequences'), action_type: oneOf(['subscribe', 'pause', 'resume']) } : {}),
        ...(kind === 'email' ? { template_id: ref('email_templates') } : {}),
        ...(kind === 'delete' ? { bulk_object_type: oneOf(['lead', 'contact', 'call']) } : {}),
      },
      eventObjectType: `bulk_action.${kind}`,
    }),
  ),
  {
    stream: 'exports',
    path: '/export/',
    idPrefix: 'expo_',
    count: fixedCount(4),
    maxLimit: MAX_LIMIT,
    values: {
      type: cycle(['leads', 'contacts', 'lead_opps']),
      format: oneOf(['csv', 'json']),
      status: oneOf(['created', 'in_progress', 'done', 'done']),
      s_query: matchAll,
      fields: always(['id', 'name', 'date_created', 'date_updated']),
      params: always(null),
    },
    // Documented example: a signed S3 link valid for a minute. The connector must not emit it.
    extra: { download_url: (c) => `https://close-exports.s3.amazonaws.com/${c.id}.csv?X-Amz-Expires=60&X-Amz-Signature=${c.rng.int(1e9).toString(16)}` },
    eventObjectType: 'export.lead',
  },
  {
    stream: 'integration_links',
    path: '/integration_link/',
    idPrefix: 'ilink_',
    count: fixedCount(4),
    values: { type: cycle(['lead', 'contact', 'opportunity']), url: (c) => `https://crm.example.com/{{ lead.id }}/${c.index}` },
  },
  {
    stream: 'custom_activity_types',
    path: '/custom_activity/',
    idPrefix: 'actitype_',
    count: fixedCount(4),
    naiveDates: true,
    // Documented: the type "including most Custom Field metadata": its activity custom fields (custom_activity_type_id).
    values: { fields: (c) => c.definitions('activity_custom_fields', 'custom_activity_type_id', c.id).map(embeddedField) },
    eventObjectType: 'custom_activity_type',
  },
  {
    stream: 'custom_object_types',
    path: '/custom_object_type/',
    idPrefix: 'cotype_',
    count: fixedCount(3),
    naiveDates: true,
    values: {
      name: cycle(['Vehicle', 'Subscription', 'Property']),
      name_plural: cycle(['Vehicles', 'Subscriptions', 'Properties']),
      // its custom object custom fields (linked by custom_object_type_id)
      fields: (c) => c.definitions('custom_object_custom_fields', 'custom_object_type_id', c.id).map(embeddedField),
      back_reference_fields: always([]),
    },
    eventObjectType: 'custom_object_type',
  },
  {
    stream: 'custom_object_custom_fields',
    path: '/custom_field/custom_object_type/',
    idPrefix: 'cf_',
    count: fixedCount(9),
    values: {
      // in turn, so that every type has fields of three kinds
      custom_object_type_id: (c) => {
        const types = c.ids('custom_object_types');
        return types.length ? types[c.index % types.length] : null;
      },
      type: (c) => CUSTOM_OBJECT_FIELD_KINDS[c.index % CUSTOM_OBJECT_FIELD_KINDS.length][0],
      accepts_multiple_values: (c) => CUSTOM_OBJECT_FIELD_KINDS[c.index % CUSTOM_OBJECT_FIELD_KINDS.length][1],
      choices: (c) => (c.record.type === 'choices' ? ['Basic', 'Pro', 'Enterprise', 'Custom'] : null),
    },
    eventObjectType: 'custom_fields.custom_object',
  },
  {
    // Documented: GET /custom_object/ requires lead_id ("If you want to retrieve all Custom Object instances
    // regardless of the lead, you will need to use Advanced Filtering"); custom_object_type_id filters.
    // Paging is not documented: everything at once. Id prefix `custobj_`: GUESS.
    stream: 'custom_objects',
    path: '/custom_object/',
    idPrefix: 'custobj_',
    count: scaled(0.4, 8, 2000),
    lead: true,
    required: ['lead_id'],
    filters: [{ param: 'lead_id' }, { param: 'custom_object_type_id' }],
    readAll: ['lead_id={lead}'],
    values: {
      lead_id: (c) => c.lead?.id ?? null,
      custom_object_type_id: ref('custom_object_types'),
      name: (c) => `${c.rng.pick(['Fleet', 'Plan', 'Site', 'Unit', 'Contract'])} ${c.rng.int(10000)}`,
      // the connector's list, not Close's
      custom_fields: always(undefined),
    },
    customFields: { definitions: 'custom_object_custom_fields', link: 'custom_object_type_id' },
    // GUESS: Close's event list names no object_type for the instances.
    eventObjectType: 'custom_object',
    editField: 'name',
  },
  {
    stream: 'forms',
    path: '/form/',
    idPrefix: 'form_',
    count: fixedCount(4),
    maxLimit: MAX_LIMIT,
    values: {
      field_definitions: (c) =>
        ['Name', 'Email', 'Company', 'Interest'].slice(0, 2 + c.rng.int(3)).map((name, i) => ({
          id: `formfld_${c.id.slice(5, 20)}${i}`,
          name,
          type: name === 'Interest' ? 'choices' : 'text',
          choices: name === 'Interest' ? [{ label: 'Demo', value: 'demo' }, { label: 'Pricing', value: 'pricing' }] : null,
        })),
    },
    filters: [{ param: 'is_archived' }],
  },
  {
    stream: 'outcomes',
    path: '/outcome/',
    idPrefix: 'outcome_',
    count: fixedCount(6),
    maxLimit: MAX_LIMIT,
    values: { type: oneOf(['custom', 'custom', 'vm-dropped']), applies_to: someOf(['calls', 'meetings'], 2) },
  },
  {
    stream: 'sms_templates',
    path: '/sms_template/',
    idPrefix: 'smstmpl_',
    count: fixedCount(6),
    maxLimit: MAX_LIMIT,
    naiveDates: true,
    values: { status: oneOf(['active', 'active', 'archived']) },
    eventObjectType: 'sms_template',
    editField: 'text',
  },
  {
    stream: 'scheduling_links',
    path: '/scheduling_link/',
    idPrefix: 'schlnk_',
    count: fixedCount(5),
    dates: 'none',
    values: { type: always('USER'), user_id: (c) => c.me, source: oneOf(['MANUAL', 'CALENDLY']), duration_in_minutes: oneOf([15, 30, 45, 60]) },
  },
  {
    stream: 'shared_scheduling_links',
    path: '/shared_scheduling_link/',
    idPrefix: 'schlnk_',
    count: fixedCount(3),
    dates: 'none',
    values: { type: always('SHARED'), url: always(null), user_id: always(null), oauth_client_id: always(null), duration_in_minutes: oneOf([30, 60]) },
  },
  {
    stream: 'phone_numbers',
    path: '/phone_number/',
    idPrefix: 'phon_',
    count: fixedCount(8),
    maxLimit: MAX_LIMIT,
    values: { type: oneOf(['internal', 'internal', 'external', 'virtual']), carrier: always(null), participants: someOf([], 0) },
    filters: [{ param: 'number' }, { param: 'user_id' }],
    eventObjectType: 'phone_number',
    editField: 'label',
  },
  {
    stream: 'blocked_phone_numbers',
    path: '/blocked_phone_number/',
    idPrefix: 'blkph_',
    count: fixedCount(5),
    maxLimit: MAX_LIMIT,
    editField: 'reason',
  },
  {
    stream: 'unsubscribed_emails',
    path: '/unsubscribe/email/',
    idPrefix: '',
    key: 'email',
    count: scaled(0.2, 5, 2000),
    dates: 'none',
    eventObjectType: 'unsubscribed_email',
  },
  {
    stream: 'memberships',
    path: '/organization/',
    idPrefix: 'memb_',
    // one per user; the key's user first (an active admin, or the key's role)
    count: () => 30,
    dates: 'none',
    embedded: { active: 'memberships', inactive: 'inactive_memberships', inactiveShare: 0.1 },
    values: {
      user_id: (c) => c.users[c.index % c.users.length],
      role_id: (c) => (c.index === 0 ? 'admin' : c.rng.pick(['admin', 'user', 'user', 'restricteduser'])),
      role: (c) => c.record.role_id,
      auto_record_calls: oneOf(['enabled', 'disabled', 'unset']),
      permissions_granted: someOf(ROLE_PERMISSIONS, 4),
      primary_personal_number: ref('phone_numbers', 0.5),
    },
    eventObjectType: 'membership',
  },
  {
    stream: 'groups',
    path: '/group/',
    idPrefix: 'group_',
    count: fixedCount(4),
    dates: 'none',
    detailOnly: ['members'],
    values: { name: cycle(['Support', 'Sales', 'Onboarding', 'Renewals']), members: (c) => c.users.filter((_, i) => (i + c.index) % 4 === 0).map((u) => ({ user_id: u })) },
    eventObjectType: 'group',
  },
  {
    stream: 'playbooks',
    path: '/playbook/',
    idPrefix: 'convtyp_',
    count: fixedCount(5),
    maxLimit: MAX_LIMIT,
    dates: 'at',
    values: {
      position: (c) => c.index,
      archived_at: (c) => (c.index === 4 ? c.ts(c.updated) : null),
      archived_by_id: (c) => (c.index === 4 ? c.users[0] : null),
      outcome_ids: (c) => c.ids('outcomes').slice(0, 2),
      custom_field_ids: always([]),
    },
    filters: [{ param: 'is_archived' }],
  },
  {
    stream: 'webhooks',
    path: '/webhook/',
    idPrefix: 'whsub_',
    count: fixedCount(3),
    naiveDates: true,
    values: {
      status: oneOf(['active', 'paused']),
      events: always([
        { object_type: 'lead', action: 'created' },
        { object_type: 'activity.call', action: 'completed' },
      ]),
      latest_error: maybe(0.3, always({ status_code: 500, message: 'Internal Server Error' })),
      counters: always({}),
    },
    // Documented: the HMAC key for verifying deliveries. The connector must never emit it.
    extra: { signature_key: (c) => `sk_${c.rng.int(1e9).toString(16)}${c.rng.int(1e9).toString(16)}` },
    editField: 'url',
  },
  {
    stream: 'comment_threads',
    path: '/comment_thread/',
    idPrefix: 'comthr_',
    count: scaled(0.1, 3, 300),
    maxLimit: MAX_LIMIT,
    dates: 'at',
    lead: true,
    values: {
      object_id: (c) => c.leadActivity()?.id ?? null,
      object_type: (c) => c.leadActivity()?.eventType ?? 'lead',
      num_comments: (c) => c.children('comments').length,
      participating: (c) => [...new Set(c.children('comments').map((x) => x.created_by))],
    },
    eventObjectType: 'comment_thread',
  },
  {
    stream: 'comments',
    path: '/comment/',
    idPrefix: 'comm_',
    count: (_scale, i) => 1 + (i % 4),
    dates: 'at',
    lead: true,
    // Documented: "Exactly one of those filters must be provided" (thread_id, object_id).
    parent: { stream: 'comment_threads', param: 'thread_id', field: 'thread_id' },
    required: ['thread_id', 'object_id'],
    values: {
      body: (c) => `<body><p>${c.rng.pick(['Nice call.', 'Can you follow up?', 'Sent the proposal.'])} (${c.ver})</p></body>`,
      mentions: always([]),
      removed_at: always(null),
      removed_by: always(null),
    },
    eventObjectType: 'comment',
    editField: 'body',
    touchesParent: true,
  },
  {
    stream: 'sequence_subscriptions',
    path: '/sequence_subscription/',
    idPrefix: 'sub_',
    count: (scale) => Math.max(2, Math.min(500, Math.round(scale / 8))),
    maxLimit: MAX_LIMIT,
    naiveDates: true,
    lead: true,
    // Documented: "At least one of sequence_id, contact_id, and lead_id is required."
    parent: { stream: 'sequences', param: 'sequence_id', field: 'sequence_id' },
    required: ['sequence_id', 'contact_id', 'lead_id'],
    filters: [{ param: 'contact_id' }, { param: 'lead_id' }],
    values: {
      contact_id: (c) => c.leadContact()?.id ?? null,
      contact_email: (c) => c.leadContact()?.email ?? null,
      status: oneOf(['active', 'paused', 'finished', 'finished', 'error', 'goal']),
      status_reason: oneOf([null, 'manual', 'replied']),
      calls_assigned_to: always([]),
    },
    eventObjectType: 'sequence_subscription',
  },
];

/** Kinds of the custom object custom fields, in turn: [type, accepts_multiple_values]. */
const CUSTOM_OBJECT_FIELD_KINDS: readonly [string, boolean][] = [
  ['text', false],
  ['number', false],
  ['date', false],
  ['choices', false],
  ['datetime', false],
  ['number', false],
  ['user', false],
  ['choices', true],
  ['text', false],
];

/** A field definition as custom activity and custom object types embed it ("most Custom Field metadata"). */
function embeddedField(d: Record<string, unknown>): Record<string, unknown> {
  return {
    id: d.id,
    name: d.name,
    description: d.description ?? '',
    type: d.type,
    choices: d.choices ?? null,
    accepts_multiple_values: d.accepts_multiple_values ?? false,
    required: d.required ?? false,
    editable_with_roles: d.editable_with_roles ?? [],
    is_shared: false,
    referenced_custom_type_id: null,
    back_reference_is_visible: null,
    converting_to_type: null,
  };
}

/**
 * Activity types with an endpoint of their own, served by the activity
 * engine (listed in /activity/ and /activity/<endpoint>/, with events of
 * their eventType). LeadMerge activities also come from merges.
 */
export const ACTIVITY_SEEDS: readonly ActivitySeed[] = [
  {
    stream: 'form_submissions',
    type: 'FormSubmission',
    endpoint: 'form_submission',
    eventType: 'activity.form_submission',
    perLead: 0.15,
    values: {
      form_id: ref('forms'),
      form_name: (c) => `Form ${String(c.record.form_id ?? '').slice(5, 9)}`,
      form_configuration_id: (c) => `formconf_${c.rng.int(1e9).toString(36)}`,
      ip_address: (c) => `198.51.100.${c.rng.int(255)}`,
      origin: always('form'),
      values: (c) => ({ formfld_name: c.leadContact()?.name ?? 'Jane Doe', formfld_optin: c.rng.next() < 0.5, formfld_notes: null }),
      values_by_name: (c) => ({ Name: c.leadContact()?.name ?? 'Jane Doe' }),
    },
  },
  {
    stream: 'whatsapp_messages',
    type: 'WhatsAppMessage',
    endpoint: 'whatsapp_message',
    eventType: 'activity.whatsapp_message',
    perLead: 0.15,
    values: {
      direction: oneOf(['incoming', 'outgoing']),
      attachments: always([]),
      response_to_id: always(null),
      sequence_id: always(null),
      sequence_subscription_id: always(null),
      integration_link: always(null),
    },
  },
  {
    // Documented example: lead_id equals source_lead_id; here lead_id is the destination the activity stays on (GUESS).
    stream: 'lead_merges',
    type: 'LeadMerge',
    endpoint: 'lead_merge',
    // [third-party copy of the event list]: `lead_merge`; the sandbox used `activity.lead_merge` before (GUESS either way)
    eventType: 'lead_merge',
    perLead: 0.05,
    // source and destination come from the merge itself (materialize.ts)
    values: { merge_status: always('completed'), error_message: always(null) },
  },
];
