/**
 * At most `size` holders at once; the others wait in arrival order. The
 * transport passes every request through one, sized like its socket pool, so
 * that a request that got through always finds a socket at once: its timeout
 * then measures Close's answer, never the wait for a socket.
 */
export class SlotGate {
  private held = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new Error(`SlotGate: size must be at least 1, got ${size}`);
  }

  get waiting(): number {
    return this.queue.length;
  }

  async acquire(): Promise<void> {
    if (this.held < this.size) {
      this.held++;
      return;
    }
    // release() hands its slot over directly: held stays the same.
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.held = Math.max(0, this.held - 1);
  }
}
