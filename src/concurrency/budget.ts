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

  /** Counts what is in memory already, whether it fits or not (it only ever lowers what others may take). */
  force(amount: number): void {
    this.held += amount;
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
 * together: in bytes of Close's answers (parsed, a page takes about 1–1.25
 * times its JSON bytes on the heap, measured on the sandbox's pages). 4 MiB
 * and not more: at 40,000 leads with 16 MiB, peak RSS was about 170 MB, of
 * which this budget and the pages fetched while it was full were the largest
 * share of the live heap (V8 then lets garbage grow to about twice the live
 * heap before a full collection). Streams that are not busy leave it to the
 * busy one.
 */
export const READ_AHEAD_BYTES = 4 * 1024 * 1024;
export const sharedReadAhead = new Budget(READ_AHEAD_BYTES);
