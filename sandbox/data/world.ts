import {
  CustomFieldDef,
  EventRec,
  LeadChildren,
  Pipeline,
  Rec,
  Sequence,
  Status,
  Template,
  User,
} from './model';

/** Everything the generator produces; the Store adds indexes on top. */
export interface World {
  seed: number;
  nowUs: number;
  orgId: string;
  orgName: string;
  users: User[];
  customFields: CustomFieldDef[];
  leadStatuses: Status[];
  oppStatuses: Status[];
  pipelines: Pipeline[];
  templates: Template[];
  sequences: Sequence[];
  leads: Rec[];
  contacts: Rec[];
  opps: Rec[];
  tasks: Rec[];
  acts: Rec[];
  /** EmailThreads, each grouping Emails of one lead (Rec.a of an Email is its thread's index here) */
  threads: Rec[];
  /** the Emails of each thread, oldest first */
  threadEmails: Rec[][];
  children: LeadChildren[];
  events: EventRec[];
}
