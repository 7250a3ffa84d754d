import {Params} from '../client/close-client';
import {Micros, MICROS_PER_SECOND, formatInstant} from '../time/instant';
import {StreamInfo} from './stream-info';
import {UpdatedOrderStream} from './updated-order-stream';

export const OPPORTUNITY_PAGE_SIZE = 250;

/** GET /opportunity/ with `date_updated__gte/__lt` and `_order_by=date_updated`. */
export class Opportunities extends UpdatedOrderStream {
  static readonly info: StreamInfo = {
    name: 'opportunities',
    endpoint: 'GET /opportunity/',
    kind: 'updated_windows',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'date_updated',
    primaryKey: 'id',
    notes: 'typed custom field columns; row estimate from `total_results`; checkpoint per page',
    eventObjectTypes: ['opportunity'],
    airbyte: [{stream: 'opportunities'}],
  };


  protected get path(): string {
    return '/opportunity/';
  }

  protected get pageSize(): number {
    return OPPORTUNITY_PAGE_SIZE;
  }

  protected get quantum(): Micros {
    return MICROS_PER_SECOND;
  }

  protected rangeParams(gte: Micros | undefined, lt: Micros): Params {
    return {
      date_updated__gte: gte === undefined ? undefined : formatInstant(gte),
      date_updated__lt: formatInstant(lt),
      _order_by: 'date_updated',
    };
  }
}
