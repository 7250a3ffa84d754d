import {readKeyset} from '../readers/keyset-reader';
import {checkPage} from '../readers/page-shape';
import {Micros, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND, formatInstant, parseInstant} from '../time/instant';
import {DEFAULT_SIZING, Window, WindowSizing} from './windows';
import {RangeProbe, WindowedStream} from './windowed-stream';

export const ACTIVITY_PAGE_SIZE = 100;
/**
 * Pages a window of an activity endpoint plans for. Each window costs a
 * partial last page, and the range a probe: with windows of ~20 full pages
 * these are a few percent of the requests (with 6-page windows they were 14 %
 * on the benchmark's busiest group, issue 11). Checkpoints come once per
 * window, which is still every few seconds of reading. Larger windows would
 * need more read-ahead memory to keep several requests in flight: the
 * windows behind the one printed hold what they read (concurrency/budget.ts).
 */
export const ACTIVITY_WINDOW_PAGES = 20;
/** Ranges longer than this are searched for their first record before windows are planned. */
const SEARCH_RANGES_LONGER_THAN = 400 * MICROS_PER_DAY;
/** How closely that search pins down the first record. */
const SEARCH_PRECISION = 30 * MICROS_PER_DAY;

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
   * The newest page of the range tells the density to size windows by. Close
   * sorts these endpoints newest first only, so in long ranges the oldest
   * record is searched for with one-record queries: a few rounds of requests
   * instead of one per empty window when start_date is years before the
   * account's first activity.
   */
  protected override async probeRange(lower: Micros, upper: Micros): Promise<RangeProbe> {
    const newest = await this.page(lower, upper, ACTIVITY_PAGE_SIZE, 'id,date_created');
    if (newest.length === 0) return {earliest: null};
    const dates = newest.map((a) => parseInstant(a.date_created)).filter((d): d is Micros => d !== undefined);
    const span = dates.length > 1 ? Math.max(...dates) - Math.min(...dates) : 0;
    const density = newest.length === ACTIVITY_PAGE_SIZE && span > 0 ? newest.length / span : undefined;
    if (newest.length < ACTIVITY_PAGE_SIZE) return {earliest: Math.min(...dates), density: undefined};
    if (upper - lower <= SEARCH_RANGES_LONGER_THAN) return {density};
    return {earliest: await this.searchFirst(lower, Math.min(...dates)), density};
  }

  /**
   * Narrows down where the first record lies by bisection, asking "any
   * record before t?" one question at a time: decades of nothing take about
   * ten requests. Several questions at once would take fewer rounds but more
   * requests, and requests are what Close's limit counts (the activity
   * group's streams share one budget; issue 11).
   */
  private async searchFirst(lower: Micros, knownNonEmptyBefore: Micros): Promise<Micros> {
    const ways = 1;
    let lo = lower;
    let hi = knownNonEmptyBefore;
    while (hi - lo > SEARCH_PRECISION) {
      const step = (hi - lo) / (ways + 1);
      const points = Array.from({length: ways}, (_, i) => lo + Math.floor((step * (i + 1)) / MICROS_PER_SECOND) * MICROS_PER_SECOND);
      const found = await Promise.all(points.map(async (t) => (await this.page(lower, t, 1, 'id')).length > 0));
      const first = found.indexOf(true);
      if (first >= 0) hi = points[first];
      if (first !== 0) lo = points[first < 0 ? points.length - 1 : first - 1];
    }
    return lo;
  }

  /**
   * One page of the range. `_fields` keeps probes small; Close documents it
   * on /activity/ (not on the per-type endpoints, which may ignore it: the
   * probe then reads whole records, which costs bytes, not correctness).
   */
  private async page(lo: Micros, hi: Micros, limit: number, fields: string): Promise<Record<string, any>[]> {
    const params = {date_created__gte: formatInstant(lo), date_created__lt: formatInstant(hi), _limit: limit, _fields: fields};
    return checkPage(await this.ctx.client.get(this.path, params, {stream: this.name}), `GET ${this.path} (stream ${this.name})`).data;
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
