/**
 * An amount (bytes, or records) that several holders share: take() waits
 * while the rest would not fit. One holder may always take something when
 * nothing is held at all, so that a single item larger than the whole budget
 * still moves (it is already in memory: it only has to pass).
 */
export class Budget {
  private held = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get used(): number {
    return this.held;
  }

  fits(amount: number): boolean {
    return this.held === 0 || this.held + amount <= this.limit;
  }

  /** Waits until `amount` fits, unless `giveUp()` says to stop first (checked on every wake()); returns whether it was taken. */
  async take(amount: number, giveUp: () => boolean = () => false): Promise<boolean> {
    while (!this.fits(amount)) {
      if (giveUp()) return false;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (giveUp()) return false;
    this.held += amount;
    return true;
  }

  give(amount: number): void {
    this.held = Math.max(0, this.held - amount);
    this.wake();
  }

  /** Lets every waiter check again (also when it should give up). */
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }
}

/**
 * What the windows of all streams may read ahead of the one being printed,
 * together: in bytes of Close's answers (about twice that in memory once
 * parsed). Streams that are not busy leave it to the busy one.
 */
export const READ_AHEAD_BYTES = 16 * 1024 * 1024;
export const sharedReadAhead = new Budget(READ_AHEAD_BYTES);
