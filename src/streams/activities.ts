import {CreatedWindowStream} from './created-window-stream';
import {StreamInfo} from './stream-info';

/**
 * GET /activity/ without `thread_emails`: every activity type, with one full
 * Email object per message ("`Email` objects will be returned for each email
 * message"); Close lists no EmailThread here (see email-threads.ts).
 *
 * Custom activity instances are here too (`_type` "CustomActivity", the type
 * in `custom_activity_type_id`), with their `custom.<field id>` values: typed
 * columns for every activity custom field and Stitch's `custom_fields` list,
 * as on leads. Not one stream per custom activity type: Close lists a type's
 * instances (GET /activity/custom/?custom_activity_type_id=…) only together
 * with a lead_id, one lead at a time.
 */
export class Activities extends CreatedWindowStream {
  static readonly info: StreamInfo = {
    name: 'activities',
    endpoint: 'GET /activity/',
    kind: 'created_windows',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'date_created',
    primaryKey: 'id',
    stitch: true,
    notes: 'every type (`_type`), one full `Email` per message (no `EmailThread`); custom activities with `custom_fields [{id, value}]` + typed `custom.cf_…` columns; date windows; re-reads the attribution window',
    textFields: ['custom_fields[].value'],
    eventObjectTypes: ['activity.note', 'activity.call', 'activity.email', 'activity.sms', 'activity.meeting', 'activity.lead_status_change', 'activity.opportunity_status_change', 'activity.task_completed', 'activity.custom_activity', 'activity.form_submission', 'activity.whatsapp_message', 'lead_merge'],
    airbyte: [
      {stream: 'created_activities', where: "_type = 'Created'"},
      {stream: 'note_activities', where: "_type = 'Note'"},
      {stream: 'email_activities', where: "_type = 'Email'"},
      {stream: 'sms_activities', where: "_type = 'SMS'"},
      {stream: 'call_activities', where: "_type = 'Call'"},
      {stream: 'meeting_activities', where: "_type = 'Meeting'"},
      {stream: 'lead_status_change_activities', where: "_type = 'LeadStatusChange'"},
      {stream: 'opportunity_status_change_activities', where: "_type = 'OpportunityStatusChange'"},
      {stream: 'task_completed_activities', where: "_type = 'TaskCompleted'"},
    ],
  };

  protected get path(): string {
    return '/activity/';
  }

  override get hasCustomFields(): boolean {
    return true;
  }
}
