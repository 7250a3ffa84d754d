/**
 * `npm run bench [-- rate cpu memory] [--quick]`: figures for issue 6, never a
 * pass/fail test. Runs the built connector (bin/main, as a child process)
 * against the bundled Close sandbox, started in this process per section:
 *
 *   rate    rate-limited full sync (5,000 leads, 300 ms latency, 10 req/s per
 *           endpoint group, organization 3×): wall time against the floor the
 *           rate limits allow, requests sent per group against pages needed, 429s.
 *   cpu     CPU-bound full sync (20,000 leads, no latency, no limits): records/s
 *           of the connector and of a minimal serial reader (scripts/bench/baseline.js),
 *           alternated, best of two each.
 *   memory  peak RSS (VmHWM) of a full sync at 2,000 and at 40,000 leads.
 *
 * Options: --quick (smaller scales, a smoke run), --timeout=SECONDS (a sync
 * still running after this is killed and reported; default 600),
 * --limit-headers (see below).
 *
 * Prints a compact report and a markdown table for the README, and writes both
 * to out/bench/report.md. Warnings (failed sync, ERROR trace, record counts
 * that differ from the sandbox's truth) are printed, never turned into an exit code.
 */
import {execFileSync} from 'child_process';
import {configuredCatalog} from './shared/configured-catalog';
import fs from 'fs';
import os from 'os';
import path from 'path';
import {performance} from 'perf_hooks';
import {STREAM_NAMES, Sandbox, SandboxOptions, startSandbox} from '../sandbox';
import {RunResult, runProcess} from './bench/proc';
import {Floor, SPEC_BY_STREAM, computeFloor} from './bench/streams';
import {connectorArgs, sectionIncremental} from './bench/incremental';

const ROOT = path.resolve(__dirname, '..');
const BASELINE = path.join(__dirname, 'bench', 'baseline.js');
const OUT = path.join(ROOT, 'out', 'bench');
/**
 * The built connector is copied here at start and run from the copy: others
 * rebuild lib/ while a benchmark runs, and every run should measure the same
 * code. Its dependencies still resolve from the repository's node_modules
 * (out/ is inside the repository).
 */
const SNAPSHOT = path.join(OUT, 'connector');
const BIN = path.join(SNAPSHOT, 'bin', 'main');

function snapshotConnector(): void {
  fs.rmSync(SNAPSHOT, {recursive: true, force: true});
  for (const part of ['bin', 'lib', 'resources', 'package.json']) {
    fs.cpSync(path.join(ROOT, part), path.join(SNAPSHOT, part), {recursive: true});
  }
}

const SEED = 42;
const API_KEY = 'bench-api-key';
/** Before all generated data: a full sync reads the sandbox's whole truth. */
const START_DATE = '2000-01-01T00:00:00Z';

const RATE = {latencyMs: 300, perGroupPerSecond: 10, orgMultiplier: 3};
/** A run still going after this long is killed and reported as such (`--timeout=SECONDS`). */
let runTimeoutMs = 600_000;
/**
 * `--limit-headers`: in the cpu and memory sections the sandbox announces a
 * limit no sync can reach (RateLimit headers on every answer, never a 429)
 * instead of sending no RateLimit header at all, for a connector that paces
 * itself until it has seen a limit. Off by default: the issue asks for no limits.
 */
let limitHeaders = false;
const UNREACHABLE_LIMIT = {perGroupPerSecond: 1_000_000, orgMultiplier: 3};
/** Below this share of its wall time on CPU, a run without latency or limits was mostly waiting. */
const BUSY_SHARE = 0.5;
const TARGETS = {rateSequential: 1.2, status429Pct: 1, cpuRatio: 1.5, memoryDeltaMB: 50};

interface Scales {
  rate: number;
  cpu: number;
  memory: [number, number];
}
const SCALES: Record<'full' | 'quick', Scales> = {
  full: {rate: 5000, cpu: 20000, memory: [2000, 40000]},
  quick: {rate: 500, cpu: 2000, memory: [500, 4000]},
};

type Section = 'rate' | 'cpu' | 'memory' | 'incremental';
const SECTIONS: Section[] = ['rate', 'cpu', 'memory', 'incremental'];

// ------------------------------------------------------------------ report

const lines: string[] = [];
const summary: {figure: string; value: string; target: string; status: string}[] = [];
const warnings: string[] = [];

