import {BackoffPolicy, backoffDelayMs} from './backoff';
import {Clock} from './clock';
import {RateLimitInfo} from './rate-limit-headers';

/** Close's organization limit is this many times the per-key (per endpoint group) limit. */
export const ORG_LIMIT_MULTIPLIER = 3;
/** The share of the organization limit the connector plans to use (see orgLimit). */
const ORG_SHARE = 0.8;
/**
 * Requests per window before Close has told any limit: a sync starts a dozen
 * streams at once, and their first requests should not all arrive together.
 */
export const SLOW_START_BUDGET = 10;
/**
 * Requests a group may have in flight before any of its answers came back: a
 * polite slow start, since Close's limits are per endpoint group and unknown
 * until the group's first answer. Each HTTP answer lets one more go (one
 * round trip doubles the allowance, as TCP's slow start does); a 429 drops
 * the group back to this. A network failure is no answer: it changes nothing.
 */
export const SLOW_START_IN_FLIGHT = 1;

/**
 * Slack for timing noise between our clock and Close's counters (network
 * jitter, a busy event loop): windows are treated as this much longer, and
 * waits end this much after the reset.
 */
const MARGIN_MS = 25;

/** Request start times within the last window, oldest first. */
class StartLog {
  private times: number[] = [];
  private head = 0;

  record(now: number): void {
    this.times.push(now);
  }

  /** Forgets starts older than the window; returns how many remain. */
  countSince(since: number): number {
    while (this.head < this.times.length && this.times[this.head] <= since) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  /** The start that has to leave the window before `budget` requests fit again. */
  oldestBlocking(budget: number): number | undefined {
    const inWindow = this.times.length - this.head;
    if (inWindow < budget) return undefined;
    return this.times[this.head + inWindow - budget];
  }
}

interface GroupState {
  /** The group's limit per window, from Close's `limit=`. */
  limit?: number;
  /** Requests Close said were left in the window, as of the latest answer. */
  remaining?: number;
  /** When that window ends (clock ms). */
  resetAt?: number;
  /** Requests started since that answer: they count against `remaining`. */
  startedSinceUpdate: number;
  /** Set by a 429: nobody in the group sends before this (clock ms). */
  blockedUntil?: number;
  inFlight: number;
  /** How many may be in flight at once during slow start; undefined once the group's limit is known. */
  allowance?: number;
  /** 429s in a row without a usable wait hint: the exponent of their backoff. */
  hintless: number;
  /**
   * The latest window Close described: the earliest bound of its end and the
   * fewest requests it said were left. Kept after it ends, so that late
   * answers about it are recognised.
   */
  window?: {end: number; remaining: number; lastSent: number};
  /** Requests waiting for an in-flight slot (slow start). */
  waiting: (() => void)[];
  starts: StartLog;
}

/**
 * Paces requests so that the connector waits for Close's rate-limit windows
 * instead of running into 429s, with several requests in flight:
 * - per endpoint group, at most `limit` requests in any window (the window
 *   length is learned from the largest `reset` Close announced, 1 s at least),
 *   and never more than the `remaining` Close last reported;
 * - across groups, at most ORG_LIMIT_MULTIPLIER × the largest group limit per
 *   window, Close's organization limit (SLOW_START_BUDGET until the first
 *   answer, none when answers announce no limit);
 * - after a 429, the group (or everything, for an organization 429) waits
 *   until Close says the window resets.
 * A 429 remains the backstop.
 */
export class RateLimiter {
  private readonly groups = new Map<string, GroupState>();
  private readonly orgStarts = new StartLog();
  private windowMs = 1000;
  private orgBlockedUntil = 0;
  /** Whether any answer came back yet. */
  private answered = false;

  constructor(private readonly clock: Clock) {}

  private group(name: string): GroupState {
    let g = this.groups.get(name);
    if (!g) {
      g = {startedSinceUpdate: 0, inFlight: 0, allowance: SLOW_START_IN_FLIGHT, hintless: 0, waiting: [], starts: new StartLog()};
      this.groups.set(name, g);
    }
    return g;
  }

