export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {baseMs: 1000, capMs: 30_000};

/**
 * Capped exponential backoff with "equal jitter": half the delay is fixed so
 * that retries never hammer a struggling server, half is random so that
 * parallel requests that failed together do not retry together.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exp = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return exp / 2 + (exp / 2) * random();
}
