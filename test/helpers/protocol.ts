import fs from 'fs';
import path from 'path';
import Ajv, {ValidateFunction} from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import {TEST_FILES} from './paths';

/**
 * Validates connector output against Airbyte's own protocol schema
 * (airbyte_protocol.yaml, vendored from ../shared/airbyte) plus the rules of
 * RULES.md that the schema cannot express.
 */
let messageValidator: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!messageValidator) {
    const doc = YAML.parse(fs.readFileSync(path.join(TEST_FILES, 'airbyte', 'airbyte_protocol.yaml'), 'utf8'));
    const ajv = new Ajv({strict: false, allErrors: true});
    addFormats(ajv);
    ajv.addSchema({...doc, $id: 'airbyte_protocol'});
    messageValidator = ajv.getSchema('airbyte_protocol#/definitions/AirbyteMessage')!;
  }
  return messageValidator;
}

const PAYLOAD_KEY: Record<string, string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
};

export interface AirbyteMessage {
  type: string;
  [k: string]: any;
}

/** Parses stdout: every line must be one JSON Airbyte message (E1–E3, E6, E7). */
export function parseOutput(stdout: string): AirbyteMessage[] {
  const lines = stdout.split('\n').filter((l) => l.length > 0);
  const validate = validator();
  return lines.map((line, i) => {
    let msg: AirbyteMessage;
    try {
      msg = JSON.parse(line);
    } catch {
      throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    if (!validate(msg)) {
      throw new Error(`stdout line ${i + 1} is not a valid AirbyteMessage: ${JSON.stringify(validate.errors)}\n${line.slice(0, 300)}`);
    }
    const key = PAYLOAD_KEY[msg.type];
    if (key && msg[key] === undefined) throw new Error(`stdout line ${i + 1}: type ${msg.type} without ${key}`);
    if (JSON.stringify(msg).includes('__faros')) throw new Error(`stdout line ${i + 1} mentions __faros`);
    if (msg.type === 'STATE') {
      if (!/"sourceStats":\{"recordCount":\d+\.0\}/.test(line)) {
        throw new Error(`stdout line ${i + 1}: STATE without sourceStats.recordCount written as N.0`);
      }
    }
    return msg;
  });
}

export function ofType(messages: AirbyteMessage[], type: string): AirbyteMessage[] {
  return messages.filter((m) => m.type === type);
}

export function recordsOf(messages: AirbyteMessage[], stream?: string): Record<string, any>[] {
  return messages
    .filter((m) => m.type === 'RECORD' && (stream === undefined || m.record.stream === stream))
    .map((m) => m.record.data);
}

export function statesOf(messages: AirbyteMessage[], stream?: string): AirbyteMessage[] {
  return messages.filter((m) => m.type === 'STATE' && (stream === undefined || m.state.stream.stream_descriptor.name === stream));
}

/** The latest state per stream, as the platform would pass it to the next sync. */
export function latestStates(messages: AirbyteMessage[]): object[] {
  const latest = new Map<string, object>();
  for (const m of statesOf(messages)) latest.set(m.state.stream.stream_descriptor.name, {type: 'STREAM', stream: m.state.stream});
  return [...latest.values()];
}

/**
 * The read rules of RULES.md that hold for every read: records only for
 * configured streams with emitted_at in ms (R1, R2); STREAM states only, for
 * configured streams, at least one per stream, never two identical in a row,
 * recordCount equal to the records since that stream's previous state (T1–T5);
 * STREAM_STATUS STARTED, RUNNING*, COMPLETE|INCOMPLETE per stream (X1).
 */
export function checkReadRules(messages: AirbyteMessage[], configured: string[], opts: {allowIncomplete?: boolean} = {}): void {
  const configuredSet = new Set(configured);
  const sinceState = new Map<string, number>();
  const lastState = new Map<string, string>();
  const statuses = new Map<string, string[]>();
  const stateCount = new Map<string, number>();
  const now = Date.now();
  for (const m of messages) {
    if (m.type === 'RECORD') {
      const s = m.record.stream;
      if (!configuredSet.has(s)) throw new Error(`RECORD for unconfigured stream ${s}`);
      if (!Number.isInteger(m.record.emitted_at) || m.record.emitted_at > now + 60_000 || m.record.emitted_at < now - 3_600_000) {
        throw new Error(`RECORD emitted_at ${m.record.emitted_at} is not wall-clock ms`);
      }
      const st = statuses.get(s) ?? [];
      if (!st.includes('RUNNING')) throw new Error(`RECORD for ${s} before its RUNNING status`);
      sinceState.set(s, (sinceState.get(s) ?? 0) + 1);
    } else if (m.type === 'STATE') {
      if (m.state.type !== 'STREAM') throw new Error(`STATE of type ${m.state.type}`);
      const s = m.state.stream.stream_descriptor.name;
      if (!configuredSet.has(s)) throw new Error(`STATE for unconfigured stream ${s}`);
      const serialized = JSON.stringify(m.state.stream.stream_state);
      if (lastState.get(s) === serialized && (sinceState.get(s) ?? 0) === 0) {
        throw new Error(`two identical consecutive STATE messages for ${s}: ${serialized}`);
      }
      if (m.state.sourceStats.recordCount !== (sinceState.get(s) ?? 0)) {
        throw new Error(`STATE for ${s} says recordCount ${m.state.sourceStats.recordCount}, but ${sinceState.get(s) ?? 0} records were emitted since the previous one`);
      }
      lastState.set(s, serialized);
      sinceState.set(s, 0);
      stateCount.set(s, (stateCount.get(s) ?? 0) + 1);
    } else if (m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS') {
      const s = m.trace.stream_status.stream_descriptor.name;
      const list = statuses.get(s) ?? [];
      list.push(m.trace.stream_status.status);
      statuses.set(s, list);
    }
  }
  for (const s of configured) {
    const list = statuses.get(s) ?? [];
    const joined = list.join(',');
    const ok = opts.allowIncomplete ? /^STARTED(,RUNNING)?,(COMPLETE|INCOMPLETE)$/ : /^STARTED(,RUNNING)?,COMPLETE$/;
    if (!ok.test(joined)) throw new Error(`stream ${s} has statuses ${joined}`);
    if (list.at(-1) === 'COMPLETE' && !stateCount.get(s)) throw new Error(`stream ${s} completed without a STATE`);
  }
  for (const s of statuses.keys()) if (!configuredSet.has(s)) throw new Error(`STREAM_STATUS for unconfigured stream ${s}`);
}

/**
 * The date-times a stream state holds, by path: its cursor
 * (`date_updated`) and, for streams that deliver deletions, the deletions
 * position (`deletions.date_updated`).
 */
export function stateInstants(state: Record<string, any> | undefined): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(state ?? {})) {
    if (v !== null && typeof v === 'object') for (const [k2, v2] of Object.entries<any>(v)) out.push([`${k}.${k2}`, v2]);
    else out.push([k, v]);
  }
  return out;
}
