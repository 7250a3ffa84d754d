import { Sandbox } from '../../sandbox';
import { ACTIVITY_SEEDS, RESOURCE_SEEDS } from '../../sandbox/resources/seeds';
import type { ResourceSeed } from '../../sandbox/resources/spec';
import { get, pageAll } from './helpers';

/** Every record of a seeded resource the key can see, read as a complete client reads it. */
export async function readSeeded(sb: Sandbox, seed: ResourceSeed): Promise<any[]> {
  const me = (await get(sb, '/me/')).body;
  const limit = seed.maxLimit ?? 100;
  if (seed.embedded) {
    const org = (await get(sb, `/organization/${me.organizations[0].id}/`)).body;
    return [...org[seed.embedded.active], ...org[seed.embedded.inactive]];
  }
  if (seed.parent) {
    const out: any[] = [];
    for (const parent of sb.truth(seed.parent.stream)) out.push(...(await pageAll(sb, `${seed.path}?${seed.parent.param}=${parent.id}`, limit)));
    return out;
  }
  const queries = seed.readAll ?? [''];
  const byKey = new Map<string, any>();
  for (const q of queries) {
    const expanded = q.includes('{lead}') ? sb.truth('leads').map((l) => q.replace('{lead}', l.id)) : [q];
    for (const one of expanded) {
      const query = one.replace('{me}', me.id);
      for (const r of await pageAll(sb, query ? `${seed.path}?${query}` : seed.path, limit)) byKey.set(r[seed.key ?? 'id'], r);
    }
  }
  return [...byKey.values()];
}

/** The list endpoint of every resource and activity type the sandbox serves from seeds, by stream. */
export function seededStreams(): Map<string, (sb: Sandbox) => Promise<any[]>> {
  const out = new Map<string, (sb: Sandbox) => Promise<any[]>>();
  for (const seed of RESOURCE_SEEDS) out.set(seed.stream, (sb) => readSeeded(sb, seed));
  for (const a of ACTIVITY_SEEDS) out.set(a.stream, (sb) => pageAll(sb, `/activity/${a.endpoint}/`, 100));
  return out;
}

export { RESOURCE_SEEDS };
