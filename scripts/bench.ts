/**
 * `npm run bench [-- rate cpu memory start stuck incremental] [--quick]`: figures for
 * issues 6, 11 and 14, never a pass/fail test. Runs the built connector (bin/main, as a child process)
 * against the bundled Close sandbox, started in this process per section:
 *
 *   rate    rate-limited full sync (5,000 leads, 300 ms latency, 10 req/s per
 *           endpoint group, organization 3×): wall time against the floor the
 *           rate limits allow, requests sent per group against pages needed, 429s.
 *   cpu     CPU-bound full sync (20,000 leads, no latency, no limits): records/s
 *           of the connector and of a minimal serial reader (scripts/bench/baseline.js),
 *           alternated, best of two each.
 *           Also the busiest group's floor: wall / floor and requests / pages
 *           there, and where the time over the floor goes.
 *   memory  peak RSS (VmHWM) of a full sync at 2,000 and at 40,000 leads and
 *           after a bulk import of 20,000 leads into one minute, with a fast
 *           destination and one reading stdout at 1 MB/s, with the image's
 *           NODE_OPTIONS; and once without them (scripts/bench/memory.ts).
 *   start   a small account (2,000 leads) with 20 ms latency under the rate
 *           section's limits, every stream in parallel: 429s in all and in
 *           the first 10 s (scripts/bench/start.ts).
 *   stuck   one endpoint group answering every request with a hint-less 429:
 *           requests it receives in the first minute (scripts/bench/stuck.ts).
 *   incremental  20,000 leads and 30,000 contacts: requests and wall time per
 *           stream of a full sync, then of an incremental sync after 1 % of
 *           leads, contacts, opportunities, tasks and activities changed
 *           (scripts/bench/incremental.ts; with --before, both builds).
 *
 * Options: --quick (smaller scales, a smoke run), --timeout=SECONDS (a sync
 * still running after this is killed and reported; default 600),
 * --slow-timeout=SECONDS (the slow-destination runs, default 150),
 * --limit-headers (see scripts/bench/common.ts), --connector=DIR (measure the
 * build in DIR, a worktree with lib/ built, instead of this one),
 * --before=DIR (also measure the build in DIR, first, in the same run: its
 * rows are prefixed "before:").
 *
 * Prints a compact report and a markdown table for the README, and writes both
 * to out/bench/report.md. Warnings (failed sync, ERROR trace, record counts
 * that differ from the sandbox's truth) are printed, never turned into an exit code.
 */
import {execFileSync} from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import {performance} from 'perf_hooks';
import {Build, OUT, ROOT, SEED, START_DATE, lines, log, row, secs, settings, snapshotBuild, summary, table, warn, warnings} from './bench/common';
import {sectionCpu} from './bench/cpu';
import {MemoryScales, sectionMemory, slowLimit} from './bench/memory';
import {sectionRate} from './bench/rate';
import {sectionStart} from './bench/start';
import {sectionStuck} from './bench/stuck';
import {sectionIncremental} from './bench/incremental';

interface Scales {
  rate: number;
  cpu: number;
  memory: MemoryScales;
  start: number;
  stuck: number;
}
const SCALES: Record<'full' | 'quick', Scales> = {
  full: {rate: 5000, cpu: 20000, memory: {small: 2000, large: 40000, bulk: 20000}, start: 2000, stuck: 2000},
  quick: {rate: 500, cpu: 2000, memory: {small: 500, large: 4000, bulk: 2000}, start: 500, stuck: 500},
};

type Section = 'rate' | 'cpu' | 'memory' | 'start' | 'stuck' | 'incremental';
const SECTIONS: Section[] = ['rate', 'cpu', 'memory', 'start', 'stuck', 'incremental'];

// ------------------------------------------------------------------ main

function gitDescribe(dir: string): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: dir, encoding: 'utf8'}).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {cwd: dir, encoding: 'utf8'}).trim();
    return dirty ? `${rev} + uncommitted changes in src/` : rev;
  } catch {
    return 'unknown';
  }
}

