import { Rng } from '../random';
import { ACTIVITY_SEEDS } from '../resources/seeds';

// Bulk records are kept as small fixed-shape objects (a few numbers and an id);
// the full JSON is rebuilt on demand from `seed` and `ver`, which keeps 100k leads
// with ~1M children in a few hundred MB instead of gigabytes of object graphs.
export class Rec {
  ver = 0;
  /** When the record was deleted (µs); 0 while it exists. Deleted records stay in World's arrays for events and the oracle. */
  dead = 0;
  constructor(
    public id: string,
    /** activity/task type index, lead status index, opportunity status index */
    public kind: number,
    /** index into Store.leads of the owning lead */
    public lead: number,
    public created: number,
    public updated: number,
    public seed: number,
    /** index into Store.users of the owner/assignee */
    public user: number,
    /** task due date (µs); opportunity value (cents); Email and EmailThread: index into World.threads */
    public a: number,
    /** flags: task 1=complete 2=date-only due date; task/activity contact index for tasks */
    public b: number,
  ) {}
}

/** The mutable part of a record at one moment: enough to rebuild its JSON as it was then. */
export interface Snap {
  ver: number;
  updated: number;
  kind: number;
  b: number;
  lead: number;
}

export function snap(r: Rec): Snap {
  return { ver: r.ver, updated: r.updated, kind: r.kind, b: r.b, lead: r.lead };
}

/** Close's meta keys on every event of a lead merge. */
export interface MergeMeta {
  merge_source_lead_id: string;
  merge_destination_lead_id: string;
}

export class EventRec {
  /** Consolidations folded into this event (its version). */
  ver = 0;
  /** The change batch that last wrote it: recent events of an object absorb its next edit. */
  batch = -1;
  constructor(
    public id: string,
    public created: number,
    public updated: number,
    public objectType: string,
    public action: string,
    public ref: Rec,
    public refKind: RefKind,
    /** the object before the change (update and delete events) */
    public before: Snap | null,
    /** the object after the change (null for deletions) */
    public after: Snap | null,
    /** index into World.users, or -1 for changes no user made */
    public user: number,
    public requestId: string,
    public method: string,
    public meta: MergeMeta | null = null,
  ) {}
}

/** `resource`: a record of the resource engine (sandbox/resources), Rec.kind its seed. */
export type RefKind = 'lead' | 'contact' | 'opportunity' | 'task' | 'activity' | 'resource';

export interface ActivityType {
  type: string;
  endpoint: string;
  eventType: string;
}

const BUILT_IN_ACTIVITY_TYPES: readonly ActivityType[] = [
  { type: 'Created', endpoint: 'created', eventType: 'activity.created' },
  { type: 'Note', endpoint: 'note', eventType: 'activity.note' },
  { type: 'Call', endpoint: 'call', eventType: 'activity.call' },
  { type: 'Email', endpoint: 'email', eventType: 'activity.email' },
  { type: 'EmailThread', endpoint: 'emailthread', eventType: 'activity.email_thread' },
  { type: 'SMS', endpoint: 'sms', eventType: 'activity.sms' },
  { type: 'Meeting', endpoint: 'meeting', eventType: 'activity.meeting' },
  { type: 'LeadStatusChange', endpoint: 'status_change/lead', eventType: 'activity.lead_status_change' },
  {
    type: 'OpportunityStatusChange',
    endpoint: 'status_change/opportunity',
    eventType: 'activity.opportunity_status_change',
  },
  { type: 'TaskCompleted', endpoint: 'task_completed', eventType: 'activity.task_completed' },
  // Created by lead merges (https://developer.close.com/api/resources/activities/lead-merges.md); old ones are generated.
  { type: 'LeadMerge', endpoint: 'lead_merge', eventType: 'activity.lead_merge' },
  // Instances of the custom activity types (https://developer.close.com/api/resources/activities/custom-activities):
  // `_type` CustomActivity, the type in custom_activity_type_id, values as `custom.<field id>`. Generated per lead.
  { type: 'CustomActivity', endpoint: 'custom', eventType: 'activity.custom_activity' },
];

