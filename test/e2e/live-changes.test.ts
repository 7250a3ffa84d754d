import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {FaultOptions, LiveOptions, Marker, RateLimitOptions, Sandbox} from '../../sandbox';
import {RunResult, runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, latestStates} from '../helpers/protocol';
import {FAST_RETRIES, errorTraces} from '../helpers/resilience';
import {StreamLoss, WindowedStream, attributionWindowStart, lossesOf, reportLosses} from '../helpers/live-oracle';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';
import {INCREMENTAL} from '../helpers/streams';

/**
 * Issue 10: nothing is lost while Close changes under a sync. The sandbox's
 * live mode edits, deletes, merges and creates records while the connector
 * reads (a batch every few API requests, deterministic from the seed; one of
 * each batch's changes hits a record the latest answer served), and runs bulk
 * imports and bulk edits of hundreds of records at one instant. Before the
 * live sync, bulk imports put more records into one millisecond than a page
 * holds, for every stream that pages by date (the quantum-boundary case).
 *
 * Then a quiet incremental sync runs from the saved state, and the oracle
 * checks, per stream: every record that existed when the live sync started
 * and still exists, and every record created or updated during it, arrived
 * in one of the syncs, at its latest version. The one exception is Stitch's
 * documented limit for date_created-keyed streams (activities): an edit of an
 * activity created before the last sync's attribution window cannot be found
 * (Close has no date_updated filter there), so its latest version is not
 * required. Full refresh: every record that existed at the start and still
 * exists at the end arrived.
 *
 * Each scenario prints its losses per stream (`# live-changes [...]` lines;
 * also as JSON lines to $CLOSEIO_LIVE_REPORT when set). These tests FAIL
 * against the readers of before issue 10 (see the note for their
 * figures); they pass once the readers verify what they continue from.
 */

/** Bulk imports before the live sync: more records in one millisecond than a page of each stream holds. */
const PRESEED = [{newLeads: 700, minimalLeads: true}, {newTasks: 1500}, {newEmails: 250, newActivities: 250}, {newOpportunities: 600}];
const LIVE: LiveOptions = {every: 3, batchSize: 4, hits: 2, bulkEvery: 8, bulkSize: 600, maxBatches: 40};

interface Scenario {
  name: string;
  seed: number;
  mode: 'incremental' | 'full_refresh';
  /** a quiet sync first; the live sync continues from its state */
  fromState?: boolean;
  lookbackHours: number;
  faults?: FaultOptions;
  rateLimit?: RateLimitOptions;
  config?: Record<string, unknown>;
}

interface Outcome {
  live: RunResult;
  runs: RunResult[];
  losses: StreamLoss[];
  batches: number;
}

async function runScenario(sc: Scenario): Promise<{sandbox: Sandbox; streams: string[]; outcome: Outcome}> {
  const sandbox = await startTestSandbox({scale: 40, seed: sc.seed, recordVersions: true});
  const dir = tempDir();
  const config = writeJson(dir, 'config.json', configFor(sandbox, {lookback_window_hours: sc.lookbackHours, ...sc.config}));
  const discover: AirbyteMessage[] = (await runConnector(['discover', '--config', config])).messages;
  const catalogStreams: any[] = discover.find((m) => m.type === 'CATALOG')!.catalog.streams;
  const incremental = catalogStreams.filter((s) => s.supported_sync_modes.includes('incremental'));
  const streams = incremental.map((s) => s.name as string);
  const catalog = writeJson(dir, 'catalog.json', catalogFrom(discover, sc.mode, streams));
  const env = sc.faults ? FAST_RETRIES : {};
  const read = (state?: object[]) =>
    runConnector(['read', '--config', config, '--catalog', catalog, ...(state ? ['--state', writeJson(dir, `state-${Math.random()}.json`, state)] : [])], {
      env,
      timeoutMs: 110_000,
    });

  const runs: RunResult[] = [];
  if (sc.fromState) runs.push(await read());
  for (const m of PRESEED) sandbox.mutate(m);
  sandbox.setFaults(sc.faults ?? null);
  sandbox.setRateLimit(sc.rateLimit ?? null);
  const start: Marker = sandbox.oracle.mark();
  sandbox.live.start({...LIVE, seed: sc.seed});
  const live = await read(sc.fromState ? latestStates(runs[0].messages) : undefined);
  const end: Marker = sandbox.oracle.mark();
  sandbox.live.stop();
  runs.push(live);
  const batches = sandbox.live.status().batches.length;

  let windowed: WindowedStream[] = [];
  if (sc.mode === 'incremental') {
    const state = latestStates(live.messages);
    windowed = incremental
      .filter((s) => JSON.stringify(s.default_cursor_field) === '["date_created"]')
      .map((s) => ({stream: s.name, windowStart: attributionWindowStart(state as any[], s.name, sc.lookbackHours)}));
    runs.push(await read(state));
  }
  sandbox.setFaults(null);
  sandbox.setRateLimit(null);
  const losses = lossesOf({sandbox, streams, runs: runs.map((r) => r.messages), start, end, mode: sc.mode, windowed});
  reportLosses(sc.name, losses, {seed: sc.seed, batches});
  return {sandbox, streams, outcome: {live, runs, losses, batches}};
}

