import {Activities} from './activities';
import {activityTypeStream} from './activity-type-stream';
import {childStream} from './child-stream';
import {Comments} from './comments';
import {Contacts} from './contacts';
import {CustomObjects} from './custom-objects';
import {detailStream} from './detail-stream';
import {EmailThreads} from './email-threads';
import {EventLog} from './event-log';
import {EmailTemplates, LeadStatuses, OpportunityStatuses, Pipelines, Sequences} from './full-refresh-stream';
import {
  ActivityCustomFields,
  ContactCustomFields,
  CustomFields,
  OpportunityCustomFields,
  SharedCustomFields,
  Users,
  scanStream,
} from './full-scan-stream';
import {Leads} from './leads';
import {listStream} from './list-stream';
import {Memberships} from './memberships';
import {Opportunities} from './opportunities';
import {SendAs} from './send-as';
import {CloseStream, StreamClass, StreamContext} from './stream-base';
import {StreamInfo} from './stream-info';
import {Tasks} from './tasks';

/** Why the configuration-like lists are full refresh: said once, for the docs. */
const NO_DATE_FILTER = 'Close cannot filter or order it by a date';
const NO_DATES = 'no date fields';

/** The types GET /saved_search/ knows; without `type`/`type__in` it lists lead Smart Views only. */
export const SMART_VIEW_TYPES = [
  'lead',
  'contact',
  'opportunity',
  'call',
  'email',
  'sms',
  'meeting',
  'note',
  'whatsapp_message',
  'custom_activity',
  'form_submission',
];

const bulkAction = (kind: string, airbyte: string, objectType: string, textFields?: string[]) =>
  listStream({
    textFields,
    name: airbyte,
    path: `/bulk_action/${kind}/`,
    notes: 'status and counts of each bulk action',
    fullRefreshBecause: NO_DATE_FILTER,
    // Close logs created/updated/completed/paused for bulk actions, no deletions.
    eventObjectTypes: [objectType],
    emptyBecause: `Bulk ${kind.replace('_', ' ')} actions exist only where someone ran one.`,
    airbyte: [{stream: airbyte}],
  });

/**
 * Every stream of the connector, in catalog order: Stitch's six tables
 * first, then the rest of Close. Each entry is the whole declaration of its
 * stream (with its schema, resources/schemas/<name>.json); the stream list,
 * the tests' stream lists, the benchmark, the acceptance-test files and the
 * docs tables are derived from it.
 */
