import { Rng } from './random';
import { FaultKind, FaultOptions } from './types';

export const ALL_FAULTS: readonly FaultKind[] = ['status500', 'status502', 'status503', 'status504', 'reset', 'truncated', 'stall'];

/**
 * One draw per API request, in arrival order, from its own seeded stream: the
 * same seed and request sequence give the same faults.
 */
export class FaultInjector {
  private rng: Rng;
  private opts: FaultOptions | null = null;

  constructor(
    opts: FaultOptions | null,
    private readonly defaultSeed: number,
  ) {
    this.rng = new Rng(defaultSeed, 7);
    this.set(opts);
  }

  set(opts: FaultOptions | null): void {
    this.opts = opts && opts.rate > 0 ? opts : null;
    this.rng = new Rng(opts?.seed ?? this.defaultSeed, 7);
  }

  get stallMs(): number {
    return this.opts?.stallMs ?? 60000;
  }

  draw(): FaultKind | null {
    if (!this.opts) return null;
    const hit = this.rng.next() < this.opts.rate;
    const kinds = this.opts.kinds && this.opts.kinds.length ? this.opts.kinds : ALL_FAULTS;
    const pick = this.rng.int(kinds.length);
    return hit ? kinds[pick] : null;
  }
}

export const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';