function log(line = ''): void {
  console.log(line);
  lines.push(line);
}

function warn(line: string): void {
  const text = `WARNING: ${line}`;
  log(text);
  warnings.push(text);
}

function row(figure: string, value: string, target = '', status = ''): void {
  summary.push({figure, value, target, status});
}

function table(head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const r of cells) log('  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : `${(bytes / 1048576).toFixed(1)} MB`);
const ratio = (x: number): string => `${x.toFixed(2)}×`;
const met = (ok: boolean): string => (ok ? 'met' : 'not met');

// ------------------------------------------------------------------ running the connector

interface Prepared {
  dir: string;
  config: string;
  catalog: string;
  streams: string[];
}

async function sandboxAt(scale: number, extra: SandboxOptions = {}): Promise<Sandbox> {
  const t = performance.now();
  const sb = await startSandbox({scale, seed: SEED, apiKey: API_KEY, ...extra});
  log(`  sandbox: ${int(scale)} leads, seed ${SEED}, ready in ${secs(performance.now() - t)}`);
  return sb;
}

function truthCounts(sb: Sandbox): Map<string, number> {
  return new Map(STREAM_NAMES.map((s) => [s as string, sb.truth(s).length]));
}

/**
 * The sandbox's record counts just before and just after a run: events older
 * than 30 days leave the event log while a sync runs, so its count may be
 * anything between the two.
 */
interface Truth {
  before: Map<string, number>;
  after: Map<string, number>;
}

async function measured<T>(sb: Sandbox, run: () => Promise<T>): Promise<{result: T; truth: Truth}> {
  const before = truthCounts(sb);
  const result = await run();
  return {result, truth: {before, after: truthCounts(sb)}};
}

/** Config pointing at the sandbox and a catalog of every discovered stream (first sync: incremental where supported). */
async function prepare(sb: Sandbox, name: string): Promise<Prepared> {
  const dir = path.join(OUT, name);
  fs.mkdirSync(dir, {recursive: true});
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({api_key: sb.apiKey, api_url: sb.url, start_date: START_DATE}, null, 2));
  const res = await runProcess(process.execPath, [BIN, 'discover', '--config', config], {cwd: ROOT, keepMessages: true});
  const msg = res.tally.kept?.find((m) => m.type === 'CATALOG');
  if (res.exitCode !== 0 || !msg) {
    throw new Error(`discover failed (exit ${res.exitCode}): ${res.tally.errors.join('; ') || res.stderrTail.trim() || 'no CATALOG'}`);
  }
  const discovered: any[] = msg.catalog.streams;
  const catalog = path.join(dir, 'catalog.json');
  fs.writeFileSync(
    catalog,
    JSON.stringify(configuredCatalog(discovered), null, 2)
  );
  const streams = discovered.map((s) => s.name as string);
  const unknown = streams.filter((s) => !SPEC_BY_STREAM.has(s));
  if (unknown.length) warn(`discovered streams the benchmark has no endpoint for (left out of floor and baseline): ${unknown.join(', ')}`);
  return {dir, config, catalog, streams};
}

/** The NODE_OPTIONS the image sets, so that the connector is measured as it ships. */
const IMAGE_NODE_OPTIONS = /^ENV NODE_OPTIONS="([^"]*)"/m.exec(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];

function readConnector(p: Prepared): Promise<RunResult> {
  return runProcess(process.execPath, [BIN, 'read', '--config', p.config, '--catalog', p.catalog], {
    cwd: ROOT,
    timeoutMs: runTimeoutMs,
    env: IMAGE_NODE_OPTIONS ? {...process.env, NODE_OPTIONS: IMAGE_NODE_OPTIONS} : process.env,
  });
}

function runBaseline(sb: Sandbox, streams: string[]): Promise<RunResult> {
  const specs = streams.map((s) => SPEC_BY_STREAM.get(s)).filter((s) => s !== undefined);
  return runProcess(process.execPath, [BASELINE, sb.url, JSON.stringify(specs)], {
    cwd: ROOT,
    env: {...process.env, BENCH_API_KEY: sb.apiKey},
    timeoutMs: runTimeoutMs,
  });
}

