import {systemError} from '../errors';
import {StreamContext} from './stream-base';

export interface Me {
  id: string;
  organizationIds: string[];
}

/** GET /me/: the key's user and the organizations it belongs to. */
export async function whoAmI(ctx: StreamContext, stream: string): Promise<Me> {
  const me = await ctx.client.get('/me/', {_fields: 'id,organizations'}, {stream});
  if (!me || typeof me.id !== 'string') throw systemError(`GET /me/ (stream ${stream}): Close answered without a user id`);
  const orgs: unknown[] = Array.isArray(me.organizations) ? me.organizations : [];
  const organizationIds = orgs
    .map((o) => (typeof o === 'string' ? o : typeof o === 'object' && o !== null ? (o as {id?: unknown}).id : undefined))
    .filter((id): id is string => typeof id === 'string' && id !== '');
  return {id: me.id, organizationIds};
}
