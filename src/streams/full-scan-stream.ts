import {SyncMode} from 'faros-airbyte-cdk';
import {readAllPages} from '../readers/offset-reader';
import {Micros} from '../time/instant';
import {Cursor, cursorCeiling, parseCursorState} from './cursor';
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

  /** As in WindowedStream: how far behind the sync's start the committed cursor stays; read once the scan is over. */
  protected get settleMargin(): Micros {
    return 0;
  }

  /** Every value settleMargin may take. */
  protected get settleMargins(): Micros[] {
    return [0];
  }

  async *readItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem> {
    const incremental = mode === SyncMode.INCREMENTAL;
    const saved = incremental ? parseCursorState(this.name, this.cursorField, state) : undefined;
    const ceilings = [...new Set(this.settleMargins.map((m) => cursorCeiling(this.ctx.syncStartedAt, m)))];
    const cursor = new Cursor(this.cursorField, saved, ceilings);
    for await (const records of this.pages()) {
      for (const record of records) {
        const updated = cursor.valueOf(record);
        if (saved && updated !== undefined && updated < saved.micros) continue;
        cursor.advance(updated);
        yield this.shape(record);
      }
    }
    // Records are not in cursor order: the cursor is safe to commit only now,
    // and only before the sync's start: a record edited while the scan ran
    // may have been read before the edit (or not at all, if it moved), and
    // the next sync finds such edits only from a cursor older than them.
    if (incremental) yield {checkpoint: cursor.toState(cursorCeiling(this.ctx.syncStartedAt, this.settleMargin))};
  }

  protected pages(): AsyncGenerator<Record<string, any>[]> {
    return readAllPages({
      client: this.ctx.client,
      path: this.path,
      stream: this.name,
      pageSize: this.pageSize,
      concurrency: this.ctx.config.requestsPerStream,
    });
  }
}

function fullScan(name: string, path: string, pageSize: number): new (...args: ConstructorParameters<typeof FullScanStream>) => FullScanStream {
  return class extends FullScanStream {
    get name(): string {
      return name;
    }
    protected get path(): string {
      return path;
    }
    protected get pageSize(): number {
      return pageSize;
    }
  };
}

export const Users = fullScan('users', '/user/', 1000);
/** Stitch's custom_fields table: the lead custom field definitions. */
export const CustomFields = fullScan('custom_fields', '/custom_field/lead/', 1000);
export const ContactCustomFields = fullScan('contact_custom_fields', '/custom_field/contact/', 1000);
export const OpportunityCustomFields = fullScan('opportunity_custom_fields', '/custom_field/opportunity/', 1000);
export const ActivityCustomFields = fullScan('activity_custom_fields', '/custom_field/activity/', 1000);
export const SharedCustomFields = fullScan('shared_custom_fields', '/custom_field/shared/', 1000);
