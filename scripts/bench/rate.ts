import {Sandbox} from '../../sandbox';
import {RATE, TARGETS, Prepared, Truth, buildLabel, checkRun, int, log, measured, met, mb, prepare, ratio, readConnector, row, sandboxAt, secs, streamInterval, table, unionMs} from './common';
import {RunResult} from './proc';
import {Floor, computeFloor} from './streams';

/** `rate`: a rate-limited full sync against the floor the limits allow. */
export async function sectionRate(scale: number): Promise<void> {
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

  // The busiest group: its floor is the sync's floor when groups run at once; where does the rest go?
  const busiest = floor.groups[0];
  let busiestRatio: number | undefined;
  let busiestReqRatio: number | undefined;
  if (busiest && busiest.pages > 0) {
    const sent = stats.byGroup[busiest.group] ?? 0;
    const floorS = busiest.pages / RATE.perGroupPerSecond;
    busiestRatio = wall / floorS;
    busiestReqRatio = sent / busiest.pages;
    const ivs = busiest.streams.map((s) => streamInterval(res, s)).filter((x): x is [number, number] => x !== undefined);
    const first = Math.min(...ivs.map(([a]) => a));
    const last = Math.max(...ivs.map(([, b]) => b));
    const beforeS = (first - res.spawnedAt) / 1000;
    const afterS = wall - (last - res.spawnedAt) / 1000;
    const extraS = (sent - busiest.pages) / RATE.perGroupPerSecond;
    const waitS = Math.max(0, (last - first) / 1000 - sent / RATE.perGroupPerSecond);
    log(`  busiest group ${busiest.group}: ${int(busiest.pages)} pages needed, ${int(sent)} requests sent (${ratio(busiestReqRatio)}); floor ${floorS.toFixed(1)} s; wall/floor ${ratio(busiestRatio)}`);
    log(
      `  where the time over its floor goes (${(wall - floorS).toFixed(1)} s): start-up before its first stream STARTED ${beforeS.toFixed(1)} s; ` +
        `${int(sent - busiest.pages)} requests beyond pages needed ${extraS.toFixed(1)} s (probes, partial last pages, the keyset's overlap record, 429s); ` +
        `its streams running below the group's rate ${waitS.toFixed(1)} s (slow start, the last windows with fewer requests in flight); ` +
        `after its last stream until exit ${afterS.toFixed(1)} s (other streams, shutdown)`
    );
  }

  const seqTarget = TARGETS.rateSequential * floor.sequentialS;
  const label = `${buildLabel()}Rate-limited full sync (${int(scale)} leads, ${RATE.latencyMs} ms latency, ${RATE.perGroupPerSecond} req/s per group, org ${floor.orgPerSecond} req/s)`;
  row(label + ': wall time', `${wall.toFixed(1)} s`, concurrent ? `< sequential floor ${floor.sequentialS.toFixed(1)} s (groups concurrent)` : `≤ 1.2 × floor = ${seqTarget.toFixed(1)} s (streams in sequence)`, met(concurrent ? wall < floor.sequentialS : wall <= seqTarget));
  row('… floor, streams one after another (Σ pages / 10 req/s)', `${floor.sequentialS.toFixed(1)} s (${int(floor.totalPages)} pages)`, '', '');
  row(`… floor, groups at the same time (max(busiest group / ${RATE.perGroupPerSecond}, Σ pages / ${floor.orgPerSecond}))`, `${floor.parallelS.toFixed(1)} s (${floor.parallelBoundBy})`, '', '');
  row('… wall / floor', `${ratio(wall / floor.sequentialS)} sequential, ${ratio(wall / floor.parallelS)} parallel`, concurrent ? '< 1× sequential' : '≤ 1.2× sequential', met(concurrent ? wall < floor.sequentialS : wall <= seqTarget));
  row('… requests sent (pages needed)', `${int(stats.requests)} (${int(floor.totalPages)})`, '', '');
  if (busiest && busiestRatio !== undefined && busiestReqRatio !== undefined) {
    row(`… wall / busiest group's floor (${busiest.group}: ${int(busiest.pages)} pages / ${RATE.perGroupPerSecond} req/s)`, ratio(busiestRatio), `≤ ${TARGETS.busiestFloorRatio}×`, met(busiestRatio <= TARGETS.busiestFloorRatio));
    row(`… requests / pages needed, ${busiest.group}`, `${ratio(busiestReqRatio)} (${int(stats.byGroup[busiest.group] ?? 0)} for ${int(busiest.pages)})`, `≤ ${TARGETS.busiestRequestsPerPage}×`, met(busiestReqRatio <= TARGETS.busiestRequestsPerPage));
  }
  row('… 429 answers', `${int(stats.status429)} (${pct429.toFixed(2)} %)`, '< 1 % of requests', met(pct429 < TARGETS.status429Pct));
  row('… concurrency seen', concurrent ? `yes (max ${maxInFlight} in flight per group)` : 'no: one stream, one request at a time', '', '');
}
