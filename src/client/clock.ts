/**
 * Time as the client sees it. Tests inject a fake clock so that backoff and
 * rate-limit waits are checked without sleeping for real.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
