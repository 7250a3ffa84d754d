import {Params} from '../client/close-client';
import {readKeyset} from '../readers/keyset-reader';
import {checkPage} from '../readers/page-shape';
import {Micros, parseInstant} from '../time/instant';
import {DEFAULT_SIZING, Window, WindowSizing} from './windows';
import {RangeProbe, WindowedStream} from './windowed-stream';

/**
 * Leads and opportunities: Close filters and sorts them by date_updated, so
 * inside a window they come in cursor order and every page is a checkpoint.
 * Close counts the matches (total_results): one small first request gives the
 * row estimate, the window sizes and the oldest record. Both carry custom
 * field values.
 */
export abstract class UpdatedOrderStream extends WindowedStream {
  protected abstract get path(): string;
  protected abstract get pageSize(): number;
  /** How precisely Close applies the date_updated filter (see readKeyset). */
  protected abstract get quantum(): Micros;
  /** Close's filter and ascending sort for date_updated in [gte, lt). */
  protected abstract rangeParams(gte: Micros | undefined, lt: Micros): Params;

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
    return {...DEFAULT_SIZING, granularity: this.quantum, targetRecords: 3 * this.pageSize};
  }

  protected override async probeRange(lower: Micros, upper: Micros): Promise<RangeProbe> {
    const params = {...this.rangeParams(lower, upper), _limit: 1, _fields: 'id,date_updated'};
    const page = checkPage(await this.ctx.client.get(this.path, params, {stream: this.name}), `GET ${this.path} (stream ${this.name})`);
    const total = typeof page.total_results === 'number' ? page.total_results : undefined;
    if (page.data.length === 0) return {total, earliest: null};
    return {total, earliest: parseInstant(page.data[0].date_updated)};
  }

  protected readWindow(window: Window): AsyncGenerator<Record<string, any>[]> {
    return readKeyset({
      client: this.ctx.client,
      path: this.path,
      stream: this.name,
      pageSize: this.pageSize,
      key: 'date_updated',
      direction: 'asc',
      quantum: this.quantum,
      lower: window.lo,
      upper: window.hi,
      params: (b) => this.rangeParams(b.gte, b.lt),
    });
  }
}
