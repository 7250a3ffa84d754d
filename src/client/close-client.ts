import {FailureType} from '../errors';
import {BackoffPolicy, backoffDelayMs, backoffFromEnv} from './backoff';
import {noteBodySize} from './body-size';
import {Clock, realClock} from './clock';
import {apiError, closeMessageOf, isSkipCapMessage} from './close-errors';
import {RateLimiter} from './rate-limiter';
import {parseRateLimitHeaders, retryAfterMs} from './rate-limit-headers';
import {HttpResponse, NetworkError, Transport, axiosTransport} from './transport';

export interface ClientLogger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface ClientOptions {
  apiUrl: string;
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
  maxRateLimitWaitMs: number;
  clock?: Clock;
  random?: () => number;
  transport?: Transport;
  /** Requests the connector may have in flight at once: the socket pool is at least this large. */
  maxInFlight?: number;
  /** Defaults to 1 s base, 30 s cap; CLOSEIO_BACKOFF_BASE_MS overrides the base (a tuning knob, see backoff.ts). */
  backoff?: BackoffPolicy;
  logger?: ClientLogger;
}

export interface RequestContext {
  /** The stream the request serves, for error messages. */
  stream?: string;
}

export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
  rateLimitWaitMs: number;
}

export type Params = Record<string, string | number | undefined>;

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
/** Seconds for a message: whole seconds, or one decimal below 10 s. */
function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 || Number.isInteger(s) ? String(Math.round(s)) : s.toFixed(1);
}

function parseJson<T>(body: string): {ok: true; value: T} | {ok: false} {
  try {
    return {ok: true, value: JSON.parse(body) as T};
  } catch {
    return {ok: false};
  }
}

/** Waits longer than this are worth a log line: the user should know why the sync is quiet. */
const LOG_WAIT_MS = 5000;

/**
 * Close's REST API as the streams use it: GET (and the search's read-only POST) with Basic auth, JSON answers,
 * retries for what is transient, pacing for rate limits, and errors that say
 * which endpoint failed, with which status and in Close's words — never the key.
 */
export class CloseClient {
  readonly stats: ClientStats = {requests: 0, retries: 0, rateLimited: 0, rateLimitWaitMs: 0};
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly limiter: RateLimiter;
  private readonly transport: Transport;
  private readonly closeTransport: () => void;
  private readonly backoff: BackoffPolicy;

  constructor(private readonly opts: ClientOptions) {
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.limiter = new RateLimiter(this.clock);
    this.backoff = opts.backoff ?? backoffFromEnv();
    if (opts.transport) {
      this.transport = opts.transport;
      this.closeTransport = () => undefined;
    } else {
      const t = axiosTransport(undefined, {maxInFlight: opts.maxInFlight});
      this.transport = t.send;
      this.closeTransport = t.close;
    }
  }

  close(): void {
    this.closeTransport();
  }

  /** Close's rate limits apply per endpoint group; the resource's first path segment stands for it. */
  static groupOf(path: string): string {
    return path.replace(/^\/+/, '').split('/')[0] || 'root';
  }

  async get<T = any>(path: string, params: Params = {}, ctx: RequestContext = {}): Promise<T> {
    return this.request<T>('GET', path, params, undefined, ctx);
  }

  /**
   * A POST that only reads (Close's search, POST /data/search/): retried and paced like a GET,
   * since sending it twice changes nothing. Its endpoint group is its path's, like a GET's.
   */
  async post<T = any>(path: string, body: unknown, ctx: RequestContext = {}): Promise<T> {
    return this.request<T>('POST', path, {}, JSON.stringify(body), ctx);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, params: Params, body: string | undefined, ctx: RequestContext): Promise<T> {
    const endpoint = `${method} ${path}`;
    const where = ctx.stream ? `${endpoint} (stream ${ctx.stream})` : endpoint;
    const group = CloseClient.groupOf(path);
    const query: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined) query[k] = v;
    const shown = body === undefined ? JSON.stringify(query) : body.length > 500 ? `${body.slice(0, 500)}…` : body;

    let attempt = 0;
    let rateLimitWaitedMs = 0;
    const fail = (message: string, failureType: FailureType, status?: number, closeMessage?: string, cause?: Error) =>
      apiError(`${where}: ${message}`, {failureType, endpoint, status, closeMessage, stream: ctx.stream}, cause);

