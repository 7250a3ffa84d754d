/**
 * Bench section `incremental` (issue 14): what an incremental sync costs
 * after a small change, against the full sync before it, per stream.
 *
 * One sandbox (20,000 leads, 30,000 contacts; opportunities, tasks and
 * activities as the generator makes them), no latency, no limits. For each connector build
 * (the current one, and every `--connector=DIR` given: another checkout's
 * built bin/main, e.g. main before a change): a first sync (incremental where
 * supported, from no state: it reads everything), stream by stream, one
 * connector process per stream so that the sandbox's request count is that
 * stream's. Then 1 % of the leads, contacts, opportunities, tasks and
 * activities change, and 1 % of the custom objects and comments are edited
 * and as many created (the sandbox's Mutator; those do not move their lead or
 * thread), and each build runs an
 * incremental sync from its own state, stream by stream again. Both builds
 * see the same account and the same changes, so the figures are before/after
 * from one run.
 *
 * Reported per stream: requests and wall time (the stream alone, connector
 * start included) of the full and the incremental sync, records changed and
 * records emitted. Targets (issue 14): the incremental sync sends ≤ 5 % of
 * the full sync's requests overall; a stream Close can filter or order by a
 * date sends a few pages (those its changed records fill, plus FEW_PAGES), not
 * a number that grows with its size.
 */
import fs from 'fs';
import path from 'path';
import {Sandbox, startSandbox} from '../../sandbox';
import {streamInfo} from '../../src/streams/registry';
import {StreamInfo} from '../../src/streams/stream-info';
import {configuredCatalog} from '../shared/configured-catalog';
import {RunResult, runProcess} from './proc';
import {SPEC_BY_STREAM} from './streams';

export interface Reporter {
  log(line?: string): void;
  warn(line: string): void;
  row(figure: string, value: string, target?: string, status?: string): void;
  table(head: string[], rows: (string | number)[][]): void;
}

export interface IncrementalOptions {
  scale: number;
  /** The current build (bench.ts's snapshot) as `bin/main` under this directory. */
  current: string;
  /** Other builds to compare, from `--connector=DIR` arguments. */
  others: string[];
  outDir: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  report: Reporter;
}

const SEED = 42;
/** Child streams read per parent whose incremental sync reads only the parents that changed (changed-children.ts). */
const CHILDREN_OF_CHANGED = ['custom_objects', 'comments'];
const API_KEY = 'bench-api-key';
const START_DATE = '2000-01-01T00:00:00Z';
/** Share of each changing stream's records edited between the two syncs. */
const CHANGE_SHARE = 0.01;
/**
 * Contacts per lead in the account (issue 14: 20,000 leads, 30,000 contacts).
 * The generator makes about 1.8: a first sandbox counts them, the measured one
 * keeps this share of them (`contactShare`; deleting them instead would touch
 * thousands of leads just before the first sync).
 */
const CONTACTS_PER_LEAD = 1.5;
/** How long before the benchmark the generated account's last edit lies (see sectionIncremental). */
const QUIET_BEFORE_MS = 10 * 60_000;
/** Target: incremental requests over full requests, all streams. */
const TARGET_SHARE = 0.05;
/**
 * Target for a stream Close can filter by date: its incremental sync sends
 * at most the pages its emitted records fill (at the endpoint's largest
 * page) plus this many (a probe, a window's partial last page, a tail).
 */
const FEW_PAGES = 4;
/** Kinds of stream Close can filter or order by a date (the others are read whole, docs/streams.md says why). */
const DATED_KINDS = new Set<StreamInfo['kind']>(['created_windows', 'updated_windows', 'task_windows', 'search_windows', 'events']);

/** `--connector=DIR` arguments: built checkouts to compare with the current build. */
export function connectorArgs(args: string[]): string[] {
  return args.filter((a) => a.startsWith('--connector=')).map((a) => path.resolve(a.slice('--connector='.length)));
}

interface Build {
  label: string;
  dir: string;
  config: string;
  discovered: any[];
  full: Map<string, Run>;
  incremental: Map<string, Run>;
  states: Map<string, object>;
}

