// Bulk records are kept as small fixed-shape objects (a few numbers and an id);
// the full JSON is rebuilt on demand from `seed` and `ver`, which keeps 100k leads
// with ~1M children in a few hundred MB instead of gigabytes of object graphs.
export class Rec {
  ver = 0;
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
    /** task due date (µs); opportunity value (cents); activity: index into contacts or -1 */
    public a: number,
    /** flags: task 1=complete 2=date-only due date; task/activity contact index for tasks */
    public b: number,
  ) {}
}

export class EventRec {
  constructor(
    public id: string,
    public created: number,
    public updated: number,
    public objectType: string,
    public action: string,
    public ref: Rec,
    public refKind: RefKind,
    public prevUpdated: number,
    public changedFields: string[],
    public user: number,
    public requestId: string,
    public method: string,
  ) {}
}

export type RefKind = 'lead' | 'contact' | 'opportunity' | 'task' | 'activity';

export interface ActivityType {
  type: string;
  endpoint: string;
  eventType: string;
}

export const ACTIVITY_TYPES: readonly ActivityType[] = [
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
];
export const ACT_CREATED = 0;
export const ACT_NOTE = 1;
export const ACT_CALL = 2;

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
}
