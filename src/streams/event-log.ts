import {readEvents} from '../readers/event-cursor-reader';
import {Micros, MICROS_PER_DAY, MICROS_PER_MINUTE} from '../time/instant';
import {EVENT_PAGE_SIZE, EVENT_RESCAN, EVENT_RETENTION} from './event-log-limits';
import {StreamInfo} from './stream-info';
import {Window, WindowSizing} from './windows';
import {WindowedStream} from './windowed-stream';

export {EVENT_PAGE_SIZE, EVENT_RESCAN, EVENT_RETENTION};

/**
 * GET /event/: the event log, newest first through cursor paging. Read in
 * day windows so that a long first sync checkpoints daily. Events can be
 * consolidated later (date_updated moves), so they are keyed on date_updated.
 */
export class EventLog extends WindowedStream {
  static readonly info: StreamInfo = {
    name: 'event_log',
    endpoint: 'GET /event/',
    kind: 'events',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'date_updated',
    primaryKey: 'id',
    stitch: true,
    notes: 'last 30 days only; 5-minute re-scan',
    emptyBecause:
      'Close keeps only the last 30 days of the event log; a test account with no activity (no create, update or delete) in the last 30 days has no events at all.',
    airbyte: [{stream: 'events'}],
  };


  override get cursorField(): string {
    return 'date_updated';
  }

  protected override get windowSizing(): WindowSizing {
    return {initial: MICROS_PER_DAY, min: MICROS_PER_MINUTE, max: EVENT_RETENTION, targetRecords: 6 * EVENT_PAGE_SIZE};
  }

  protected override lowerBound(saved: Micros | undefined): Micros {
    const oldestInClose = this.ctx.syncStartedAt - EVENT_RETENTION;
    const fromCursor = saved === undefined ? -Infinity : saved - EVENT_RESCAN;
    return Math.max(fromCursor, this.ctx.config.startDate, oldestInClose);
  }

  protected readWindow(window: Window): AsyncGenerator<Record<string, any>[]> {
    return readEvents({
      client: this.ctx.client,
      stream: this.name,
      pageSize: EVENT_PAGE_SIZE,
      lower: window.lo,
      upper: window.hi,
    });
  }
}
