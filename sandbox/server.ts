import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { Mutator } from './data/mutate';
import { Store } from './data/store';
import { ApiError, Ctx, HandlerResult, KeyRole, SkipCapWording } from './endpoints/common';
import { sameCursor } from './endpoints/events';
import { DataSearch, DataSearchOptions } from './endpoints/data-search';
import { methodAllowed, route } from './endpoints/router';
import { FaultInjector, HTML_502 } from './faults';
import { LiveChanges } from './live';
import { Oracle } from './oracle';
import { RateDecision, RateLimiter, rateLimitHeader } from './rate-limit';
import { RefusalRules, Refusals } from './refusals';
import { tooManyBody } from './rate-limit-answer';
import { Scripts } from './scripts';
import { Stats } from './stats';
import { FaultKind, FaultOptions, LiveOptions, Mutation, RateLimitOptions, STREAM_NAMES, StreamName } from './types';

const API_PREFIX = '/api/v1';
const UNAUTHORIZED =
  "The server could not verify that you are authorized to access the URL requested.  You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.";

export interface ServerConfig {
  apiKey: string;
  latencyMs: number;
  skipCap: number;
  skipCapWording: SkipCapWording;
  keyRole: KeyRole;
  strictOrderBy: boolean;
}

type Headers = Record<string, string>;

