import {Micros, MICROS_PER_SECOND, formatInstant} from '../time/instant';

/**
 * Request bodies for Close's Advanced Filtering API (POST /data/search/). The query tree,
 * `object_type`, `regular_field` and `cursor`/`_limit` are documented
 * (https://developer.close.com/api/resources/advanced-filtering,
 * https://developer.close.com/api/overview/pagination); the `moment_range` condition with
 * `fixed_utc` moments, `sort`, `_fields` as {type: [names]} with the `custom` selector,
 * `include_counts` and `results_limit` are what Close's own app and public clients send
 * (GUESSES, see /work/notes/data-search.md §1–3).
 */
export type SearchObjectType = 'lead' | 'contact';
export type SearchDateField = 'date_updated' | 'date_created';

export const floorSecond = (t: Micros): Micros => Math.floor(t / MICROS_PER_SECOND) * MICROS_PER_SECOND;
export const ceilSecond = (t: Micros): Micros => Math.ceil(t / MICROS_PER_SECOND) * MICROS_PER_SECOND;

/** `fixed_utc` values as Close's app writes them: whole seconds, `+00:00` (nobody is seen sending fractions). */
export function fixedUtc(t: Micros): {type: 'fixed_utc'; value: string} {
  if (t % MICROS_PER_SECOND !== 0) throw new Error(`search bounds are whole seconds; got ${formatInstant(t)}`);
  return {type: 'fixed_utc', value: formatInstant(t).replace(/\.\d+/, '')};
}

/** A date range [gte, lt) on one field; either end may be open. Bounds must be whole seconds. */
export interface DateRange {
  field: SearchDateField;
  gte?: Micros;
  lt?: Micros;
}

function regularField(objectType: SearchObjectType, name: string) {
  return {type: 'regular_field', object_type: objectType, field_name: name};
}

export interface SearchBodyOptions {
  objectType: SearchObjectType;
  ranges: DateRange[];
  sortBy: SearchDateField;
  fields: readonly string[];
  limit: number;
  includeCounts?: boolean;
  resultsLimit?: number;
}

export function searchBody(o: SearchBodyOptions): Record<string, unknown> {
  const queries: unknown[] = [{type: 'object_type', object_type: o.objectType}];
  for (const r of o.ranges) {
    if (r.gte === undefined && r.lt === undefined) continue;
    const condition: Record<string, unknown> = {type: 'moment_range'};
    if (r.gte !== undefined) condition.on_or_after = fixedUtc(r.gte);
    if (r.lt !== undefined) condition.before = fixedUtc(r.lt);
    queries.push({type: 'field_condition', field: regularField(o.objectType, r.field), condition});
  }
  const body: Record<string, unknown> = {
    query: {type: 'and', queries},
    sort: [{direction: 'asc', field: regularField(o.objectType, o.sortBy)}],
    _fields: {[o.objectType]: [...o.fields]},
    _limit: o.limit,
  };
  if (o.includeCounts) body.include_counts = true;
  if (o.resultsLimit !== undefined) body.results_limit = o.resultsLimit;
  return body;
}
