import { RateLimitOptions } from './types';

interface Window {
  start: number;
  count: number;
}

export interface RateDecision {
  allowed: boolean;
  type: 'key' | 'organization';
  limit: number;
  remaining: number;
  /** seconds until the relevant window resets */
  reset: number;
}

const WINDOW_MS = 1000;

/** Fixed one-second windows per endpoint group plus one organisation-wide window. */
export class RateLimiter {
  private groups = new Map<string, Window>();
  private org: Window = { start: 0, count: 0 };

  constructor(private opts: RateLimitOptions | null) {}

  set(opts: RateLimitOptions | null): void {
    this.opts = opts;
    this.groups.clear();
    this.org = { start: 0, count: 0 };
  }

  get enabled(): boolean {
    return this.opts !== null;
  }

  check(group: string, nowMs: number): RateDecision | null {
    if (!this.opts) return null;
    const limit = Math.max(1, Math.floor(this.opts.perGroupPerSecond));
    const orgLimit = Math.max(1, Math.floor(limit * (this.opts.orgMultiplier ?? 3)));
    let w = this.groups.get(group);
    if (!w || nowMs - w.start >= WINDOW_MS) {
      w = { start: nowMs, count: 0 };
      this.groups.set(group, w);
    }
    if (nowMs - this.org.start >= WINDOW_MS) this.org = { start: nowMs, count: 0 };
    const reset = (win: Window): number => Math.max(0.001, (win.start + WINDOW_MS - nowMs) / 1000);
    if (w.count >= limit) return { allowed: false, type: 'key', limit, remaining: 0, reset: reset(w) };
    if (this.org.count >= orgLimit) return { allowed: false, type: 'organization', limit: orgLimit, remaining: 0, reset: reset(this.org) };
    w.count++;
    this.org.count++;
    return { allowed: true, type: 'key', limit, remaining: limit - w.count, reset: reset(w) };
  }
}

/**
 * Close's header (docs example `RateLimit: limit=100, remaining=50, reset=5`; Close's own client parses
 * whole numbers): `reset` in whole seconds, rounded up so it never promises room too early. `fraction`
 * gives milliseconds instead, as the 2017 `X-Rate-Limit-Reset: 14.510896` did.
 */
export function rateLimitHeader(d: RateDecision, reset: RateLimitOptions['resetFormat'] = 'whole'): string {
  const value = reset === 'fraction' ? d.reset.toFixed(3) : String(Math.max(1, Math.ceil(d.reset)));
  return `limit=${d.limit}, remaining=${d.remaining}, reset=${value}`;
}
