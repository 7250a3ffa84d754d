import {SearchObjectType} from '../readers/search-body';
import {ContactsScan} from './contacts-scan';
import {SearchStream} from './search-stream';
import {CloseStream} from './stream-base';
import {StreamInfo} from './stream-info';

/**
 * Contacts through Close's Advanced Filtering API (POST /data/search/,
 * object_type contact): GET /contact/ has no date filter or order, so this is
 * the only way an incremental sync reads just the contacts that changed.
 * Where Close refuses the search, GET /contact/ read whole and filtered
 * (contacts-scan.ts, with its lead-search path past the skip cap).
 */
export class Contacts extends SearchStream {
  static readonly info: StreamInfo = {
    name: 'contacts',
    endpoint: 'POST /data/search/ (object_type contact); if refused, GET /contact/ read whole',
    kind: 'search_windows',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'date_updated',
    primaryKey: 'id',
    notes: 'typed custom field columns; checkpoint per window',
    eventObjectTypes: ['contact'],
    airbyte: [{stream: 'contacts'}],
  };

  protected get objectType(): SearchObjectType {
    return 'contact';
  }

  protected fallback(): CloseStream {
    return new ContactsScan(this.ctx);
  }
}
