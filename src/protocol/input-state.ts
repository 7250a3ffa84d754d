import {configError} from '../errors';

/**
 * Reads the --state file into per-stream states. Airbyte passes a JSON array
 * of STREAM state messages; an empty file, null, [] or {} mean a first sync.
 * A LEGACY/GLOBAL state, or a message of the wrong shape, is refused: this
 * connector never wrote one, so it is someone else's state.
 */
export function parseInputState(raw: unknown): Map<string, unknown> {
  const states = new Map<string, unknown>();
  if (raw === undefined || raw === null) return states;
  if (!Array.isArray(raw)) {
    if (typeof raw === 'object' && Object.keys(raw as object).length === 0) return states;
    throw configError(
      'Invalid state: expected a JSON array of STREAM state messages like [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "leads"}, "stream_state": {...}}}]'
    );
  }
  for (const [i, msg] of raw.entries()) {
    if (typeof msg !== 'object' || msg === null) {
      throw configError(`Invalid state: item ${i} is not an object`);
    }
    const type = (msg as any).type ?? 'LEGACY';
    if (type !== 'STREAM') {
      throw configError(`Invalid state: item ${i} has type ${type}; this connector reads and writes STREAM states only`);
    }
    const name = (msg as any).stream?.stream_descriptor?.name;
    if (typeof name !== 'string' || name === '') {
      throw configError(`Invalid state: item ${i} has no stream.stream_descriptor.name`);
    }
    const streamState = (msg as any).stream?.stream_state;
    if (streamState !== undefined && streamState !== null && (typeof streamState !== 'object' || Array.isArray(streamState))) {
      throw configError(`Invalid state: stream_state of ${name} must be an object`);
    }
    states.set(name, streamState ?? undefined);
  }
  return states;
}
