import {SyncMode} from 'faros-airbyte-cdk';
import type {SendAsRecord} from '../generated';
import {ListRequest, ListStream} from './list-stream';
import {whoAmI} from './me';
import {StreamItem, StreamState} from './stream-base';
import {StreamInfo, syncModesFor} from './stream-info';

/**
 * GET /send_as/: "A user only has access to associations they are involved
 * in … `allowing_user_id` or `allowed_user_id` must be equal to your user ID.
 * If neither filter is provided, `allowing_user_id` is assumed by default."
 * (https://developer.close.com/api/resources/send-as). So both directions
 * are read, with the key's user from GET /me/; an association in both (a
 * user and itself) is printed once. The ids held are those of one user's
 * associations.
 */
export class SendAs extends ListStream {
  static readonly info: StreamInfo = {
    name: 'send_as',
    endpoint: 'GET /send_as/?allowing_user_id=<me>, then ?allowed_user_id=<me> (me: GET /me/)',
    kind: 'custom',
    syncModes: syncModesFor(undefined),
    primaryKey: 'id',
    notes: "associations the key's user is part of, both directions (Close shows no others)",
    fullRefreshBecause: 'no date fields; no filter but the two user ids',
    emptyBecause: "Send As is optional: a key's user who neither lets anyone send as them nor may send as anyone has no associations.",
    airbyte: [{stream: 'send_as', where: "allowing_user_id = <the key's user id>", note: 'Airbyte read this direction only'}],
  };

  protected get request(): ListRequest {
    return {path: '/send_as/'};
  }

  override async *readOwnItems(_mode: SyncMode, _state: StreamState | undefined): AsyncGenerator<StreamItem> {
    const me = await whoAmI(this.ctx, this.name);
    const seen = new Set<string>();
    for (const direction of ['allowing_user_id', 'allowed_user_id']) {
      for await (const records of this.pages({...this.request, params: {[direction]: me.id}})) {
        for (const record of records as SendAsRecord[]) {
          if (seen.has(record.id)) continue;
          seen.add(record.id);
          yield this.shape(record);
        }
      }
    }
  }
}