/**
 * The built-in types, then those of ACTIVITY_SEEDS (sandbox/resources/seeds.ts):
 * a seed of a built-in type sets its eventType, a new type is appended.
 */
export const ACTIVITY_TYPES: readonly ActivityType[] = [
  ...BUILT_IN_ACTIVITY_TYPES.map((t) => {
    const seed = ACTIVITY_SEEDS.find((s) => s.type === t.type);
    return seed ? { ...t, eventType: seed.eventType } : t;
  }),
  ...ACTIVITY_SEEDS.filter((s) => !BUILT_IN_ACTIVITY_TYPES.some((t) => t.type === s.type)).map((s) => ({
    type: s.type,
    endpoint: s.endpoint,
    eventType: s.eventType,
  })),
];
export const ACT_CREATED = 0;
export const ACT_NOTE = 1;
export const ACT_CALL = 2;
export const ACT_EMAIL = 3;
/** EmailThreads are built from the Emails (World.threads), never listed by a plain GET /activity/. */
export const ACT_THREAD = 4;
export const ACT_LEAD_MERGE = 10;
export const ACT_CUSTOM = 11;

export const TASK_TYPES: readonly string[] = [
  'lead',
  'incoming_email',
  'email_followup',
  'missed_call',
  'answered_detached_call',
  'voicemail',
  'opportunity_due',
  'incoming_sms',
];
export const TASK_LEAD = 0;
export const TASK_COMPLETE = 1;
export const TASK_DATE_ONLY = 2;

const US_PER_DAY = 86_400_000_000;

/** A lead task created without a date (recorded: date-only on its creation day, is_dateless, due_date null). */
export function isDateless(t: Rec): boolean {
  return t.kind === TASK_LEAD && (t.b & TASK_DATE_ONLY) !== 0 && new Rng(t.seed, 44).next() < 0.3;
}

/**
 * What `_order_by=date` sorts and `date__*` filters on: the task's date, a date-only one at the start of its
 * (UTC) day — "date-only tasks sort before date-time tasks on the same day" (docs; x-tz-offset not modelled).
 */
export function taskDateKey(t: Rec): number {
  if (isDateless(t)) return t.created - (((t.created % US_PER_DAY) + US_PER_DAY) % US_PER_DAY);
  if ((t.b & TASK_DATE_ONLY) !== 0) return t.a - (((t.a % US_PER_DAY) + US_PER_DAY) % US_PER_DAY);
  return t.a;
}

/** Small collections are kept as plain objects with µs timestamps. */
export interface User {
  id: string;
  first_name: string;
  last_name: string;
  email: string;
  image: string;
  last_used_timezone: string;
  created: number;
  updated: number;
  verified: number;
  ver: number;
}

export type CustomFieldKind = 'lead' | 'contact' | 'opportunity' | 'activity' | 'shared';

export interface CustomFieldDef {
  id: string;
  kind: CustomFieldKind;
  name: string;
  type: string;
  accepts_multiple_values: boolean;
  choices: string[] | null;
  description: string;
  editable_with_roles: string[];
  required: boolean;
  created: number;
  updated: number;
  createdBy: number;
  updatedBy: number;
  ver: number;
  /** deletion time (µs), 0 while it exists */
  dead: number;
  /** created by a change during the run: records last edited before it hold no value for it */
  added: boolean;
}

export interface Status {
  id: string;
  label: string;
  type?: string;
  pipeline?: number;
}

export interface Pipeline {
  id: string;
  name: string;
  statuses: number[];
  created: number;
  updated: number;
  updatedBy: number;
}

export interface Template {
  id: string;
  name: string;
  subject: string;
  body: string;
  is_shared: boolean;
  is_archived: boolean;
  created: number;
  updated: number;
  createdBy: number;
  updatedBy: number;
}

export interface Sequence {
  id: string;
  name: string;
  status: string;
  timezone: string;
  templates: string[];
  stepIds: string[];
  created: number;
  updated: number;
  createdBy: number;
  updatedBy: number;
}

export interface LeadChildren {
  contacts: Rec[];
  opps: Rec[];
  tasks: Rec[];
  acts: Rec[];
  threads: Rec[];
}
