import {SyncMode} from 'faros-airbyte-cdk';
import {configError} from '../errors';

export interface ConfiguredStream {
  name: string;
  /** The mode the stream is read in. */
  syncMode: SyncMode;
  /**
   * Set when the catalog asked for incremental on a stream that supports only
   * full refresh: the stream is read as a full refresh instead.
   */
  downgradedFrom?: SyncMode;
}

const SYNC_MODES: readonly string[] = [SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL];

/**
 * Checks a configured catalog against the streams this connector has, before
 * any API call: an unknown stream, a sync mode that is not Airbyte's, a stream
 * listed twice or no stream at all is an error, not something to skip quietly.
 *
 * One leniency, as in Airbyte's Python CDK (a stream without a cursor is read
 * as a full refresh whatever the catalog says: airbyte_cdk/sources/streams/core.py
 * Stream._checkpoint_mode): incremental on a full-refresh-only stream is read as
 * a full refresh. PyAirbyte relies on it: its default catalog asks for
 * incremental on every stream (airbyte/sources/base.py get_configured_catalog).
 */
export function parseConfiguredCatalog(
  raw: unknown,
  supported: Map<string, SyncMode[]>
): ConfiguredStream[] {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as any).streams)) {
    throw configError('Invalid catalog: expected a configured catalog {"streams": [...]}');
  }
  const seen = new Set<string>();
  const out: ConfiguredStream[] = [];
  for (const [i, entry] of ((raw as any).streams as any[]).entries()) {
    const name = entry?.stream?.name;
    if (typeof name !== 'string') {
      throw configError(`Invalid catalog: streams[${i}].stream.name is missing`);
    }
    const modes = supported.get(name);
    if (!modes) {
      throw configError(
        `Invalid catalog: unknown stream "${name}"; this connector has ${[...supported.keys()].join(', ')}`
      );
    }
    const requested = entry.sync_mode;
    const invalid = () =>
      configError(
        `Invalid catalog: stream "${name}" has sync_mode ${JSON.stringify(requested)}; it supports ${modes.join(', ')}`
      );
    if (!SYNC_MODES.includes(requested)) throw invalid();
    let configured: ConfiguredStream = {name, syncMode: requested};
    if (!modes.includes(requested)) {
      if (requested !== SyncMode.INCREMENTAL || !modes.includes(SyncMode.FULL_REFRESH)) throw invalid();
      configured = {name, syncMode: SyncMode.FULL_REFRESH, downgradedFrom: SyncMode.INCREMENTAL};
    }
    if (seen.has(name)) throw configError(`Invalid catalog: stream "${name}" is listed twice`);
    seen.add(name);
    out.push(configured);
  }
  if (out.length === 0) throw configError('Invalid catalog: no streams are configured');
  return out;
}
