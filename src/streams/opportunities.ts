import {SyncMode} from 'faros-airbyte-cdk';
import {readKeyset} from '../readers/keyset-reader';
import {MICROS_PER_SECOND, formatInstant} from '../time/instant';
import {Cursor, parseCursorState} from './cursor';
import {CloseStream, StreamItem, StreamState} from './stream-base';

export const OPPORTUNITY_PAGE_SIZE = 250;

/**
 * GET /opportunity/, filtered and ordered by date_updated: every page is a
 * checkpoint. Close tells the total (total_results), which becomes the
 * stream's row estimate.
 */
export class Opportunities extends CloseStream {
  get name(): string {
    return 'opportunities';
  }

  override get hasCustomFields(): boolean {
    return true;
  }

  override get cursorField(): string {
    return 'date_updated';
  }

  parseState(raw: unknown): StreamState | undefined {
    const saved = parseCursorState(this.name, this.cursorField, raw);
    return saved ? {[this.cursorField]: saved.text} : undefined;
  }

  async *readItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem> {
    const incremental = mode === SyncMode.INCREMENTAL;
    const saved = incremental ? parseCursorState(this.name, this.cursorField, state) : undefined;
    const cursor = new Cursor(this.cursorField, saved);
    let total: number | undefined;
    const pages = readKeyset({
      client: this.ctx.client,
      path: '/opportunity/',
      stream: this.name,
      pageSize: OPPORTUNITY_PAGE_SIZE,
      key: 'date_updated',
      direction: 'asc',
      quantum: MICROS_PER_SECOND,
      lower: saved?.micros ?? this.ctx.config.startDate,
      upper: this.ctx.syncStartedAt,
      onTotal: (n) => (total = n),
      params: (b) => ({
        date_updated__gte: b.gte === undefined ? undefined : formatInstant(b.gte),
        date_updated__lt: formatInstant(b.lt),
        _order_by: 'date_updated',
      }),
    });
    let estimated = false;
    for await (const records of pages) {
      if (!estimated && total !== undefined) {
        estimated = true;
        yield {estimate: total};
      }
      for (const record of records) {
        const item = this.shape(record);
        cursor.observe(item.record);
        yield item;
      }
      if (incremental) yield {checkpoint: cursor.toState()};
    }
    if (incremental) yield {checkpoint: cursor.toState()};
  }
}