/** Warns about anything that makes a run's figures suspect; returns whether it was clean. */
function checkRun(label: string, res: RunResult, streams: string[], truth: Truth, connector: boolean): boolean {
  let clean = true;
  const fail = (text: string): void => {
    clean = false;
    warn(`${label}: ${text}`);
  };
  if (res.timedOut) fail(`still running after ${secs(runTimeoutMs)}: killed; its figures are lower bounds (raise --timeout=SECONDS)`);
  if (res.exitCode !== 0) fail(`exit code ${res.exitCode}${res.signal ? ` (signal ${res.signal})` : ''}; stderr: ${res.stderrTail.trim().slice(-500) || '(empty)'}`);
  for (const e of res.tally.errors) fail(`ERROR trace: ${e.slice(0, 500)}`);
  if (res.tally.badLineCount) fail(`${res.tally.badLineCount} stdout lines are not JSON, e.g. ${JSON.stringify(res.tally.badLines[0])}`);
  if (connector) {
    const notComplete = streams.filter((s) => res.tally.streams.get(s)?.status !== 'COMPLETE');
    if (notComplete.length) fail(`streams not COMPLETE: ${notComplete.map((s) => `${s} (${res.tally.streams.get(s)?.status ?? 'no status'})`).join(', ')}`);
  }
  const off: string[] = [];
  for (const s of streams) {
    const a = truth.before.get(s);
    const b = truth.after.get(s);
    if (a === undefined || b === undefined) continue;
    const n = res.tally.recordsOf(s);
    if (n < Math.min(a, b) || n > Math.max(a, b)) off.push(`${s} ${int(n)} (truth ${a === b ? int(a) : `${int(b)}–${int(a)}`})`);
  }
  if (off.length) fail(`record counts differ from the sandbox's truth: ${off.join(', ')}`);
  for (const w of res.tally.warnings.slice(0, 5)) log(`  note, ${label} logged ${w}`);
  return clean;
}

