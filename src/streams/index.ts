import {Activities} from './activities';
import {EventLog} from './event-log';
import {CustomFields, Users} from './full-scan-stream';
import {Leads} from './leads';
import {CloseStream, StreamContext} from './stream-base';
import {Tasks} from './tasks';

/** Every stream of the connector, in the order a full catalog lists them. */
export function allStreams(ctx: StreamContext): CloseStream[] {
  return [new Activities(ctx), new CustomFields(ctx), new EventLog(ctx), new Leads(ctx), new Tasks(ctx), new Users(ctx)];
}