interface Run {
  requests: number;
  /** Of those, GET /event/ requests of a stream other than event_log: its deletion walks (deletions.ts) and, for children of changed parents, its change walks (changed-children.ts). */
  deletionRequests: number;
  wallMs: number;
  records: number;
  ok: boolean;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

async function discover(b: Build, r: Reporter): Promise<void> {
  const res = await runProcess(process.execPath, [path.join(b.dir, 'bin', 'main'), 'discover', '--config', b.config], {cwd: b.dir, keepMessages: true});
  const msg = res.tally.kept?.find((m) => m.type === 'CATALOG');
  if (res.exitCode !== 0 || !msg) throw new Error(`${b.label}: discover failed (exit ${res.exitCode}): ${res.stderrTail.trim().slice(-500)}`);
  b.discovered = msg.catalog.streams;
  r.log(`  ${b.label}: ${b.discovered.length} streams discovered`);
}

async function syncStream(sb: Sandbox, b: Build, stream: string, phase: 'full' | 'incremental', o: IncrementalOptions): Promise<Run> {
  const dir = path.join(o.outDir, 'incremental', b.label);
  const catalog = path.join(dir, `catalog-${stream}.json`);
  fs.writeFileSync(catalog, JSON.stringify(configuredCatalog(b.discovered, 'incremental', [stream])));
  const args = [path.join(b.dir, 'bin', 'main'), 'read', '--config', b.config, '--catalog', catalog];
  const state = b.states.get(stream);
  if (phase === 'incremental' && state) {
    const file = path.join(dir, `state-${stream}.json`);
    fs.writeFileSync(file, JSON.stringify([state]));
    args.push('--state', file);
  }
  sb.resetStats();
  const res: RunResult = await runProcess(process.execPath, args, {cwd: b.dir, keepMessages: true, timeoutMs: o.timeoutMs, env: o.env});
  const stats = sb.stats();
  const requests = stats.requests;
  const deletionRequests = stream === 'event_log' ? 0 : stats.byGroup.event ?? 0;
  for (const m of res.tally.kept ?? []) {
    if (m.type === 'STATE' && m.state?.stream?.stream_descriptor?.name === stream) b.states.set(stream, {type: 'STREAM', stream: m.state.stream});
  }
  const ok = res.exitCode === 0 && res.tally.errors.length === 0 && res.tally.streams.get(stream)?.status === 'COMPLETE';
  if (!ok) o.report.warn(`${b.label} ${phase} ${stream}: exit ${res.exitCode}${res.timedOut ? ' (timed out)' : ''}; ${res.tally.errors[0]?.slice(0, 300) ?? res.stderrTail.trim().slice(-300)}`);
  return {requests, deletionRequests, wallMs: res.wallMs, records: res.tally.recordsOf(stream), ok};
}

function totals(runs: Map<string, Run>): {requests: number; deletionRequests: number; wallMs: number} {
  let requests = 0;
  let deletionRequests = 0;
  let wallMs = 0;
  for (const r of runs.values()) {
    requests += r.requests;
    deletionRequests += r.deletionRequests;
    wallMs += r.wallMs;
  }
  return {requests, deletionRequests, wallMs};
}

export async function sectionIncremental(o: IncrementalOptions): Promise<void> {
  const r = o.report;
  r.log(`\n== Incremental sync cost: ${int(o.scale)} leads, no latency, no limits; a first sync, ${pct(CHANGE_SHARE)} of leads, contacts, opportunities, tasks, activities, custom objects and comments changed, an incremental sync; each stream alone in its own connector process`);
  // The account's last edit 10 minutes ago: older than any settle margin, so that each build's first sync
  // re-reads nothing of it whenever it runs (the builds run one after the other), and the incremental
  // syncs re-read only what the Mutator changed (stamped with the wall clock) and records at their cursor.
  const now = new Date(Date.now() - QUIET_BEFORE_MS);
  const probe = await startSandbox({scale: o.scale, seed: SEED, apiKey: API_KEY, now});
  const generated = probe.truth('contacts').length;
  await probe.close();
  const contactShare = Math.min(1, (CONTACTS_PER_LEAD * o.scale) / generated);
  const sb = await startSandbox({scale: o.scale, seed: SEED, apiKey: API_KEY, contactShare, now});
  const counts = (s: string) => sb.truth(s as any).length;
  r.log(`  sandbox: ${int(counts('leads'))} leads, ${int(counts('contacts'))} contacts, ${int(counts('opportunities'))} opportunities, ${int(counts('tasks'))} tasks, ${int(counts('activities'))} activities (seed ${SEED})`);
  const builds: Build[] = [];
  try {
    for (const [i, dir] of [o.current, ...o.others].entries()) {
      if (!fs.existsSync(path.join(dir, 'bin', 'main')) || !fs.existsSync(path.join(dir, 'lib', 'index.js'))) throw new Error(`${dir}: no built connector (bin/main, lib/): run npm run build there`);
      const label = i === 0 ? 'current' : path.basename(dir);
      const outDir = path.join(o.outDir, 'incremental', label);
      fs.mkdirSync(outDir, {recursive: true});
      const config = path.join(outDir, 'config.json');
      fs.writeFileSync(config, JSON.stringify({api_key: sb.apiKey, api_url: sb.url, start_date: START_DATE}));
      const b: Build = {label, dir, config, discovered: [], full: new Map(), incremental: new Map(), states: new Map()};
      await discover(b, r);
      builds.push(b);
    }
    const streams = [...new Set(builds.flatMap((b) => b.discovered.map((s) => s.name as string)))];
    for (const b of builds) for (const s of streams) if (b.discovered.some((d) => d.name === s)) b.full.set(s, await syncStream(sb, b, s, 'full', o));

    const n = (s: string) => Math.max(1, Math.round(CHANGE_SHARE * counts(s)));
    const change = sb.mutate({
      updatedLeads: n('leads'),
      updatedContacts: n('contacts'),
      updatedOpportunities: n('opportunities'),
      updatedTasks: n('tasks'),
      updatedActivities: n('activities'),
      // Children whose parent does not move with them (sandbox/data/changes.ts: a custom object edit leaves its
      // lead's date_updated, a comment edit its thread's updated_at): only the event log names them.
      resources: {
        custom_objects: {updated: n('custom_objects'), created: n('custom_objects')},
        comments: {updated: n('comments'), created: n('comments')},
      },
    });
    r.log(`  changed: ${Object.entries(change.changed).filter(([, ids]) => ids.length > 0).map(([s, ids]) => `${s} ${int(ids.length)}`).join(', ')}`);
    for (const b of builds) for (const s of streams) if (b.full.has(s)) b.incremental.set(s, await syncStream(sb, b, s, 'incremental', o));

    report(builds, streams, change.changed as Record<string, string[]>, o);
  } finally {
    await sb.close();
  }
}

function report(builds: Build[], streams: string[], changed: Record<string, string[]>, o: IncrementalOptions): void {
  const r = o.report;
  const info = new Map(streamInfo().map((i) => [i.name, i]));
  const labels = builds.map((b) => b.label);
  const both = (f: (b: Build) => string) => builds.map(f).join(' / ');
  r.log(`  per stream (${labels.join(' / ')}): requests and wall time of the stream alone; "dated": Close can filter or order it by a date`);
  r.table(
    ['stream', 'dated', 'full req', 'full wall', 'changed', 'inc records', 'inc req', 'inc wall', 'inc/full'],
    streams.map((s) => {
      const dated = DATED_KINDS.has(info.get(s)?.kind ?? 'list') ? 'yes' : 'no';
      return [
        s,
        dated,
        both((b) => int(b.full.get(s)?.requests ?? 0)),
        both((b) => secs(b.full.get(s)?.wallMs ?? 0)),
        int(changed[s]?.length ?? 0),
        both((b) => int(b.incremental.get(s)?.records ?? 0)),
        both((b) => int(b.incremental.get(s)?.requests ?? 0)),
        both((b) => secs(b.incremental.get(s)?.wallMs ?? 0)),
        both((b) => {
          const f = b.full.get(s)?.requests ?? 0;
          return f > 0 ? pct((b.incremental.get(s)?.requests ?? 0) / f) : '-';
        }),
      ];
    })
  );
  for (const b of builds) {
    const full = totals(b.full);
    const inc = totals(b.incremental);
    const share = full.requests > 0 ? inc.requests / full.requests : 0;
    const dated = streams.filter((s) => DATED_KINDS.has(info.get(s)?.kind ?? 'list') && b.incremental.has(s));
    // A stream's deletion walks (one GET /event/ per object type it declares) are counted apart: they are
    // what delivering deletions costs, not what reading its changed records costs.
    const own = (s: string) => b.incremental.get(s)!.requests - b.incremental.get(s)!.deletionRequests;
    const allowed = (s: string) => Math.ceil(b.incremental.get(s)!.records / (SPEC_BY_STREAM.get(s)?.maxPage ?? 100)) + FEW_PAGES;
    const over = dated.filter((s) => own(s) > allowed(s));
    const failed = [...b.full.entries(), ...b.incremental.entries()].filter(([, x]) => !x.ok).map(([s]) => s);
    r.log(
      `  ${b.label}: full sync ${int(full.requests)} requests, ${secs(full.wallMs)} (Σ streams alone); incremental ${int(inc.requests)} requests, ${secs(inc.wallMs)}: ${pct(share)} of the full sync's requests (target ≤ ${pct(TARGET_SHARE)})` +
        `; date-filterable streams sending more than their records' pages + ${FEW_PAGES}: ${over.length ? over.map((s) => `${s} ${own(s)} (allowed ${allowed(s)})`).join(', ') : 'none'}; GET /event/ of other streams ${int(inc.deletionRequests)} requests${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}`
    );
    const label = `Incremental sync after ${pct(CHANGE_SHARE)} changed (${int(o.scale)} leads), ${b.label === 'current' ? 'this build' : b.label}`;
    r.row(`${label}: requests`, `${int(inc.requests)} of the full sync's ${int(full.requests)} (${pct(share)})`, `≤ ${pct(TARGET_SHARE)}`, share <= TARGET_SHARE ? 'met' : 'not met');
    r.row(`… wall time, Σ streams alone`, `${secs(inc.wallMs)} (full sync ${secs(full.wallMs)})`, '', '');
    r.row(
      `… date-filterable streams (${dated.length}) sending more than the pages of their changed records + ${FEW_PAGES}`,
      over.length ? over.map((s) => `${s} ${own(s)} (allowed ${allowed(s)})`).join(', ') : `none (${int(dated.reduce((n, s) => n + own(s), 0))} requests in all)`,
      'none',
      over.length === 0 ? 'met' : 'not met'
    );
    r.row(`… of which GET /event/ of streams other than event_log (deletion walks; custom_objects' and comments' change walks)`, `${int(inc.deletionRequests)} requests`, '', '');
    for (const child of CHILDREN_OF_CHANGED) {
      const inc = b.incremental.get(child);
      const full = b.full.get(child);
      if (!inc || !full) continue;
      r.row(
        `… ${child} (read per ${info.get(child)?.parent} record: the changed ones and those the event log names)`,
        `${int(inc.requests)} of ${int(full.requests)} (${pct(full.requests > 0 ? inc.requests / full.requests : 0)}), ${int(inc.records)} records`,
        '',
        ''
      );
    }
    const whole = streams.filter((s) => !DATED_KINDS.has(info.get(s)?.kind ?? 'list') && b.incremental.has(s));
    const heaviest = [...whole].sort((x, y) => b.incremental.get(y)!.requests - b.incremental.get(x)!.requests).slice(0, 3);
    r.row(
      `… streams read whole (no date filter in Close)`,
      `${whole.length} streams, ${int(whole.reduce((n, s) => n + b.incremental.get(s)!.requests, 0))} requests (most: ${heaviest.map((s) => `${s} ${int(b.incremental.get(s)!.requests)}`).join(', ')})`,
      '',
      ''
    );
  }
}
