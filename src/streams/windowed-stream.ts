import {SyncMode} from 'faros-airbyte-cdk';
import {ByteEstimator} from '../client/body-size';
import {sharedReadAhead} from '../concurrency/budget';
import {isTaskEnd, orderedConcurrent} from '../concurrency/ordered-concurrent';
import {Micros, MICROS_PER_SECOND} from '../time/instant';
import {Cursor, cursorCeiling, parseCursorState} from './cursor';
import {CloseStream, StreamItem, StreamState} from './stream-base';
import {TailPlan} from './tails';
import {AdaptiveWindows, DEFAULT_SIZING, Window, WindowSizing} from './windows';

/** What the window being printed may hold that is not printed yet, bytes of Close's answers. */
const HEAD_BYTES = 256 * 1024;

/** What a stream can learn cheaply about its range before reading it. */
export interface RangeProbe {
  /** Records in the range, where Close counts them (total_results). */
  total?: number;
  /** No record is older than this; null when the range is empty. */
  earliest?: Micros | null;
  /** Records per microsecond seen in a sample of the range. */
  density?: number;
  /** Every record of the range, when the probe's one page held them all: no window is read. */
  records?: Record<string, any>[];
}

/**
 * A stream read in consecutive windows of its cursor, oldest first. Several
 * windows are fetched at once (max_requests_per_stream) and printed in order,
 * so the cursor only ever covers records already printed:
 * - streams Close returns in cursor order inside a window (leads,
 *   opportunities) checkpoint after every page;
 * - the others (newest first, or ordered by another field) checkpoint when a
 *   window is complete.
 */
export abstract class WindowedStream extends CloseStream {
  abstract override get cursorField(): string;

  protected get windowSizing(): WindowSizing {
    return DEFAULT_SIZING;
  }

  /** Whether records inside a window come in ascending cursor order. */
  protected get checkpointEveryPage(): boolean {
    return false;
  }

  /**
   * How far behind the sync's start the committed cursor stays, for
   * endpoints where a change may become visible to queries some time after
   * it was made (its key is the write time, earlier than when it shows): the
   * next sync re-reads that margin. Close documents such lag only for the
   * event log (which re-scans instead, see event-log.ts); elsewhere it is a
   * guess, so 0 unless a stream has a reason.
   */
  protected get settleMargin(): Micros {
    return 0;
  }

  /**
   * Whether an edit moves a record forward in this stream's key (date_updated):
   * a full refresh then reads on past the sync's start (see TailPlan). Streams
   * keyed on date_created keep their records where they are.
   */
  protected get editsMoveRecords(): boolean {
    return this.cursorField === 'date_updated';
  }

  /** Where this sync starts reading: the saved cursor, or start_date on a first sync and in full refresh. */
  protected lowerBound(saved: Micros | undefined): Micros {
    return saved ?? this.ctx.config.startDate;
  }

  /** The exclusive upper bound of this sync. */
  protected upperBound(): Micros {
    return this.ctx.syncStartedAt;
  }

  /** The pages of one window. */
  protected abstract readWindow(window: Window): AsyncGenerator<Record<string, any>[]>;

  /**
   * Asks Close about the range before reading it: how many records (for the
   * row estimate and window sizes) and where the oldest is (so that years
   * before an account's first record cost nothing).
   */
  protected async probeRange(_lower: Micros, _upper: Micros): Promise<RangeProbe> {
    return {};
  }

  /** The first windows' size, from what the probe learned: the average density (total) or a sample's. */
  private sizing(start: Micros, upper: Micros, probe: RangeProbe): WindowSizing {
    const base = {...this.windowSizing, spread: this.ctx.config.requestsPerStream};
    const density = probe.density ?? (probe.total !== undefined && upper > start ? probe.total / (upper - start) : undefined);
    if (!density) return base;
    return {...base, initial: base.targetRecords / density};
  }