export class SandboxServer {
  readonly http: http.Server;
  readonly stats = new Stats();
  readonly scripts = new Scripts();
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly mutator: Mutator;
  readonly live: LiveChanges;
  readonly oracle: Oracle;
  readonly search: DataSearch;
  readonly refusals: Refusals;
  private rateLimitOpts: RateLimitOptions | null;
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    readonly store: Store,
    readonly cfg: ServerConfig,
    rateLimit: RateLimitOptions | null,
    faults: FaultOptions | null,
    search: DataSearchOptions = {},
    refuse: RefusalRules = {},
  ) {
    this.refusals = new Refusals(refuse);
    this.limiter = new RateLimiter(rateLimit);
    this.rateLimitOpts = rateLimit;
    this.search = new DataSearch(search);
    this.faults = new FaultInjector(faults, store.w.seed);
    this.mutator = new Mutator(store);
    this.live = new LiveChanges(this.mutator, store.w.seed);
    this.oracle = new Oracle(store);
    this.http = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          this.sendJson(res, 500, { error: `Sandbox error: ${err instanceof Error ? err.message : String(err)}` });
        } else {
          res.destroy();
        }
      });
    });
    // Clients keep connections open between pages; a short server idle timeout
    // would race their reuse and surface as spurious ECONNRESETs.
    this.http.keepAliveTimeout = 65_000;
    this.http.headersTimeout = 66_000;
    this.http.requestTimeout = 0;
  }

  listen(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, '127.0.0.1', () => {
        const addr = this.http.address() as AddressInfo;
        resolve(`http://127.0.0.1:${addr.port}`);
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private sendRaw(res: http.ServerResponse, status: number, body: string, headers: Headers): void {
    res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  }

  private sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
    this.sendRaw(res, status, body === undefined ? '' : JSON.stringify(body), { 'Content-Type': 'application/json', ...headers });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname.startsWith('/_sandbox/')) return this.control(req, res, url);

    let path = url.pathname.startsWith(API_PREFIX + '/') ? url.pathname.slice(API_PREFIX.length) : null;
    if (path !== null && !path.endsWith('/')) path += '/';
    const group = path ? path.split('/')[1] || 'root' : 'unknown';
    this.stats.begin(group);
    res.on('close', () => this.stats.end(group));
    const respond = (status: number, body: unknown, headers: Headers = {}): void => {
      this.stats.status(status);
      this.sendJson(res, status, body, headers);
    };

    if (this.cfg.latencyMs > 0) await this.sleep(this.cfg.latencyMs);
    if (res.destroyed) return;

    const method = req.method ?? 'GET';
    let body: unknown;
    let unparsable = false;
    if (method === 'POST' && path && methodAllowed(path, method)) {
      try {
        body = await this.readBody(req);
      } catch {
        unparsable = true;
      }
    }
    const cfg = this.cfg;
    const ctx: Ctx | null = path
      ? {
          store: this.store,
          params: url.searchParams,
          skipCap: cfg.skipCap,
          skipCapWording: cfg.skipCapWording,
          keyRole: cfg.keyRole,
          strictOrderBy: cfg.strictOrderBy,
          path,
          method,
          body,
          search: this.search,
        }
      : null;
    // A faulted request has no effect at all: it is decided before rate limits and scripts count it.
    const fault = this.faults.draw();
    if (fault) {
      this.stats.fault();
      return this.applyFault(fault, req, res, ctx);
    }
    if (!path || !ctx) {
      return respond(404, { error: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.' });
    }
    if (!this.authorized(req)) return respond(401, { error: UNAUTHORIZED });
    if (!methodAllowed(path, method)) return respond(405, { error: 'The method is not allowed for the requested URL.' });

    const decision = this.limiter.check(group, Date.now());
    const resetFormat = this.rateLimitOpts?.resetFormat;
    const rlHeaders: Headers = decision ? { RateLimit: rateLimitHeader(decision, resetFormat) } : {};
    if (decision && !decision.allowed) return this.tooMany(decision, group, res);
    // Flask parses a body only when the handler reads it: after authentication and rate limiting, as any request.
    // GUESS: werkzeug's answer to a body it cannot parse.
    if (unparsable) return respond(400, { error: 'The browser (or proxy) sent a request that this server could not understand.' }, rlHeaders);

    const script = this.scripts.match(path);
    // A refused endpoint answers the refusal whatever the parameters; a script (a test's one-off answer) comes first.
    const refusal = script ? null : this.refusals.match(path);
    if (refusal) return respond(refusal.status, refusal.body, rlHeaders);
    if (script && 'status' in script) {
      this.stats.status(script.status);
      return this.sendRaw(res, script.status, script.body, { 'Content-Type': 'application/json', ...rlHeaders, ...(script.headers ?? {}) });
    }
    if (script && 'hasMoreEmptyPage' in script) {
      const body = path === '/event/' ? { data: [], cursor_next: sameCursor(ctx), cursor_previous: null } : { has_more: true, data: [] };
      return respond(200, body, rlHeaders);
    }
    const result = this.run(ctx, script && 'dropField' in script ? script.dropField : null);
    respond(result.status, result.body, rlHeaders);
    // The answer is built: changes made now fall between this request and the next.
    this.live.servedRequest(path, servedIds(result.body));
  }

  /** A 429 as Close sends it: RateLimit and Retry-After (whole seconds, rounded up), and the deprecated body. */
  private tooMany(d: RateDecision, group: string, res: http.ServerResponse): void {
    this.stats.status(429);
    const body = tooManyBody(d, group, this.rateLimitOpts?.body);
    this.sendRaw(res, 429, body, {
      'Content-Type': 'application/json',
      RateLimit: rateLimitHeader(d, this.rateLimitOpts?.resetFormat),
      'Retry-After': String(Math.max(1, Math.ceil(d.reset))),
    });
  }

  /** Runs the handler and applies `_fields` and scripted field drops. */
  private run(ctx: Ctx, dropField: string | null): HandlerResult {
    let result: HandlerResult;
    try {
      result = route(ctx);
    } catch (err) {
      if (err instanceof ApiError) return { status: err.status, body: err.body };
      throw err;
    }
    const fieldsParam = ctx.params.get('_fields');
    const fields = fieldsParam ? fieldsParam.split(',').map((f) => f.trim()).filter(Boolean) : null;
    if (result.status !== 200 || (!fields && !dropField)) return result;
    const shape = (obj: Record<string, unknown>): Record<string, unknown> => {
      let out = obj;
      if (fields) {
        out = {};
        for (const f of fields) if (f in obj) out[f] = obj[f];
        // Documented for leads: "specify `custom` to show all custom fields" (the custom.cf_… keys).
        if (fields.includes('custom')) for (const k of Object.keys(obj)) if (k.startsWith('custom.')) out[k] = obj[k];
      }
      if (dropField) delete out[dropField];
      return out;
    };
    const body = result.body as Record<string, unknown>;
    if (Array.isArray(body.data)) body.data = (body.data as Record<string, unknown>[]).map(shape);
    else result.body = shape(body);
    return result;
  }

  private authorized(req: http.IncomingMessage): boolean {
    const h = req.headers.authorization;
    if (!h) return false;
    const [scheme, value] = h.split(/\s+/, 2);
    if (!value) return false;
    if (/^bearer$/i.test(scheme)) return value === this.cfg.apiKey;
    if (!/^basic$/i.test(scheme)) return false;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
    return user === this.cfg.apiKey;
  }

  private applyFault(kind: FaultKind, req: http.IncomingMessage, res: http.ServerResponse, ctx: Ctx | null): void {
    switch (kind) {
      case 'status500':
        this.stats.status(500);
        return this.sendJson(res, 500, { error: 'Internal server error. Please try again later.' });
      case 'status502':
        this.stats.status(502);
        return this.sendRaw(res, 502, HTML_502, { 'Content-Type': 'text/html' });
      case 'status503':
        this.stats.status(503);
        return this.sendJson(res, 503, { error: 'Service temporarily unavailable. Please try again later.' });
      case 'status504':
        // recorded: a gateway timeout arrives with an empty body
        this.stats.status(504);
        return this.sendRaw(res, 504, '', { 'Content-Type': 'application/json' });
      case 'reset':
        req.socket.destroy();
        return;
      case 'truncated': {
        let body = '{"error": "truncated"}';
        if (ctx && this.authorized(req)) {
          const r = this.run(ctx, null);
          body = JSON.stringify(r.body);
        }
        const buf = Buffer.from(body);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(buf.length) });
        res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.destroy());
        return;
      }
      case 'stall': {
        const t = setTimeout(() => {
          this.timers.delete(t);
          req.socket.destroy();
        }, this.faults.stallMs);
        this.timers.add(t);
        return;
      }
    }
  }

  // ---------------------------------------------------------------- control

  private async readBody(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8').trim();
    return text ? JSON.parse(text) : {};
  }

  private async control(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const p = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    let body: unknown;
    try {
      body = method === 'POST' ? await this.readBody(req) : {};
    } catch {
      return this.sendJson(res, 400, { error: 'Invalid JSON body' });
    }
    const truth = /^\/_sandbox\/truth\/([a-z_]+)$/.exec(p);
    if (truth && method === 'GET') {
      const stream = truth[1] as StreamName;
      if (!STREAM_NAMES.includes(stream)) return this.sendJson(res, 404, { error: `Unknown stream ${stream}` });
      return this.sendJson(res, 200, this.store.truth(stream));
    }
    if (p === '/_sandbox/mutate' && method === 'POST') return this.sendJson(res, 200, this.mutator.apply(body as Mutation));
    if (p === '/_sandbox/live' && method === 'GET') return this.sendJson(res, 200, this.live.status());
    if (p === '/_sandbox/live' && method === 'POST') {
      try {
        this.live.start(body as LiveOptions);
      } catch (err) {
        return this.sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
      }
      return this.sendJson(res, 200, { ok: true });
    }
    if (p === '/_sandbox/live/stop' && method === 'POST') {
      this.live.stop();
      return this.sendJson(res, 200, { ok: true });
    }
    if (p === '/_sandbox/live/rule' && method === 'POST') {
      const rule = body as { afterRequests?: number; path?: string; mutation?: Mutation };
      if (typeof rule.afterRequests !== 'number' || !rule.mutation) {
        return this.sendJson(res, 400, { error: 'A rule needs afterRequests (number) and mutation (object)' });
      }
      this.live.rule({ afterRequests: rule.afterRequests, path: rule.path, apply: rule.mutation });
      return this.sendJson(res, 200, { ok: true });
    }
    if (p === '/_sandbox/mark' && method === 'POST') return this.sendJson(res, 200, this.oracle.mark());
    const oracle = /^\/_sandbox\/oracle\/([a-z_]+)$/.exec(p);
    if (oracle && method === 'GET') {
      const stream = oracle[1] as StreamName;
      if (!STREAM_NAMES.includes(stream)) return this.sendJson(res, 404, { error: `Unknown stream ${stream}` });
      return this.sendJson(res, 200, this.oracleAnswer(stream, url.searchParams));
    }
    if (p === '/_sandbox/stats' && method === 'GET') return this.sendJson(res, 200, this.stats.snapshot());
    if (p === '/_sandbox/reset-stats' && method === 'POST') {
      this.stats.reset();
      return this.sendJson(res, 200, { ok: true });
    }
    if (p === '/_sandbox/config' && method === 'POST') {
      this.configure(body as Record<string, unknown>);
      return this.sendJson(res, 200, { ok: true });
    }
    if (p === '/_sandbox/script' && method === 'POST') {
      const rule = body as { times?: number | null } & Parameters<Scripts['add']>[0];
      // JSON has no Infinity: null or a negative count means "forever"
      if (rule.times === null || (typeof rule.times === 'number' && rule.times < 0)) rule.times = Infinity;
      this.scripts.add(rule);
      return this.sendJson(res, 200, { ok: true });
    }
    if (p === '/_sandbox/clear-scripts' && method === 'POST') {
      this.scripts.clear();
      return this.sendJson(res, 200, { ok: true });
    }
    return this.sendJson(res, 404, { error: 'Unknown sandbox control endpoint' });
  }

  /**
   * GET /_sandbox/oracle/<stream>?from=<seq>&to=<seq> (seqs from POST /_sandbox/mark): ids that existed
   * at `from`, created/updated/deleted between, and the latest version of every record now.
   */
  private oracleAnswer(stream: StreamName, q: URLSearchParams): unknown {
    const at = (name: string) => {
      const seq = Number(q.get(name) ?? NaN);
      return Number.isInteger(seq) ? { seq, us: 0, iso: '' } : undefined;
    };
    const from = at('from') ?? { seq: 0, us: 0, iso: '' };
    const to = at('to');
    const o = this.oracle;
    return {
      existed: [...o.existedAt(stream, from)],
      created: [...o.createdBetween(stream, from, to)],
      updated: [...o.updatedBetween(stream, from, to)],
      deleted: o.deletedBetween(stream, from, to),
      latest: [...o.latest(stream).values()],
    };
  }

  configure(c: Record<string, unknown>): void {
    if ('faults' in c) this.faults.set((c.faults as FaultOptions | null) ?? null);
    if ('rateLimit' in c) this.setRateLimit((c.rateLimit as RateLimitOptions | null) ?? null);
    if (typeof c.latencyMs === 'number') this.cfg.latencyMs = c.latencyMs;
    if (typeof c.skipCap === 'number') this.cfg.skipCap = c.skipCap;
    if (c.search && typeof c.search === 'object') this.search.configure(c.search as DataSearchOptions);
    if (typeof c.skipCapWording === 'string') this.cfg.skipCapWording = c.skipCapWording as SkipCapWording;
    if (c.keyRole === 'admin' || c.keyRole === 'user') this.cfg.keyRole = c.keyRole;
    if (typeof c.strictOrderBy === 'boolean') this.cfg.strictOrderBy = c.strictOrderBy;
    if (c.refuse && typeof c.refuse === 'object') this.refusals.set(c.refuse as RefusalRules);
  }

  setRateLimit(r: RateLimitOptions | null): void {
    this.rateLimitOpts = r;
    this.limiter.set(r);
  }
}

/** The ids of the records an answer carries (a page's data, or one record). */
function servedIds(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const data = (body as { data?: unknown }).data;
  const list = Array.isArray(data) ? data : [body];
  const ids: string[] = [];
  for (const r of list) if (r && typeof r === 'object' && typeof (r as { id?: unknown }).id === 'string') ids.push((r as { id: string }).id);
  return ids;
}
