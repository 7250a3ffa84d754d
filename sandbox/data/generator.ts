import { US_PER_DAY, US_PER_SEC } from '../dates';
import { Rng, makeId } from '../random';
import {
  ACTIVITY_TYPES,
  ACT_CREATED,
  ACT_CUSTOM,
  ACT_LEAD_MERGE,
  CustomFieldDef,
  CustomFieldKind,
  EventRec,
  LeadChildren,
  Pipeline,
  Rec,
  RefKind,
  Sequence,
  Snap,
  Status,
  TASK_COMPLETE,
  TASK_DATE_ONLY,
  TASK_LEAD,
  TASK_TYPES,
  Template,
  User,
  snap,
} from './model';
import { ACTIVITY_SEEDS } from '../resources/seeds';
import { buildThreads } from './threads';
import { FIRST_NAMES, LAST_NAMES, SUBJECTS, TIMEZONES } from './words';
import { World } from './world';

export interface GenOptions {
  seed: number;
  scale: number;
  nowUs: number;
  /**
   * Share of the generated contacts kept (default 1: about 1.8 per lead). Each is
   * kept or left out by its own draw, so everything else in the account is the
   * same as without it (the benchmark's 30,000 contacts for 20,000 leads).
   */
  contactShare?: number;
}

const SPAN_US = 730 * US_PER_DAY;
export const EVENT_WINDOW_US = 30 * US_PER_DAY;

/**
 * Random instant in [lo, hi] with millisecond precision (as Close stores them);
 * about 1 in 10 lands on a whole second, which Close prints without a fraction.
 */
export function stamp(rng: Rng, lo: number, hi: number): number {
  let ms = Math.floor((lo + rng.next() * Math.max(0, hi - lo)) / 1000);
  if (rng.next() < 0.1) ms = Math.ceil(ms / 1000) * 1000;
  return Math.min(Math.max(ms * 1000, lo), Math.max(lo, hi));
}

/** Most records are touched right after creation; the rest later on. */
function updatedAfter(rng: Rng, created: number, end: number, pLater: number): number {
  if (rng.next() < pLater) {
    // Edits cluster soon after creation (exponential, mean ~45 days), so only a
    // realistic few percent of old records change within the last month.
    const later = Math.min(end, created + Math.floor(-Math.log(1 - rng.next()) * 45 * 86400) * US_PER_SEC);
    return rng.next() < 0.1 ? later - (later % US_PER_SEC) : later + rng.int(1000) * 1000;
  }
  return Math.min(end, created + rng.int(3000) * 1000);
}

/**
 * Children of a lead mostly appear in the months after the lead (exponential,
 * mean ~120 days) rather than uniformly up to now, which would pile most of
 * them into the recent past.
 */
function childCreated(rng: Rng, leadCreated: number, end: number): number {
  const t = leadCreated + Math.floor(-Math.log(1 - rng.next()) * 120 * 86400 * 1000) * 1000;
  // Young leads simply have fewer children yet; -1 tells the caller to skip one.
  if (t > end) return -1;
  return rng.next() < 0.1 ? t - (t % US_PER_SEC) + US_PER_SEC : t;
}

// Index 4 (EmailThread) and 10 (LeadMerge) are never drawn: threads are built
// from the emails, LeadMerge activities come from merges.
const ACT_WEIGHTS = [0, 20, 20, 25, 0, 7, 5, 7, 4, 4, 0];
const ACT_CUM: number[] = [];
ACT_WEIGHTS.reduce((acc, w, i) => (ACT_CUM[i] = acc + w), 0);
const ACT_TOTAL = ACT_CUM[ACT_CUM.length - 1];

function pickActivityKind(rng: Rng): number {
  const x = rng.next() * ACT_TOTAL;
  for (let i = 1; i < ACT_CUM.length; i++) if (x < ACT_CUM[i]) return i;
  return 1;
}

