import {SyncMode} from 'faros-airbyte-cdk';
import {readKeyset} from '../readers/keyset-reader';
import {MICROS_PER_MINUTE, formatMinute} from '../time/instant';
import {Cursor, parseCursorState} from './cursor';
import {CloseStream, StreamItem, StreamState} from './stream-base';

export const LEAD_PAGE_SIZE = 200;
const CUSTOM_PREFIX = 'custom.';

/**
 * Close sends custom field values as top-level `custom.cf_<id>` keys; Stitch's
 * table has them as `custom_fields: [{id, value}]`. Both are kept.
 */
export function withCustomFieldList(lead: Record<string, any>): Record<string, any> {
  const custom_fields: {id: string; value: unknown}[] = [];
  for (const key of Object.keys(lead)) {
    if (key.startsWith(CUSTOM_PREFIX)) custom_fields.push({id: key.slice(CUSTOM_PREFIX.length), value: lead[key]});
  }
  custom_fields.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {...lead, custom_fields};
}

/**
 * GET /lead/ with the search `query` language, the only way Close filters and
 * sorts leads by date_updated. The language works to the minute, so bounds
 * are minutes and the keyset reader sorts out the rest. Leads come in
 * date_updated order, so every page is a checkpoint.
 */
export class Leads extends CloseStream {
  get name(): string {
    return 'leads';
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
      for (const lead of records) {
        const record = withCustomFieldList(lead);
        cursor.observe(record);
        yield {record};
      }
      if (incremental) yield {checkpoint: cursor.toState()};
    }
    if (incremental) yield {checkpoint: cursor.toState()};
  }
}
