/**
 * `start`: a small account with low latency, every stream in parallel, under
 * the same limits as `rate` (10 req/s per endpoint group, organization 3×):
 * the connector has not seen a limit yet when it starts, and with answers in
 * milliseconds a burst at the start overruns Close's windows. Counts 429s in
 * the whole sync and in its first seconds.
 */
import {RATE, TARGETS, buildLabel, checkRun, int, log, measured, met, prepare, readConnector, row, sandboxAt, secs, table} from './common';

export const START = {latencyMs: 20, firstSeconds: 10};

export async function sectionStart(scale: number): Promise<void> {
  log(
    `\n== 4. Start of a sync: ${int(scale)} leads, ${START.latencyMs} ms latency, ${RATE.perGroupPerSecond} req/s per endpoint group, organization ${RATE.orgMultiplier}×, every stream in parallel: 429s in all and in the first ${START.firstSeconds} s`
  );
  const sb = await sandboxAt(scale);
  try {
    const prep = await prepare(sb, `start-${scale}`);
    sb.setLatency(START.latencyMs);
    sb.setRateLimit({perGroupPerSecond: RATE.perGroupPerSecond, orgMultiplier: RATE.orgMultiplier});
    sb.resetStats();
    const t0 = Date.now();
    const marks: {s: number; requests: number; status429: number}[] = [];
    const sampler = setInterval(() => {
      const s = Math.floor((Date.now() - t0) / 1000);
      if (s >= 1 && s <= START.firstSeconds && !marks.some((m) => m.s === s)) {
        const st = sb.stats();
        marks.push({s, requests: st.requests, status429: st.status429});
      }
    }, 50);
    let result;
    try {
      result = await measured(sb, () => readConnector(prep));
    } finally {
      clearInterval(sampler);
    }
    const {result: res, truth} = result;
    checkRun('start-of-sync run', res, prep.streams, truth, true);
    const stats = sb.stats();
    table(['seconds since spawn', 'requests so far', '429s so far'], marks.map((m) => [m.s, int(m.requests), int(m.status429)]));
    const first = marks.find((m) => m.s === START.firstSeconds) ?? marks[marks.length - 1] ?? {s: 0, requests: stats.requests, status429: stats.status429};
    const pct = stats.requests > 0 ? (100 * stats.status429) / stats.requests : 0;
    const pctFirst = first.requests > 0 ? (100 * first.status429) / first.requests : 0;
    const maxInFlight = Math.max(0, ...Object.values(stats.maxInFlightByGroup));
    log(`  whole sync: ${int(stats.requests)} requests, ${int(stats.status429)} answered 429 (${pct.toFixed(2)} %), wall ${secs(res.wallMs)}; max in flight in one group ${maxInFlight}`);
    log(`  first ${first.s} s: ${int(first.requests)} requests, ${int(first.status429)} answered 429 (${pctFirst.toFixed(2)} %)`);
    const label = `${buildLabel()}Small account, low latency (${int(scale)} leads, ${START.latencyMs} ms, ${RATE.perGroupPerSecond} req/s per group, every stream in parallel)`;
    row(`${label}: 429 answers, whole sync`, `${int(stats.status429)} of ${int(stats.requests)} (${pct.toFixed(2)} %)`, `< ${TARGETS.status429Pct} %`, met(pct < TARGETS.status429Pct));
    row(`… 429 answers in the first ${first.s} s`, `${int(first.status429)} of ${int(first.requests)} (${pctFirst.toFixed(2)} %)`, `< ${TARGETS.status429Pct} %`, met(pctFirst < TARGETS.status429Pct));
  } finally {
    await sb.close();
  }
}
