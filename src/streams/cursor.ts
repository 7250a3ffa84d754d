import {configError} from '../errors';
import {Micros, formatInstant, parseInstant} from '../time/instant';
import {StreamState} from './stream-base';

/**
 * The largest cursor value seen. It only moves forward, and is saved in one
 * spelling (`2024-05-01T12:34:56.789000+00:00`, Close's own with
 * microseconds) whichever way Close wrote the record's date.
 */
export class Cursor {
  private micros: Micros | undefined;

  constructor(readonly field: string, saved?: {micros: Micros}) {
    this.micros = saved?.micros;
  }

  get value(): Micros | undefined {
    return this.micros;
  }

  /** The record's cursor value, or undefined when it does not parse. */
  valueOf(record: Record<string, any>): Micros | undefined {
    return parseInstant(record[this.field]);
  }

  /** Moves forward to a value taken from an emitted record. */
  advance(micros: Micros | undefined): void {
    if (micros !== undefined && (this.micros === undefined || micros > this.micros)) this.micros = micros;
  }

  /** `{date_updated: "..."}`, or `{}` before any value is known. */
  toState(): StreamState {
    return this.micros === undefined ? {} : {[this.field]: formatInstant(this.micros)};
  }
}

/**
 * Reads `{<field>: "<ISO date-time>"}`. An empty object means no cursor yet.
 * Anything else is rejected: a wrong key or an unparseable value would
 * otherwise quietly become a full re-sync.
 */
export function parseCursorState(stream: string, field: string, raw: unknown): {micros: Micros; text: string} | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw configError(`Invalid state for stream ${stream}: expected an object like {"${field}": "2024-05-01T12:34:56.789000+00:00"}, got ${JSON.stringify(raw)}`);
  }
  const entries = Object.keys(raw);
  if (entries.length === 0) return undefined;
  const value = (raw as Record<string, unknown>)[field];
  if (value === undefined) {
    throw configError(`Invalid state for stream ${stream}: expected the cursor "${field}", found keys ${JSON.stringify(entries)}`);
  }
  const micros = parseInstant(value);
  if (micros === undefined) {
    throw configError(`Invalid state for stream ${stream}: ${field} ${JSON.stringify(value)} is not an ISO date-time`);
  }
  return {micros, text: String(value)};
}
