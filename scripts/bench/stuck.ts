/**
 * `stuck`: one endpoint group answers every request with a 429 that gives no
 * usable hint (no RateLimit header, no Retry-After, no rate_reset: an empty
 * body), the others answer normally. Counts the requests the stuck group
 * receives in the first minute: with a backoff that never grows it is
 * hundreds per request in flight.
 */
import {buildLabel, int, log, prepare, readConnector, row, sandboxAt, secs} from './common';

export const STUCK = {group: 'activity', latencyMs: 20, minuteMs: 60_000, maxPerMinute: 20};

export async function sectionStuck(scale: number): Promise<void> {
  log(`\n== 5. A stuck endpoint group: every /${STUCK.group}/ request answered 429 without any hint; ${int(scale)} leads, ${STUCK.latencyMs} ms latency; the sync is stopped after one minute`);
  const sb = await sandboxAt(scale);
  try {
    const prep = await prepare(sb, `stuck-${scale}`);
    sb.setLatency(STUCK.latencyMs);
    sb.script({path: `/${STUCK.group}/`, times: Number.MAX_SAFE_INTEGER, respond: {status: 429, headers: {}, body: ''}});
    sb.resetStats();
    let atMinute: number | undefined;
    const t0 = Date.now();
    const timer = setTimeout(() => (atMinute = sb.stats().byGroup[STUCK.group] ?? 0), STUCK.minuteMs);
    const res = await readConnector(prep, {timeoutMs: STUCK.minuteMs + 2000});
    clearTimeout(timer);
    const sent = atMinute ?? sb.stats().byGroup[STUCK.group] ?? 0;
    const elapsed = Math.min(Date.now() - t0, STUCK.minuteMs);
    const streams = prep.streams.filter((s) => res.tally.streams.get(s)?.status === 'COMPLETE').length;
    log(`  /${STUCK.group}/ received ${int(sent)} requests in the first ${secs(elapsed)} (${res.timedOut ? 'stopped at the minute' : `the sync ended by itself after ${secs(res.wallMs)}`}); ${streams} of ${prep.streams.length} streams completed meanwhile`);
    row(
      `${buildLabel()}Requests a stuck endpoint group (every answer a 429 without hint) receives in its first minute, all streams running`,
      int(sent),
      'exponential backoff (capped); reported',
      ''
    );
  } finally {
    await sb.close();
  }
}
