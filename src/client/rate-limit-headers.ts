/** What a Close response says about its endpoint group's rate limit. */
export interface RateLimitInfo {
  limit?: number;
  remaining?: number;
  /** Seconds until the window resets. */
  resetSeconds?: number;
}

type Headers = Record<string, string | string[] | undefined>;

/** HTTP header names are case-insensitive; a transport may keep the server's spelling. */
function header(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  let v = headers[name] ?? headers[wanted];
  if (v === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === wanted);
    if (key !== undefined) v = headers[key];
  }
  return Array.isArray(v) ? v[0] : v;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Close's current header is `RateLimit: limit=100, remaining=50, reset=5`;
 * older responses carry `X-Rate-Limit-Limit/-Remaining/-Reset` (recorded in
 * 2017) and 2022 ones `ratelimit-limit`/`ratelimit-reset`. All are read.
 */
export function parseRateLimitHeaders(headers: Headers): RateLimitInfo | undefined {
  const combined = header(headers, 'ratelimit');
  if (combined) {
    const info: RateLimitInfo = {};
    for (const part of combined.split(/[,;]/)) {
      const [k, v] = part.split('=').map((s) => s.trim().toLowerCase());
      if (k === 'limit') info.limit = num(v);
      else if (k === 'remaining') info.remaining = num(v);
      else if (k === 'reset') info.resetSeconds = num(v);
    }
    return info;
  }
  const limit = num(header(headers, 'ratelimit-limit') ?? header(headers, 'x-rate-limit-limit'));
  const remaining = num(header(headers, 'ratelimit-remaining') ?? header(headers, 'x-rate-limit-remaining'));
  const resetSeconds = num(header(headers, 'ratelimit-reset') ?? header(headers, 'x-rate-limit-reset'));
  if (limit === undefined && remaining === undefined && resetSeconds === undefined) return undefined;
  return {limit, remaining, resetSeconds};
}

/**
 * How long a 429 asks us to wait, in ms: the RateLimit header's reset first
 * (it has a fraction), then Retry-After (whole seconds), then the deprecated
 * body field `error.rate_reset` (or top-level `rate_reset`, as recorded).
 */
export function retryAfterMs(headers: Headers, body: string): number | undefined {
  const info = parseRateLimitHeaders(headers);
  if (info?.resetSeconds !== undefined && info.resetSeconds >= 0) return info.resetSeconds * 1000;
  const retryAfter = num(header(headers, 'retry-after'));
  if (retryAfter !== undefined && retryAfter >= 0) return retryAfter * 1000;
  try {
    const parsed = JSON.parse(body);
    const reset = num(String(parsed?.error?.rate_reset ?? parsed?.rate_reset ?? ''));
    if (reset !== undefined && reset >= 0) return reset * 1000;
  } catch {
    // not JSON: no hint
  }
  return undefined;
}
