import fs from 'node:fs';
import path from 'node:path';
import {Clock} from '../../../src/client/clock';
import {CloseClient, ClientOptions} from '../../../src/client/close-client';
import {HttpRequest, HttpResponse, Transport} from '../../../src/client/transport';
import {parseConfig} from '../../../src/config/config';
import type {StreamContext} from '../../../src/streams/stream-base';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const RECORDED_DIR = path.join(ROOT, 'test_files', 'close-recorded');

/** A clock whose sleep() advances virtual time at once and records how long it was asked to sleep. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += Math.max(0, ms);
  }
  get slept(): number {
    return this.sleeps.reduce((a, b) => a + b, 0);
  }
}

/** mulberry32: deterministic random in [0, 1). */
export function seededRandom(seed = 42): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function res(status: number, body: unknown = '', headers: HttpResponse['headers'] = {}): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {status, headers: {'content-type': 'application/json', ...headers}, body: text};
}

/** A transport that serves a fixed script of answers (or throws Errors) and records every request. */
export function scriptedTransport(script: (HttpResponse | Error | ((req: HttpRequest) => HttpResponse))[]): Transport & {
  requests: HttpRequest[];
} {
  const requests: HttpRequest[] = [];
  const t = (async (req: HttpRequest) => {
    requests.push(req);
    const next = script.shift();
    if (next === undefined) throw new Error(`scriptedTransport: no answer left for ${req.url}`);
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? next(req) : next;
  }) as Transport & {requests: HttpRequest[]};
  t.requests = requests;
  return t;
}

export interface Cassette {
  request: {url: string; method?: string};
  response: {status_code: number; headers: Record<string, string>; body: string};
}

export function loadCassette(name: string): Cassette[] {
  const file = name.endsWith('.json') ? name : `${name}.json`;
  return JSON.parse(fs.readFileSync(path.join(RECORDED_DIR, file), 'utf8'));
}

export function cassetteResponse(c: Cassette): HttpResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.response.headers ?? {})) headers[k.toLowerCase()] = v;
  return {status: c.response.status_code, headers, body: c.response.body};
}

function pathOf(url: string): string {
  return new URL(url).pathname.replace(/^\/api\/v1/, '');
}

/**
 * Replays recorded cassettes as a Transport: a request is answered by the next
 * unused recorded exchange with the same path (after /api/v1); once all of a
 * path's exchanges are used, the last one keeps being served.
 */
export function replayTransport(...names: string[]): Transport & {requests: HttpRequest[]} {
  return replayTransportWith({}, ...names);
}

/** Orders a recorded page's data by a date key, as Close answers a `sort:<key>` query. */
export function sortDataBy(key: string, direction: 'asc' | 'desc' = 'asc'): (body: string) => string {
  return (body) => {
    const parsed = JSON.parse(body);
    if (!Array.isArray(parsed?.data)) return body;
    const sign = direction === 'asc' ? 1 : -1;
    parsed.data = [...parsed.data].sort((a: any, b: any) => sign * (Date.parse(a[key]) - Date.parse(b[key])));
    return JSON.stringify(parsed);
  };
}

/** replayTransport with the recorded bodies passed through mapBody (e.g. to apply the sort a recording's query did not ask for). */
export function replayTransportWith(
  opts: {mapBody?: (body: string, path: string) => string},
  ...names: string[]
): Transport & {requests: HttpRequest[]} {
  const byPath = new Map<string, Cassette[]>();
  for (const name of names) {
    for (const c of loadCassette(name)) {
      const p = pathOf(c.request.url);
      byPath.set(p, [...(byPath.get(p) ?? []), c]);
    }
  }
  const used = new Map<string, number>();
  const requests: HttpRequest[] = [];
  const t = (async (req: HttpRequest) => {
    requests.push(req);
    const p = pathOf(req.url);
    const list = byPath.get(p);
    if (!list) throw new Error(`replayTransport: nothing recorded for ${p}`);
    const i = used.get(p) ?? 0;
    used.set(p, i + 1);
    const r = cassetteResponse(list[Math.min(i, list.length - 1)]);
    return opts.mapBody ? {...r, body: opts.mapBody(r.body, p)} : r;
  }) as Transport & {requests: HttpRequest[]};
  t.requests = requests;
  return t;
}

export const API_KEY = 'api_3xAmPLEs3cr3tK3yV4lu3';
export const API_KEY_BASIC = Buffer.from(`${API_KEY}:`).toString('base64');

export function newClient(
  transport: Transport,
  clock: FakeClock = new FakeClock(),
  overrides: Partial<ClientOptions> = {}
): CloseClient {
  return new CloseClient({
    apiUrl: 'https://api.close.com/api/v1',
    apiKey: API_KEY,
    timeoutMs: 60_000,
    maxRetries: 5,
    maxRateLimitWaitMs: 900_000,
    clock,
    random: seededRandom(7),
    transport,
    ...overrides,
  });
}

export const silentLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  trace: () => undefined,
};

/** A clock whose sleeps stay pending until the test advances time. */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  private pending: {until: number; resolve: () => void}[] = [];
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) => this.pending.push({until: this.t + Math.max(0, ms), resolve}));
  }
  get waiting(): number {
    return this.pending.length;
  }
  /** Moves time to the earliest pending sleep and ends it; false when nothing sleeps. */
  advanceToNext(): boolean {
    if (this.pending.length === 0) return false;
    this.advance(Math.min(...this.pending.map((p) => p.until)) - this.t);
    return true;
  }
  advance(ms: number): void {
    this.t += ms;
    const due = this.pending.filter((p) => p.until <= this.t);
    this.pending = this.pending.filter((p) => p.until > this.t);
    for (const p of due) p.resolve();
  }
}

/** Lets every queued promise callback run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** A stream context for tests that build streams without reading Close: every request answers 500. */
export function offlineContext(): StreamContext {
  return {
    client: newClient(async () => ({status: 500, headers: {}, body: ''}), new FakeClock()),
    config: parseConfig({api_key: API_KEY}),
    syncStartedAt: 1_700_000_000_000_000,
    now: () => 1_700_000_000_000_000,
    logger: silentLogger as any,
  };
}
