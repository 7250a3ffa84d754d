import {FailureType} from '../errors';

/**
 * Builders for the Airbyte messages this connector prints. Shapes follow
 * airbyte_protocol.yaml; the CDK's own classes cover RECORD, LOG, SPEC,
 * CATALOG and CONNECTION_STATUS, but not per-stream STATE with sourceStats,
 * STREAM_STATUS or ESTIMATE, which Airbyte's platform and CAT require.
 */

export interface RecordMeta {
  changes: {field: string; change: string; reason: string}[];
}

/** RECORD with emitted_at taken now, at emission (CAT compares it across runs). */
export function recordMessage(stream: string, data: Record<string, any>, changes?: RecordMeta['changes']): object {
  const record: Record<string, unknown> = {stream, data, emitted_at: Date.now()};
  if (changes && changes.length > 0) record.meta = {changes};
  return {type: 'RECORD', record};
}

export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export interface StateMessage {
  type: 'STATE';
  state: {
    type: 'STREAM';
    stream: {stream_descriptor: {name: string}; stream_state: Record<string, unknown>};
    sourceStats: {recordCount: number};
  };
}

export function streamState(name: string, state: Record<string, unknown>, recordCount: number): StateMessage {
  return {
    type: 'STATE',
    state: {
      type: 'STREAM',
      stream: {stream_descriptor: {name}, stream_state: state},
      sourceStats: {recordCount},
    },
  };
}

export function streamStatus(name: string, status: StreamStatus, rateLimitedUntilMs?: number): object {
  const stream_status: Record<string, unknown> = {stream_descriptor: {name}, status};
  if (rateLimitedUntilMs !== undefined) {
    stream_status.reasons = [{type: 'RATE_LIMITED', rate_limited: {quota_reset: Math.round(rateLimitedUntilMs)}}];
  }
  return {type: 'TRACE', trace: {type: 'STREAM_STATUS', emitted_at: Date.now(), stream_status}};
}

export function rowEstimate(name: string, rows: number): object {
  return {
    type: 'TRACE',
    trace: {type: 'ESTIMATE', emitted_at: Date.now(), estimate: {name, type: 'STREAM', row_estimate: Math.round(rows)}},
  };
}

export function errorTrace(
  message: string,
  failureType: FailureType,
  opts: {internalMessage?: string; stackTrace?: string; stream?: string} = {}
): object {
  const error: Record<string, unknown> = {message, failure_type: failureType};
  if (opts.internalMessage) error.internal_message = opts.internalMessage;
  if (opts.stackTrace) error.stack_trace = opts.stackTrace;
  if (opts.stream) error.stream_descriptor = {name: opts.stream};
  return {type: 'TRACE', trace: {type: 'ERROR', emitted_at: Date.now(), error}};
}
