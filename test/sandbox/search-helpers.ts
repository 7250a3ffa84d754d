import assert from 'node:assert/strict';
import { Sandbox } from '../../sandbox';
import { authHeader } from './helpers';

// Bodies and calls of POST /data/search/ as the connector makes them, for the sandbox's search tests.

export type SearchObject = 'lead' | 'contact';
export type SearchField = 'date_updated' | 'date_created';

export const field = (o: SearchObject, name: string) => ({ type: 'regular_field', object_type: o, field_name: name });
export const moment = (iso: string) => ({ type: 'fixed_utc', value: iso });
export const iso = (micros: number) => new Date(Math.floor(micros / 1000)).toISOString();
export const second = (micros: number) => Math.floor(micros / 1e6) * 1e6;

export interface SearchOpts {
  key?: SearchField;
  gte?: string;
  lt?: string;
  dir?: 'asc' | 'desc';
  sortKey?: SearchField;
  fields?: string[];
  limit?: number;
  extra?: Record<string, unknown>;
}

/** The body the connector sends: one object type, a date range, a sort. */
export function search(o: SearchObject, opts: SearchOpts = {}): Record<string, unknown> {
  const key = opts.key ?? 'date_updated';
  const queries: unknown[] = [{ type: 'object_type', object_type: o }];
  if (opts.gte || opts.lt) {
    queries.push({
      type: 'field_condition',
      field: field(o, key),
      condition: { type: 'moment_range', on_or_after: opts.gte ? moment(opts.gte) : null, before: opts.lt ? moment(opts.lt) : null },
    });
  }
  const body: Record<string, unknown> = {
    query: { type: 'and', queries },
    sort: [{ direction: opts.dir ?? 'asc', field: field(o, opts.sortKey ?? key) }],
    ...opts.extra,
  };
  if (opts.fields) body._fields = { [o]: opts.fields };
  if (opts.limit !== undefined) body._limit = opts.limit;
  return body;
}

export interface Posted {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export async function post(sb: Sandbox, body: unknown, path = '/data/search/', headers: Record<string, string> = authHeader(sb.apiKey)): Promise<Posted> {
  const r = await fetch(sb.url + path, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, body: text ? JSON.parse(text) : undefined };
}

/** Follows cursors to the end; each page must succeed. */
export async function walk(sb: Sandbox, body: Record<string, unknown>): Promise<{ rows: any[]; pages: number }> {
  const rows: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  for (;;) {
    const r = await post(sb, cursor ? { ...body, cursor } : body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    pages++;
    rows.push(...r.body.data);
    cursor = r.body.cursor;
    if (!cursor) return { rows, pages };
  }
}
