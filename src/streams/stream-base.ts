import fs from 'fs';
import path from 'path';
import {AirbyteLogger, AirbyteStreamBase, SyncMode} from 'faros-airbyte-cdk';
import {CloseClient} from '../client/close-client';
import {CloseConfig} from '../config/config';
import {RESOURCES_DIR} from '../config/spec';
import {Micros, formatInstant} from '../time/instant';
import {CustomFieldSchemas, CustomFieldTyper, customFieldList} from './custom-field-types';
import {parseCursorState} from './cursor';
import {dateTimeNormaliser} from './date-times';
import {DELETIONS_KEY, DeletionQuery, DeletionWalk, deletionQueries, parseDeletionPosition} from './deletions';
import {StreamInfo} from './stream-info';
import {textValueConverter} from './text-values';

export interface StreamContext {
  readonly client: CloseClient;
  readonly config: CloseConfig;
  /** Upper bound for every query of this sync: records changed later belong to the next sync. */
  readonly syncStartedAt: Micros;
  /** The time now: where a full refresh reads on to after its range (see tails.ts). */
  readonly now: () => Micros;
  readonly logger: AirbyteLogger;
  /** Typed custom-field columns per stream, read from Close at discover. */
  readonly customFields?: CustomFieldSchemas;
}

export type StreamState = Record<string, unknown>;

/** A field the connector had to change, as Airbyte's record meta reports it. */
export interface RecordChange {
  field: string;
  change: 'NULLED' | 'TRUNCATED';
  reason: 'SOURCE_SERIALIZATION_ERROR' | 'SOURCE_FIELD_SIZE_LIMITATION' | 'SOURCE_RECORD_SIZE_LIMITATION' | 'SOURCE_RETRIEVAL_ERROR';
}

/**
 * What a stream hands the read loop: records (with the changes made to
 * them), checkpoints that cover every record yielded before them, and row
 * estimates where Close tells a total.
 */
export type StreamItem =
  | {record: Record<string, any>; changes?: RecordChange[]}
  | {checkpoint: StreamState}
  | {estimate: number};

const schemaCache = new Map<string, Record<string, any>>();

export function loadStreamSchema(name: string): Record<string, any> {
  let schema = schemaCache.get(name);
  if (!schema) {
    schema = JSON.parse(fs.readFileSync(path.join(RESOURCES_DIR, 'schemas', `${name}.json`), 'utf8'));
    schemaCache.set(name, schema!);
  }
  return schema!;
}

/** A stream class as the registry lists it: constructed per sync, described without one. */
export interface StreamClass<S extends CloseStream = CloseStream> {
  new (ctx: StreamContext): S;
  readonly info: StreamInfo;
}

/**
 * A Close stream on the CDK's stream base: the CDK gives the catalog entry
 * (name, key, cursor, sync modes, from the class's static info); readItems()
 * adds checkpoints to the records, because when a stream may commit its state
 * depends on the order Close returns records in, which only the stream knows.
 */
export abstract class CloseStream extends AirbyteStreamBase {
  constructor(protected readonly ctx: StreamContext) {
    super(ctx.logger);
  }

  /** The class's declaration (stream-info.ts). */
  get info(): StreamInfo {
    const info = (this.constructor as Partial<StreamClass>).info;
    if (!info) throw new Error(`${this.constructor.name} declares no static info`);
    return info;
  }

  override get name(): string {
    return this.info.name;
  }

  get primaryKey(): string {
    return this.info.primaryKey;
  }

  override get cursorField(): string | string[] {
    return this.info.cursor ?? [];
  }

  private customColumnsFromCatalog: Record<string, Record<string, any>> | undefined;
  private typer: CustomFieldTyper | undefined;

  /** Whether Close sends `custom.<id>` values on this stream's records. */
  get hasCustomFields(): boolean {
    return false;
  }

  /**
   * The typed custom-field columns this stream declares: from Close's
   * definitions at discover, from the configured catalog at read, since the
   * catalog is what the destination was told to expect.
   */
  setCustomColumns(columns: Record<string, Record<string, any>>): void {
    this.customColumnsFromCatalog = columns;
    this.typer = undefined;
    this.fixDates = undefined;
  }

  private customColumns(): Record<string, Record<string, any>> {
    if (!this.hasCustomFields) return {};
    return this.customColumnsFromCatalog ?? this.ctx.customFields?.get(this.name) ?? {};
  }

  getJsonSchema(): Record<string, any> {
    const base = loadStreamSchema(this.name);
    const columns = this.customColumns();
    if (Object.keys(columns).length === 0) return base;
    return {...base, properties: {...base.properties, ...columns}};
  }

  private toText: ((record: Record<string, any>) => void) | null | undefined;
  private fixDates: ((record: Record<string, any>) => void) | null | undefined;

