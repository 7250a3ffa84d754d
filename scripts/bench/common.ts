/**
 * What the benchmark's sections share: the report (log, rows for the README
 * table, warnings), the builds under test, the sandbox and running the
 * connector against it, checks that a run was clean.
 */
import {configuredCatalog} from '../shared/configured-catalog';
import fs from 'fs';
import path from 'path';
import {performance} from 'perf_hooks';
import {STREAM_NAMES, Sandbox, SandboxOptions, startSandbox} from '../../sandbox';
import {RunResult, runProcess} from './proc';
import {CHILD_BY_STREAM, SPEC_BY_STREAM, hasFloor} from './streams';

export const ROOT = path.resolve(__dirname, '..', '..');
const BASELINE = path.join(__dirname, 'baseline.js');
/** Where builds are copied and the report written; BENCH_OUT (inside the repository, for its node_modules) lets two runs go at once. */
export const OUT = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(ROOT, 'out', 'bench');
/**
 * A build of the connector under test: the built connector of a worktree
 * (this one by default, `--connector=DIR` another, `--before=DIR` a second
 * one measured in the same run). Each is copied at start into out/bench/<label>/
 * and run from the copy: others rebuild lib/ while a benchmark runs, and
 * every run should measure the same code. Dependencies resolve from this
 * repository's node_modules (out/ is inside it).
 */
export interface Build {
  label: string;
  dir: string;
  bin: string;
  /** NODE_OPTIONS of that build's Dockerfile, so that it is measured as it ships. */
  nodeOptions?: string;
}

export function snapshotBuild(label: string, dir: string): Build {
  const snapshot = path.join(OUT, `connector-${label}`);
  if (!fs.existsSync(path.join(dir, 'lib', 'index.js'))) throw new Error(`${dir}/lib/ is missing: build it first (npm run build)`);
  fs.rmSync(snapshot, {recursive: true, force: true});
  for (const part of ['bin', 'lib', 'resources', 'package.json']) {
    fs.cpSync(path.join(dir, part), path.join(snapshot, part), {recursive: true});
  }
  const dockerfile = path.join(dir, 'Dockerfile');
  const nodeOptions = fs.existsSync(dockerfile) ? /^ENV NODE_OPTIONS="([^"]*)"/m.exec(fs.readFileSync(dockerfile, 'utf8'))?.[1] : undefined;
  return {label, dir, bin: path.join(snapshot, 'bin', 'main'), nodeOptions};
}

/** Options that every section reads (set by bench.ts from the command line). */
export const settings = {
  /** A run still going after this long is killed and reported as such (`--timeout=SECONDS`). */
  runTimeoutMs: 600_000,
  /**
   * `--limit-headers`: in the cpu and memory sections the sandbox announces a
   * limit no sync can reach (RateLimit headers on every answer, never a 429)
   * instead of sending no RateLimit header at all. Off by default: the issue asks for no limits.
   */
  limitHeaders: false,
  /** The build the sections measure now. */
  build: undefined as unknown as Build,
};

export const SEED = 42;
export const API_KEY = 'bench-api-key';
/** Before all generated data: a full sync reads the sandbox's whole truth. */
export const START_DATE = '2000-01-01T00:00:00Z';

export const RATE = {latencyMs: 300, perGroupPerSecond: 10, orgMultiplier: 3};
export const UNREACHABLE_LIMIT = {perGroupPerSecond: 1_000_000, orgMultiplier: 3};
/** Below this share of its wall time on CPU, a run without latency or limits was mostly waiting. */
export const BUSY_SHARE = 0.5;
export const TARGETS = {rateSequential: 1.2, status429Pct: 1, cpuRatio: 1.5, memoryDeltaMB: 50, peakRssMB: 128, busiestFloorRatio: 1.15, busiestRequestsPerPage: 1.05};


// ------------------------------------------------------------------ report

export const lines: string[] = [];
export const summary: {figure: string; value: string; target: string; status: string}[] = [];
export const warnings: string[] = [];

export function log(line = ''): void {
  console.log(line);
  lines.push(line);
}

export function warn(line: string): void {
  const text = `WARNING: ${line}`;
  log(text);
  warnings.push(text);
}

export function row(figure: string, value: string, target = '', status = ''): void {
  summary.push({figure, value, target, status});
}

