import {ChangedChildrenStream, ChildEvents} from './changed-children';
import {ListRequest} from './list-stream';
import {StreamInfo} from './stream-info';

/**
 * Comments. Close lists them only per thread or per commented object
 * ("Exactly one of those filters must be provided",
 * https://developer.close.com/api/resources/comments), with no date filter:
 * one GET /comment/?thread_id=… per comment thread (child-stream.ts). An
 * incremental sync reads the comments of the threads whose `updated_at`
 * moved since the last one (the thread list is read whole: Close offers no
 * date filter on it either) and of the threads the event log names for
 * comment events, every thread weekly (changed-children.ts).
 */
export class Comments extends ChangedChildrenStream {
  static readonly info: StreamInfo = {
    name: 'comments',
    endpoint: 'GET /comment/?thread_id=<comment_threads id>',
    kind: 'child',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'updated_at',
    primaryKey: 'id',
    parent: 'comment_threads',
    notes:
      'read per comment thread, several threads at once; incremental: the threads whose `updated_at` moved or that a comment event names, every thread weekly',
    // The third-party copy of Close's event list names `comment` (and `comment_thread`); not in Close's own page we read.
    eventObjectTypes: ['comment'],
    textFields: ['mentions[]'],
    requires: {
      permission: 'to see all leads (its threads are refused to restricted lead visibility; comments on leads the key cannot see are left out)',
      documented: 'https://developer.close.com/api/resources/comments',
    },
    emptyBecause: 'An account where nobody commented has no comments.',
  };

  protected get request(): ListRequest {
    return {path: '/comment/'};
  }

  protected get parentParam(): string {
    return 'thread_id';
  }

  /** Threads move when a comment is added or removed (GUESS: a comment edited may not move its thread; the events say). */
  protected override get parentChangedField(): string {
    return 'updated_at';
  }

  /**
   * A comment event's thread: the comment's `thread_id` in `data` (or
   * `previous_data`). Non-admin keys see those for an hour only; without them
   * the event's `lead_id` names every thread on that lead.
   * GUESS: that comment events carry the comment as `data` and the lead as
   * `lead_id`, as events of other objects do.
   */
  protected get childEvents(): ChildEvents {
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    return {
      objectTypes: Comments.info.eventObjectTypes!,
      parentOf: (event) => {
        const thread = text(event.data?.thread_id) ?? text(event.previous_data?.thread_id);
        if (thread) return {id: thread};
        const lead = text(event.lead_id);
        return lead ? {field: 'lead_id', value: lead} : undefined;
      },
    };
  }
}
