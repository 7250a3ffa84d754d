import {readKeyset} from '../readers/keyset-reader';
import {Micros, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND, formatInstant, parseInstant} from '../time/instant';
import {ALL_ACTIVITIES, activityListPage, anyActivity, firstActivity, searchFirst} from './first-activity';
import {DEFAULT_SIZING, Window, WindowSizing} from './windows';
import {RangeProbe, WindowedStream} from './windowed-stream';

export const ACTIVITY_PAGE_SIZE = 100;
/**
 * Pages a window of an activity endpoint plans for. Each window costs a
 * partial last page, and the range a probe: with 6-page windows these were
 * 14 % of the requests on the benchmark's activity group, with 20-page ones
 * 9 % (issue 11); 40-page ones saved only 3 of 440 requests there (7 %: the
 * probes and the keyset's overlap remain). Checkpoints come once per
 * window, which is still every few seconds of reading. Memory does not grow
 * with the window: the windows behind the one printed read only as far as
 * the shared read-ahead budget lets them (concurrency/budget.ts).
 */
export const ACTIVITY_WINDOW_PAGES = 40;
/** Ranges longer than this are searched for their first record before windows are planned. */
const SEARCH_RANGES_LONGER_THAN = 400 * MICROS_PER_DAY;

/**
 * An activity endpoint (GET /activity/ and the per-type ones such as
 * /activity/emailthread/), append-only on date_created: Close filters them
 * with `date_created__gte/__lt` and lists them newest first.
 *
 * Close cannot filter activities by modification time, so each sync re-reads
 * an attribution window (lookback_window_hours) before the saved cursor, as
 * Stitch does: edits to recent records are picked up and re-emitted. Edits
 * leave date_created alone, so a full refresh needs no read past its range.
 * Records come newest first, so a window's cursor is committed only after the
 * whole window was read.
 */
export abstract class CreatedWindowStream extends WindowedStream {
  protected abstract get path(): string;

  override get cursorField(): string {
    return 'date_created';
  }

  protected override get windowSizing(): WindowSizing {
    return {...DEFAULT_SIZING, targetRecords: ACTIVITY_WINDOW_PAGES * ACTIVITY_PAGE_SIZE};
  }

  protected override lowerBound(saved: Micros | undefined): Micros {
    const lookback = this.ctx.config.lookbackWindowHours * MICROS_PER_HOUR;
    return (saved ?? this.ctx.config.startDate) - lookback;
  }

  /**
   * The newest page of the range tells the density to size windows by, or is
   * the whole range when it holds less than a page (then nothing more is
   * asked: whole records are asked for this reason, at the cost of bytes). Close
   * sorts these endpoints newest first only, so in long ranges the oldest
   * record is searched for (first-activity.ts): once per sync on GET
   * /activity/, which lists every type; the other activity endpoints list
   * subsets of it and check with one request that they have nothing before
   * what it found. That keeps years before an account's first activity from
   * costing a request each, and the search from costing ten per endpoint.
   */
  protected override async probeRange(lower: Micros, upper: Micros): Promise<RangeProbe> {
    const page = await activityListPage(this.ctx.client, this.path, this.name, lower, upper, ACTIVITY_PAGE_SIZE);
    const newest = page.data;
    if (newest.length === 0) return {earliest: null};
    const dates = newest.map((a) => parseInstant(a.date_created)).filter((d): d is Micros => d !== undefined);
    const span = dates.length > 1 ? Math.max(...dates) - Math.min(...dates) : 0;
    const density = newest.length === ACTIVITY_PAGE_SIZE && span > 0 ? newest.length / span : undefined;
    // A range that fits in one page is read: windows over it would ask again (a sparse type over years: one per window).
    // A short page that says has_more is not the whole range (nor its oldest record): the search below finds that.
    if (newest.length < ACTIVITY_PAGE_SIZE && page.has_more !== true) return {earliest: Math.min(...dates), records: newest};
    if (upper - lower <= SEARCH_RANGES_LONGER_THAN) return {density};
    const {client} = this.ctx;
    const first = await firstActivity(client, this.name, lower, upper);
    if (first !== undefined && this.path === ALL_ACTIVITIES) return {earliest: first, density};
    if (first !== undefined && first > lower && !(await anyActivity(client, this.path, this.name, lower, first))) return {earliest: first, density};
    return {earliest: await searchFirst(client, this.path, this.name, lower, Math.min(...dates)), density};
  }

  protected readWindow(window: Window): AsyncGenerator<Record<string, any>[]> {
    return readKeyset({
      client: this.ctx.client,
      path: this.path,
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
