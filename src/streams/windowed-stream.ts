import {SyncMode} from 'faros-airbyte-cdk';
import {isTaskEnd, orderedConcurrent} from '../concurrency/ordered-concurrent';
import {Micros, parseInstant} from '../time/instant';
import {Cursor, parseCursorState} from './cursor';
import {CloseStream, StreamItem, StreamState} from './stream-base';
import {AdaptiveWindows, DEFAULT_SIZING, Window, WindowSizing} from './windows';

/** Pages a window reader may fetch ahead of what has been printed. */
const PAGES_AHEAD = 2;

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

  /** Where this sync starts reading, from the saved cursor (undefined on a first sync or in full refresh). */
  protected abstract lowerBound(saved: Micros | undefined): Micros;

  /** The exclusive upper bound of this sync. */
  protected upperBound(): Micros {
    return this.ctx.syncStartedAt;
  }

  /** The pages of one window. */
  protected abstract readWindow(window: Window): AsyncGenerator<Record<string, any>[]>;

  /** How many records the sync will read, where Close can tell cheaply. */
  protected async estimate(_lower: Micros, _upper: Micros): Promise<number | undefined> {
    return undefined;
  }

  parseState(raw: unknown): StreamState | undefined {
    const saved = parseCursorState(this.name, this.cursorField, raw);
    return saved ? {[this.cursorField]: saved.text} : undefined;
  }

  async *readItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem> {
    const incremental = mode === SyncMode.INCREMENTAL;
    const saved = incremental ? parseCursorState(this.name, this.cursorField, state) : undefined;
    const cursor = new Cursor(this.cursorField, saved);
    const lower = this.lowerBound(saved?.micros);
    const upper = this.upperBound();
    const estimate = await this.estimate(lower, upper);
    if (estimate !== undefined) yield {estimate};

    const windows = new AdaptiveWindows(lower, upper, this.windowSizing);
    const nextTask = () => {
      const window = windows.take();
      if (!window) return undefined;
      return {key: window, run: () => this.countedPages(window, windows)};
    };
    const items = orderedConcurrent(nextTask, this.ctx.config.requestsPerStream, PAGES_AHEAD);
    for await (const item of items) {
      if (isTaskEnd(item)) {
        if (incremental && !this.checkpointEveryPage) yield {checkpoint: cursor.toState()};
        continue;
      }
      for (const record of item) {
        // Windows start on whole seconds (minutes for leads); the bound itself has microseconds.
        const key = parseInstant(record[this.cursorField]);
        if (key !== undefined && key < lower) continue;
        const shaped = this.shape(record);
        cursor.observe(shaped.record);
        yield shaped;
      }
      if (incremental && this.checkpointEveryPage) yield {checkpoint: cursor.toState()};
    }
    if (incremental) yield {checkpoint: cursor.toState()};
  }

  private async *countedPages(window: Window, windows: AdaptiveWindows): AsyncGenerator<Record<string, any>[]> {
    let pages = 0;
    for await (const page of this.readWindow(window)) {
      pages++;
      yield page;
    }
    windows.feedback(pages);
  }
}
