import {CloseClient} from '../client/close-client';
import {apiErrorInfo} from '../client/close-errors';
import {errorMessage} from '../errors';
import {StreamInfo} from '../streams/stream-info';
import {Refusal, refusalOf} from './refusals';

/** Probes in flight at once: a check should be quick, and stay well inside Close's per-group rate limits. */
export const PROBE_CONCURRENCY = 4;

/**
 * The request that tells whether this key and plan may read a stream: its
 * (first) list endpoint, from the declaration's `endpoint`, with `_limit=1`.
 * Undefined where there is nothing cheap to ask: a child stream (its list
 * needs a parent id; it shares its parent's fate here and is checked again
 * when read) and a POST. `{id}` is the key's organization (memberships).
 */
export function probePath(info: StreamInfo, organizationId: string | undefined): string | undefined {
  if (info.kind === 'child') return undefined;
  const m = /^GET (\/[^\s?,]*)/.exec(info.endpoint);
  if (!m) return undefined;
  if (m[1].includes('{')) return organizationId ? m[1].replace(/\{[^}]+\}/, organizationId) : undefined;
  return m[1];
}

export interface ProbeResult {
  /** streams Close refused, with what they need; children of a refused parent too */
  refused: Refusal[];
  /** streams probed */
  probed: number;
  /** probes that failed otherwise (a 5xx, a timeout): not a refusal, reported for the log */
  inconclusive: {stream: string; message: string}[];
}

/**
 * One `_limit=1` request per stream, PROBE_CONCURRENCY at a time. Only a
 * refusal (refusals.ts) counts; any other failure leaves the stream as
 * readable, since check must not fail on what a sync would retry.
 */
export async function probeStreams(client: CloseClient, infos: readonly StreamInfo[], organizationId: string | undefined): Promise<ProbeResult> {
  const result: ProbeResult = {refused: [], probed: 0, inconclusive: []};
  const refusedByName = new Map<string, Refusal>();
  const queue = infos.map((info) => ({info, path: probePath(info, organizationId)})).filter((p) => p.path !== undefined);
  let next = 0;
  const worker = async () => {
    while (next < queue.length) {
      const {info, path} = queue[next++];
      result.probed++;
      try {
        await client.get(path!, {_limit: 1}, {stream: info.name});
      } catch (err) {
        const refusal = refusalOf(err, info);
        if (refusal) refusedByName.set(info.name, refusal);
        else if (apiErrorInfo(err).status !== 401) result.inconclusive.push({stream: info.name, message: errorMessage(err)});
        else throw err;
      }
    }
  };
  await Promise.all(Array.from({length: Math.min(PROBE_CONCURRENCY, queue.length)}, worker));
  for (const info of infos) {
    const own = refusedByName.get(info.name);
    const parent = info.kind === 'child' && info.parent ? refusedByName.get(info.parent) : undefined;
    if (own) result.refused.push(own);
    else if (parent) result.refused.push({...parent, stream: info.name, need: `${parent.need} (it is read per ${info.parent} record)`});
  }
  return result;
}
