import {SyncMode} from 'faros-airbyte-cdk';
import {readKeyset} from '../readers/keyset-reader';
import {MICROS_PER_MINUTE, formatMinute} from '../time/instant';
import {Cursor, parseCursorState} from './cursor';
import {CloseStream, StreamItem, StreamState} from './stream-base';

export const LEAD_PAGE_SIZE = 200;
/**
 * GET /lead/ with the search `query` language, the only way Close filters and
 * sorts leads by date_updated. The language works to the minute, so bounds
 * are minutes and the keyset reader sorts out the rest. Leads come in
 * date_updated order, so every page is a checkpoint. Close's `custom.<id>`
 * values become Stitch's `custom_fields: [{id, value}]` and typed columns.
 */
export class Leads extends CloseStream {
  get name(): string {
    return 'leads';
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
    let estimated = false;
    const upper = Math.ceil(this.ctx.syncStartedAt / MICROS_PER_MINUTE) * MICROS_PER_MINUTE;
    const pages = readKeyset({
      client: this.ctx.client,
      path: '/lead/',
      stream: this.name,
      pageSize: LEAD_PAGE_SIZE,
      key: 'date_updated',
      direction: 'asc',
      quantum: MICROS_PER_MINUTE,
      lower: saved?.micros ?? this.ctx.config.startDate,
      upper,
      onTotal: (n) => (total = n),
      params: (b) => ({
        query: [
          b.gte === undefined ? undefined : `date_updated>="${formatMinute(b.gte)}"`,
          `date_updated<"${formatMinute(b.lt)}"`,
          'sort:date_updated',
        ]
          .filter(Boolean)
          .join(' '),
      }),
    });
    for await (const records of pages) {
      if (!estimated && total !== undefined) {
        estimated = true;
        yield {estimate: total};
      }
      for (const lead of records) {
        const item = this.shape(lead);
        cursor.observe(item.record);
        yield item;
      }
      if (incremental) yield {checkpoint: cursor.toState()};
    }
    if (incremental) yield {checkpoint: cursor.toState()};
  }
}