/** Length of the union of [start, end] intervals, ms. */
function unionMs(intervals: [number, number][]): number {
  const sorted = intervals.filter(([a, b]) => b >= a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cur: [number, number] | undefined;
  for (const [a, b] of sorted) {
    if (!cur || a > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    } else cur[1] = Math.max(cur[1], b);
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

function streamInterval(res: RunResult, s: string): [number, number] | undefined {
  const t = res.tally.streams.get(s);
  return t?.startedAt !== undefined && t.endedAt !== undefined ? [t.startedAt, t.endedAt] : undefined;
}

// ------------------------------------------------------------------ 1. rate-limited sync

async function sectionRate(scale: number): Promise<void> {
  log(`\n== 1. Rate-limited sync: ${int(scale)} leads, ${RATE.latencyMs} ms latency, ${RATE.perGroupPerSecond} req/s per endpoint group, organization ${RATE.orgMultiplier}× = ${RATE.perGroupPerSecond * RATE.orgMultiplier} req/s`);
  const sb = await sandboxAt(scale);
  let res: RunResult;
  let stats: ReturnType<Sandbox['stats']>;
  let truth: Truth;
  let prep: Prepared;
  try {
    prep = await prepare(sb, `rate-${scale}`); // discover without latency or limits
    sb.setLatency(RATE.latencyMs);
    sb.setRateLimit({perGroupPerSecond: RATE.perGroupPerSecond, orgMultiplier: RATE.orgMultiplier});
    sb.resetStats();
    ({result: res, truth} = await measured(sb, () => readConnector(prep)));
    stats = sb.stats();
  } finally {
    await sb.close();
  }
  checkRun('rate-limited sync', res, prep.streams, truth, true);
  const floor: Floor = computeFloor(prep.streams, truth.before, RATE.perGroupPerSecond, RATE.orgMultiplier);

  log('  per stream (pages = ceil(truth records / max page size)):');
  table(
    ['stream', 'group', 'truth', 'read', 'max page', 'pages', 'time'],
    floor.perStream.map((p) => {
      const iv = streamInterval(res, p.stream);
      return [p.stream, p.group, int(p.records), int(res.tally.recordsOf(p.stream)), p.maxPage, int(p.pages), iv ? secs(iv[1] - iv[0]) : '-'];
    })
  );
  log('  per endpoint group (requests counted by the sandbox, 429s included; time = union of its streams STARTED→COMPLETE):');
  const groupRows: (string | number)[][] = floor.groups.map((g) => {
    const sent = stats.byGroup[g.group] ?? 0;
    const time = unionMs(g.streams.map((s) => streamInterval(res, s)).filter((x): x is [number, number] => x !== undefined));
    return [
      g.group,
      int(g.pages),
      int(sent),
      `${sent - g.pages >= 0 ? '+' : ''}${int(sent - g.pages)}`,
      g.pages > 0 ? ratio(sent / g.pages) : '-',
      stats.maxInFlightByGroup[g.group] ?? 0,
      secs(time),
      secs((g.pages / RATE.perGroupPerSecond) * 1000),
    ];
  });
  for (const [group, sent] of Object.entries(stats.byGroup)) {
    if (!floor.groups.some((g) => g.group === group)) groupRows.push([group, '0', int(sent), `+${int(sent)}`, '-', stats.maxInFlightByGroup[group] ?? 0, '-', '-']);
  }
  table(['group', 'pages needed', 'requests', 'extra', 'req/page', 'max in flight', 'time', 'floor'], groupRows);

  const wall = res.wallMs / 1000;
  const pct429 = stats.requests > 0 ? (100 * stats.status429) / stats.requests : 0;
  const intervals = prep.streams.map((s) => streamInterval(res, s)).filter((x): x is [number, number] => x !== undefined);
  const overlapping = unionMs(intervals) + 1 < intervals.reduce((n, [a, b]) => n + (b - a), 0);
  const maxInFlight = Math.max(0, ...Object.values(stats.maxInFlightByGroup));
  const concurrent = overlapping || maxInFlight > 1;
  const latencyBound = (floor.totalPages * RATE.latencyMs) / 1000;
  const otherStatus = Object.entries(stats.byStatus).filter(([s]) => s !== '200' && s !== '429');

  log(`  wall time (spawn to exit):  ${wall.toFixed(1)} s, ${int(res.tally.records)} records`);
  log(`  floor, streams one after another:  ${floor.sequentialS.toFixed(1)} s  (Σ ${int(floor.totalPages)} pages / ${RATE.perGroupPerSecond} req/s)   wall/floor ${ratio(wall / floor.sequentialS)}`);
  log(
    `  floor, groups at the same time:    ${floor.parallelS.toFixed(1)} s  (max(busiest group ${floor.groups[0]?.group} ${int(floor.groups[0]?.pages ?? 0)} pages / ${RATE.perGroupPerSecond}, Σ pages / ${floor.orgPerSecond}); bound by ${floor.parallelBoundBy})   wall/floor ${ratio(wall / floor.parallelS)}`
  );
  log(`  for reference, one request in flight at a time: ≥ ${latencyBound.toFixed(1)} s (Σ pages × ${RATE.latencyMs} ms latency, before any limit)`);
  log(`  requests sent: ${int(stats.requests)} for ${int(floor.totalPages)} pages needed (${ratio(stats.requests / floor.totalPages)}); 429s: ${int(stats.status429)} (${pct429.toFixed(2)} %)${otherStatus.length ? `; other statuses: ${otherStatus.map(([s, n]) => `${s}×${n}`).join(', ')}` : ''}`);
  log(`  concurrency seen: ${concurrent ? 'yes' : 'no'} (streams overlapping: ${overlapping ? 'yes' : 'no'}; max requests in flight in one group: ${maxInFlight})`);
  log(`  connector peak RSS ${mb(res.peakRssBytes)}, CPU ${res.cpuMs !== undefined ? secs(res.cpuMs) : 'n/a'}`);

  const seqTarget = TARGETS.rateSequential * floor.sequentialS;
  const label = `Rate-limited full sync (${int(scale)} leads, ${RATE.latencyMs} ms latency, ${RATE.perGroupPerSecond} req/s per group, org ${floor.orgPerSecond} req/s)`;
  row(label + ': wall time', `${wall.toFixed(1)} s`, concurrent ? `< sequential floor ${floor.sequentialS.toFixed(1)} s (groups concurrent)` : `≤ 1.2 × floor = ${seqTarget.toFixed(1)} s (streams in sequence)`, met(concurrent ? wall < floor.sequentialS : wall <= seqTarget));
  row('… floor, streams one after another (Σ pages / 10 req/s)', `${floor.sequentialS.toFixed(1)} s (${int(floor.totalPages)} pages)`, '', '');
  row(`… floor, groups at the same time (max(busiest group / ${RATE.perGroupPerSecond}, Σ pages / ${floor.orgPerSecond}))`, `${floor.parallelS.toFixed(1)} s (${floor.parallelBoundBy})`, '', '');
  row('… wall / floor', `${ratio(wall / floor.sequentialS)} sequential, ${ratio(wall / floor.parallelS)} parallel`, concurrent ? '< 1× sequential' : '≤ 1.2× sequential', met(concurrent ? wall < floor.sequentialS : wall <= seqTarget));
  row('… requests sent (pages needed)', `${int(stats.requests)} (${int(floor.totalPages)})`, '', '');
  row('… 429 answers', `${int(stats.status429)} (${pct429.toFixed(2)} %)`, '< 1 % of requests', met(pct429 < TARGETS.status429Pct));
  row('… concurrency seen', concurrent ? `yes (max ${maxInFlight} in flight per group)` : 'no: one stream, one request at a time', '', '');
}

// ------------------------------------------------------------------ 2. CPU-bound sync

async function sectionCpu(scale: number): Promise<void> {
  log(`\n== 2. CPU-bound sync: ${int(scale)} leads, no latency, ${noLimits()}; connector and baseline alternated, best of two`);
  // A deep-enough skip cap for the baseline's plain offsets (the connector never pages that deep).
  const sb = await sandboxAt(scale, {skipCap: 1_000_000_000, rateLimit: limitHeaders ? UNREACHABLE_LIMIT : null});
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
        checkRun(`${who} run ${i + 1}`, res, prep.streams.filter((s) => SPEC_BY_STREAM.has(s)), truth, who === 'connector');
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

  const label = `CPU-bound full sync (${int(scale)} leads, no latency, ${noLimits()})`;
  row(`${label}: connector`, `${int(rps(c.res))} records/s (${int(c.res.tally.records)} records in ${secs(c.res.wallMs)}, best of 2)`, '', '');
  row('… baseline: serial `_skip`/`_limit` fetch, prints RECORD lines', `${int(rps(b.res))} records/s (${int(b.res.tally.records)} records in ${secs(b.res.wallMs)}, best of 2)`, '', '');
  row('… connector / baseline, wall time', ratio(timeRatio), `≤ ${TARGETS.cpuRatio}×`, met(timeRatio <= TARGETS.cpuRatio));
  if (Number.isFinite(cpuRatio)) row('… connector / baseline, child CPU time', ratio(cpuRatio), '', '');
}

// ------------------------------------------------------------------ 3. memory

async function sectionMemory(scales: [number, number]): Promise<void> {
  log(`\n== 3. Memory: peak RSS (VmHWM, sampled every 25 ms) of a full sync at ${int(scales[0])} and ${int(scales[1])} leads, no latency, ${noLimits()}`);
  const peaks: (number | undefined)[] = [];
  const results: {scale: number; res: RunResult; requests: number}[] = [];
  for (const scale of scales) {
    const sb = await sandboxAt(scale, {rateLimit: limitHeaders ? UNREACHABLE_LIMIT : null});
    try {
      const prep = await prepare(sb, `memory-${scale}`);
      sb.resetStats();
      const {result: res, truth} = await measured(sb, () => readConnector(prep));
      checkRun(`memory sync at ${int(scale)} leads`, res, prep.streams, truth, true);
      results.push({scale, res, requests: sb.stats().requests});
      peaks.push(res.peakRssBytes);
    } finally {
      await sb.close();
    }
  }
  table(
    ['leads', 'records', 'stdout', 'wall', 'CPU child', 'requests', 'req/s', 'peak RSS'],
    results.map(({scale, res, requests}) => [
      int(scale),
      int(res.tally.records),
      mb(res.tally.bytes),
      secs(res.wallMs),
      res.cpuMs !== undefined ? secs(res.cpuMs) : 'n/a',
      int(requests),
      (requests / (res.wallMs / 1000)).toFixed(1),
      mb(res.peakRssBytes),
    ])
  );
  const [small, large] = peaks;
  const delta = small !== undefined && large !== undefined ? (large - small) / 1048576 : undefined;
  log(`  difference: ${delta === undefined ? 'n/a (no /proc?)' : `${delta >= 0 ? '+' : ''}${delta.toFixed(1)} MB`} (target ≤ ${TARGETS.memoryDeltaMB} MB)`);
  row(`Peak RSS, full sync at ${int(scales[0])} leads (no latency, ${noLimits()})`, mb(small), '', '');
  row(`Peak RSS, full sync at ${int(scales[1])} leads`, mb(large), '', '');
  row('… difference', delta === undefined ? 'n/a' : `${delta >= 0 ? '+' : ''}${delta.toFixed(1)} MB`, `≤ ${TARGETS.memoryDeltaMB} MB`, delta === undefined ? '' : met(delta <= TARGETS.memoryDeltaMB));
}

// ------------------------------------------------------------------ main

function gitDescribe(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: ROOT, encoding: 'utf8'}).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {cwd: ROOT, encoding: 'utf8'}).trim();
    return dirty ? `${rev} + uncommitted changes in src/` : rev;
  } catch {
    return 'unknown';
  }
}

