import {Micros, MICROS_PER_DAY, MICROS_PER_MINUTE, MICROS_PER_SECOND} from '../time/instant';

export interface Window {
  lo: Micros;
  hi: Micros;
}

export interface WindowSizing {
  initial: Micros;
  min: Micros;
  max: Micros;
  /** Records a window should hold: a few pages, so that several windows fit in flight and checkpoints come often. */
  targetRecords: number;
  /** Boundaries fall on multiples of this: 1 s for Close's date filters, 60 s for the lead query language. */
  granularity?: Micros;
  /**
   * Windows read at once (max_requests_per_stream). When what is left of the
   * range would fill at least one window but fewer than this, it is cut into this many
   * windows of equal span, so that as many requests stay in flight to the end
   * of the range instead of one last large window read alone.
   */
  spread?: number;
}

export const DEFAULT_SIZING: WindowSizing = {
  initial: 30 * MICROS_PER_DAY,
  min: MICROS_PER_MINUTE,
  max: 366 * MICROS_PER_DAY,
  targetRecords: 600,
};

/**
 * How fast window sizes may change from one measured window to the next.
 * Growth is slow because activity usually ramps up over an account's life:
 * a quiet window says little about the next one.
 */
const MAX_GROWTH = 2;
const MAX_SHRINK = 8;

/**
 * Splits [lower, upper) into consecutive windows, oldest first, each sized
 * from the record density of the windows read before it, so that a window
 * holds about `targetRecords`: busy periods get short windows (frequent
 * checkpoints, several in flight), quiet years one request each.
 * Boundaries fall on whole seconds (or minutes), which Close's filters
 * understand exactly.
 */
export class AdaptiveWindows {
  private next: Micros;
  private size: Micros;
  private readonly upper: Micros;
  private readonly step: Micros;
  /** Set once the rest of the range was cut into `spread` windows: their span. */
  private tailSize: Micros | undefined;

  constructor(lower: Micros, upper: Micros, private readonly sizing: WindowSizing = DEFAULT_SIZING) {
    this.step = sizing.granularity ?? MICROS_PER_SECOND;
    this.next = Math.floor(lower / this.step) * this.step;
    this.upper = Math.ceil(upper / this.step) * this.step;
    this.size = this.clamp(sizing.initial);
  }

  private clamp(size: Micros): Micros {
    const bounded = Math.min(this.sizing.max, Math.max(this.sizing.min, size));
    return Math.max(this.step, Math.floor(bounded / this.step) * this.step);
  }

  take(): Window | undefined {
    if (this.next >= this.upper) return undefined;
    const lo = this.next;
    const spread = this.sizing.spread ?? 1;
    // Only a rest that fills at least one whole window is worth cutting: a
    // smaller one (an hourly incremental sync, say) is one request either way,
    // and cutting it would multiply the requests of a quiet account.
    const rest = this.upper - lo;
    if (spread > 1 && this.tailSize === undefined && rest >= this.size && rest < spread * this.size) {
      this.tailSize = Math.max(this.step, Math.ceil((this.upper - lo) / spread / this.step) * this.step);
    }
    const size = this.tailSize === undefined ? this.size : Math.min(this.size, this.tailSize);
    const hi = Math.min(this.upper, lo + size);
    this.next = hi;
    return {lo, hi};
  }

  /** Tells how many records a finished window held. */
  feedback(window: Window, records: number): void {
    const span = window.hi - window.lo;
    const ideal = records === 0 ? span * MAX_GROWTH : (span * this.sizing.targetRecords) / records;
    this.size = this.clamp(Math.min(span * MAX_GROWTH, Math.max(span / MAX_SHRINK, ideal)));
  }
}
