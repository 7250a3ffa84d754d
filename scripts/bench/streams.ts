/**
 * What the benchmark knows about Close, independently of the connector: each
 * stream's endpoint, the endpoint group its rate limit is counted in, and the
 * largest page Close serves there. The floor of section 1 and the baseline
 * reader of section 2 are built from this table, never from the connector's
 * own constants, so that a connector change cannot move its own yardstick.
 */

import {ACTIVITY_SEEDS, RESOURCE_SEEDS} from '../../sandbox/resources/seeds';

export type Paging = 'offset' | 'cursor';

export interface StreamSpec {
  stream: string;
  /** path below /api/v1, with a trailing slash */
  path: string;
  /** Close's maximum `_limit` for the endpoint */
  maxPage: number;
  /** `_skip`/`_limit` or the event log's `_cursor` */
  paging: Paging;
  /** extra query parameters a plain full read needs */
  params?: Record<string, string>;
}

const BUILT_IN: readonly StreamSpec[] = [
  {stream: 'activities', path: '/activity/', maxPage: 100, paging: 'offset'},
  {stream: 'custom_fields', path: '/custom_field/lead/', maxPage: 1000, paging: 'offset'},
  {stream: 'event_log', path: '/event/', maxPage: 50, paging: 'cursor'},
  {stream: 'leads', path: '/lead/', maxPage: 200, paging: 'offset'},
  {stream: 'tasks', path: '/task/', maxPage: 1000, paging: 'offset', params: {_type: 'all'}},
  {stream: 'users', path: '/user/', maxPage: 1000, paging: 'offset'},
  {stream: 'opportunities', path: '/opportunity/', maxPage: 250, paging: 'offset'},
  {stream: 'contacts', path: '/contact/', maxPage: 100, paging: 'offset'},
  {stream: 'lead_statuses', path: '/status/lead/', maxPage: 100, paging: 'offset'},
  {stream: 'opportunity_statuses', path: '/status/opportunity/', maxPage: 100, paging: 'offset'},
  {stream: 'pipelines', path: '/pipeline/', maxPage: 100, paging: 'offset'},
  {stream: 'email_templates', path: '/email_template/', maxPage: 100, paging: 'offset'},
  {stream: 'sequences', path: '/sequence/', maxPage: 1000, paging: 'offset'},
  {stream: 'contact_custom_fields', path: '/custom_field/contact/', maxPage: 1000, paging: 'offset'},
  {stream: 'opportunity_custom_fields', path: '/custom_field/opportunity/', maxPage: 1000, paging: 'offset'},
  {stream: 'activity_custom_fields', path: '/custom_field/activity/', maxPage: 1000, paging: 'offset'},
  {stream: 'shared_custom_fields', path: '/custom_field/shared/', maxPage: 1000, paging: 'offset'},
  {stream: 'email_threads', path: '/activity/emailthread/', maxPage: 100, paging: 'offset'},
];

/** What "everything at once" means for an endpoint Close documents no paging for: one page holds it all. */
const UNPAGED = 10_000;

/**
 * The resources the sandbox serves from seeds (sandbox/resources/seeds.ts):
 * endpoint and page maximum from the seed, i.e. from the sandbox's model of
 * Close, not from the connector's declarations. Children (a list per parent
 * record, custom objects per lead) and the memberships embedded in the organization are not one
 * paged endpoint: left out of floor and baseline (the benchmark says so).
 */
const SEEDED: readonly StreamSpec[] = [
  ...RESOURCE_SEEDS.filter((s) => !s.parent && !s.embedded && (s.readAll?.length ?? 1) === 1 && !s.readAll?.[0].includes('{lead}')).map(
    (s): StreamSpec => ({
      stream: s.stream,
      path: s.path,
      maxPage: s.maxLimit ?? UNPAGED,
      paging: 'offset',
      params: s.readAll ? Object.fromEntries(new URLSearchParams(s.readAll[0])) : undefined,
    })
  ),
  ...ACTIVITY_SEEDS.map((s): StreamSpec => ({stream: s.stream, path: `/activity/${s.endpoint}/`, maxPage: 100, paging: 'offset'})),
];

export const STREAMS: readonly StreamSpec[] = [...BUILT_IN, ...SEEDED.filter((s) => !BUILT_IN.some((b) => b.stream === s.stream))];

