import {SearchObjectType} from '../readers/search-body';
import {LeadsQuery} from './leads-query';
import {SearchStream} from './search-stream';
import {CloseStream} from './stream-base';
import {StreamInfo} from './stream-info';

/**
 * Leads through Close's Advanced Filtering API (POST /data/search/,
 * object_type lead), which replaced GET /lead/?query= (deprecated
 * 2022-02-14): date_updated windows, records whole (with their contacts,
 * opportunities and tasks). Close's `custom.<id>` values become Stitch's
 * `custom_fields: [{id, value}]` and typed columns. Where Close refuses the
 * search, GET /lead/ with the query language (leads-query.ts).
 */
export class Leads extends SearchStream {
  static readonly info: StreamInfo = {
    name: 'leads',
    endpoint: 'POST /data/search/ (object_type lead); if refused, GET /lead/ (search query)',
    kind: 'search_windows',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'date_updated',
    primaryKey: 'id',
    stitch: true,
    notes: '`custom_fields [{id, value}]` + typed `custom.cf_…` columns; checkpoint per window',
    eventObjectTypes: ['lead'],
    airbyte: [{stream: 'leads'}],
  };

  protected get objectType(): SearchObjectType {
    return 'lead';
  }

  /** GET /lead/ sends them too (outside the schema, kept as Close sends them). */
  protected override get extraFields(): readonly string[] {
    return ['contact_ids'];
  }

  protected fallback(): CloseStream {
    return new LeadsQuery(this.ctx);
  }
}
