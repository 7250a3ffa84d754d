import {CreatedWindowStream} from './created-window-stream';

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
  get name(): string {
    return 'email_threads';
  }

  protected get path(): string {
    return '/activity/emailthread/';
  }
}