function noLimits(): string {
  return limitHeaders ? `no limits (but RateLimit headers announcing ${int(UNREACHABLE_LIMIT.perGroupPerSecond)} req/s per group)` : 'no limits';
}

function usage(): never {
  console.error('usage: npm run bench -- [rate] [cpu] [memory] [incremental [--connector=DIR ...]] [--quick] [--timeout=SECONDS per sync, default 600] [--limit-headers]   (default: all sections)');
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let quick = false;
  const chosen: Section[] = [];
  for (const a of args) {
    if (a === '--quick') quick = true;
    else if (a === '--limit-headers') limitHeaders = true;
    else if (/^--timeout=\d+$/.test(a)) runTimeoutMs = Number(a.slice('--timeout='.length)) * 1000;
    else if (a.startsWith('--connector=')) continue; // the incremental section's builds to compare (scripts/bench/incremental.ts)
    else if (a === 'all') chosen.push(...SECTIONS);
    else if ((SECTIONS as string[]).includes(a)) chosen.push(a as Section);
    else usage();
  }
  const sections = SECTIONS.filter((s) => chosen.length === 0 || chosen.includes(s));
  const scales = SCALES[quick ? 'quick' : 'full'];
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) throw new Error('lib/ is missing: run `npm run build` (npm run bench does)');
  fs.mkdirSync(OUT, {recursive: true});
  const commit = gitDescribe();
  snapshotConnector();

  const cpus = os.cpus();
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 1073741824).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  log(`closeio-source benchmark, ${new Date().toISOString()}${quick ? ' (--quick: smaller scales)' : ''}`);
  log(`machine: ${machine}; load average at start ${load}`);
  log(`connector: built at ${commit}, run from a copy in ${path.relative(ROOT, SNAPSHOT)}/; sections: ${sections.join(', ')}${args.length ? `; arguments: ${args.join(' ')}` : ''}`);
  log(`connector runs with NODE_OPTIONS=${IMAGE_NODE_OPTIONS ?? '(none)'}, as the Dockerfile sets it`);

  const started = performance.now();
  for (const s of sections) {
    if (s === 'rate') await sectionRate(scales.rate);
    if (s === 'cpu') await sectionCpu(scales.cpu);
    if (s === 'memory') await sectionMemory(scales.memory);
    if (s === 'incremental') await sectionIncremental({scale: quick ? 2000 : 20000, current: SNAPSHOT, others: connectorArgs(args), outDir: OUT, timeoutMs: runTimeoutMs, env: process.env, report: {log, warn, row, table}});
  }
  log(`\nbenchmark took ${secs(performance.now() - started)}; load average at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (warnings.length) log(`${warnings.length} warning(s) above: figures from a failed or incomplete sync are suspect.`);

  const md: string[] = [
    `### Benchmark, ${date}${quick ? ' (quick run, smaller scales)' : ''}`,
    '',
    `\`npm run bench\` — one run on ${machine} (shared machine, load average ${load} at start). Connector at ${commit}; sandbox seed ${SEED}; start_date ${START_DATE.slice(0, 10)}${args.length ? `; \`npm run bench -- ${args.join(' ')}\`` : ''}.`,
    '',
    '| figure | measured | target | |',
    '| --- | --- | --- | --- |',
    ...summary.map((r) => `| ${r.figure} | ${r.value} | ${r.target} | ${r.status} |`),
  ];
  if (warnings.length) md.push('', ...warnings.map((w) => `> ${w}`));
  log('');
  for (const l of md) log(l);

  const reportPath = path.join(OUT, 'report.md');
  fs.writeFileSync(reportPath, ['```', ...lines.slice(0, lines.length - md.length - 1), '```', '', ...md, ''].join('\n'));
  console.log(`\n(report written to ${path.relative(process.cwd(), reportPath) || reportPath})`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
