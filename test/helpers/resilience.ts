import {keyOf} from './streams';
import assert from 'node:assert/strict';
import {Sandbox, StreamName} from '../../sandbox';
import {AirbyteMessage, ofType, recordsOf, statesOf} from './protocol';

/**
 * Helpers for the resilience tests (test/e2e/resilience-*.test.ts): what a
 * run promised per stream, what it committed, and how that compares with
 * the sandbox's truth.
 */

/** Retries in milliseconds instead of seconds (src/client/backoff.ts). */
export const FAST_RETRIES = {CLOSEIO_BACKOFF_BASE_MS: '20'};

export function errorTraces(messages: AirbyteMessage[], stream?: string): AirbyteMessage[] {
  return ofType(messages, 'TRACE').filter(
    (m) => m.trace.type === 'ERROR' && (stream === undefined || m.trace.error.stream_descriptor?.name === stream)
  );
}

/** The STREAM_STATUS values of one stream, in order. */
export function statusesOf(messages: AirbyteMessage[], stream: string): string[] {
  return ofType(messages, 'TRACE')
    .filter((m) => m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.stream_descriptor.name === stream)
    .map((m) => m.trace.stream_status.status);
}

export function logLines(messages: AirbyteMessage[], level?: string): string[] {
  return ofType(messages, 'LOG')
    .filter((m) => level === undefined || m.log.level === level)
    .map((m) => m.log.message as string);
}

/**
 * The records of a stream that the platform keeps from a run that died:
 * those emitted before the stream's last STATE (the destination commits up
 * to a state; whatever came after it is read again from that state).
 */
export function committedRecords(messages: AirbyteMessage[], stream: string): Record<string, any>[] {
  let lastState = -1;
  messages.forEach((m, i) => {
    if (m.type === 'STATE' && m.state.stream.stream_descriptor.name === stream) lastState = i;
  });
  return recordsOf(messages.slice(0, lastState + 1), stream);
}

/** The cursor value of a stream's latest STATE in a run, if it has one. */
export function savedCursor(messages: AirbyteMessage[], stream: string, field: string): string | undefined {
  const last = statesOf(messages, stream).at(-1);
  return last?.state.stream.stream_state?.[field];
}

/** Every id the sandbox holds for the stream is among the records; nothing else is. */
export function assertHoldsTruth(sandbox: Sandbox, stream: string, records: Record<string, any>[], what = ''): void {
  const got = new Set(records.map((r) => keyOf(stream, r)));
  const truth = sandbox.truth(stream as StreamName);
  const missing = truth.filter((t) => !got.has(t.id)).map((t) => t.id);
  assert.equal(missing.length, 0, `${stream}${what}: ${missing.length} of ${truth.length} records missing, e.g. ${missing.slice(0, 3).join(', ')}`);
  const known = new Set(truth.map((t) => t.id));
  const extra = [...got].filter((id) => !known.has(id));
  assert.equal(extra.length, 0, `${stream}${what}: ${extra.length} records the sandbox does not hold, e.g. ${extra.slice(0, 3).join(', ')}`);
}

export function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}
