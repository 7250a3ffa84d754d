/**
 * `memory`: peak RSS (VmHWM) of a full sync of every stream, at a small and a
 * large account and after a bulk import of many leads into one minute, with
 * a fast destination and with one that reads stdout at 1 MB/s, all with the
 * image's NODE_OPTIONS; and one run without them (no heap cap) to show what
 * V8 does when nothing asks it to collect early.
 */
import {Sandbox} from '../../sandbox';
import {
  Prepared,
  TARGETS,
  UNREACHABLE_LIMIT,
  buildLabel,
  checkRun,
  int,
  log,
  mb,
  measured,
  met,
  noLimits,
  prepare,
  readConnector,
  row,
  sandboxAt,
  secs,
  settings,
  table,
} from './common';
import {RunResult} from './proc';

export interface MemoryScales {
  small: number;
  large: number;
  /** Leads created at one instant on top of the small account. */
  bulk: number;
}

/**
 * The issue's bulk import: 20,000 leads into one minute (about 333 a second,
 * more than a search page holds, so each second is read by date_created and
 * then with Close's cursor). The sandbox used to create them all in one
 * second, which an import that size is unlikely to do (a guess: Close does not
 * say how fast it imports) and which Close's search cannot page through (more
 * than a cursor walk's 10,000 records share both dates): that sync fails
 * loudly, as it should, and measured nothing.
 */
export const BULK_IMPORT_MS = 60_000;

/** The slow destination. */
export const SLOW_BYTES_PER_SECOND = 1024 * 1024;
/**
 * A sync behind the slow destination that is still running after this long
 * is stopped: its peak RSS is that of its first minutes, by then steady (every
 * buffer is full). Stdout of a 40,000-lead account is hundreds of MB: at 1 MB/s
 * that would be most of an hour per run. `--slow-timeout=SECONDS` changes it.
 */
export const slowLimit = {ms: 150_000};

interface Case {
  label: string;
  res: RunResult;
  requests: number;
  slow: boolean;
  nodeOptions: string;
}

export async function sectionMemory(scales: MemoryScales): Promise<void> {
  log(
    `\n== 3. Memory: peak RSS (VmHWM, sampled every 25 ms) of a full sync of every stream: ${int(scales.small)} and ${int(scales.large)} leads, and ${int(scales.small)} + a bulk import of ${int(scales.bulk)} leads in one minute; no latency, ${noLimits()}; destination fast, or reading stdout at ${mb(SLOW_BYTES_PER_SECOND)}/s (stopped after ${secs(slowLimit.ms)})`
  );
  const cases: Case[] = [];
  const image = settings.build.nodeOptions ?? '';
  const run = async (sb: Sandbox, prep: Prepared, label: string, slow: boolean, nodeOptions = image): Promise<void> => {
    sb.resetStats();
    const {result: res, truth} = await measured(sb, () =>
      readConnector(prep, {nodeOptions, readBytesPerSecond: slow ? SLOW_BYTES_PER_SECOND : undefined, timeoutMs: slow ? slowLimit.ms : undefined})
    );
    const what = `memory sync, ${label}, ${slow ? 'slow' : 'fast'} destination${nodeOptions === image ? '' : `, NODE_OPTIONS=${nodeOptions || '(none)'}`}`;
    if (!(slow && res.timedOut)) checkRun(what, res, prep.streams, truth, true);
    else log(`  note: ${what} stopped after ${secs(res.wallMs)} as planned (${int(res.tally.records)} records read by then)`);
    cases.push({label, res, requests: sb.stats().requests, slow, nodeOptions});
  };
  const limits = {rateLimit: settings.limitHeaders ? UNREACHABLE_LIMIT : null};

  for (const scale of [scales.small, scales.large]) {
    const sb = await sandboxAt(scale, limits);
    try {
      const prep = await prepare(sb, `memory-${scale}`);
      await run(sb, prep, `${int(scale)} leads`, false);
      await run(sb, prep, `${int(scale)} leads`, true);
      if (scale === scales.large) await run(sb, prep, `${int(scale)} leads`, false, '');
    } finally {
      await sb.close();
    }
  }
  {
    const sb = await sandboxAt(scales.small, limits);
    try {
      sb.mutate({newLeads: scales.bulk, newLeadsOverMs: BULK_IMPORT_MS});
      log(`  bulk import: ${int(scales.bulk)} leads created over ${secs(BULK_IMPORT_MS)}, up to the sync's start`);
      const prep = await prepare(sb, `memory-bulk-${scales.bulk}`);
      const label = `${int(scales.small)} + bulk ${int(scales.bulk)} leads`;
      await run(sb, prep, label, false);
      await run(sb, prep, label, true);
    } finally {
      await sb.close();
    }
  }

  table(
    ['account', 'destination', 'NODE_OPTIONS', 'records', 'stdout', 'wall', 'CPU child', 'requests', 'peak RSS'],
    cases.map((c) => [
      c.label,
      c.slow ? `1 MB/s${c.res.timedOut ? ' (stopped)' : ''}` : 'fast',
      c.nodeOptions === image ? 'image' : c.nodeOptions || 'none',
      int(c.res.tally.records),
      mb(c.res.tally.bytes),
      secs(c.res.wallMs),
      c.res.cpuMs !== undefined ? secs(c.res.cpuMs) : 'n/a',
      int(c.requests),
      mb(c.res.peakRssBytes),
    ])
  );
  const withImage = cases.filter((c) => c.nodeOptions === image);
  const worst = Math.max(...withImage.map((c) => c.res.peakRssBytes ?? NaN));
  for (const c of withImage) {
    const peak = c.res.peakRssBytes;
    row(
      `${buildLabel()}Peak RSS, full sync, ${c.label}, ${c.slow ? `destination reading 1 MB/s${c.res.timedOut ? ` (first ${secs(c.res.wallMs)})` : ''}` : 'fast destination'}`,
      mb(peak),
      `≤ ${TARGETS.peakRssMB} MB`,
      peak === undefined ? '' : met(peak <= TARGETS.peakRssMB * 1048576)
    );
  }
  const bare = cases.find((c) => c.nodeOptions !== image);
  if (bare) row(`${buildLabel()}… the same without the image's NODE_OPTIONS (no heap cap), ${bare.label}, fast destination`, mb(bare.res.peakRssBytes), 'reported', '');
  log(`  worst peak with the image's NODE_OPTIONS: ${mb(worst)} (target ≤ ${TARGETS.peakRssMB} MB)`);
}
