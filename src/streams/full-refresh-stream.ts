import {ListRequest, ListStream, listStream} from './list-stream';

/**
 * A small configuration resource with no date to follow (statuses,
 * pipelines, templates, sequences): full refresh only, read whole every sync.
 * The base of every plain list stream is ListStream (list-stream.ts).
 */
export abstract class FullRefreshStream extends ListStream {
  protected abstract get path(): string;
  protected get pageSize(): number {
    return 100;
  }
  protected get request(): ListRequest {
    return {path: this.path, pageSize: this.pageSize};
  }
}

const SMALL = 'small, read whole';
const NO_DATE_FILTER = 'Close cannot filter or order it by a date';

export const LeadStatuses = listStream({
  name: 'lead_statuses',
  path: '/status/lead/',
  notes: SMALL,
  fullRefreshBecause: 'no date fields',
  eventObjectTypes: ['status.lead'],
  airbyte: [{stream: 'lead_statuses'}],
});
export const OpportunityStatuses = listStream({
  name: 'opportunity_statuses',
  path: '/status/opportunity/',
  notes: SMALL,
  fullRefreshBecause: 'no date fields',
  eventObjectTypes: ['status.opportunity'],
  airbyte: [{stream: 'opportunity_statuses'}],
});
export const Pipelines = listStream({
  name: 'pipelines',
  path: '/pipeline/',
  notes: SMALL,
  fullRefreshBecause: NO_DATE_FILTER,
  airbyte: [{stream: 'pipelines'}],
});
export const EmailTemplates = listStream({
  name: 'email_templates',
  path: '/email_template/',
  notes: SMALL,
  fullRefreshBecause: NO_DATE_FILTER,
  eventObjectTypes: ['email_template'],
  airbyte: [{stream: 'email_templates'}],
});
export const Sequences = listStream({
  name: 'sequences',
  path: '/sequence/',
  pageSize: 1000,
  notes: SMALL,
  fullRefreshBecause: NO_DATE_FILTER,
  eventObjectTypes: ['sequence'],
  emptyBecause: 'Sequences exist only in accounts whose plan includes them and where someone created one; many accounts have none.',
  airbyte: [{stream: 'email_sequences'}],
});
