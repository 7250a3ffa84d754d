import fs from 'fs';
import path from 'path';
import {AirbyteLogger, AirbyteStreamBase, SyncMode} from 'faros-airbyte-cdk';
import {CloseClient} from '../client/close-client';
import {CloseConfig} from '../config/config';
import {RESOURCES_DIR} from '../config/spec';
import {Micros} from '../time/instant';

export interface StreamContext {
  readonly client: CloseClient;
  readonly config: CloseConfig;
  /** Upper bound for every query of this sync: records changed later belong to the next sync. */
  readonly syncStartedAt: Micros;
  readonly logger: AirbyteLogger;
}

export type StreamState = Record<string, unknown>;

/** What a stream hands the read loop: records, and checkpoints that cover every record yielded before them. */
export type StreamItem = {record: Record<string, any>} | {checkpoint: StreamState};

const schemaCache = new Map<string, Record<string, any>>();

export function loadStreamSchema(name: string): Record<string, any> {
  let schema = schemaCache.get(name);
  if (!schema) {
    schema = JSON.parse(fs.readFileSync(path.join(RESOURCES_DIR, 'schemas', `${name}.json`), 'utf8'));
    schemaCache.set(name, schema!);
  }
  return schema!;
}

/**
 * A Close stream on the CDK's stream base: the CDK gives the catalog entry
 * (name, key, cursor, sync modes); readItems() adds checkpoints to the
 * records, because when a stream may commit its state depends on the order
 * Close returns records in, which only the stream knows.
 */
export abstract class CloseStream extends AirbyteStreamBase {
  constructor(protected readonly ctx: StreamContext) {
    super(ctx.logger);
  }

  abstract override get name(): string;

  get primaryKey(): string {
    return 'id';
  }

  getJsonSchema(): Record<string, any> {
    return loadStreamSchema(this.name);
  }

  /**
   * Checks a saved state before any API call and returns it normalised, or
   * undefined for a first sync. Throws a config_error for a malformed one:
   * silently starting over would re-read years of data.
   */
  abstract parseState(raw: unknown): StreamState | undefined;

  /** Records and checkpoints; state is undefined on a first sync and in full refresh. */
  abstract readItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem>;

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
