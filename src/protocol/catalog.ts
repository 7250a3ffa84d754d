import {SyncMode} from 'faros-airbyte-cdk';
import {configError} from '../errors';

export interface ConfiguredStream {
  name: string;
  syncMode: SyncMode;
}

/**
 * Checks a configured catalog against the streams this connector has, before
 * any API call: an unknown stream or a sync mode the stream does not support
 * is an error, not something to skip quietly.
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
    const syncMode = entry.sync_mode;
    if (!modes.includes(syncMode)) {
      throw configError(
        `Invalid catalog: stream "${name}" has sync_mode ${JSON.stringify(syncMode)}; it supports ${modes.join(', ')}`
      );
    }
    if (seen.has(name)) throw configError(`Invalid catalog: stream "${name}" is listed twice`);
    seen.add(name);
    out.push({name, syncMode});
  }
  if (out.length === 0) throw configError('Invalid catalog: no streams are configured');
  return out;
}
