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

export interface Ctx {
  store: Store;
  params: URLSearchParams;
  skipCap: number;
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

function parseIntParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw badRequest(`Invalid value for ${name}: ${raw}`);
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
  if (limit <= 0) limit = defaultLimit;
  const skip = Math.max(0, parseIntParam(ctx.params, '_skip') ?? 0);
  if (skip > ctx.skipCap) {
    throw badRequest(
      `The skip you set is larger than the maximum skip for this resource (max_skip = ${ctx.skipCap}). Please refine your search query.`,
    );
  }
  return { skip, limit };
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
