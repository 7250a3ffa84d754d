import {configError} from '../errors';
import {Micros, MICROS_PER_SECOND, formatInstant, parseInstant} from '../time/instant';
import {StreamState} from './stream-base';

/**
 * The cursor value to commit: the largest seen, but never past a ceiling. A
 * sync's reads cannot see a record that moves (is edited) behind their
 * position while they run, and such a record's new value is at least the
 * sync's start: a committed cursor before the start lets the next sync find
 * it. So the committed value is the largest value seen at or below the
 * ceiling (a value of a record, the same whenever the sync ran), or the
 * ceiling itself when every value seen is past it.
 *
 * A stream that learns its ceiling only at the end (contacts: whether the
 * search was used) gives the candidates up front; each is tracked. The
 * committed value only moves forward (never below the saved one), and is
 * saved in one spelling (`2024-05-01T12:34:56.789000+00:00`, Close's own with
 * microseconds) whichever way Close wrote the record's date.
 */
export class Cursor {
  private max: Micros | undefined;
  private readonly saved: Micros | undefined;
  /** Per ceiling, the largest value seen at or below it. */
  private readonly below = new Map<Micros, Micros | undefined>();
  private readonly ceiling: Micros;

  constructor(readonly field: string, saved?: {micros: Micros}, ceilings: Micros[] = []) {
    this.saved = saved?.micros;
    this.ceiling = ceilings[0] ?? Infinity;
    for (const c of ceilings) this.below.set(c, undefined);
    this.advance(this.saved);
  }

  /** The value to commit under `ceiling` (one given to the constructor). */
  committed(ceiling: Micros = this.ceiling): Micros | undefined {
    if (ceiling === Infinity) return this.max;
    if (!this.below.has(ceiling)) throw new Error(`Cursor ${this.field}: ceiling ${ceiling} was not tracked`);
    const value = this.below.get(ceiling) ?? (this.max !== undefined ? ceiling : undefined);
    return value === undefined || this.saved === undefined ? value : Math.max(value, this.saved);
  }

  /** The record's cursor value, or undefined when it does not parse. */
  valueOf(record: Record<string, any>): Micros | undefined {
    return parseInstant(record[this.field]);
  }

  /** Moves forward to a value taken from an emitted record. */
  advance(micros: Micros | undefined): void {
    if (micros === undefined) return;
    if (this.max === undefined || micros > this.max) this.max = micros;
    for (const [c, best] of this.below) {
      if (micros <= c && (best === undefined || micros > best)) this.below.set(c, micros);
    }
  }

  /** `{date_updated: "..."}`, or `{}` before any value is known. */
  toState(ceiling?: Micros): StreamState {
    const value = this.committed(ceiling);
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
