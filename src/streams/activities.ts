import {CreatedWindowStream} from './created-window-stream';

/**
 * GET /activity/ without `thread_emails`: every activity type, with one full
 * Email object per message ("`Email` objects will be returned for each email
 * message"); Close lists no EmailThread here (see email-threads.ts).
 */
export class Activities extends CreatedWindowStream {
  get name(): string {
    return 'activities';
  }

  protected get path(): string {
    return '/activity/';
  }
}