export function pickTaskKind(rng: Rng): number {
  return rng.next() < 0.7 ? TASK_LEAD : 1 + rng.int(TASK_TYPES.length - 1);
}

export function generate(o: GenOptions): World {
  const rng = new Rng(o.seed, 1);
  const now = o.nowUs;
  const start = now - SPAN_US;
  const end = now - 60 * US_PER_SEC;

  const orgId = makeId(rng, 'orga_');
  const users = genUsers(rng, start, end);
  const nUsers = users.length;
  const customFields = genCustomFields(rng, start, end, nUsers);
  customFields.push(...genMoreActivityFields(new Rng(o.seed, 9301), start, end, nUsers));
  const leadStatuses: Status[] = ['Potential', 'Qualified', 'Customer', 'Bad Fit', 'Interested', 'Not Interested'].map(
    (label) => ({ id: makeId(rng, 'stat_'), label }),
  );
  const { pipelines, oppStatuses } = genPipelines(rng, start, end, nUsers);
  const templates = genTemplates(rng, start, end, nUsers);
  const sequences = genSequences(rng, start, end, nUsers, templates);

  const leads: Rec[] = [];
  const contacts: Rec[] = [];
  const share = o.contactShare ?? 1;
  const keep = new Rng(o.seed, 0xc0c0);
  const opps: Rec[] = [];
  const tasks: Rec[] = [];
  const acts: Rec[] = [];
  const children: LeadChildren[] = [];

  // Bulk edits/imports: one instant shared by many records so clients must cope with ties.
  const bulkLead = stamp(rng, start + SPAN_US / 2, end);
  const bulkOpp = stamp(rng, start + SPAN_US / 2, end);
  const bulkTask = stamp(rng, start + SPAN_US / 2, end);
  const bulkAct = stamp(rng, start + SPAN_US / 3, end);
  const nLeadStatus = leadStatuses.length;
  const nOppStatus = oppStatuses.length;

  for (let li = 0; li < o.scale; li++) {
    const created = stamp(rng, start, end);
    let updated = Math.max(created, updatedAfter(rng, created, end, 0.75));
    if (rng.next() < 0.01 && bulkLead >= created) updated = bulkLead;
    const user = rng.int(nUsers);
    const lead = new Rec(makeId(rng, 'lead_'), rng.int(nLeadStatus), li, created, updated, rng.u32() | 0, user, 0, 0);
    leads.push(lead);
    const ch: LeadChildren = { contacts: [], opps: [], tasks: [], acts: [], threads: [] };
    children.push(ch);

    const nContacts = rng.int(5);
    for (let i = 0; i < nContacts; i++) {
      const c = i === 0 ? created + rng.int(2000) * 1000 : childCreated(rng, created, end);
      if (c < 0) continue;
      const u = Math.max(c, updatedAfter(rng, c, end, 0.4));
      const r = new Rec(makeId(rng, 'cont_'), 0, li, c, u, rng.u32() | 0, user, 0, 0);
      if (share < 1 && keep.next() >= share) continue;
      contacts.push(r);
      ch.contacts.push(r);
    }
    const nOpps = rng.int(3);
    for (let i = 0; i < nOpps; i++) {
      const c = childCreated(rng, created, end);
      if (c < 0) continue;
      let u = Math.max(c, updatedAfter(rng, c, end, 0.6));
      if (rng.next() < 0.01 && bulkOpp >= c) u = bulkOpp;
      const value = (1 + rng.int(500)) * 10000;
      const r = new Rec(makeId(rng, 'oppo_'), rng.int(nOppStatus), li, c, u, rng.u32() | 0, rng.int(nUsers), value, 0);
      opps.push(r);
      ch.opps.push(r);
    }
    const nTasks = rng.int(6);
    for (let i = 0; i < nTasks; i++) {
      const kind = pickTaskKind(rng);
      const c = childCreated(rng, created, end);
      if (c < 0) continue;
      let u = Math.max(c, updatedAfter(rng, c, end, 0.5));
      if (rng.next() < 0.01 && bulkTask >= c) u = bulkTask;
      let flags = rng.next() < 0.5 ? TASK_COMPLETE : 0;
      if (kind === TASK_LEAD && rng.next() < 0.5) flags |= TASK_DATE_ONLY;
      const due = c + rng.int(30) * US_PER_DAY + rng.int(86400) * US_PER_SEC;
      const r = new Rec(makeId(rng, 'task_'), kind, li, c, u, rng.u32() | 0, rng.int(nUsers), due, flags);
      tasks.push(r);
      ch.tasks.push(r);
    }
    // Every lead has its "Created" activity at the lead's own creation instant.
    const createdAct = new Rec(makeId(rng, 'acti_'), ACT_CREATED, li, created, created + rng.int(1000) * 1000, rng.u32() | 0, user, 0, 0);
    acts.push(createdAct);
    ch.acts.push(createdAct);
    const nActs = rng.int(13);
    for (let i = 0; i < nActs; i++) {
      const kind = pickActivityKind(rng);
      let c = childCreated(rng, created, end);
      if (c < 0) continue;
      if (rng.next() < 0.005 && bulkAct >= created) c = bulkAct;
      const u = Math.max(c, updatedAfter(rng, c, end, 0.2));
      const r = new Rec(makeId(rng, 'acti_'), kind, li, c, u, rng.u32() | 0, rng.int(nUsers), 0, 0);
      acts.push(r);
      ch.acts.push(r);
    }
  }

  genSeededActivities(o.seed, leads, children, acts, end, nUsers);
  genCustomActivities(o.seed, leads, children, acts, end, nUsers);

  const world: World = {
    seed: o.seed,
    nowUs: now,
    orgId,
    orgName: 'Sandbox Org',
    users,
    customFields,
    leadStatuses,
    oppStatuses,
    pipelines,
    templates,
    sequences,
    leads,
    contacts,
    opps,
    tasks,
    acts,
    threads: [],
    threadEmails: [],
    children,
    events: [],
  };
  buildThreads(world, o.seed);
  world.events = genEvents(rng, now, { leads, contacts, opps, tasks, acts, threads: world.threads });
  return world;
}

