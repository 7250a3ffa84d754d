import {SyncMode} from 'faros-airbyte-cdk';
import {readAllPages} from '../readers/offset-reader';
import {parseInstant} from '../time/instant';
import {Cursor, parseCursorState} from './cursor';
import {CloseStream, StreamItem, StreamState} from './stream-base';

/**
 * A resource Close cannot filter by date (users, custom field definitions):
 * every sync reads it whole, and an incremental sync emits only the records
 * updated at or after the saved cursor. A first sync emits everything, even
 * records older than start_date: these are dimensions other tables refer to.
 */
export abstract class FullScanStream extends CloseStream {
  protected abstract get path(): string;
  protected abstract get pageSize(): number;

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
    for await (const records of readAllPages({client: this.ctx.client, path: this.path, stream: this.name, pageSize: this.pageSize})) {
      for (const record of records) {
        if (saved) {
          const updated = parseInstant(record[this.cursorField]);
          if (updated !== undefined && updated < saved.micros) continue;
        }
        cursor.observe(record);
        yield {record};
      }
    }
    // Records are not in cursor order: the cursor is safe to commit only now.
    if (incremental) yield {checkpoint: cursor.toState()};
  }
}

export class Users extends FullScanStream {
  get name(): string {
    return 'users';
  }
  protected get path(): string {
    return '/user/';
  }
  protected get pageSize(): number {
    return 1000;
  }
}

export class CustomFields extends FullScanStream {
  get name(): string {
    return 'custom_fields';
  }
  protected get path(): string {
    return '/custom_field/lead/';
  }
  protected get pageSize(): number {
    return 1000;
  }
}