export function table(head: string[], rows: (string | number)[][]): void {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  for (const r of cells) log('  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
export const mb = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : `${(bytes / 1048576).toFixed(1)} MB`);
export const ratio = (x: number): string => `${x.toFixed(2)}×`;
export const met = (ok: boolean): string => (ok ? 'met' : 'not met');

// ------------------------------------------------------------------ running the connector

export interface Prepared {
  dir: string;
  config: string;
  catalog: string;
  streams: string[];
}

export async function sandboxAt(scale: number, extra: SandboxOptions = {}): Promise<Sandbox> {
  const t = performance.now();
  const sb = await startSandbox({scale, seed: SEED, apiKey: API_KEY, ...extra});
  log(`  sandbox: ${int(scale)} leads, seed ${SEED}, ready in ${secs(performance.now() - t)}`);
  return sb;
}

export function truthCounts(sb: Sandbox): Map<string, number> {
  return new Map(STREAM_NAMES.map((s) => [s as string, sb.truth(s).length]));
}

/**
 * The sandbox's record counts just before and just after a run: events older
 * than 30 days leave the event log while a sync runs, so its count may be
 * anything between the two.
 */
export interface Truth {
  before: Map<string, number>;
  after: Map<string, number>;
}

export async function measured<T>(sb: Sandbox, run: () => Promise<T>): Promise<{result: T; truth: Truth}> {
  const before = truthCounts(sb);
  const result = await run();
  return {result, truth: {before, after: truthCounts(sb)}};
}

/** Config pointing at the sandbox and a catalog of every discovered stream (first sync: incremental where supported). */
export async function prepare(sb: Sandbox, name: string): Promise<Prepared> {
  const dir = path.join(OUT, name);
  fs.mkdirSync(dir, {recursive: true});
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({api_key: sb.apiKey, api_url: sb.url, start_date: START_DATE}, null, 2));
  const res = await runProcess(process.execPath, [settings.build.bin, 'discover', '--config', config], {cwd: ROOT, keepMessages: true});
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
  const unknown = streams.filter((s) => !hasFloor(s));
  if (unknown.length) warn(`discovered streams the benchmark has no endpoint for (left out of floor and baseline): ${unknown.join(', ')}`);
  return {dir, config, catalog, streams};
}

export interface ReadOptions {
  /** NODE_OPTIONS for the run: the build's Dockerfile's by default, '' for none. */
  nodeOptions?: string;
  /** Read the connector's stdout at this many bytes/s (a slow destination); as fast as it comes by default. */
  readBytesPerSecond?: number;
  timeoutMs?: number;
}

export function readConnector(p: Prepared, o: ReadOptions = {}): Promise<RunResult> {
  const nodeOptions = o.nodeOptions ?? settings.build.nodeOptions;
  const env = {...process.env};
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  else delete env.NODE_OPTIONS;
  return runProcess(process.execPath, [settings.build.bin, 'read', '--config', p.config, '--catalog', p.catalog], {
    cwd: ROOT,
    timeoutMs: o.timeoutMs ?? settings.runTimeoutMs,
    readBytesPerSecond: o.readBytesPerSecond,
    env,
  });
}

export function runBaseline(sb: Sandbox, streams: string[]): Promise<RunResult> {
  const specs = streams.map((s) => SPEC_BY_STREAM.get(s)).filter((s) => s !== undefined);
  // Children after the paged streams, so that their parents' ids are known (the reader fails if a parent is not read).
  const children = streams.map((s) => CHILD_BY_STREAM.get(s)).filter((c) => c !== undefined);
  return runProcess(process.execPath, [BASELINE, sb.url, JSON.stringify([...specs, ...children])], {
    cwd: ROOT,
    env: {...process.env, BENCH_API_KEY: sb.apiKey},
    timeoutMs: settings.runTimeoutMs,
  });
}

/** Warns about anything that makes a run's figures suspect; returns whether it was clean. */
export function checkRun(label: string, res: RunResult, streams: string[], truth: Truth, connector: boolean): boolean {
  let clean = true;
  const fail = (text: string): void => {
    clean = false;
    warn(`${label}: ${text}`);
  };
  if (res.timedOut) fail(`still running after ${secs(settings.runTimeoutMs)}: killed; its figures are lower bounds (raise --timeout=SECONDS)`);
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
export function unionMs(intervals: [number, number][]): number {
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

export function streamInterval(res: RunResult, s: string): [number, number] | undefined {
  const t = res.tally.streams.get(s);
  return t?.startedAt !== undefined && t.endedAt !== undefined ? [t.startedAt, t.endedAt] : undefined;
}

export function noLimits(): string {
  return settings.limitHeaders ? `no limits (but RateLimit headers announcing ${int(UNREACHABLE_LIMIT.perGroupPerSecond)} req/s per group)` : 'no limits';
}

/** "before: " in a run that measures two builds, nothing otherwise. */
export function buildLabel(): string {
  return settings.build.label === 'after' || settings.build.label === 'connector' ? '' : `${settings.build.label}: `;
}