/**
 * The activity types of ACTIVITY_SEEDS (form submissions, WhatsApp messages,
 * past lead merges): each lead draws from its own random stream per type, so
 * the rest of the data set is the same with or without them. The first lead
 * has one of each, so that every type has records at any scale. Past
 * LeadMerge activities name a source lead that is gone (`a` = -1).
 */
function genSeededActivities(seed: number, leads: Rec[], children: LeadChildren[], acts: Rec[], end: number, nUsers: number): void {
  ACTIVITY_SEEDS.forEach((s, k) => {
    const kind = ACTIVITY_TYPES.findIndex((t) => t.type === s.type);
    for (let li = 0; li < leads.length; li++) {
      const r = new Rng(seed + li * 7919, 9100 + k);
      if (li > 0 && r.next() >= s.perLead) continue;
      let c = childCreated(r, leads[li].created, end);
      if (c < 0) c = Math.min(end, leads[li].created + 1000 * (1 + r.int(1000)));
      const u = Math.max(c, updatedAfter(r, c, end, 0.2));
      const a = kind === ACT_LEAD_MERGE ? -1 : 0;
      const rec = new Rec(makeId(r, 'acti_'), kind, li, c, u, r.u32() | 0, r.int(nUsers), a, 0);
      acts.push(rec);
      children[li].acts.push(rec);
    }
  });
}

/** Chance that a lead has a custom activity (its own random stream, so the rest of the data set is unchanged). */
const CUSTOM_ACTIVITIES_PER_LEAD = 0.25;

/**
 * Custom activity instances (their type and custom values are drawn when
 * rendered, Materializer.activity). The first lead has two, so that they exist
 * at any scale.
 */
