import {Clock} from './clock';
import {RateLimitInfo} from './rate-limit-headers';

interface GroupState {
  /** Requests Close said were left in the window, as of the latest answer. */
  remaining?: number;
  /** When that window ends (clock ms). */
  resetAt?: number;
  /** Requests started since that answer: they count against `remaining`. */
  startedSinceUpdate: number;
  /** Set by a 429: nobody in the group sends before this (clock ms). */
  blockedUntil?: number;
  inFlight: number;
}

/**
 * Paces requests per Close endpoint group from the RateLimit headers, so that
 * the connector waits for the window to reset instead of running into 429s.
 * Before any header is seen, or once the announced window has passed, requests
 * go out freely; a 429 still works as the backstop.
 */
export class RateLimiter {
  private readonly groups = new Map<string, GroupState>();

  constructor(private readonly clock: Clock) {}

  private group(name: string): GroupState {
    let g = this.groups.get(name);
    if (!g) {
      g = {startedSinceUpdate: 0, inFlight: 0};
      this.groups.set(name, g);
    }
    return g;
  }

  /** How long the next request of this group must wait, in ms (0 = go). */
  delayFor(name: string): number {
    const g = this.group(name);
    const now = this.clock.now();
    if (g.blockedUntil !== undefined && g.blockedUntil > now) return g.blockedUntil - now;
    if (g.remaining === undefined || g.resetAt === undefined) return 0;
    if (g.resetAt <= now) return 0;
    if (g.startedSinceUpdate < g.remaining) return 0;
    return g.resetAt - now;
  }

  /** Waits for a slot, then counts the request as started. Returns the ms waited. */
  async acquire(name: string): Promise<number> {
    let waited = 0;
    for (;;) {
      const delay = this.delayFor(name);
      if (delay <= 0) break;
      // A few ms past the reset so that Close's window has really rolled over.
      await this.clock.sleep(delay + 5);
      waited += delay + 5;
      const g = this.group(name);
      const now = this.clock.now();
      if (g.resetAt !== undefined && g.resetAt <= now) {
        // The window rolled over: the old count no longer applies.
        g.remaining = undefined;
        g.resetAt = undefined;
        g.startedSinceUpdate = 0;
      }
    }
    const g = this.group(name);
    g.startedSinceUpdate++;
    g.inFlight++;
    return waited;
  }

  /** Records a finished request and what its answer said about the limit. */
  release(name: string, info: RateLimitInfo | undefined): void {
    const g = this.group(name);
    g.inFlight = Math.max(0, g.inFlight - 1);
    if (info?.remaining === undefined || info.resetSeconds === undefined) return;
    g.remaining = info.remaining;
    g.resetAt = this.clock.now() + info.resetSeconds * 1000;
    // Requests still in flight were probably counted by Close after this one.
    g.startedSinceUpdate = g.inFlight;
  }

  /** A 429: hold the whole group until Close says the window resets. */
  block(name: string, waitMs: number): void {
    const g = this.group(name);
    const until = this.clock.now() + waitMs;
    g.blockedUntil = Math.max(g.blockedUntil ?? 0, until);
    g.remaining = 0;
    g.resetAt = until;
    g.startedSinceUpdate = 0;
  }
}
