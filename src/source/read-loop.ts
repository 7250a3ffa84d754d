import {SyncMode} from 'faros-airbyte-cdk';
import {ByteEstimator} from '../client/body-size';
import {Channel} from '../concurrency/channel';
import {errorMessage, failureTypeOf} from '../errors';
import {ConfiguredStream} from '../protocol/catalog';
import {errorTrace, recordMessage, rowEstimate, streamState, streamStatus} from '../protocol/messages';
import {redact} from '../protocol/redact';
import {CloseStream, StreamState} from '../streams/stream-base';
import {refusalOutcome} from './refusals';

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
  /** streams Close refused for this key or plan before any record (refusals.ts) */
  skipped: string[];
  records: Record<string, number>;
}

/** A LOG line that keeps its place among the stream's records. */
function log(level: 'INFO' | 'WARN' | 'ERROR', message: string): object {
  return {type: 'LOG', log: {level, message: redact(message)}};
}

/** Messages queued between the streams and stdout, at most; and at most this many bytes of them (about). */
const QUEUE_CAPACITY = 512;
const QUEUE_BYTES = 256 * 1024;
/** A message other than a RECORD: a state, a status, a log line. */
const SMALL_MESSAGE_BYTES = 256;

interface Queued {
  msg: object;
  bytes: number;
}

/**
 * Runs the configured streams, up to `parallel` at a time (Close's rate
 * limits are per endpoint group, so streams of different groups do not slow
 * each other), and yields their messages interleaved; each stream's own
 * messages keep their order. Streams start in catalog order.
 */
export async function* readStreams(plan: PlannedStream[], parallel = 1): AsyncGenerator<object, ReadSummary> {
  const summary: ReadSummary = {failed: [], skipped: [], records: {}};
  const queue = new Channel<Queued>(QUEUE_CAPACITY, {capacity: QUEUE_BYTES, weight: (q) => q.bytes});
  let next = 0;
  let running = 0;
  const start = () => {
    while (running < Math.max(1, parallel) && next < plan.length) {
      const planned = plan[next++];
      running++;
      void (async () => {
        let failure: unknown;
        const sizes = new ByteEstimator();
        try {
          for await (const msg of streamMessages(planned, summary)) {
            const data = (msg as {record?: {data?: object}}).record?.data;
            if (!(await queue.push({msg, bytes: data ? sizes.of(data) : SMALL_MESSAGE_BYTES}))) return;
          }
        } catch (err) {
          failure = err;
        } finally {
          running--;
          if (failure !== undefined) queue.close(failure);
          else if (running === 0 && next >= plan.length) queue.close();
          else start();
        }
      })();
    }
  };
  start();
  try {
    for (let r = await queue.next(); !r.done; r = await queue.next()) yield r.value.msg;
  } finally {
    queue.cancel();
  }
  return summary;
}

/**
 * One stream's messages: STREAM_STATUS STARTED, RUNNING, COMPLETE (or
 * INCOMPLETE after an ERROR trace); RECORDs; STREAM states with sourceStats.
 * A state comes only after the records it covers, never twice in a row, and
 * at least once per stream. A failed stream does not stop the others; the
 * caller exits non-zero when any failed.
 */
async function* streamMessages(planned: PlannedStream, summary: ReadSummary): AsyncGenerator<object> {
  const {stream, syncMode, state} = planned;
  {
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
            yield log('INFO', `Stream ${name}: ${total} records so far (${Math.round(total / secs)}/s), ${checkpoints} checkpoints, last state ${lastState ?? 'none yet'}`);
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
      yield log('INFO', `Stream ${name}: ${total} records in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (caught) {
      const refusal = refusalOutcome(caught, stream.info, total);
      if (refusal && 'skip' in refusal) {
        // Refused before any record: this key or plan cannot read the stream. Skipped, its state as it came in.
        summary.skipped.push(name);
        yield log('WARN', refusal.skip);
        if (lastState === undefined) yield stateMessage(syncMode === SyncMode.INCREMENTAL ? state ?? {} : {});
        yield streamStatus(name, 'COMPLETE');
        summary.records[name] = total;
        return;
      }
      const err = refusal ? refusal.fail : caught;
      summary.failed.push(name);
      const message = redact(errorMessage(err));
      yield log('ERROR', `Stream ${name} failed after ${total} records: ${message}`);
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
}