function usage(): never {
  console.error(
    'usage: npm run bench -- [rate] [cpu] [memory] [start] [stuck] [incremental] [--quick] [--timeout=SECONDS per sync, default 600] [--slow-timeout=SECONDS] [--limit-headers] [--connector=DIR] [--before=DIR]   (default: all sections)'
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let quick = false;
  let connectorDir = ROOT;
  let beforeDir: string | undefined;
  const chosen: Section[] = [];
  for (const a of args) {
    if (a === '--quick') quick = true;
    else if (a === '--limit-headers') settings.limitHeaders = true;
    else if (/^--timeout=\d+$/.test(a)) settings.runTimeoutMs = Number(a.slice('--timeout='.length)) * 1000;
    else if (/^--slow-timeout=\d+$/.test(a)) slowLimit.ms = Number(a.slice('--slow-timeout='.length)) * 1000;
    else if (a.startsWith('--connector=')) connectorDir = path.resolve(a.slice('--connector='.length));
    else if (a.startsWith('--before=')) beforeDir = path.resolve(a.slice('--before='.length));
    else if (a === 'all') chosen.push(...SECTIONS);
    else if ((SECTIONS as string[]).includes(a)) chosen.push(a as Section);
    else usage();
  }
  const sections = SECTIONS.filter((s) => chosen.length === 0 || chosen.includes(s));
  const scales = SCALES[quick ? 'quick' : 'full'];
  fs.mkdirSync(OUT, {recursive: true});
  const builds: Build[] = [];
  if (beforeDir) builds.push(snapshotBuild('before', beforeDir));
  builds.push(snapshotBuild(beforeDir ? 'after' : 'connector', connectorDir));
  const commits = builds.map((b) => `${b.label} ${gitDescribe(b.dir)}${b.dir === ROOT ? '' : ` (${b.dir})`}`).join(', ');

  const cpus = os.cpus();
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 1073741824).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  log(`closeio-source benchmark, ${new Date().toISOString()}${quick ? ' (--quick: smaller scales)' : ''}`);
  log(`machine: ${machine}; load average at start ${load}`);
  log(`builds: ${commits}, each run from a copy in ${path.relative(ROOT, OUT)}/; sections: ${sections.join(', ')}${args.length ? `; arguments: ${args.join(' ')}` : ''}`);
  for (const b of builds) log(`${b.label} runs with NODE_OPTIONS=${b.nodeOptions ?? '(none)'}, as its Dockerfile sets it`);

  const started = performance.now();
  // Each section runs for every build back to back: before and after are measured under the same load.
  for (const s of sections) {
    if (s === 'incremental') {
      // Runs every build itself, stream by stream, against one account (scripts/bench/incremental.ts).
      const snapshotDir = (b: Build) => path.dirname(path.dirname(b.bin));
      const current = builds[builds.length - 1];
      await sectionIncremental({
        scale: quick ? 2000 : 20000,
        current: snapshotDir(current),
        others: builds.slice(0, -1).map(snapshotDir),
        outDir: OUT,
        timeoutMs: settings.runTimeoutMs,
        env: process.env,
        report: {log, warn, row, table},
      });
      continue;
    }
    for (const build of builds) {
      settings.build = build;
      if (builds.length > 1) log(`\n######## ${s}, ${build.label}: ${gitDescribe(build.dir)}`);
      if (s === 'rate') await sectionRate(scales.rate);
      if (s === 'cpu') await sectionCpu(scales.cpu);
      if (s === 'memory') await sectionMemory(scales.memory);
      if (s === 'start') await sectionStart(scales.start);
      if (s === 'stuck') await sectionStuck(scales.stuck);
    }
  }
  log(`\nbenchmark took ${secs(performance.now() - started)}; load average at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (warnings.length) log(`${warnings.length} warning(s) above: figures from a failed or incomplete sync are suspect.`);

  const md: string[] = [
    `### Benchmark, ${date}${quick ? ' (quick run, smaller scales)' : ''}`,
    '',
    `\`npm run bench\` — one run on ${machine} (shared machine, load average ${load} at start). Builds: ${commits}; sandbox seed ${SEED}; start_date ${START_DATE.slice(0, 10)}${args.length ? `; \`npm run bench -- ${args.join(' ')}\`` : ''}.`,
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
