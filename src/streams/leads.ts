import {readKeyset} from '../readers/keyset-reader';
import {checkPage} from '../readers/page-shape';
import {Micros, MICROS_PER_MINUTE, formatMinute, parseInstant} from '../time/instant';
import {Window, WindowSizing, DEFAULT_SIZING} from './windows';
import {RangeProbe, WindowedStream} from './windowed-stream';

export const LEAD_PAGE_SIZE = 200;
const PATH = '/lead/';

/** Close's lead search language: a date_updated range, ascending. Minutes are its precision. */
function leadQuery(gte: Micros | undefined, lt: Micros): string {
  return [gte === undefined ? undefined : `date_updated>="${formatMinute(gte)}"`, `date_updated<"${formatMinute(lt)}"`, 'sort:date_updated']
    .filter(Boolean)
    .join(' ');
}

/**
 * GET /lead/ with the search `query` language, the only way Close filters and
 * sorts leads by date_updated. The language works to the minute, so windows
 * and bounds are whole minutes and the keyset reader sorts out the rest.
 * Leads come in date_updated order: every page is a checkpoint. Close's
 * `custom.<id>` values become Stitch's `custom_fields: [{id, value}]` and
 * typed columns.
 */
export class Leads extends WindowedStream {
  get name(): string {
    return 'leads';
  }

  override get cursorField(): string {
    return 'date_updated';
  }

  override get hasCustomFields(): boolean {
    return true;
  }

  protected override get checkpointEveryPage(): boolean {
    return true;
  }

  protected override get windowSizing(): WindowSizing {
    return {...DEFAULT_SIZING, granularity: MICROS_PER_MINUTE, targetRecords: 6 * LEAD_PAGE_SIZE};
  }

  protected lowerBound(saved: Micros | undefined): Micros {
    return saved ?? this.ctx.config.startDate;
  }

  protected override upperBound(): Micros {
    return Math.ceil(this.ctx.syncStartedAt / MICROS_PER_MINUTE) * MICROS_PER_MINUTE;
  }

  /** One small request: Close counts the matches (total_results) and the first lead is the oldest. */
  protected override async probe(lower: Micros, upper: Micros): Promise<RangeProbe> {
    const page = checkPage(
      await this.ctx.client.get(PATH, {query: leadQuery(lower, upper), _limit: 1, _fields: 'id,date_updated'}, {stream: this.name}),
      `GET ${PATH} (stream ${this.name})`
    );
    const total = typeof page.total_results === 'number' ? page.total_results : undefined;
    if (page.data.length === 0) return {total, earliest: null};
    return {total, earliest: parseInstant(page.data[0].date_updated)};
  }

  protected readWindow(window: Window): AsyncGenerator<Record<string, any>[]> {
    return readKeyset({
      client: this.ctx.client,
      path: PATH,
      stream: this.name,
      pageSize: LEAD_PAGE_SIZE,
      key: 'date_updated',
      direction: 'asc',
      quantum: MICROS_PER_MINUTE,
      lower: window.lo,
      upper: window.hi,
      params: (b) => ({query: leadQuery(b.gte, b.lt)}),
    });
  }
}
