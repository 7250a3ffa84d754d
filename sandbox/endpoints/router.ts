import { CustomFieldKind } from '../data/model';
import { ACTIVITY_ENDPOINTS, getEmailThread, listActivities } from './activities';
import { ApiError, Ctx, HandlerResult } from './common';
import { getContact } from './contact';
import { DataSearch } from './data-search';
import { getEvent, listEvents } from './events';
import { getLead, listLeads } from './leads';
import { listOpportunities } from './opportunities';
import {
  customFieldSchema,
  getCustomField,
  getOrganization,
  getUser,
  listContacts,
  listCustomFields,
  listEmailTemplates,
  listLeadStatuses,
  listOpportunityStatuses,
  listPipelines,
  listSequences,
  listUsers,
  me,
} from './simple';
import { listTasks } from './tasks';
import { RESOURCE_SEEDS } from '../resources/seeds';

type Route = (ctx: Ctx) => HandlerResult;

const EXACT = new Map<string, Route>([
  ['/me/', me],
  ['/lead/', listLeads],
  ['/activity/', (c) => listActivities(c, null)],
  ['/task/', listTasks],
  ['/opportunity/', listOpportunities],
  ['/contact/', listContacts],
  ['/user/', listUsers],
  ['/custom_fields/lead/', (c) => listCustomFields(c, 'lead')],
  ['/status/lead/', listLeadStatuses],
  ['/status/opportunity/', listOpportunityStatuses],
  ['/pipeline/', listPipelines],
  ['/email_template/', listEmailTemplates],
  ['/sequence/', listSequences],
  ['/event/', listEvents],
]);
for (const e of ACTIVITY_ENDPOINTS) EXACT.set(e.path, (c) => listActivities(c, e.typeIdx));
for (const k of ['lead', 'contact', 'opportunity', 'activity', 'shared'] as CustomFieldKind[]) {
  EXACT.set(`/custom_field/${k}/`, (c) => listCustomFields(c, k));
}

// Every resource of sandbox/resources/seeds.ts: its list and GET <path><id>/, from the seed alone.
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
for (const seed of RESOURCE_SEEDS) if (!seed.embedded) EXACT.set(seed.path, (c) => c.store.resources.list(c, seed.stream));

const SINGLE: [RegExp, (ctx: Ctx, m: RegExpExecArray) => HandlerResult][] = [
  [/^\/lead\/([^/]+)\/$/, (c, m) => getLead(c, m[1])],
  [/^\/contact\/([^/]+)\/$/, (c, m) => getContact(c, m[1])],
  [/^\/user\/([^/]+)\/$/, (c, m) => getUser(c, m[1])],
  [/^\/event\/([^/]+)\/$/, (c, m) => getEvent(c, m[1])],
  [/^\/activity\/emailthread\/([^/]+)\/$/, (c, m) => getEmailThread(c, m[1])],
  [/^\/organization\/([^/]+)\/$/, (c, m) => getOrganization(c, m[1])],
  [/^\/custom_field_schema\/(lead|contact|opportunity)\/$/, (c, m) => customFieldSchema(c, m[1] as 'lead' | 'contact' | 'opportunity')],
  [/^\/custom_fields?\/(lead|contact|opportunity|activity|shared)\/([^/]+)\/$/, (c, m) => getCustomField(c, m[1] as CustomFieldKind, m[2])],
  ...RESOURCE_SEEDS.filter((seed) => !seed.embedded).map(
    (seed): [RegExp, (ctx: Ctx, m: RegExpExecArray) => HandlerResult] => [
      new RegExp(`^${escape(seed.path)}([^/]+)/$`),
      (c, m) => c.store.resources.get(c, seed.stream, decodeURIComponent(m[1])),
    ],
  ),
];

/** The only POST the sandbox answers: Advanced Filtering, a read. */
const POST = new Map<string, Route>([['/data/search/', (c) => (c.search ?? new DataSearch()).answer(c.store, c.body)]]);

/** GET/HEAD for every path but the POST-only ones; POST only there. */
export function methodAllowed(path: string, method: string): boolean {
  if (method === 'POST') return POST.has(path);
  return (method === 'GET' || method === 'HEAD') && !POST.has(path);
}

export function route(ctx: Ctx): HandlerResult {
  if (ctx.method === 'POST') {
    const post = POST.get(ctx.path);
    if (post) return post(ctx);
  }
  const exact = EXACT.get(ctx.path);
  if (exact) return exact(ctx);
  for (const [re, fn] of SINGLE) {
    const m = re.exec(ctx.path);
    if (m) return fn(ctx, m);
  }
  throw new ApiError(404, { error: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.' });
}

export function isEventPath(path: string): boolean {
  return path === '/event/';
}
