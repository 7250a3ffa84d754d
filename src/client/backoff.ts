export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {baseMs: 1000, capMs: 30_000};

/**
 * The backoff policy, with an optional tuning knob: `CLOSEIO_BACKOFF_BASE_MS`
 * (a positive number of ms) replaces the 1 s base delay, e.g. to make retries
 * fast in tests against the local sandbox. The cap stays 30 s. Anything else
 * in the variable is ignored.
 */
export function backoffFromEnv(env: NodeJS.ProcessEnv = process.env): BackoffPolicy {
  const raw = env.CLOSEIO_BACKOFF_BASE_MS;
  const base = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(base) || base <= 0) return DEFAULT_BACKOFF;
  return {baseMs: base, capMs: Math.max(base, DEFAULT_BACKOFF.capMs)};
}

/**
 * Capped exponential backoff with "equal jitter": half the delay is fixed so
 * that retries never hammer a struggling server, half is random so that
 * parallel requests that failed together do not retry together.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return exp / 2 + (exp / 2) * random();
}