  async *readOwnItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem> {
    const incremental = mode === SyncMode.INCREMENTAL;
    const saved = incremental ? parseCursorState(this.name, this.cursorField, state) : undefined;
    const cursor = new Cursor(this.cursorField, saved, [cursorCeiling(this.ctx.syncStartedAt, this.settleMargin)]);
    const lower = this.lowerBound(saved?.micros);
    const sizing = this.windowSizing;
    const tails = !incremental && this.editsMoveRecords
      ? new TailPlan(this.ctx.syncStartedAt - MICROS_PER_SECOND, sizing.granularity ?? MICROS_PER_SECOND, this.settleMargin)
      : undefined;
    // A full refresh's scan stops where its first tail starts (see TailPlan).
    const upper = tails ? Math.max(lower, Math.min(this.upperBound(), tails.firstFrom)) : this.upperBound();
    const probe = lower < upper ? await this.probeRange(lower, upper) : {earliest: null};
    if (probe.total !== undefined) yield {estimate: probe.total};
    const start = probe.earliest === null ? upper : Math.max(lower, probe.earliest ?? lower);

    const windows = new AdaptiveWindows(start, upper, this.sizing(start, upper, probe));
    const whole = probe.records && [{key: {lo: start, hi: upper}, run: () => onePage(probe.records!)}];
    const nextTask = () => {
      if (whole) return whole.shift();
      const window = windows.take();
      if (!window) return undefined;
      return {key: window, run: () => this.countedPages(window, windows)};
    };
    // Bounded in bytes of Close's answers, however large a window turns out
    // (a bulk import inside one lead minute): the window being printed holds
    // at most HEAD_BYTES not printed yet, the windows behind it share the
    // read-ahead budget of all streams (concurrency/budget.ts).
    const bytes = new ByteEstimator();
    const items = orderedConcurrent(nextTask, {
      concurrency: this.ctx.config.requestsPerStream,
      budget: 0,
      headBudget: HEAD_BYTES,
      shared: sharedReadAhead,
      weight: (page: Record<string, any>[]) => bytes.ofAll(page),
    });
    for await (const item of items) {
      if (isTaskEnd(item)) {
        if (incremental && !this.checkpointEveryPage) yield {checkpoint: cursor.toState()};
        continue;
      }
      for (const record of item) {
        // Windows start on whole seconds (minutes for leads); the bound itself
        // has microseconds. What lies below a saved cursor was emitted by an
        // earlier sync: no checkpoint passes a record not emitted, and a
        // record changed since has a value past that sync's start.
        const key = cursor.valueOf(record);
        if (key !== undefined && key < lower) continue;
        cursor.advance(key);
        yield this.shape(record);
      }
      if (incremental && this.checkpointEveryPage) yield {checkpoint: cursor.toState()};
    }
    if (incremental) yield {checkpoint: cursor.toState()};
    if (tails) yield* this.readTails(tails, cursor, lower);
  }

  /** A full refresh's reads past its scan: the settle margin, and the records edited while it ran (see TailPlan). */
  private async *readTails(tails: TailPlan, cursor: Cursor, lower: Micros): AsyncGenerator<StreamItem> {
    let moved = 0;
    for (let range = tails.next(this.ctx.now()); range; range = tails.next(this.ctx.now())) {
      for await (const page of this.readWindow({lo: range.from, hi: range.to})) {
        for (const record of page) {
          const key = cursor.valueOf(record);
          if (key !== undefined && key < lower) continue;
          if (!tails.isNew(record.id, key)) continue;
          if (key !== undefined && key >= tails.start) moved++;
          yield this.shape(record);
        }
      }
    }
    if (moved > 0) {
      this.ctx.logger.info(
        `Stream ${this.name}: ${moved} records edited while the full refresh read them, read past its range in ${tails.count} tail ranges` +
          (tails.endedBusy ? '; records edited during the last one arrive with the next sync' : '')
      );
    }
  }

  private async *countedPages(window: Window, windows: AdaptiveWindows): AsyncGenerator<Record<string, any>[]> {
    let records = 0;
    for await (const page of this.readWindow(window)) {
      records += page.length;
      yield page;
    }
    windows.feedback(window, records);
  }
}

async function* onePage(page: Record<string, any>[]): AsyncGenerator<Record<string, any>[]> {
  yield page;
}
