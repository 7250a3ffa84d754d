import {readKeyset} from '../readers/keyset-reader';
import {checkPage} from '../readers/page-shape';
import {Micros, MICROS_PER_SECOND, formatInstant, parseInstant} from '../time/instant';
import {DEFAULT_SIZING, Window, WindowSizing} from './windows';
import {RangeProbe, WindowedStream} from './windowed-stream';

export const OPPORTUNITY_PAGE_SIZE = 250;
const PATH = '/opportunity/';

/**
 * GET /opportunity/, filtered and ordered by date_updated: every page is a
 * checkpoint. Close tells the total (total_results), which becomes the
 * stream's row estimate.
 */
export class Opportunities extends WindowedStream {
  get name(): string {
    return 'opportunities';
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
    return {...DEFAULT_SIZING, targetRecords: 6 * OPPORTUNITY_PAGE_SIZE};
  }

  protected lowerBound(saved: Micros | undefined): Micros {
    return saved ?? this.ctx.config.startDate;
  }

  /** One small request: Close counts the matches (total_results) and, ordered by date_updated, the first is the oldest. */
  protected override async probe(lower: Micros, upper: Micros): Promise<RangeProbe> {
    const params = {
      date_updated__gte: formatInstant(lower),
      date_updated__lt: formatInstant(upper),
      _order_by: 'date_updated',
      _limit: 1,
      _fields: 'id,date_updated',
    };
    const page = checkPage(await this.ctx.client.get(PATH, params, {stream: this.name}), `GET ${PATH} (stream ${this.name})`);
    const total = typeof page.total_results === 'number' ? page.total_results : undefined;
    if (page.data.length === 0) return {total, earliest: null};
    return {total, earliest: parseInstant(page.data[0].date_updated)};
  }

  protected readWindow(window: Window): AsyncGenerator<Record<string, any>[]> {
    return readKeyset({
      client: this.ctx.client,
      path: PATH,
      stream: this.name,
      pageSize: OPPORTUNITY_PAGE_SIZE,
      key: 'date_updated',
      direction: 'asc',
      quantum: MICROS_PER_SECOND,
      lower: window.lo,
      upper: window.hi,
      params: (b) => ({
        date_updated__gte: b.gte === undefined ? undefined : formatInstant(b.gte),
        date_updated__lt: formatInstant(b.lt),
        _order_by: 'date_updated',
      }),
    });
  }
}
