// The request body of POST /api/v1/data/search/ (Close's Advanced Filtering API), parsed into
// what the sandbox can run. Only the subset the connector uses is implemented; everything else
// is refused with a 400 that says it is the sandbox's limit, so a test never passes on a query
// the sandbox silently misread.
//
// Documented (https://developer.close.com/api/resources/advanced-filtering): POST with a JSON
// body; `query` is a tree of typed nodes (`and` with `queries`, `object_type`, `field_condition`
// on a `regular_field` whose object_type must match the objects searched); `cursor` and `_limit`
// in the body page the results (https://developer.close.com/api/overview/pagination).
// Not in the docs we could read, taken from public clients (see /work/notes/data-search.md §1–3),
// so GUESSES: the `moment_range` condition with `on_or_after`/`before` and `fixed_utc` moments,
// the `sort` shape, `_fields` as {object_type: [names]}, `include_counts`, `results_limit`.
import { parseDate, US_PER_SEC } from '../dates';
import { Range } from '../data/sorted-index';
import { ApiError, badRequest } from './common';

export type SearchObjectType = 'lead' | 'contact';
export type SearchDateField = 'date_updated' | 'date_created';

export const SEARCH_OBJECT_TYPES: readonly SearchObjectType[] = ['lead', 'contact'];
const DATE_FIELDS: readonly SearchDateField[] = ['date_updated', 'date_created'];

export interface SearchSort {
  field: SearchDateField;
  desc: boolean;
}

export interface SearchRequest {
  objectType: SearchObjectType;
  /** µs bounds, already cut to whole seconds: gte from on_or_after, lt from before. */
  ranges: Record<SearchDateField, Range>;
  sort: SearchSort[];
  /** null: `_fields` absent for this object type (Close then answers ids only). */
  fields: string[] | null;
  limit: number;
  cursor: string | null;
  includeCounts: boolean;
  resultsLimit: number | null;
  /** The body without `cursor`, canonical: a cursor only continues the query that issued it. */
  signature: string;
}

export interface SearchLimits {
  maxLimit: number;
  defaultLimit: number;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(message: string): ApiError {
  // GUESS: Close's body for a malformed search is not recorded anywhere; {"error": ...} is its usual 400 shape.
  return badRequest(message);
}

function notImplemented(what: string): ApiError {
  return badRequest(
    `Sandbox: ${what} is not implemented in POST /data/search/ (it supports and, object_type lead/contact, field_condition with moment_range on date_updated/date_created, sort on those fields)`,
  );
}

/** GUESS (notes §1): Close's own clients send whole seconds; the sandbox applies every bound at whole seconds, cutting any fraction. */
function momentOf(raw: unknown, where: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw invalid(`${where}: a moment must be an object`);
  if (raw.type !== 'fixed_utc') throw notImplemented(`moment type ${JSON.stringify(raw.type)} in ${where}`);
  if (typeof raw.value !== 'string') throw invalid(`${where}: fixed_utc needs a string value`);
  const us = parseDate(raw.value);
  if (us === null) throw invalid(`${where}: invalid date-time ${JSON.stringify(raw.value)}`);
  return Math.floor(us / US_PER_SEC) * US_PER_SEC;
}

interface Collected {
  objectTypes: Set<string>;
  conditions: { objectType: string; field: SearchDateField; gte?: number; lt?: number }[];
}

function collect(node: unknown, out: Collected, depth: number): void {
  if (depth > 20) throw invalid('query: nested too deeply');
  if (!isObject(node)) throw invalid('query: every node must be an object with a "type"');
  if (node.negate === true) throw notImplemented('"negate": true');
  switch (node.type) {
    case 'and': {
      if (!Array.isArray(node.queries)) throw invalid('query: an "and" node needs a "queries" list');
      for (const q of node.queries) collect(q, out, depth + 1);
      return;
    }
    case 'object_type': {
      if (typeof node.object_type !== 'string') throw invalid('query: object_type needs an "object_type"');
      if (!SEARCH_OBJECT_TYPES.includes(node.object_type as SearchObjectType)) {
        throw notImplemented(`object_type ${JSON.stringify(node.object_type)}`);
      }
      out.objectTypes.add(node.object_type);
      return;
    }
    case 'field_condition': {
      const field = node.field;
      const cond = node.condition;
      if (!isObject(field) || !isObject(cond)) throw invalid('query: field_condition needs "field" and "condition" objects');
      if (field.type !== 'regular_field') throw notImplemented(`field type ${JSON.stringify(field.type)}`);
      if (!DATE_FIELDS.includes(field.field_name as SearchDateField)) throw notImplemented(`field_condition on ${JSON.stringify(field.field_name)}`);
      if (typeof field.object_type !== 'string') throw invalid('query: a regular_field needs an "object_type"');
      if (cond.type !== 'moment_range') throw notImplemented(`condition type ${JSON.stringify(cond.type)}`);
      const where = `${field.object_type}.${String(field.field_name)}`;
      out.conditions.push({
        objectType: field.object_type,
        field: field.field_name as SearchDateField,
        gte: momentOf(cond.on_or_after, `${where} on_or_after`),
        lt: momentOf(cond.before, `${where} before`),
      });
      return;
    }
    default:
      throw node.type === undefined ? invalid('query: a node without "type"') : notImplemented(`query type ${JSON.stringify(node.type)}`);
  }
}

function sortOf(raw: unknown, objectType: string): SearchSort[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid('sort must be a list');
  return raw.map((s) => {
    if (!isObject(s) || !isObject(s.field)) throw invalid('sort: each entry needs "direction" and "field"');
    if (s.direction !== 'asc' && s.direction !== 'desc') throw invalid(`sort: direction must be "asc" or "desc", not ${JSON.stringify(s.direction)}`);
    if (s.field.type !== 'regular_field') throw notImplemented(`sort on a ${JSON.stringify(s.field.type)}`);
    if (s.field.object_type !== objectType) throw invalid(`sort: field object_type ${JSON.stringify(s.field.object_type)} does not match the objects searched (${objectType})`);
    if (!DATE_FIELDS.includes(s.field.field_name as SearchDateField)) throw notImplemented(`sort on ${JSON.stringify(s.field.field_name)}`);
    return { field: s.field.field_name as SearchDateField, desc: s.direction === 'desc' };
  });
}

function fieldsOf(raw: unknown, objectType: string): string[] | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw invalid('_fields must be an object of {object_type: [field, ...]}');
  const list = raw[objectType];
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list) || list.some((f) => typeof f !== 'string')) throw invalid(`_fields.${objectType} must be a list of field names`);
  return list as string[];
}

