import {SyncMode} from 'faros-airbyte-cdk';
import type {MembershipsRecord} from '../generated';
import {systemError} from '../errors';
import {whoAmI} from './me';
import {CloseStream, StreamItem, StreamState} from './stream-base';
import {StreamInfo, syncModesFor} from './stream-info';

/**
 * Close has no list endpoint for memberships (/membership/ takes POST and
 * PUT only); GET /organization/{id}/ holds them, as `memberships` and
 * `inactive_memberships` with the user's data under `user_*` keys
 * (https://developer.close.com/api/resources/organizations). The
 * organization comes from GET /me/. `is_active` says which list a
 * membership came from.
 */
export class Memberships extends CloseStream {
  static readonly info: StreamInfo = {
    name: 'memberships',
    endpoint: 'GET /organization/{id}/ (memberships, inactive_memberships; the id from GET /me/)',
    kind: 'custom',
    syncModes: syncModesFor(undefined),
    primaryKey: 'id',
    notes: 'active and inactive members (`is_active`, added by the connector), role and permissions',
    fullRefreshBecause: 'one object per organization, no dates',
    eventObjectTypes: ['membership'],
  };

  async *readOwnItems(_mode: SyncMode, _state: StreamState | undefined): AsyncGenerator<StreamItem> {
    const me = await whoAmI(this.ctx, this.name);
    // An empty stream here would look like an organization without members.
    if (me.organizationIds.length === 0) throw systemError(`GET /me/ (stream ${this.name}): Close named no organization for this key`);
    const seen = new Set<string>();
    for (const orgId of me.organizationIds) {
      const path = `/organization/${encodeURIComponent(orgId)}/`;
      const org = await this.ctx.client.get(path, {}, {stream: this.name});
      if (!org || typeof org !== 'object' || !Array.isArray(org.memberships)) {
        throw systemError(`GET ${path} (stream ${this.name}): Close answered without a memberships list`);
      }
      const lists: [unknown, boolean][] = [
        [org.memberships, true],
        [org.inactive_memberships ?? [], false],
      ];
      for (const [list, active] of lists) {
        for (const m of Array.isArray(list) ? (list as MembershipsRecord[]) : []) {
          if (!m || typeof m.id !== 'string') throw systemError(`GET ${path} (stream ${this.name}): a membership without an id: ${JSON.stringify(m).slice(0, 200)}`);
          if (seen.has(m.id)) continue;
          seen.add(m.id);
          yield this.shape({...m, is_active: active});
        }
      }
    }
  }
}
