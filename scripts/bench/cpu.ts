import os from 'os';
import {BUSY_SHARE, TARGETS, Prepared, UNREACHABLE_LIMIT, buildLabel, checkRun, int, log, mb, measured, met, noLimits, prepare, ratio, readConnector, row, runBaseline, sandboxAt, secs, settings, table, warn} from './common';
import {RunResult} from './proc';
import {hasFloor} from './streams';

/** `cpu`: a CPU-bound full sync, connector against a minimal serial reader. */
export async function sectionCpu(scale: number): Promise<void> {
  log(`\n== 2. CPU-bound sync: ${int(scale)} leads, no latency, ${noLimits()}; connector and baseline alternated, best of two`);
  // A deep-enough skip cap for the baseline's plain offsets (the connector never pages that deep).
  const sb = await sandboxAt(scale, {skipCap: 1_000_000_000, rateLimit: settings.limitHeaders ? UNREACHABLE_LIMIT : null});
  const runs: {who: 'connector' | 'baseline'; res: RunResult; requests: number; hostCpuMs: number}[] = [];
  let prep: Prepared;
  try {
    prep = await prepare(sb, `cpu-${scale}`);
    for (let i = 0; i < 2; i++) {
      for (const who of ['connector', 'baseline'] as const) {
        sb.resetStats();
        const cpu0 = process.cpuUsage();
        const {result: res, truth} = await measured(sb, () => (who === 'connector' ? readConnector(prep) : runBaseline(sb, prep.streams)));
        const cpu = process.cpuUsage(cpu0);
        runs.push({who, res, requests: sb.stats().requests, hostCpuMs: (cpu.user + cpu.system) / 1000});
        checkRun(`${who} run ${i + 1}`, res, prep.streams.filter(hasFloor), truth, who === 'connector');
      }
    }
  } finally {
    await sb.close();
  }
  table(
    ['run', 'wall', 'records', 'records/s', 'stdout', 'CPU child', 'child busy', 'CPU sandbox+reader', 'peak RSS', 'requests', 'req/s'],
    runs.map((r, i) => [
      `${r.who} ${Math.floor(i / 2) + 1}`,
      secs(r.res.wallMs),
      int(r.res.tally.records),
      int(r.res.tally.records / (r.res.wallMs / 1000)),
      mb(r.res.tally.bytes),
      r.res.cpuMs !== undefined ? secs(r.res.cpuMs) : 'n/a',
      r.res.cpuMs !== undefined ? `${Math.round((100 * r.res.cpuMs) / r.res.wallMs)} %` : 'n/a',
      secs(r.hostCpuMs),
      mb(r.res.peakRssBytes),
      int(r.requests),
      (r.requests / (r.res.wallMs / 1000)).toFixed(1),
    ])
  );
  const best = (who: string) => runs.filter((r) => r.who === who).reduce((a, b) => (b.res.wallMs < a.res.wallMs ? b : a));
  const bestCpu = (who: string) => Math.min(...runs.filter((r) => r.who === who).map((r) => r.res.cpuMs ?? NaN));
  const c = best('connector');
  const b = best('baseline');
  const rps = (r: RunResult) => r.tally.records / (r.wallMs / 1000);
  const timeRatio = c.res.wallMs / b.res.wallMs;
  const cpuRatio = bestCpu('connector') / bestCpu('baseline');
  log(`  best connector: ${secs(c.res.wallMs)}, ${int(rps(c.res))} records/s;  best baseline: ${secs(b.res.wallMs)}, ${int(rps(b.res))} records/s`);
  log(`  connector/baseline wall time: ${ratio(timeRatio)} (target ≤ ${TARGETS.cpuRatio}×); child CPU time ratio (best of two): ${Number.isFinite(cpuRatio) ? ratio(cpuRatio) : 'n/a'}`);
  log(`  (the sandbox and this process's stdout reader share the machine's ${os.cpus().length} cores with the child in both cases; wall includes Node start-up)`);
  const busy = (c.res.cpuMs ?? NaN) / c.res.wallMs;
  if (busy < BUSY_SHARE) {
    warn(
      `the connector was on CPU only ${Math.round(100 * busy)} % of its best run (${secs(c.res.cpuMs!)} of ${secs(c.res.wallMs)}) at ${(c.requests / (c.res.wallMs / 1000)).toFixed(1)} requests/s with no latency and no limits: it was waiting (its own pacing?), so records/s measures that wait, not its CPU cost`
    );
  }

  const label = `${buildLabel()}CPU-bound full sync (${int(scale)} leads, no latency, ${noLimits()})`;
  row(`${label}: connector`, `${int(rps(c.res))} records/s (${int(c.res.tally.records)} records in ${secs(c.res.wallMs)}, best of 2)`, '', '');
  row('… baseline: serial `_skip`/`_limit` fetch (children one parent after another), prints RECORD lines', `${int(rps(b.res))} records/s (${int(b.res.tally.records)} records in ${secs(b.res.wallMs)}, best of 2)`, '', '');
  row('… connector / baseline, wall time', ratio(timeRatio), `≤ ${TARGETS.cpuRatio}×`, met(timeRatio <= TARGETS.cpuRatio));
  if (Number.isFinite(cpuRatio)) row('… connector / baseline, child CPU time', ratio(cpuRatio), '', '');
}