const SCENARIOS: Scenario[] = [
  // Attribution window 0: activities are not re-read, so what the activities reader misses stays missed.
  {name: 'initial incremental sync', seed: 101, mode: 'incremental', lookbackHours: 0},
  {name: 'incremental sync from a saved state', seed: 102, mode: 'incremental', fromState: true, lookbackHours: 24},
  {
    name: 'initial incremental sync, faults and rate limits',
    seed: 103,
    mode: 'incremental',
    lookbackHours: 0,
    faults: {rate: 0.08, stallMs: 1500, seed: 1031},
    rateLimit: {perGroupPerSecond: 20, orgMultiplier: 3},
    config: {request_timeout_seconds: 1, max_retries: 8},
  },
  {name: 'full refresh', seed: 104, mode: 'full_refresh', lookbackHours: 24},
];

for (const sc of SCENARIOS) {
  describe(`live changes [${sc.name}]`, () => {
    let sandbox: Sandbox;
    let streams: string[];
    let outcome: Outcome;

    before(async () => {
      ({sandbox, streams, outcome} = await runScenario(sc));
    });
    after(async () => sandbox?.close());

    test('the account changed under the sync, and every sync completed', () => {
      assert.ok(outcome.batches >= 10, `only ${outcome.batches} batches of changes during the sync`);
      for (const run of outcome.runs) {
        assert.equal(run.code, 0, run.stderr.slice(-2000));
        assert.deepEqual(errorTraces(run.messages).map((m) => m.trace.error.message), []);
        checkReadRules(run.messages, streams);
      }
    });

    test('no delivered record is one the account never held', () => {
      for (const l of outcome.losses) assert.deepEqual(l.phantom, [], l.stream);
    });

    // One test per stream: the report names the streams that lose records.
    // Every incremental stream of the registry (the live sync reads those).
    for (const stream of INCREMENTAL) {
      test(`${stream}: nothing lost`, (t) => {
        const l = outcome.losses.find((x) => x.stream === stream);
        if (!l) {
          // email_threads: only once the connector has the stream (issue 10, item 4).
          assert.equal(streams.includes(stream), false, `${stream} was read but not checked`);
          t.diagnostic(`${stream} is not a stream of the connector`);
          return;
        }
        assert.ok(l.expected > 0, `${stream}: nothing to check`);
        const what = sc.mode === 'incremental' ? 'arrived, at its latest version' : 'arrived';
        assert.equal(
          l.missing.length + l.stale.length,
          0,
          `${stream}: of ${l.expected} records that had to arrive, ${l.missing.length} never did (e.g. ${l.missing.slice(0, 3).join(', ')})` +
            (sc.mode === 'incremental' ? ` and ${l.stale.length} only in an older version (e.g. ${l.stale.slice(0, 3).join(', ')})` : '') +
            `; every record must have ${what}`
        );
      });
      if (sc.mode === 'full_refresh') {
        // A record edited while the full refresh reads moves past the instant the sync reads up to: the
        // snapshot lacks it unless the reader reads on past its start. Kept apart from the test above, which
        // no edit of the record itself can excuse.
        test(`${stream}: records edited during the full refresh arrive too`, (t) => {
          const l = outcome.losses.find((x) => x.stream === stream);
          if (!l) return t.diagnostic(`${stream} is not a stream of the connector`);
          assert.deepEqual(l.missingEdited.slice(0, 5), [], `${stream}: ${l.missingEdited.length} records edited during the full refresh never arrived`);
        });
      }
    }
  });
}
