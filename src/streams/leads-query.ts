import {Params} from '../client/close-client';
import {Micros, MICROS_PER_MINUTE, formatMinute} from '../time/instant';
import {StreamInfo} from './stream-info';
import {UpdatedOrderStream} from './updated-order-stream';

export const LEAD_PAGE_SIZE = 200;
/**
 * The lead query language is answered from a search index (Close deprecated
 * it for Advanced Filtering, also search-backed). An edit may reach the
 * index after a later one, so the committed cursor stays this far behind the
 * sync's start. A guess: Close documents no lag for its search (only that
 * events may become visible out of order, for which it advises re-scanning
 * five minutes); an index typically lags by seconds, and one minute is also
 * the query language's own precision. Costs the next sync a re-read of the
 * leads edited in that minute.
 */
export const SEARCH_SETTLE_MARGIN = MICROS_PER_MINUTE;

/**
 * The `leads` stream's fallback (see leads.ts): GET /lead/ with the search
 * `query` language, which Close deprecated on 2022-02-14 for the Advanced
 * Filtering API but still serves. Used only when POST /data/search/ is
 * refused. The language works to the minute, so windows and bounds are whole
 * minutes and the keyset reader sorts out the rest. Close's `custom.<id>`
 * values become Stitch's `custom_fields: [{id, value}]` and typed columns.
 * Not in the registry: its declaration describes the fallback only.
 */
export class LeadsQuery extends UpdatedOrderStream {
  static readonly info: StreamInfo = {
    name: 'leads',
    endpoint: 'GET /lead/ (search query)',
    kind: 'updated_windows',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'date_updated',
    primaryKey: 'id',
    stitch: true,
    notes: '`custom_fields [{id, value}]` + typed `custom.cf_…` columns; checkpoint per page',
    eventObjectTypes: ['lead'],
    airbyte: [{stream: 'leads'}],
  };


  protected get path(): string {
    return '/lead/';
  }

  protected get pageSize(): number {
    return LEAD_PAGE_SIZE;
  }

  protected get quantum(): Micros {
    return MICROS_PER_MINUTE;
  }

  protected override get settleMargin(): Micros {
    return SEARCH_SETTLE_MARGIN;
  }

  /**
   * The query language compares whole minutes: the range ends on the minute
   * after the start. Leads edited in that first minute may land inside it;
   * that is harmless, because the committed cursor stays before the start
   * (see cursorCeiling).
   */
  protected override upperBound(): Micros {
    return Math.ceil(this.ctx.syncStartedAt / MICROS_PER_MINUTE) * MICROS_PER_MINUTE;
  }

  protected rangeParams(gte: Micros | undefined, lt: Micros): Params {
    const terms = [gte === undefined ? undefined : `date_updated>="${formatMinute(gte)}"`, `date_updated<"${formatMinute(lt)}"`, 'sort:date_updated'];
    return {query: terms.filter(Boolean).join(' ')};
  }
}
