import {readKeyset} from '../readers/keyset-reader';
import {Micros, MICROS_PER_HOUR, MICROS_PER_SECOND, formatInstant} from '../time/instant';
import {Window} from './windows';
import {WindowedStream} from './windowed-stream';

export const ACTIVITY_PAGE_SIZE = 100;

/**
 * GET /activity/: every activity type, append-only on date_created.
 *
 * Close cannot filter activities by modification time, so each sync re-reads
 * an attribution window (lookback_window_hours) before the saved cursor, as
 * Stitch does: edits to recent activities are picked up and re-emitted.
 * Close returns activities newest first, so a window's cursor is committed
 * only after the whole window was read.
 */
export class Activities extends WindowedStream {
  get name(): string {
    return 'activities';
  }

  override get cursorField(): string {
    return 'date_created';
  }

  protected lowerBound(saved: Micros | undefined): Micros {
    const lookback = this.ctx.config.lookbackWindowHours * MICROS_PER_HOUR;
    return (saved ?? this.ctx.config.startDate) - lookback;
  }

  protected readWindow(window: Window): AsyncGenerator<Record<string, any>[]> {
    return readKeyset({
      client: this.ctx.client,
      path: '/activity/',
      stream: this.name,
      pageSize: ACTIVITY_PAGE_SIZE,
      key: 'date_created',
      direction: 'desc',
      quantum: MICROS_PER_SECOND,
      lower: window.lo,
      upper: window.hi,
      params: (b) => ({
        date_created__gte: b.gte === undefined ? undefined : formatInstant(b.gte),
        date_created__lt: formatInstant(b.lt),
      }),
    });
  }
}
