import {SyncMode} from 'faros-airbyte-cdk';
import {readAllPages} from '../readers/offset-reader';
import {Micros} from '../time/instant';
import {Cursor, cursorCeiling, parseCursorState} from './cursor';
import {Declared} from './list-stream';
import {CloseStream, StreamClass, StreamItem, StreamState} from './stream-base';
import {StreamInfo, syncModesFor} from './stream-info';

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

  async *readOwnItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem> {
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

export type ScanDeclaration = Declared<{path: string; pageSize: number}>;

/** A scanned stream: its schema, and one entry (incremental on date_updated, filtered after reading). */
export function scanStream(d: ScanDeclaration): StreamClass<FullScanStream> {
  const {path, pageSize, ...rest} = d;
  const info: StreamInfo = {
    ...rest,
    kind: 'scan',
    cursor: 'date_updated',
    syncModes: syncModesFor('date_updated'),
    endpoint: d.endpoint ?? `GET ${path}`,
    primaryKey: d.primaryKey ?? 'id',
  };
  return class extends FullScanStream {
    static readonly info = info;
    protected get path(): string {
      return path;
    }
    protected get pageSize(): number {
      return pageSize;
    }
  };
}

const SCANNED = 'read whole (GET /custom_field/… has no date filter or order), 1000 per page, records ≥ cursor emitted';

export const Users = scanStream({
  name: 'users',
  path: '/user/',
  pageSize: 1000,
  stitch: true,
  notes: 'read whole: GET /user/ has no date filter (`_order_by` sorts by name only); 1000 per page, one request for most accounts; records ≥ cursor emitted',
  airbyte: [{stream: 'users'}],
});
/** Stitch's custom_fields table: the lead custom field definitions. */
export const CustomFields = scanStream({
  name: 'custom_fields',
  path: '/custom_field/lead/',
  pageSize: 1000,
  stitch: true,
  notes: `lead custom field definitions; ${SCANNED}`,
  eventObjectTypes: ['custom_fields.lead'],
  airbyte: [{stream: 'lead_custom_fields'}],
});
export const ContactCustomFields = scanStream({
  name: 'contact_custom_fields',
  path: '/custom_field/contact/',
  pageSize: 1000,
  notes: `like \`custom_fields\``,
  eventObjectTypes: ['custom_fields.contact'],
  emptyBecause: 'Contact custom fields are optional; an account that defines custom fields on leads only returns an empty list here.',
  airbyte: [{stream: 'contact_custom_fields'}],
});
export const OpportunityCustomFields = scanStream({
  name: 'opportunity_custom_fields',
  path: '/custom_field/opportunity/',
  pageSize: 1000,
  notes: `like \`custom_fields\``,
  eventObjectTypes: ['custom_fields.opportunity'],
  emptyBecause: 'Opportunity custom fields are optional; an account that defines custom fields on leads only returns an empty list here.',
  airbyte: [{stream: 'opportunity_custom_fields'}],
});
export const ActivityCustomFields = scanStream({
  name: 'activity_custom_fields',
  path: '/custom_field/activity/',
  pageSize: 1000,
  notes: `like \`custom_fields\`; fields of custom activity types`,
  eventObjectTypes: ['custom_fields.activity'],
  emptyBecause: 'Custom fields on activities (custom activity types) are optional; an account that never defined one returns an empty list.',
  airbyte: [{stream: 'activity_custom_fields'}],
});
export const SharedCustomFields = scanStream({
  name: 'shared_custom_fields',
  path: '/custom_field/shared/',
  pageSize: 1000,
  notes: `like \`custom_fields\`; one field used by several object types`,
  eventObjectTypes: ['custom_fields.shared'],
  emptyBecause: 'Shared custom fields (one field used by several object types) are optional; most accounts have none.',
});
