import {Micros, MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND} from '../time/instant';

export interface Window {
  lo: Micros;
  hi: Micros;
}

export interface WindowSizing {
  initial: Micros;
  min: Micros;
  max: Micros;
  /** A window that took more pages than this makes the next one smaller. */
  targetPages: number;
  /** Boundaries fall on multiples of this: 1 s for Close's date filters, 60 s for the lead query language. */
  granularity?: Micros;
}

export const DEFAULT_SIZING: WindowSizing = {
  initial: 30 * MICROS_PER_DAY,
  min: MICROS_PER_HOUR,
  max: 366 * MICROS_PER_DAY,
  targetPages: 20,
};

/**
 * Splits [lower, upper) into consecutive windows, oldest first, sized by how
 * busy the previous window was: busy periods get short windows (frequent
 * checkpoints), quiet years one request each. Boundaries fall on whole
 * seconds, which every Close date filter understands exactly.
 */
export class AdaptiveWindows {
  private next: Micros;
  private size: Micros;
  private readonly upper: Micros;
  private readonly step: Micros;

  constructor(lower: Micros, upper: Micros, private readonly sizing: WindowSizing = DEFAULT_SIZING) {
    this.step = sizing.granularity ?? MICROS_PER_SECOND;
    this.next = Math.floor(lower / this.step) * this.step;
    this.upper = Math.ceil(upper / this.step) * this.step;
    this.size = this.align(sizing.initial);
  }

  private align(size: Micros): Micros {
    return Math.max(this.step, Math.floor(size / this.step) * this.step);
  }

  take(): Window | undefined {
    if (this.next >= this.upper) return undefined;
    const lo = this.next;
    const hi = Math.min(this.upper, lo + this.size);
    this.next = hi;
    return {lo, hi};
  }

  /** Tells how many pages a finished window needed. */
  feedback(pages: number): void {
    const {min, max, targetPages} = this.sizing;
    if (pages > targetPages) this.size = this.align(Math.max(min, this.size / 2));
    else if (pages <= targetPages / 4) this.size = this.align(Math.min(max, this.size * 2));
  }
}
