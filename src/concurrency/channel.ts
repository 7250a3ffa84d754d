/**
 * A bounded queue between producers and one consumer. push() waits while the
 * queue is full — that wait is the back-pressure that keeps memory flat when
 * Close answers faster than stdout drains. Each producer's items keep their
 * order.
 */
export class Channel<T> {
  private readonly items: T[] = [];
  private closed = false;
  private failure: unknown;
  private cancelled = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducers: (() => void)[] = [];

  private weights: number[] = [];
  private held = 0;

  /**
   * At most `capacity` items, and with `bytes`, at most `bytes.capacity` of
   * their weight (bytes, say) — one item always fits into an empty channel.
   */
  constructor(
    private readonly capacity: number,
    private readonly bytes?: {capacity: number; weight(item: T): number}
  ) {}

  private full(weight: number): boolean {
    if (this.items.length >= this.capacity) return true;
    return this.bytes !== undefined && this.items.length > 0 && this.held + weight > this.bytes.capacity;
  }

  /** Resolves false when the consumer has gone away: the producer should stop. */
  async push(item: T): Promise<boolean> {
    const weight = this.bytes ? this.bytes.weight(item) : 0;
    while (this.full(weight) && !this.cancelled) {
      await new Promise<void>((resolve) => this.wakeProducers.push(resolve));
    }
    if (this.cancelled) return false;
    this.items.push(item);
    if (this.bytes) {
      this.weights.push(weight);
      this.held += weight;
    }
    this.wake('consumer');
    return true;
  }

  close(error?: unknown): void {
    this.closed = true;
    if (error !== undefined) this.failure = error;
    this.wake('consumer');
  }

  /** Stops the producer: its next push() resolves false. */
  cancel(): void {
    this.cancelled = true;
    this.wake('producer');
  }

  /** The next item, or done when the producer closed; throws the producer's error in order. */
  async next(): Promise<IteratorResult<T>> {
    while (this.items.length === 0) {
      if (this.closed) {
        if (this.failure !== undefined) throw this.failure;
        return {done: true, value: undefined};
      }
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
    const value = this.items.shift() as T;
    if (this.bytes) this.held -= this.weights.shift() ?? 0;
    this.wake('producer');
    return {done: false, value};
  }

  private wake(who: 'consumer' | 'producer'): void {
    if (who === 'consumer') {
      const fn = this.wakeConsumer;
      this.wakeConsumer = undefined;
      fn?.();
    } else {
      // Every waiting producer re-checks for room; the ones that find none wait again.
      const waiting = this.wakeProducers;
      this.wakeProducers = [];
      for (const fn of waiting) fn();
    }
  }
}
