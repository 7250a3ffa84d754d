import {SyncMode} from 'faros-airbyte-cdk';
import {Micros, parseInstant} from '../time/instant';
import {Cursor, parseCursorState} from './cursor';
import {CloseStream, StreamItem, StreamState} from './stream-base';
import {AdaptiveWindows, DEFAULT_SIZING, Window, WindowSizing} from './windows';

/**
 * A stream Close cannot return in cursor order across the whole range
 * (newest first, or ordered by another field): it is read in consecutive
 * windows of its cursor, oldest first, and the state is committed only when
 * a window has been read completely.
 */
export abstract class WindowedStream extends CloseStream {
  abstract override get cursorField(): string;

  protected get windowSizing(): WindowSizing {
    return DEFAULT_SIZING;
  }

  /** Where this sync starts reading, from the saved cursor (undefined on a first sync or in full refresh). */
  protected abstract lowerBound(saved: Micros | undefined): Micros;

  /** The pages of one window. */
  protected abstract readWindow(window: Window): AsyncGenerator<Record<string, any>[]>;

  parseState(raw: unknown): StreamState | undefined {
    const saved = parseCursorState(this.name, this.cursorField, raw);
    return saved ? {[this.cursorField]: saved.text} : undefined;
  }

  async *readItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem> {
    const saved = mode === SyncMode.INCREMENTAL ? parseCursorState(this.name, this.cursorField, state) : undefined;
    const cursor = new Cursor(this.cursorField, saved);
    const upper = this.ctx.syncStartedAt;
    const lower = this.lowerBound(saved?.micros);
    const windows = new AdaptiveWindows(lower, upper, this.windowSizing);
    for (let window = windows.take(); window; window = windows.take()) {
      let pages = 0;
      for await (const records of this.readWindow(window)) {
        pages++;
        for (const record of this.transform(records)) {
          // Windows start on whole seconds; the bound itself has microseconds.
          const key = parseInstant(record[this.cursorField]);
          if (key !== undefined && key < lower) continue;
          cursor.observe(record);
          yield {record};
        }
      }
      windows.feedback(pages);
      if (mode === SyncMode.INCREMENTAL) yield {checkpoint: cursor.toState()};
    }
    if (mode === SyncMode.INCREMENTAL) yield {checkpoint: cursor.toState()};
  }

  protected transform(records: Record<string, any>[]): Record<string, any>[] {
    return records;
  }
}