/**
 * Resources Close lists only per parent record (a lead, a comment thread, a
 * sequence): at the very least one request per parent, whatever the page
 * size. Part of the floor (they are part of a full sync), and read by the
 * baseline reader too, one parent after another, after their parents.
 */
export interface ChildSpec {
  stream: string;
  path: string;
  /** the stream whose records are the parents */
  parent: string;
  /** the query parameter that names the parent */
  param: string;
  maxPage: number;
}

export const CHILDREN: readonly ChildSpec[] = RESOURCE_SEEDS.flatMap((s): ChildSpec[] => {
  const perLead = s.readAll?.length === 1 && s.readAll[0].includes('{lead}');
  const parent = s.parent?.stream ?? (perLead ? 'leads' : undefined);
  const param = s.parent?.param ?? 'lead_id';
  return parent ? [{stream: s.stream, path: s.path, parent, param, maxPage: s.maxLimit ?? UNPAGED}] : [];
});

export const CHILD_BY_STREAM = new Map(CHILDREN.map((c) => [c.stream, c]));

/** Whether the floor knows the stream's endpoint (paged or per parent). */
export function hasFloor(stream: string): boolean {
  return SPEC_BY_STREAM.has(stream) || CHILD_BY_STREAM.has(stream);
}

export const SPEC_BY_STREAM = new Map(STREAMS.map((s) => [s.stream, s]));

/** Close counts rate limits per endpoint group: the first path segment (/status/lead/ → status). */
export function groupOf(path: string): string {
  return path.split('/').filter(Boolean)[0] ?? 'root';
}

/**
 * Requests a reader needs at the very least for `records` records: full pages
 * at the maximum size. An empty resource still costs one request to learn
 * that it is empty.
 */
export function pagesNeeded(records: number, maxPage: number): number {
  return Math.max(1, Math.ceil(records / maxPage));
}

export interface GroupFloor {
  group: string;
  streams: string[];
  records: number;
  pages: number;
}

export interface Floor {
  perStream: {stream: string; group: string; records: number; maxPage: number; pages: number}[];
  groups: GroupFloor[];
  totalPages: number;
  perGroupPerSecond: number;
  orgPerSecond: number;
  /** Σ_g pages_g / limit: every group at its full budget, one group after another */
  sequentialS: number;
  /** max(max_g pages_g / limit, Σ pages / org limit): all groups at once */
  parallelS: number;
  /** which term sets parallelS */
  parallelBoundBy: string;
}

/** The floor of a full sync of `streams` whose record counts are `truth`. */
export function computeFloor(streams: string[], truth: Map<string, number>, perGroupPerSecond: number, orgMultiplier: number): Floor {
  const perStream: Floor['perStream'] = [];
  const groups = new Map<string, GroupFloor>();
  for (const name of streams) {
    const spec = SPEC_BY_STREAM.get(name) ?? CHILD_BY_STREAM.get(name);
    if (!spec) continue;
    const records = truth.get(name) ?? 0;
    const group = groupOf(spec.path);
    // A child list costs a request per parent, more where one parent's children fill several pages.
    const child = CHILD_BY_STREAM.get(name);
    const pages = child ? Math.max(truth.get(child.parent) ?? 0, pagesNeeded(records, spec.maxPage)) : pagesNeeded(records, spec.maxPage);
    perStream.push({stream: name, group, records, maxPage: spec.maxPage, pages});
    const g = groups.get(group) ?? {group, streams: [], records: 0, pages: 0};
    g.streams.push(name);
    g.records += records;
    g.pages += pages;
    groups.set(group, g);
  }
  const list = [...groups.values()].sort((a, b) => b.pages - a.pages);
  const totalPages = list.reduce((n, g) => n + g.pages, 0);
  const orgPerSecond = perGroupPerSecond * orgMultiplier;
  const sequentialS = totalPages / perGroupPerSecond;
  const busiest = list[0];
  const byGroup = busiest ? busiest.pages / perGroupPerSecond : 0;
  const byOrg = totalPages / orgPerSecond;
  return {
    perStream,
    groups: list,
    totalPages,
    perGroupPerSecond,
    orgPerSecond,
    sequentialS,
    parallelS: Math.max(byGroup, byOrg),
    parallelBoundBy: byGroup >= byOrg ? `group ${busiest?.group ?? '-'}` : 'organization limit',
  };
}