  private orgLimit(): number {
    let max: number | undefined;
    for (const g of this.groups.values()) if (g.limit !== undefined) max = Math.max(max ?? 0, g.limit);
    // 20% below the organization's limit: it is shared by every group, so the
    // bursts that timing noise makes (a busy event loop at the start of a sync
    // sends requests later than it counted them) are more likely to meet there;
    // with 10% the start bench met it twice in its first 10 s.
    if (max !== undefined) return Math.floor(max * ORG_LIMIT_MULTIPLIER * ORG_SHARE);
    // No limit announced: hold back only until the first answer shows there is none to announce.
    return this.answered ? Infinity : SLOW_START_BUDGET;
  }

  /** How long the next request of this group must wait, in ms (0 = go). */
  delayFor(name: string): number {
    const g = this.group(name);
    const now = this.clock.now();
    let until = Math.max(g.blockedUntil ?? 0, this.orgBlockedUntil);
    const span = this.windowMs + MARGIN_MS;
    const since = now - span;
    if (g.limit !== undefined && g.starts.countSince(since) >= g.limit) {
      until = Math.max(until, (g.starts.oldestBlocking(g.limit) ?? now) + span);
    }
    const org = this.orgLimit();
    if (this.orgStarts.countSince(since) >= org) {
      until = Math.max(until, (this.orgStarts.oldestBlocking(org) ?? now) + span);
    }
    if (g.remaining !== undefined && g.resetAt !== undefined && g.resetAt > now && g.startedSinceUpdate >= g.remaining) {
      until = Math.max(until, g.resetAt);
    }
    return Math.max(0, until - now);
  }

  /** Waits for a slot, then counts the request as started. Returns the ms waited for Close's limits. */
  async acquire(name: string): Promise<number> {
    let waited = 0;
    const slot = this.group(name);
    // Both conditions must hold at the same moment: a request that waited for
    // time checks the slow-start allowance again, and the other way round.
    for (;;) {
      if (slot.allowance !== undefined && slot.inFlight >= slot.allowance) {
        // Slow start: wait for an answer of this group (it wakes us), not a time.
        // Not counted as waited: Close did not ask for it (max_rate_limit_wait is about Close's waits).
        await new Promise<void>((resolve) => slot.waiting.push(resolve));
        continue;
      }
      const delay = this.delayFor(name);
      if (delay <= 0) break;
      // Past the reset by a margin, so that Close's window has really rolled over.
      await this.clock.sleep(delay + MARGIN_MS);
      waited += delay + MARGIN_MS;
      const g = this.group(name);
      if (g.resetAt !== undefined && g.resetAt <= this.clock.now()) {
        // The announced window is over: its count no longer applies.
        g.remaining = undefined;
        g.resetAt = undefined;
        g.startedSinceUpdate = 0;
      }
    }
    const g = this.group(name);
    const now = this.clock.now();
    g.startedSinceUpdate++;
    g.inFlight++;
    // Forget starts that left the window, also for groups without a known limit.
    g.starts.countSince(now - this.windowMs - MARGIN_MS);
    g.starts.record(now);
    this.orgStarts.record(now);
    return waited;
  }

