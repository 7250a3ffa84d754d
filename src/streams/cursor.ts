import {configError} from '../errors';
import {Micros, MICROS_PER_SECOND, formatInstant, parseInstant} from '../time/instant';
import {StreamState} from './stream-base';

/**
 * The largest cursor value seen, as committed: never past `ceiling`. A
 * sync's reads cannot see a record that moves (is edited) behind their
 * position while they run, and such a record's new value is at least the
 * sync's start: a committed cursor at or before the start lets the next sync
 * find it. The committed value only moves forward (never below the saved
 * one), and is saved in one spelling (`2024-05-01T12:34:56.789000+00:00`,
 * Close's own with microseconds) whichever way Close wrote the record's date.
 */
export class Cursor {
  private micros: Micros | undefined;
  private readonly saved: Micros | undefined;

  constructor(readonly field: string, saved?: {micros: Micros}, private readonly ceiling: Micros = Infinity) {
    this.micros = saved?.micros;
    this.saved = saved?.micros;
  }

  /** The value to commit: the largest seen, held at the ceiling. */
  get value(): Micros | undefined {
    if (this.micros === undefined || this.micros <= this.ceiling) return this.micros;
    return Math.max(this.ceiling, this.saved ?? -Infinity);
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
    const value = this.value;
    return value === undefined ? {} : {[this.field]: formatInstant(value)};
  }
}

/**
 * The latest cursor value a sync may commit: before the sync started, less
 * the stream's settle margin (see settleMargin in the streams). The context's
 * syncStartedAt is the start rounded up to the second (so that windows end
 * on whole seconds): the start itself is no earlier than one second before.
 */
export function cursorCeiling(syncStartedAt: Micros, settleMargin: Micros): Micros {
  return syncStartedAt - MICROS_PER_SECOND - settleMargin;
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