function genCustomActivities(seed: number, leads: Rec[], children: LeadChildren[], acts: Rec[], end: number, nUsers: number): void {
  for (let li = 0; li < leads.length; li++) {
    const r = new Rng(seed + li * 7919, 9300);
    const n = li === 0 ? 2 : r.next() < CUSTOM_ACTIVITIES_PER_LEAD ? 1 + r.int(3) : 0;
    for (let i = 0; i < n; i++) {
      let c = childCreated(r, leads[li].created, end);
      if (c < 0) c = Math.min(end, leads[li].created + 1000 * (1 + r.int(1000)));
      const u = Math.max(c, updatedAfter(r, c, end, 0.2));
      const rec = new Rec(makeId(r, 'acti_'), ACT_CUSTOM, li, c, u, r.u32() | 0, r.int(nUsers), 0, 0);
      acts.push(rec);
      children[li].acts.push(rec);
    }
  }
}

export function eventObjectType(kind: RefKind, r: Rec): string {
  if (kind === 'task') return 'task.' + TASK_TYPES[r.kind];
  if (kind === 'activity') return ACTIVITY_TYPES[r.kind].eventType;
  return kind;
}

/** The generated past: one version before the current one, as of the record's creation. */
function firstVersion(r: Rec): Snap {
  return { ...snap(r), ver: -1, updated: r.created };
}

/** Events exist only for changes inside the 30 days before `now`, as Close keeps no more. */
function genEvents(rng: Rng, now: number, all: Record<'leads' | 'contacts' | 'opps' | 'tasks' | 'acts' | 'threads', Rec[]>): EventRec[] {
  const from = now - EVENT_WINDOW_US;
  const events: EventRec[] = [];
  const kinds: [RefKind, Rec[]][] = [
    ['lead', all.leads],
    ['contact', all.contacts],
    ['opportunity', all.opps],
    ['task', all.tasks],
    // "Created" activities mirror the lead's own creation: Close lists no event type for them (guess: none).
    ['activity', all.acts.filter((a) => a.kind !== ACT_CREATED)],
    ['activity', all.threads],
  ];
  for (const [kind, recs] of kinds) {
    for (const r of recs) {
      if (r.updated < from) continue;
      const objectType = eventObjectType(kind, r);
      // Edits within seconds of creation are consolidated into the "created" event,
      // which then carries a later date_updated than its date_created.
      const quick = r.updated - r.created < 10 * US_PER_SEC;
      const first = firstVersion(r);
      if (r.created >= from) {
        const reqId = makeId(rng, 'req_');
        const upd = quick ? r.updated : r.created;
        events.push(new EventRec(makeId(rng, 'ev_'), r.created, upd, objectType, 'created', r, kind, null, quick ? snap(r) : first, r.user, reqId, 'post'));
      }
      if (!quick) {
        const reqId = makeId(rng, 'req_');
        // Close consolidates rapid edits into one event whose date_created is older.
        const evCreated = rng.next() < 0.1 ? Math.max(r.created, r.updated - rng.int(60) * US_PER_SEC) : r.updated;
        events.push(new EventRec(makeId(rng, 'ev_'), evCreated, r.updated, objectType, 'updated', r, kind, first, snap(r), r.user, reqId, 'put'));
      }
    }
  }
  return events;
}

