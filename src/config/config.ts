import Ajv from 'ajv';
import {configError} from '../errors';
import {Micros, MICROS_PER_DAY, fromDate, parseInstant} from '../time/instant';
import {loadSpec} from './spec';

/** The validated config the connector runs with; field names match their use, not spec.json. */
export interface CloseConfig {
  readonly apiKey: string;
  readonly apiUrl: string;
  readonly startDate: Micros;
  readonly lookbackWindowHours: number;
  readonly requestTimeoutMs: number;
  readonly maxRetries: number;
  readonly maxRateLimitWaitMs: number;
  readonly parallelStreams: number;
  readonly requestsPerStream: number;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function validateApiUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw configError(`Invalid config: api_url "${raw}" is not a URL (expected e.g. https://api.close.com/api/v1)`);
  }
  if (url.username || url.password) {
    throw configError('Invalid config: api_url must not contain credentials; put the key in api_key');
  }
  if (url.protocol === 'https:') return raw.replace(/\/+$/, '');
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return raw.replace(/\/+$/, '');
  throw configError(
    `Invalid config: api_url "${url.origin}" must use https (plain http is accepted only for loopback addresses such as the local sandbox), because the API key travels in every request`
  );
}

let validator: ReturnType<Ajv['compile']> | undefined;

function schemaErrors(raw: unknown): string | undefined {
  if (!validator) {
    const ajv = new Ajv({allErrors: true, strict: false});
    validator = ajv.compile(loadSpec().connectionSpecification);
  }
  if (validator(raw)) return undefined;
  return (validator.errors ?? [])
    .map((e) => {
      const field = e.instancePath.replace(/^\//, '') || (e.params as {missingProperty?: string}).missingProperty;
      if (e.keyword === 'pattern') return `${field} does not look like an ISO date or date-time`;
      return `${field ?? 'config'} ${e.message}`;
    })
    .join('; ');
}

function withDefault<T>(raw: Record<string, unknown>, key: string): T {
  const value = raw[key];
  if (value === undefined || value === null || value === '') {
    return loadSpec().connectionSpecification.properties[key].default as T;
  }
  return value as T;
}

/**
 * Validates a user's config before any API call. Every problem names the
 * field, because this message is what the user sees in Airbyte's UI.
 */
export function parseConfig(raw: unknown, now: Date = new Date()): CloseConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw configError('Invalid config: expected a JSON object with at least api_key');
  }
  const cfg = raw as Record<string, unknown>;
  if (typeof cfg.api_key !== 'string' || cfg.api_key.trim() === '') {
    throw configError('Invalid config: api_key is missing or empty; create one in Close under Settings › Developer › API Keys');
  }
  // Empty and null optional fields mean "use the default" (below), as a cleared field in a UI does.
  const problems = schemaErrors(Object.fromEntries(Object.entries(cfg).filter(([, v]) => v !== null && v !== '')));
  if (problems) throw configError(`Invalid config: ${problems}`);

  let startDate: Micros;
  if (cfg.start_date === undefined || cfg.start_date === null || cfg.start_date === '') {
    // Stitch's default: one year of history.
    startDate = fromDate(now) - 365 * MICROS_PER_DAY;
  } else {
    const parsed = parseInstant(cfg.start_date);
    if (parsed === undefined) {
      throw configError(`Invalid config: start_date "${String(cfg.start_date)}" is not a valid ISO date or date-time (e.g. 2024-01-01 or 2024-01-01T00:00:00Z)`);
    }
    startDate = parsed;
  }
  const lookback = withDefault<number>(cfg, 'lookback_window_hours');
  return {
    apiKey: cfg.api_key.trim(),
    apiUrl: validateApiUrl(withDefault<string>(cfg, 'api_url')),
    startDate,
    lookbackWindowHours: lookback,
    requestTimeoutMs: withDefault<number>(cfg, 'request_timeout_seconds') * 1000,
    maxRetries: withDefault<number>(cfg, 'max_retries'),
    maxRateLimitWaitMs: withDefault<number>(cfg, 'max_rate_limit_wait_seconds') * 1000,
    parallelStreams: withDefault<number>(cfg, 'max_parallel_streams'),
    requestsPerStream: withDefault<number>(cfg, 'max_requests_per_stream'),
  };
}
