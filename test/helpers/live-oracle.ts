import fs from 'fs';
import {Marker, Sandbox, StreamName} from '../../sandbox';
import {AirbyteMessage, recordsOf} from './protocol';

/**
 * The oracle of the live-change tests (issue 10): what a sync (or a chain
 * of syncs) had to deliver, given what the sandbox did while it ran.
 */

const US_PER_HOUR = 3_600_000_000;
/** Close keeps 30 days of events; an event this close to the edge may age out while a sync runs. */
const EVENT_RETENTION_US = 30 * 24 * US_PER_HOUR;
const RETENTION_SLACK_US = 60_000_000;

export interface StreamLoss {
  stream: string;
  /** records the syncs had to deliver */
  expected: number;
  /** expected records no sync delivered */
  missing: string[];
  /** full refresh: records edited while it ran that it never delivered (they moved past the sync's start) */
  missingEdited: string[];
  /** delivered, but never in their latest version */
  stale: string[];
  /** latest versions Close cannot show to the syncs (edits of activities older than the attribution window) */
  excused: number;
  /** delivered ids the account never held */
  phantom: string[];
}

/** Microseconds since the epoch of a Close date-time (any offset, or none: UTC). */
export function micros(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d(?::\d\d)?)(?:\.(\d{1,6})\d*)?)?(Z|[+-]\d\d:?\d\d)?$/.exec(value.trim());
  if (!m) return undefined;
  const [, day, time = '00:00:00', frac = '', tz = 'Z'] = m;
  const ms = Date.parse(`${day}T${time.length === 5 ? time + ':00' : time}${tz}`);
  return Number.isNaN(ms) ? undefined : ms * 1000 + Number((frac + '000000').slice(0, 6));
}

/** The version of a delivered record: `_sandbox_version` (the sandbox's recordVersions), else its date_updated. */
function versionOf(r: Record<string, any>): number {
  return typeof r._sandbox_version === 'number' ? r._sandbox_version : (micros(r.date_updated) ?? -1);
}

export interface WindowedStream {
  /** the stream's cursor field is date_created: edits are seen only inside the attribution window */
  stream: string;
  /** the lower bound (µs) the last sync of the chain read from */
  windowStart: number;
}

/**
 * The lower bound of a date_created stream's next sync, from the state it
 * starts with: Stitch's attribution window re-reads `lookbackHours` before
 * the saved cursor (docs/streams.md); edits of activities created earlier
 * cannot be found (Close cannot filter activities by date_updated).
 */
export function attributionWindowStart(state: any[], stream: string, lookbackHours: number): number {
  const entry = state.find((s) => s.stream?.stream_descriptor?.name === stream);
  const saved = micros(entry?.stream?.stream_state?.date_created);
  return saved === undefined ? -Infinity : saved - lookbackHours * US_PER_HOUR;
}

export interface ChainCheck {
  sandbox: Sandbox;
  streams: string[];
  /** every run of the chain, in order; the last one must be a quiet sync (no live changes) */
  runs: AirbyteMessage[][];
  /** when the live sync started and ended */
  start: Marker;
  end: Marker;
  /** incremental: changes during the live sync must arrive, at their latest version; full refresh: existence only */
  mode: 'incremental' | 'full_refresh';
  /** date_created streams and the window of the chain's last sync */
  windowed?: WindowedStream[];
}

/**
 * What was lost, per stream: every record that existed when the live sync
 * started and still exists, and (incremental) every record created or
 * updated while it ran, must have arrived in one of the runs; and
 * (incremental) the latest version of each must have arrived — except edits
 * of date_created-keyed records older than the last sync's attribution
 * window, which Close cannot show (Stitch's documented semantics). A full
 * refresh's misses are split: records nobody touched while it ran
 * (`missing`), and records edited while it ran (`missingEdited`: the edit
 * moved them past the point the sync reads up to).
 */
export function lossesOf(c: ChainCheck): StreamLoss[] {
  const o = c.sandbox.oracle;
  const out: StreamLoss[] = [];
  for (const stream of c.streams) {
    const s = stream as StreamName;
    const latest = o.latest(s);
    const wanted = new Set<string>(o.existedAt(s, c.start));
    if (c.mode === 'incremental') {
      for (const id of o.createdBetween(s, c.start, c.end)) wanted.add(id);
      for (const id of o.updatedBetween(s, c.start, c.end)) wanted.add(id);
    }
    for (const id of wanted) if (!latest.has(id)) wanted.delete(id);
    if (stream === 'event_log') {
      const oldest = c.start.us - EVENT_RETENTION_US + RETENTION_SLACK_US;
      for (const id of wanted) if ((micros(latest.get(id)!.date_updated) ?? 0) < oldest) wanted.delete(id);
    }
    const best = new Map<string, number>();
    const ever = o.everExisted(s);
    const phantom = new Set<string>();
    for (const run of c.runs) {
      for (const r of recordsOf(run, stream)) {
        if (!ever.has(r.id)) phantom.add(r.id);
        best.set(r.id, Math.max(best.get(r.id) ?? -Infinity, versionOf(r)));
      }
    }
    const windowStart = c.windowed?.find((w) => w.stream === stream)?.windowStart;
    const missing: string[] = [];
    const missingEdited: string[] = [];
    const stale: string[] = [];
    const editedDuring = c.mode === 'full_refresh' ? o.updatedBetween(s, c.start, c.end) : new Set<string>();
    let excused = 0;
    for (const id of wanted) {
      const got = best.get(id);
      if (got === undefined) {
        (editedDuring.has(id) ? missingEdited : missing).push(id);
        continue;
      }
      if (c.mode !== 'incremental') continue;
      const truth = latest.get(id)!;
      const want = truth.version !== undefined ? truth.version : (micros(truth.date_updated) ?? -1);
      if (got >= want) continue;
      if (windowStart !== undefined && (micros(truth.date_created) ?? 0) < windowStart) excused++;
      else stale.push(id);
    }
    out.push({stream, expected: wanted.size, missing, missingEdited, stale, excused, phantom: [...phantom]});
  }
  return out;
}

/**
 * Prints the losses as test diagnostics (and appends them to
 * $CLOSEIO_LIVE_REPORT as JSON lines when set), so that a rerun shows the
 * figures whether it passes or not.
 */
export function reportLosses(scenario: string, losses: StreamLoss[], extra: Record<string, unknown> = {}): void {
  for (const l of losses) {
    console.log(
      `live-changes [${scenario}] ${l.stream}: expected ${l.expected}, missing ${l.missing.length}, stale ${l.stale.length}` +
        `${l.missingEdited.length ? `, missing after an edit during the sync ${l.missingEdited.length}` : ''}` +
        `${l.excused ? `, ${l.excused} edits past the attribution window (not visible in Close)` : ''}${l.phantom.length ? `, phantom ${l.phantom.length}` : ''}`
    );
  }
  const file = process.env.CLOSEIO_LIVE_REPORT;
  if (file) {
    const line = {
      scenario,
      ...extra,
      losses: losses.map((l) => ({
        ...l,
        missing: l.missing.length,
        missingEdited: l.missingEdited.length,
        stale: l.stale.length,
        phantom: l.phantom.length,
        examples: [...l.missing, ...l.missingEdited, ...l.stale].slice(0, 5),
      })),
    };
    fs.appendFileSync(file, JSON.stringify(line) + '\n');
  }
}