    for (;;) {
      const waited = await this.limiter.acquire(group);
      rateLimitWaitedMs += waited;
      this.stats.rateLimitWaitMs += waited;
      let res: HttpResponse;
      this.stats.requests++;
      const sentAt = this.clock.now();
      try {
        res = await this.transport({
          ...(method === 'POST' ? {method, body} : {}),
          url: `${this.opts.apiUrl}${path}`,
          params: query,
          timeoutMs: this.opts.timeoutMs,
          auth: {username: this.opts.apiKey, password: ''},
        });
      } catch (err) {
        // No answer: the pacer learns nothing from it (see RateLimiter.failed).
        this.limiter.failed(group);
        const reason = err instanceof NetworkError ? err.message : 'request failed';
        this.opts.logger?.debug(`${where} ${shown}: ${reason} after ${this.clock.now() - sentAt} ms`);
        if (attempt < this.opts.maxRetries) {
          attempt = await this.retryAfterBackoff(attempt, where, reason);
          continue;
        }
        throw fail(`${reason}; gave up after ${attempt} retries`, 'transient_error', undefined, undefined, err instanceof Error ? err : undefined);
      }
      // A 429's header describes whichever limit was hit (the organization's, maybe): only a success teaches the group's own limit.
      this.limiter.release(group, parseRateLimitHeaders(res.headers), res.status < 400, sentAt);
      this.opts.logger?.debug(`${where} ${shown}: ${res.status}, ${res.body.length} bytes in ${this.clock.now() - sentAt} ms`);
      const contentType = String(res.headers['content-type'] ?? '');

      if (res.status === 429) {
        this.stats.rateLimited++;
        const hint = retryAfterMs(res.headers, res.body);
        // A 429 that asks for no wait (reset=0, Retry-After: 0) or says nothing would be resent at once, forever:
        // the group backs off exponentially instead, longer with every such 429 in a row.
        const waitMs = hint !== undefined && hint > 0 ? hint : this.limiter.hintless429(group, this.backoff, this.random);
        this.limiter.throttled(group);
        if (rateLimitWaitedMs + waitMs > this.opts.maxRateLimitWaitMs) {
          throw fail(
            `rate limited by Close (429): Close asks to wait ${seconds(waitMs)} s${
              rateLimitWaitedMs > 0 ? ` more, after ${seconds(rateLimitWaitedMs)} s already waited for this request` : ''
            }, longer than max_rate_limit_wait_seconds (${seconds(this.opts.maxRateLimitWaitMs)} s) allows; Close said: ${closeMessageOf(res.body, contentType)}`,
            'transient_error',
            429,
            closeMessageOf(res.body, contentType)
          );
        }
        this.limiter.block(group, waitMs);
        if (/organi[sz]ation/i.test(res.body)) this.limiter.blockAll(waitMs);
        if (waitMs >= LOG_WAIT_MS) {
          this.opts.logger?.info(`${where}: Close's rate limit is reached; waiting ${(waitMs / 1000).toFixed(1)} s as Close asks`);
        }
        // The limiter's acquire() does the waiting and counts it, once.
        continue; // the limiter holds the next attempt until the window resets
      }

      if (res.status >= 200 && res.status < 300) {
        const parsed = parseJson<T>(res.body);
        if (parsed.ok) {
          // Bounded buffers weigh records by the bytes they came from (body-size.ts).
          noteBodySize(parsed.value, res.body.length);
          return parsed.value;
        }
        const reason = `answered ${res.status} with ${
          contentType.includes('json') || !res.body.trim() ? 'a truncated or invalid JSON body' : closeMessageOf(res.body, contentType)
        }`;
        if (attempt < this.opts.maxRetries) {
          attempt = await this.retryAfterBackoff(attempt, where, reason);
          continue;
        }
        throw fail(`${reason}; gave up after ${attempt} retries`, 'system_error', res.status);
      }

      const message = closeMessageOf(res.body, contentType);
      if (RETRYABLE_STATUS.has(res.status)) {
        if (attempt < this.opts.maxRetries) {
          attempt = await this.retryAfterBackoff(attempt, where, `HTTP ${res.status} ${message}`);
          continue;
        }
        throw fail(`Close answered ${res.status} (${message}); gave up after ${attempt} retries`, 'transient_error', res.status, message);
      }
      if (res.status === 401) {
        throw fail(`Close rejected the API key (401): ${message}. Check api_key.`, 'config_error', res.status, message);
      }
      if (res.status === 403) {
        throw fail(`the API key is not allowed to read this (403): ${message}`, 'config_error', res.status, message);
      }
      if (res.status === 400 && isSkipCapMessage(message)) {
        throw fail(`Close refused the page offset (400): ${message}`, 'system_error', res.status, message);
      }
      throw fail(`Close answered ${res.status}: ${message}`, 'system_error', res.status, message);
    }
  }

  private async retryAfterBackoff(attempt: number, where: string, reason: string): Promise<number> {
    const next = attempt + 1;
    const delay = backoffDelayMs(next, this.backoff, this.random);
    this.stats.retries++;
    const log = delay >= LOG_WAIT_MS ? this.opts.logger?.warn : this.opts.logger?.info;
    log?.call(this.opts.logger, `${where}: ${reason}; retry ${next} of ${this.opts.maxRetries} in ${(delay / 1000).toFixed(1)} s`);
    await this.clock.sleep(delay);
    return next;
  }
}