  /**
   * A record as emitted: custom field values listed and checked against their
   * columns, values Close sends with varying types as text (text-values.ts),
   * date-times without an offset given Close's UTC one (date-times.ts; before
   * the columns are checked, so that a naive custom datetime is kept).
   */
  protected shape(record: Record<string, any>): {record: Record<string, any>; changes?: RecordChange[]} {
    if (this.toText === undefined) this.toText = textValueConverter(this.name, this.info.textFields) ?? null;
    if (this.fixDates === undefined) this.fixDates = dateTimeNormaliser(this.getJsonSchema()) ?? null;
    for (const field of this.info.omitFields ?? []) delete record[field];
    if (!this.hasCustomFields) {
      this.toText?.(record);
      this.fixDates?.(record);
      return {record};
    }
    const shaped = {...record, custom_fields: customFieldList(record)};
    this.toText?.(shaped);
    this.fixDates?.(shaped);
    this.typer ??= new CustomFieldTyper(this.customColumns());
    const changes = this.typer.size > 0 ? this.typer.apply(shaped) : undefined;
    return changes && changes.length > 0 ? {record: shaped, changes} : {record: shaped};
  }

  /** The cursor field, or '' for a stream without one. */
  protected get cursorName(): string {
    const field = this.cursorField;
    return Array.isArray(field) ? field.join('.') : field;
  }

  /**
   * Checks a saved state before any API call and returns it normalised, or
   * undefined for a first sync. Throws a config_error for a malformed one:
   * silently starting over would re-read years of data.
   */
  parseState(raw: unknown): StreamState | undefined {
    if (!this.cursorName) return undefined;
    const {own, deletions} = splitState(raw);
    const saved = parseCursorState(this.name, this.cursorName, own);
    const position = this.deletionQueries.length > 0 ? parseDeletionPosition(this.name, deletions) : undefined;
    const state: StreamState = {
      ...(saved && {[this.cursorName]: saved.text}),
      ...(position && {[DELETIONS_KEY]: {date_updated: position.text}}),
    };
    return Object.keys(state).length > 0 ? state : undefined;
  }

  /** The event log walks of this stream's deletions (deletions.ts); none for most streams. */
  get deletionQueries(): DeletionQuery[] {
    return deletionQueries(this.info);
  }

  /**
   * The stream's own records and checkpoints (what Close lists now); state
   * is undefined on a first sync and in full refresh, and never holds the
   * deletions position.
   */
  abstract readOwnItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem>;

  /**
   * What the read loop prints: the stream's own items, then, in incremental
   * mode, its deletions (deletions.ts). Every checkpoint carries the
   * deletions position next to the stream's cursor; the walk's new position
   * only comes after its deletion records. Not overridden by streams
   * (registry.test checks): streams implement readOwnItems.
   */
  async *readItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem> {
    const queries = mode === SyncMode.INCREMENTAL ? this.deletionQueries : [];
    const {own, deletions} = splitState(state);
    if (queries.length === 0) {
      yield* this.readOwnItems(mode, own);
      return;
    }
    const walk = new DeletionWalk({
      client: this.ctx.client,
      logger: this.ctx.logger,
      stream: this.name,
      cursorField: this.cursorName,
      queries,
      syncStartedAt: this.ctx.syncStartedAt,
      startDate: this.ctx.config.startDate,
      saved: state === undefined ? 'first sync' : parseDeletionPosition(this.name, deletions)?.micros,
    });
    const withPosition = (checkpoint: StreamState, at: Micros | undefined): StreamState =>
      at === undefined ? checkpoint : {...checkpoint, [DELETIONS_KEY]: {date_updated: formatInstant(at)}};
    let last: StreamState = own ?? {};
    for await (const item of this.readOwnItems(mode, own)) {
      if (!('checkpoint' in item)) {
        yield item;
        continue;
      }
      last = item.checkpoint;
      yield {checkpoint: withPosition(last, walk.carried())};
    }
    for await (const record of walk.records()) yield {record};
    yield {checkpoint: withPosition(last, walk.position())};
  }

  async *readRecords(
    syncMode: SyncMode,
    _cursorField?: string[],
    _streamSlice?: Record<string, any>,
    streamState?: Record<string, any>
  ): AsyncGenerator<Record<string, any>> {
    const state = syncMode === SyncMode.INCREMENTAL ? this.parseState(streamState) : undefined;
    for await (const item of this.readItems(syncMode, state)) {
      if ('record' in item) yield item.record;
    }
  }
}

/** A saved state's own part (the stream's cursor) and its deletions position. */
function splitState(raw: unknown): {own: StreamState | undefined; deletions: unknown} {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !(DELETIONS_KEY in raw)) {
    return {own: raw as StreamState | undefined, deletions: undefined};
  }
  const {[DELETIONS_KEY]: deletions, ...own} = raw as StreamState;
  return {own, deletions};
}
