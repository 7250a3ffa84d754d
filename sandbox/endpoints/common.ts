import { parseDate } from '../dates';
import { Store } from '../data/store';
import { Range, PageResult } from '../data/sorted-index';
import type { DataSearch } from './data-search';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'object' && body && 'error' in body ? String((body as { error: unknown }).error) : `HTTP ${status}`);
  }
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, { error: message });
}

/**
 * How Close words its skip-cap refusal. Documented (airbytehq/airbyte#20959, the only observed wording):
 * "The skip you set is larger than the maximum skip for this resource (max_skip = N). Please refine your
 * search query." — whether a space or a newline separates the sentences is unknown. FACTS.md reports a newer
 * "less than or equal to" wording that nothing published shows: its exact text here is a GUESS, deliberately
 * without "max_skip", so that a client matching only the documented words is caught.
 */
export type SkipCapWording = 'documented' | 'documented-newline' | 'less-or-equal';

export function skipCapMessage(wording: SkipCapWording, cap: number): string {
  switch (wording) {
    case 'documented-newline':
      return `The skip you set is larger than the maximum skip for this resource (max_skip = ${cap}).\nPlease refine your search query.`;
    case 'less-or-equal':
      return `_skip must be less than or equal to ${cap}. Please refine your search query.`;
    default:
      return `The skip you set is larger than the maximum skip for this resource (max_skip = ${cap}). Please refine your search query.`;
  }
}

/** What the key may see: Close hides old event payloads from non-admins. */
export type KeyRole = 'admin' | 'user';

export interface Ctx {
  store: Store;
  params: URLSearchParams;
  skipCap: number;
  skipCapWording: SkipCapWording;
  keyRole: KeyRole;
  /** refuse an unsupported `_order_by` with a 400 instead of ignoring it as Close's framework does */
  strictOrderBy: boolean;
  /** path after /api/v1, normalised to a trailing slash */
  path: string;
  /** GET (HEAD answers as GET) or POST */
  method?: string;
  /** POST: the parsed JSON body */
  body?: unknown;
  /** POST /data/search/: its cursors and options live as long as the server */
  search?: DataSearch;
}

export interface HandlerResult {
  status: number;
  body: unknown;
}

export type Handler = (ctx: Ctx) => HandlerResult;

export const ok = (body: unknown): HandlerResult => ({ status: 200, body });

// Close's REST framework (closeio/flask-mongorest) words parameter errors this way.
function parseIntParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw badRequest(`${name} must be an integer (got "${raw}" instead).`);
  return parseInt(raw, 10);
}

export interface Paging {
  skip: number;
  limit: number;
}

export function paging(ctx: Ctx, maxLimit: number, defaultLimit = 100): Paging {
  let limit = parseIntParam(ctx.params, '_limit') ?? defaultLimit;
  if (limit > maxLimit) {
    throw badRequest(`The limit you set is larger than the maximum limit for this resource (max_limit = ${maxLimit}).`);
  }
  // What Close does with _limit=0 or a negative one is UNDOCUMENTED: the default applies.
  if (limit <= 0) limit = defaultLimit;
  const skip = parseIntParam(ctx.params, '_skip') ?? 0;
  if (skip < 0) throw badRequest(`_skip must be a non-negative integer (got "${ctx.params.get('_skip')}" instead).`);
  if (skip > ctx.skipCap) throw badRequest(skipCapMessage(ctx.skipCapWording, ctx.skipCap));
  return { skip, limit };
}

/**
 * An `_order_by` value: the field and direction if it is one the endpoint
 * supports, else null — Close's framework ignores values outside its allowed
 * orderings (default order), the sandbox refuses them when strict.
 */
export function orderBy<F extends string>(ctx: Ctx, allowed: readonly F[]): { field: F; desc: boolean } | null {
  const raw = ctx.params.get('_order_by');
  if (!raw) return null;
  const desc = raw.startsWith('-');
  const field = raw.replace(/^[-+]/, '') as F;
  if (allowed.includes(field)) return { field, desc };
  if (ctx.strictOrderBy) throw badRequest(`Invalid _order_by: ${raw}`);
  return null;
}

const OPS = ['gt', 'gte', 'lt', 'lte'] as const;

/** Reads field__gt/gte/lt/lte filters; undefined bounds are absent. */
export function dateRange(params: URLSearchParams, field: string): Range {
  const r: Range = {};
  for (const op of OPS) {
    const raw = params.get(`${field}__${op}`);
    if (raw === null) continue;
    const v = parseDate(raw);
    if (v === null) throw badRequest(`Invalid date for ${field}__${op}: ${raw}`);
    r[op] = v;
  }
  return r;
}

/** Narrows a to also satisfy b. */
export function intersect(a: Range, b: Range): Range {
  const out: Range = { ...a };
  if (b.gt !== undefined) out.gt = out.gt === undefined ? b.gt : Math.max(out.gt, b.gt);
  if (b.gte !== undefined) out.gte = out.gte === undefined ? b.gte : Math.max(out.gte, b.gte);
  if (b.lt !== undefined) out.lt = out.lt === undefined ? b.lt : Math.min(out.lt, b.lt);
  if (b.lte !== undefined) out.lte = out.lte === undefined ? b.lte : Math.min(out.lte, b.lte);
  return out;
}

export function listBody<T>(page: PageResult<T>, render: (r: T) => unknown, withTotal: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = { has_more: page.hasMore };
  if (withTotal) body.total_results = page.total;
  body.data = page.items.map(render);
  return body;
}

/** Pages over a small in-memory list kept in a fixed order. */
export function pageArray<T>(items: T[], p: Paging): PageResult<T> {
  return {
    items: items.slice(p.skip, p.skip + p.limit),
    hasMore: p.skip + p.limit < items.length,
    total: items.length,
  };
}

export function boolParam(params: URLSearchParams, name: string): boolean | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw badRequest(`Invalid value for ${name}: ${raw}`);
}

export function notFound(what: string): ApiError {
  return new ApiError(404, { error: `Empty query: ${what} matching query does not exist.` });
}

export function andPreds<T>(preds: ((r: T) => boolean)[]): ((r: T) => boolean) | null {
  if (preds.length === 0) return null;
  if (preds.length === 1) return preds[0];
  return (r) => preds.every((p) => p(r));
}