function intOf(raw: unknown, name: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw invalid(`Invalid value for ${name}: ${JSON.stringify(raw)}`);
  return raw;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function parseSearchRequest(body: unknown, limits: SearchLimits): SearchRequest {
  if (!isObject(body)) throw invalid('The request body must be a JSON object');
  if (body.query === undefined) throw invalid('query: this field is required');
  const got: Collected = { objectTypes: new Set(), conditions: [] };
  collect(body.query, got, 0);
  // GUESS: the docs stress naming the object type ("it's important to specify what you want"); the sandbox requires exactly one.
  if (got.objectTypes.size !== 1) {
    throw invalid(got.objectTypes.size === 0 ? 'query: an object_type query is required' : 'query: objects of one type only can be searched at once');
  }
  const objectType = [...got.objectTypes][0] as SearchObjectType;
  const ranges: Record<SearchDateField, Range> = { date_updated: {}, date_created: {} };
  for (const c of got.conditions) {
    // Documented: "A field's object_type must match the type of the objects being filtered."
    if (c.objectType !== objectType) {
      throw invalid(`query: field ${c.objectType}.${c.field} does not match the objects searched (${objectType}); use has_related for related objects`);
    }
    const r = ranges[c.field];
    if (c.gte !== undefined) r.gte = r.gte === undefined ? c.gte : Math.max(r.gte, c.gte);
    if (c.lt !== undefined) r.lt = r.lt === undefined ? c.lt : Math.min(r.lt, c.lt);
  }

  let limit = intOf(body._limit, '_limit') ?? limits.defaultLimit;
  if (limit > limits.maxLimit) {
    // The list endpoints' wording (FACTS.md); GUESS that search words it the same way.
    throw badRequest(`The limit you set is larger than the maximum limit for this resource (max_limit = ${limits.maxLimit}).`);
  }
  if (limit <= 0) limit = limits.defaultLimit;
  const resultsLimit = intOf(body.results_limit, 'results_limit') ?? null;
  if (resultsLimit !== null && resultsLimit < 0) throw invalid(`Invalid value for results_limit: ${resultsLimit}`);
  if (body.include_counts !== undefined && typeof body.include_counts !== 'boolean') throw invalid('include_counts must be true or false');
  if (body.cursor !== undefined && body.cursor !== null && typeof body.cursor !== 'string') throw invalid('cursor must be a string');

  const rest: Json = { ...body };
  delete rest.cursor;
  return {
    objectType,
    ranges,
    sort: sortOf(body.sort, objectType),
    fields: fieldsOf(body._fields, objectType),
    limit,
    cursor: typeof body.cursor === 'string' && body.cursor !== '' ? body.cursor : null,
    includeCounts: body.include_counts === true,
    resultsLimit,
    signature: canonical(rest),
  };
}