export const STREAM_CLASSES: readonly StreamClass[] = [
  Activities,
  CustomFields,
  EventLog,
  Leads,
  Tasks,
  Users,
  Opportunities,
  Contacts,
  LeadStatuses,
  OpportunityStatuses,
  Pipelines,
  EmailTemplates,
  Sequences,
  ContactCustomFields,
  OpportunityCustomFields,
  ActivityCustomFields,
  SharedCustomFields,
  EmailThreads,
  listStream({
    name: 'roles',
    path: '/role/',
    notes: 'predefined roles have bare ids (`admin`, `superuser`, `user`, `restricteduser`)',
    fullRefreshBecause: NO_DATE_FILTER,
    airbyte: [{stream: 'roles'}],
  }),
  listStream({
    name: 'smart_views',
    path: '/saved_search/',
    params: {type__in: SMART_VIEW_TYPES.join(',')},
    endpoint: 'GET /saved_search/?type__in=<all 11 types>',
    notes: 'Smart Views of every type (Close lists lead ones only unless asked)',
    fullRefreshBecause: NO_DATE_FILTER,
    eventObjectTypes: ['saved_search'],
    emptyBecause: 'An account where nobody saved a Smart View may have none.',
    airbyte: [{stream: 'smart_views', where: "type = 'lead'", note: 'Airbyte read lead Smart Views only'}],
  }),
  SendAs,
  listStream({
    name: 'connected_accounts',
    path: '/connected_account/',
    notes: 'email, calendar and Zoom accounts; `_type` tells them apart',
    fullRefreshBecause: 'no date filter; no date_updated',
    textFields: ['latest_receive_error', 'latest_send_error'],
    emptyBecause: 'An account whose users connected no email, calendar or Zoom account has none.',
    airbyte: [
      {stream: 'google_connected_accounts', where: "_type = 'google'"},
      {stream: 'custom_email_connected_accounts', where: "_type = 'custom_email'"},
      {stream: 'zoom_connected_accounts', where: "_type = 'zoom'"},
    ],
  }),
  listStream({
    name: 'dialers',
    path: '/dialer/',
    notes: 'Power and Predictive Dialer sessions',
    fullRefreshBecause: NO_DATE_FILTER,
    emptyBecause: 'Dialer sessions exist only where someone used the Power or Predictive Dialer.',
    // GUESS: Close does not document what a plan without the Power Dialer answers here
    requires: {feature: 'the Power or Predictive Dialer (plan-dependent)'},
    airbyte: [{stream: 'dialer'}],
  }),
  bulkAction('email', 'email_bulk_actions', 'bulk_action.email'),
  // custom_field_value: whatever type the field has (a number, a list …)
  bulkAction('edit', 'edit_bulk_actions', 'bulk_action.edit', ['custom_field_value']),
  bulkAction('delete', 'delete_bulk_actions', 'bulk_action.delete'),
  bulkAction('sequence_subscription', 'sequence_subscription_bulk_actions', 'bulk_action.sequence_subscription'),
  listStream({
    name: 'exports',
    path: '/export/',
    notes: 'lead, contact and opportunity exports and their status; `download_url` (a signed link to the file) is never emitted',
    fullRefreshBecause: NO_DATE_FILTER,
    omitFields: ['download_url'],
    eventObjectTypes: ['export.lead', 'export.opportunity'],
    emptyBecause: 'Exports exist only where someone exported leads, contacts or opportunities.',
  }),
  listStream({
    name: 'integration_links',
    path: '/integration_link/',
    notes: 'URL templates shown on leads, contacts and opportunities',
    fullRefreshBecause: NO_DATE_FILTER,
    emptyBecause: 'Integration links are optional; most accounts define none.',
    airbyte: [{stream: 'integration_links'}],
  }),
  listStream({
    name: 'custom_activity_types',
    path: '/custom_activity/',
    notes: 'custom activity types with their fields; the instances are in `activities`',
    fullRefreshBecause: NO_DATE_FILTER,
    eventObjectTypes: ['custom_activity_type'],
    requires: {feature: 'Custom Activities (not on the Solo, Essentials and Base plans)'},
    emptyBecause: 'Custom activity types are optional, and not available on every plan.',
    airbyte: [{stream: 'custom_activities'}],
  }),
  listStream({
    name: 'custom_object_types',
    path: '/custom_object_type/',
    notes: 'custom object types with their fields',
    fullRefreshBecause: NO_DATE_FILTER,
    eventObjectTypes: ['custom_object_type'],
    requires: {feature: 'Custom Objects (Business plan, invite-only beta)', documented: 'https://help.close.com/docs/custom-objects'},
    emptyBecause: 'Custom objects are optional, and not available on every plan.',
  }),
  scanStream({
    name: 'custom_object_custom_fields',
    path: '/custom_field/custom_object_type/',
    pageSize: 100,
    notes: 'like `custom_fields`; linked to their type by `custom_object_type_id`',
    eventObjectTypes: ['custom_fields.custom_object'],
    requires: {feature: 'Custom Objects (Business plan, invite-only beta)', documented: 'https://help.close.com/docs/custom-objects'},
    emptyBecause: 'Custom objects are optional, and not available on every plan.',
  }),
  CustomObjects,
  listStream({
    name: 'forms',
    path: '/form/',
    notes: 'forms and their published field definitions, archived ones too',
    fullRefreshBecause: NO_DATE_FILTER,
    emptyBecause: 'Forms are optional; an account that never published one has none.',
  }),
  listStream({
    name: 'outcomes',
    path: '/outcome/',
    notes: 'call and meeting outcomes',
    fullRefreshBecause: NO_DATE_FILTER,
    emptyBecause: 'Outcomes are optional; an account may define none.',
  }),
  listStream({
    name: 'sms_templates',
    path: '/sms_template/',
    notes: 'active and archived SMS templates',
    fullRefreshBecause: NO_DATE_FILTER,
    eventObjectTypes: ['sms_template'],
    emptyBecause: 'SMS templates are optional; many accounts have none.',
  }),
  listStream({
    name: 'scheduling_links',
    path: '/scheduling_link/',
    notes: "the key's user's scheduling links",
    fullRefreshBecause: NO_DATES,
    emptyBecause: "A key's user without scheduling links has none.",
  }),
  listStream({
    name: 'shared_scheduling_links',
    path: '/shared_scheduling_link/',
    notes: 'scheduling links shared in the organization',
    fullRefreshBecause: NO_DATES,
    emptyBecause: 'Shared scheduling links are optional; most accounts have none.',
  }),
  listStream({
    name: 'phone_numbers',
    path: '/phone_number/',
    notes: 'personal, group and external numbers',
    fullRefreshBecause: NO_DATE_FILTER,
    eventObjectTypes: ['phone_number'],
    emptyBecause: 'An account that never rented or verified a number has none.',
  }),
  listStream({
    name: 'blocked_phone_numbers',
    path: '/blocked_phone_number/',
    notes: 'numbers whose calls and texts Close blocks',
    fullRefreshBecause: NO_DATE_FILTER,
    emptyBecause: 'An account that never blocked a number has none.',
  }),
  listStream({
    name: 'unsubscribed_emails',
    path: '/unsubscribe/email/',
    primaryKey: 'email',
    notes: 'primary key `email` (Close gives these no id)',
    fullRefreshBecause: 'one field, the address',
    eventObjectTypes: ['unsubscribed_email'],
    emptyBecause: 'An account where nobody unsubscribed has none.',
  }),
  Memberships,
  detailStream({
    name: 'groups',
    path: '/group/',
    notes: 'with `members` (the list omits them: each group is fetched once more)',
    fullRefreshBecause: NO_DATES,
    eventObjectTypes: ['group'],
    emptyBecause: 'Groups are optional; many accounts have none.',
  }),
  listStream({
    name: 'playbooks',
    path: '/playbook/',
    notes: 'archived ones too; `created_at`/`updated_at`',
    fullRefreshBecause: 'Close filters them by created_at only (created_at__lt), not by updates',
    emptyBecause: 'Playbooks are optional; many accounts have none.',
  }),
  listStream({
    name: 'webhooks',
    path: '/webhook/',
    notes: 'subscriptions and their health; `signature_key` (a secret) is never emitted',
    fullRefreshBecause: NO_DATE_FILTER,
    omitFields: ['signature_key'],
    textFields: ['latest_error'],
    emptyBecause: 'Webhook subscriptions are optional; most accounts have none.',
  }),
  listStream({
    name: 'comment_threads',
    path: '/comment_thread/',
    notes: 'one per commented object; `created_at`/`updated_at`',
    fullRefreshBecause: NO_DATE_FILTER,
    eventObjectTypes: ['comment_thread'],
    // Documented: "Unscoped requests from such users [with restricted lead visibility] return a `403`".
    requires: {
      permission: 'to see all leads (Close answers 403 to users with restricted lead visibility)',
      documented: 'https://developer.close.com/api/resources/comments/list-threads',
    },
    emptyBecause: 'An account where nobody commented has no comment threads.',
  }),
  Comments,
  childStream({
    name: 'sequence_subscriptions',
    parent: 'sequences',
    path: '/sequence_subscription/',
    parentParam: 'sequence_id',
    notes: 'read per sequence (Close requires a sequence, contact or lead), several at once',
    fullRefreshBecause: 'Close lists them only per sequence, contact or lead, with no date filter',
    eventObjectTypes: ['sequence_subscription'],
    emptyBecause: 'Sequences exist only in accounts whose plan includes them; without them there are no subscriptions.',
  }),
  activityTypeStream({
    name: 'form_submissions',
    path: '/activity/form_submission/',
    activityType: 'FormSubmission',
    notes: '`_type` FormSubmission (also in `activities`); date windows, attribution window',
    eventObjectTypes: ['activity.form_submission'],
    emptyBecause: 'Form submissions exist only where a Close form was published and submitted.',
  }),
  activityTypeStream({
    name: 'whatsapp_messages',
    path: '/activity/whatsapp_message/',
    activityType: 'WhatsAppMessage',
    notes: '`_type` WhatsAppMessage (also in `activities`); date windows, attribution window',
    eventObjectTypes: ['activity.whatsapp_message'],
    // GUESS: what an account without the WhatsApp integration answers is undocumented
    requires: {feature: 'the WhatsApp integration'},
    emptyBecause: 'WhatsApp messages exist only where a WhatsApp integration is connected.',
  }),
  activityTypeStream({
    name: 'lead_merges',
    path: '/activity/lead_merge/',
    activityType: 'LeadMerge',
    notes: '`_type` LeadMerge (also in `activities`): which lead was merged into which; attribution window',
    eventObjectTypes: ['lead_merge', 'activity.lead_merge'],
    emptyBecause: 'Lead merge activities exist only where someone merged leads.',
  }),
];

const BY_NAME = new Map(STREAM_CLASSES.map((c) => [c.info.name, c]));

/** The class of a stream, by name (child streams find their parent here). */
export function streamClass(name: string): StreamClass {
  const c = BY_NAME.get(name);
  if (!c) throw new Error(`no stream named ${name}`);
  return c;
}

/** Every stream's static description, in catalog order; needs no Close client. */
export function streamInfo(): StreamInfo[] {
  return STREAM_CLASSES.map((c) => c.info);
}

/** Every stream of the connector, ready to read with this sync's context. */
export function allStreams(ctx: StreamContext): CloseStream[] {
  return STREAM_CLASSES.map((C) => new C(ctx));
}
