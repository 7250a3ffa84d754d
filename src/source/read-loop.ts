import {AirbyteLogger, SyncMode} from 'faros-airbyte-cdk';
import {errorMessage, failureTypeOf} from '../errors';
import {ConfiguredStream} from '../protocol/catalog';
import {errorTrace, recordMessage, rowEstimate, streamState, streamStatus} from '../protocol/messages';
import {redact} from '../protocol/redact';
import {CloseStream, StreamState} from '../streams/stream-base';

export interface PlannedStream {
  stream: CloseStream;
  syncMode: SyncMode;
  /** The validated input state; undefined for a first sync and in full refresh. */
  state: StreamState | undefined;
}

/** Progress lines at a steady, low rate: enough to see a long sync move, not enough to flood the log. */
const PROGRESS_INTERVAL_MS = 30_000;

export interface ReadSummary {
  failed: string[];
  records: Record<string, number>;
}

/**
 * Runs the configured streams one after another and yields their messages:
 * STREAM_STATUS STARTED, RUNNING, COMPLETE (or INCOMPLETE with an ERROR
 * trace); RECORDs; and STREAM states with sourceStats. A state is printed
 * only after the records it covers, never twice in a row, and at least once
 * per stream. A failed stream does not stop the others; the caller exits
 * non-zero when any failed.
 */
export async function* readStreams(plan: PlannedStream[], logger: AirbyteLogger): AsyncGenerator<object, ReadSummary> {
  const summary: ReadSummary = {failed: [], records: {}};
  for (const {stream, syncMode, state} of plan) {
    const name = stream.name;
    const started = Date.now();
    yield streamStatus(name, 'STARTED');
    let sinceState = 0;
    let total = 0;
    let lastState: string | undefined;
    let running = false;
    let nextProgress = started + PROGRESS_INTERVAL_MS;
    let checkpoints = 0;
    const stateMessage = (value: StreamState) => {
      const msg = streamState(name, value, sinceState);
      lastState = JSON.stringify(value);
      sinceState = 0;
      return msg;
    };
    try {
      for await (const item of stream.readItems(syncMode, state)) {
        if ('record' in item) {
          if (!running) {
            running = true;
            yield streamStatus(name, 'RUNNING');
          }
          yield recordMessage(name, item.record, item.changes);
          sinceState++;
          total++;
          if (total % 256 === 0 && Date.now() >= nextProgress) {
            nextProgress = Date.now() + PROGRESS_INTERVAL_MS;
            const secs = (Date.now() - started) / 1000;
            logger.info(`Stream ${name}: ${total} records so far (${Math.round(total / secs)}/s), ${checkpoints} checkpoints, last state ${lastState ?? 'none yet'}`);
          }
        } else if ('estimate' in item) {
          yield rowEstimate(name, item.estimate);
        } else if (JSON.stringify(item.checkpoint) !== lastState) {
          checkpoints++;
          yield stateMessage(item.checkpoint);
        }
      }
      if (lastState === undefined || sinceState > 0) {
        // Full refresh keeps no cursor; an incremental stream always ends on a checkpoint.
        yield stateMessage(lastState === undefined ? (syncMode === SyncMode.INCREMENTAL ? state ?? {} : {}) : JSON.parse(lastState));
      }
      yield streamStatus(name, 'COMPLETE');
      logger.info(`Stream ${name}: ${total} records in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      summary.failed.push(name);
      const message = redact(errorMessage(err));
      logger.error(`Stream ${name} failed after ${total} records: ${message}`);
      yield (
        errorTrace(message, failureTypeOf(err), {
          stream: name,
          internalMessage: err instanceof Error ? err.name : undefined,
          stackTrace: err instanceof Error && err.stack ? redact(err.stack) : undefined,
        })
      );
      yield streamStatus(name, 'INCOMPLETE');
    }
    summary.records[name] = total;
  }
  return summary;
}
