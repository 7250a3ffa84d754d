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

  constructor(lower: Micros, private readonly upper: Micros, private readonly sizing: WindowSizing = DEFAULT_SIZING) {
    this.next = Math.floor(lower / MICROS_PER_SECOND) * MICROS_PER_SECOND;
    this.size = sizing.initial;
  }

  take(): Window | undefined {
    if (this.next >= this.upper) return undefined;
    const lo = this.next;
    const hi = Math.min(this.upper, lo + this.size);
    this.next = hi;
    return {lo, hi};
  }

  /** Tells how many pages the window just read needed. */
  feedback(pages: number): void {
    const {min, max, targetPages} = this.sizing;
    if (pages > targetPages) this.size = Math.max(min, Math.floor(this.size / 2 / MICROS_PER_SECOND) * MICROS_PER_SECOND);
    else if (pages <= targetPages / 4) this.size = Math.min(max, this.size * 2);
  }
}
