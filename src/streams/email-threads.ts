import {CreatedWindowStream} from './created-window-stream';
import {StreamInfo} from './stream-info';

/**
 * GET /activity/emailthread/: one EmailThread per email conversation
 * ("generally grouped by subject"), with Close's date_created filters. Not
 * `/activity/?thread_emails=only`, which lists every other activity type
 * again (the activities stream has them) and only drops the emails. A
 * thread's emails are Email records of the activities stream, whose
 * thread_id points at it. Airbyte's Close source calls this stream
 * email_thread_activities.
 *
 * A reply leaves the thread's date_created alone, so a thread that grows is
 * re-read only while it is inside the attribution window, as activities are.
 */
export class EmailThreads extends CreatedWindowStream {
  static readonly info: StreamInfo = {
    name: 'email_threads',
    endpoint: 'GET /activity/emailthread/',
    kind: 'created_windows',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'date_created',
    primaryKey: 'id',
    notes: 'one `EmailThread` per conversation (its emails are in `activities`, `thread_id`); like `activities`, attribution window included',
    eventObjectTypes: ['activity.email_thread'],
    emptyBecause: 'Email threads exist only in accounts that sent, received or synced email through Close; an account used for calls and notes has none.',
    airbyte: [{stream: 'email_thread_activities'}],
  };

  protected get path(): string {
    return '/activity/emailthread/';
  }
}