  /**
   * Records a finished request and what its answer said about the limit;
   * `learnLimit` is false for errors, whose header may describe another limit.
   * `sentAt` is when the request left: Close counted it on arrival, so the
   * window it reports ends `reset` after the arrival, not after the answer —
   * a request sent `reset` after `sentAt` arrives in the next window.
   */
  release(name: string, info: RateLimitInfo | undefined, learnLimit = true, sentAt = this.clock.now()): void {
    const g = this.group(name);
    g.inFlight = Math.max(0, g.inFlight - 1);
    if (learnLimit) {
      this.answered = true;
      g.hintless = 0;
      if (g.allowance !== undefined) g.allowance++;
    }
    if (learnLimit && info?.limit !== undefined && info.limit > 0) {
      g.limit = info.limit;
      // The limit is known: pacing by it (and by `remaining`) replaces the slow start.
      g.allowance = undefined;
    }
    this.wakeWaiting(g);
    if (info?.resetSeconds !== undefined && info.resetSeconds > 0) {
      this.windowMs = Math.max(this.windowMs, Math.ceil(info.resetSeconds) * 1000);
    }
    if (info?.remaining === undefined || info.resetSeconds === undefined) return;
    // Close may round `reset` up to whole seconds (the docs' example), so each
    // answer only bounds its window's end from above, and answers to requests
    // sent late in a window put that bound up to a second past the real end:
    // within one window the earliest bound holds. An answer that comes back
    // after that bound, about a request sent before it, describes a window
    // that is over: taking its `remaining=0` for the next window held a group
    // at 6–7 requests/s of its 10 (issue 11).
    // One window counts down: an answer with fewer left than the window's
    // latest belongs to it; one with as many or more, about a request sent
    // before that latest, was counted earlier (answers can cross); anything
    // else is a new window. Equal counts are never the same window: taking
    // them so let a new window inherit an old, earlier end (429s at the start).
    const bound = sentAt + info.resetSeconds * 1000;
    const w = g.window;
    if (w && sentAt < w.end && info.remaining < w.remaining) {
      w.end = Math.min(w.end, bound);
      w.remaining = info.remaining;
      w.lastSent = Math.max(w.lastSent, sentAt);
      if (w.end <= this.clock.now()) return;
    } else if (w && info.remaining >= w.remaining && sentAt < w.lastSent) {
      return;
    } else {
      g.window = {end: bound, remaining: info.remaining, lastSent: sentAt};
    }
    g.remaining = info.remaining;
    g.resetAt = g.window!.end;
    // Requests still in flight were probably counted by Close after this one.
    g.startedSinceUpdate = g.inFlight;
  }

  /**
   * A request that got no answer (network failure, timeout): it frees its
   * slot, and teaches nothing — neither a limit nor that Close is reachable,
   * so slow start goes on as before.
   */
  failed(name: string): void {
    const g = this.group(name);
    g.inFlight = Math.max(0, g.inFlight - 1);
    this.wakeWaiting(g);
  }

  /**
   * A 429 that says nothing usable about how long to wait (Retry-After: 0, no
   * RateLimit reset, no rate_reset): the group backs off exponentially (capped,
   * jittered) by how many such 429s it had since its last success — a count
   * of the group, not of one request, so that every request of a stuck group
   * waits longer and longer, together. Returns the wait, ms.
   */
  hintless429(name: string, policy: BackoffPolicy, random: () => number): number {
    const g = this.group(name);
    g.hintless++;
    return backoffDelayMs(g.hintless, policy, random);
  }

  /** A 429 drops the group back to slow start: whatever it thought it could send was too much. */
  throttled(name: string): void {
    const g = this.group(name);
    g.allowance = SLOW_START_IN_FLIGHT;
  }

  /** Wakes as many waiting requests as the allowance has room for; each checks again when it runs. */
  private wakeWaiting(g: GroupState): void {
    const free = g.allowance === undefined ? g.waiting.length : Math.max(0, g.allowance - g.inFlight);
    for (const fn of g.waiting.splice(0, free)) fn();
  }

  /** A 429 for the group: hold it until Close says the window resets. */
  block(name: string, waitMs: number): void {
    const g = this.group(name);
    const until = this.clock.now() + waitMs;
    g.blockedUntil = Math.max(g.blockedUntil ?? 0, until);
    g.remaining = 0;
    g.resetAt = until;
    g.startedSinceUpdate = 0;
  }

  /** A 429 on the organization limit: every group waits. */
  blockAll(waitMs: number): void {
    this.orgBlockedUntil = Math.max(this.orgBlockedUntil, this.clock.now() + waitMs);
  }
}