function genUsers(rng: Rng, start: number, end: number): User[] {
  const users: User[] = [];
  const n = 30;
  for (let i = 0; i < n; i++) {
    const first = i === 0 ? 'API User' : rng.pick(FIRST_NAMES);
    const last = i === 0 ? '(DO NOT DELETE)' : rng.pick(LAST_NAMES);
    const created = stamp(rng, start - 365 * US_PER_DAY, start);
    const updated = stamp(rng, created, end);
    const id = makeId(rng, 'user_');
    const local = i === 0 ? 'api' : `${first}.${last}${i}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    users.push({
      id,
      first_name: first,
      last_name: last,
      email: `${local}@sandbox-crm.example`,
      image: 'https://secure.gravatar.com/avatar/' + id.slice(5, 37).toLowerCase(),
      last_used_timezone: rng.pick(TIMEZONES),
      created,
      updated,
      verified: created + 3600 * US_PER_SEC,
      ver: 0,
    });
  }
  return users;
}

interface FieldSpec {
  name: string;
  type: string;
  multi?: boolean;
  choices?: string[];
}

const FIELD_SPECS: Record<CustomFieldKind, FieldSpec[]> = {
  lead: [
    { name: 'Source', type: 'choices', choices: ['Google', 'Referral', 'Conference', 'Outbound', 'Partner'] },
    { name: 'Deal ID', type: 'text' },
    { name: 'Company Size', type: 'number' },
    { name: 'Industry', type: 'choices', choices: ['Software', 'Healthcare', 'Finance', 'Retail', 'Education'] },
    { name: 'Lead Owner', type: 'user' },
    { name: 'Socials', type: 'text' },
    { name: 'Current Vendor/Software', type: 'text' },
    { name: 'Contract Start', type: 'date' },
    { name: 'Last Demo', type: 'datetime' },
    { name: 'Products', type: 'choices', multi: true, choices: ['Core', 'Analytics', 'Dialer', 'API', 'Support+'] },
    { name: 'Internal Score', type: 'hidden' },
    { name: 'ARR', type: 'number' },
  ],
  contact: [
    { name: 'Role', type: 'choices', choices: ['Decision Maker', 'Champion', 'Influencer', 'User'] },
    { name: 'LinkedIn', type: 'text' },
    { name: 'Birthday', type: 'date' },
  ],
  opportunity: [
    { name: 'Forecast Category', type: 'choices', choices: ['Pipeline', 'Best Case', 'Commit'] },
    { name: 'Probability Override', type: 'number' },
    { name: 'Competitors', type: 'choices', multi: true, choices: ['Salesforce', 'HubSpot', 'Pipedrive', 'None'] },
    { name: 'Close Reason', type: 'text' },
  ],
  activity: [
    { name: 'Meeting Outcome', type: 'choices', choices: ['Positive', 'Neutral', 'Negative'] },
    { name: 'Rating', type: 'number' },
    { name: 'Follow-up Date', type: 'date' },
  ],
  shared: [
    { name: 'Region', type: 'choices', choices: ['AMER', 'EMEA', 'APAC'] },
    { name: 'Account Tier', type: 'choices', choices: ['Tier 1', 'Tier 2', 'Tier 3'] },
  ],
};

/**
 * More activity custom fields, so that each custom activity type has fields of
 * several kinds (several values too): drawn from their own random stream, so
 * the rest of the data set is the same with or without them.
 */
const MORE_ACTIVITY_FIELDS: FieldSpec[] = [
  { name: 'Call Summary', type: 'text' },
  { name: 'Attendees', type: 'user', multi: true },
  { name: 'Completed At', type: 'datetime' },
  { name: 'Topics', type: 'choices', multi: true, choices: ['Pricing', 'Onboarding', 'Integrations', 'Security'] },
  { name: 'Deal Size', type: 'number' },
];

function genMoreActivityFields(rng: Rng, start: number, end: number, nUsers: number): CustomFieldDef[] {
  return fieldDefsOf(rng, 'activity', MORE_ACTIVITY_FIELDS, start, end, nUsers);
}

function genCustomFields(rng: Rng, start: number, end: number, nUsers: number): CustomFieldDef[] {
  const out: CustomFieldDef[] = [];
  for (const kind of ['lead', 'contact', 'opportunity', 'activity', 'shared'] as CustomFieldKind[]) {
    out.push(...fieldDefsOf(rng, kind, FIELD_SPECS[kind], start, end, nUsers));
  }
  return out;
}

function fieldDefsOf(rng: Rng, kind: CustomFieldKind, specs: FieldSpec[], start: number, end: number, nUsers: number): CustomFieldDef[] {
  const out: CustomFieldDef[] = [];
  for (const spec of specs) {
    const created = stamp(rng, start, start + (end - start) / 2);
    out.push({
      id: makeId(rng, 'cf_'),
      kind,
      name: spec.name,
      type: spec.type,
      accepts_multiple_values: !!spec.multi,
      choices: spec.choices ?? null,
      description: rng.next() < 0.5 ? `${spec.name} (maintained by RevOps)` : '',
      editable_with_roles: rng.next() < 0.2 ? ['admin'] : [],
      required: false,
      created,
      updated: stamp(rng, created, end),
      createdBy: rng.int(nUsers),
      updatedBy: rng.int(nUsers),
      ver: 0,
      dead: 0,
      added: false,
    });
  }
  return out;
}

function genPipelines(rng: Rng, start: number, end: number, nUsers: number): { pipelines: Pipeline[]; oppStatuses: Status[] } {
  const defs: [string, [string, string][]][] = [
    ['Sales', [['Demo Scheduled', 'active'], ['Proposal', 'active'], ['Negotiation', 'active'], ['Won', 'won'], ['Lost', 'lost']]],
    ['Renewals', [['Upcoming', 'active'], ['In Review', 'active'], ['Renewed', 'won'], ['Churned', 'lost']]],
  ];
  const pipelines: Pipeline[] = [];
  const oppStatuses: Status[] = [];
  defs.forEach(([name, sts], pi) => {
    const created = stamp(rng, start, start + US_PER_DAY * 30);
    const p: Pipeline = { id: makeId(rng, 'pipe_'), name, statuses: [], created, updated: stamp(rng, created, end), updatedBy: rng.int(nUsers) };
    for (const [label, type] of sts) {
      p.statuses.push(oppStatuses.length);
      oppStatuses.push({ id: makeId(rng, 'stat_'), label, type, pipeline: pi });
    }
    pipelines.push(p);
  });
  return { pipelines, oppStatuses };
}

function genTemplates(rng: Rng, start: number, end: number, nUsers: number): Template[] {
  const out: Template[] = [];
  for (let i = 0; i < 10; i++) {
    const created = stamp(rng, start, end);
    const subject = SUBJECTS[i % SUBJECTS.length].replace('{n}', String(1000 + i));
    out.push({
      id: makeId(rng, 'tmpl_'),
      name: `Template ${i + 1}: ${subject}`,
      subject,
      body: `<p>Hi {{ contact.first_name }},</p><p>${subject}.</p><p>Best,<br>{{ user.first_name }}</p>`,
      is_shared: rng.next() < 0.7,
      is_archived: rng.next() < 0.1,
      created,
      updated: stamp(rng, created, end),
      createdBy: rng.int(nUsers),
      updatedBy: rng.int(nUsers),
    });
  }
  return out;
}

function genSequences(rng: Rng, start: number, end: number, nUsers: number, templates: Template[]): Sequence[] {
  const out: Sequence[] = [];
  for (let i = 0; i < 5; i++) {
    const created = stamp(rng, start, end);
    const nSteps = 2 + rng.int(3);
    const tmpls: string[] = [];
    const stepIds: string[] = [];
    for (let s = 0; s < nSteps; s++) {
      tmpls.push(rng.pick(templates).id);
      stepIds.push(makeId(rng, 'seqs_'));
    }
    out.push({
      id: makeId(rng, 'seq_'),
      name: ['Inbound nurture', 'Outbound cold', 'Trial follow-up', 'Event attendees', 'Win-back'][i],
      status: rng.next() < 0.8 ? 'active' : 'paused',
      timezone: rng.pick(TIMEZONES),
      templates: tmpls,
      stepIds,
      created,
      updated: stamp(rng, created, end),
      createdBy: rng.int(nUsers),
      updatedBy: rng.int(nUsers),
    });
  }
  return out;
}
