import {Activities} from './activities';
import {EventLog} from './event-log';
import {
  ActivityCustomFields,
  ContactCustomFields,
  CustomFields,
  OpportunityCustomFields,
  SharedCustomFields,
  Users,
} from './full-scan-stream';
import {EmailTemplates, LeadStatuses, OpportunityStatuses, Pipelines, Sequences} from './full-refresh-stream';
import {Contacts} from './contacts';
import {EmailThreads} from './email-threads';
import {Leads} from './leads';
import {Opportunities} from './opportunities';
import {CloseStream, StreamContext} from './stream-base';
import {Tasks} from './tasks';

/** Every stream of the connector: Stitch's six tables first, then the rest of Close. */
export function allStreams(ctx: StreamContext): CloseStream[] {
  return [
    new Activities(ctx),
    new CustomFields(ctx),
    new EventLog(ctx),
    new Leads(ctx),
    new Tasks(ctx),
    new Users(ctx),
    new Opportunities(ctx),
    new Contacts(ctx),
    new LeadStatuses(ctx),
    new OpportunityStatuses(ctx),
    new Pipelines(ctx),
    new EmailTemplates(ctx),
    new Sequences(ctx),
    new ContactCustomFields(ctx),
    new OpportunityCustomFields(ctx),
    new ActivityCustomFields(ctx),
    new SharedCustomFields(ctx),
    new EmailThreads(ctx),
  ];
}
