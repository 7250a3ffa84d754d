import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {Sandbox} from '../../sandbox';
import {RunResult, runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, latestStates, recordsOf} from '../helpers/protocol';
import {assertHoldsTruth, errorTraces, logLines, savedCursor} from '../helpers/resilience';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';

/**
 * Issue 14: leads and contacts are read through Close's Advanced Filtering
 * API (POST /data/search/) in both sync modes, the built connector against
 * the sandbox's search (cursor lifetime, per-walk cap, max _limit, whole
 * seconds). Checked: the records equal those read the old way (GET
 * /lead/?query=, GET /contact/), typed custom columns included; a first
 * sync, then an incremental one after changes that reads only what changed;
 * the walk cap and an expired cursor cost no record; a refused search falls
 * back to the old endpoints. Live changes during a sync: test/e2e/live-changes.test.ts
 * (every incremental stream, these two included) and the live test below.
 */
const STREAMS = ['leads', 'contacts'];
const REFUSED = {status: 404, body: JSON.stringify({error: 'The requested URL was not found on the server.'})};

function byId(records: Record<string, any>[]): Map<string, Record<string, any>> {
  return new Map(records.map((r) => [r.id, r]));
}

/** Requests the sandbox answered per endpoint group during `run`. */
async function counted(sandbox: Sandbox, run: () => Promise<RunResult>): Promise<{res: RunResult; groups: Record<string, number>}> {
  sandbox.resetStats();
  const res = await run();
  return {res, groups: sandbox.stats().byGroup};
}

function assertClean(res: RunResult, names = STREAMS): void {
  assert.equal(res.code, 0, res.stderr.slice(-1000));
  assert.deepEqual(errorTraces(res.messages).map((m) => m.trace.error.message), []);
  checkReadRules(res.messages, names);
}

describe('leads and contacts through POST /data/search/', () => {
  let sandbox: Sandbox;
  let dir: string;
  let config: string;
  let discover: AirbyteMessage[];
  const catalog = (mode: 'incremental' | 'full_refresh', names = STREAMS) => writeJson(dir, `catalog-${mode}-${names.join('-')}.json`, catalogFrom(discover, mode, names));
  const read = (cat: string, state?: object[]) =>
    runConnector(['read', '--config', config, '--catalog', cat, ...(state ? ['--state', writeJson(dir, `state-${Math.random()}.json`, state)] : [])], {timeoutMs: 90_000});

  before(async () => {
    // 1 % of the leads share one bulk-edit instant (more than a page in one second): the reader's groups by date_created.
    sandbox = await startTestSandbox({scale: 300, seed: 14});
    dir = tempDir();
    config = writeJson(dir, 'config.json', configFor(sandbox));
    discover = (await runConnector(['discover', '--config', config])).messages;
  });
  after(async () => sandbox.close());

  test('records equal those read the old way (GET /lead/?query=, GET /contact/), typed custom columns and custom_fields included', async () => {
    const {res: viaSearch, groups: searchGroups} = await counted(sandbox, () => read(catalog('full_refresh')));
    assertClean(viaSearch);
    assert.ok((searchGroups.data ?? 0) > 0, 'the search was used');
    assert.equal(searchGroups.contact ?? 0, 0, 'no GET /contact/ while the search answers');
    assert.equal(searchGroups.lead ?? 0, 0, 'no GET /lead/ while the search answers');

    sandbox.script({path: '/data/search/', times: 1000, respond: REFUSED});
    let old: RunResult;
    let oldGroups: Record<string, number>;
    try {
      ({res: old, groups: oldGroups} = await counted(sandbox, () => read(catalog('full_refresh'))));
    } finally {
      sandbox.clearScripts();
    }
    assertClean(old);
    assert.ok((oldGroups.lead ?? 0) > 0 && (oldGroups.contact ?? 0) > 0, 'the old endpoints were used');
    for (const stream of STREAMS) {
      assert.ok(logLines(old.messages, 'WARN').some((l) => l.includes(`Stream ${stream}: Close refused POST /data/search/ (404`)), `${stream}: the fallback says why`);
      const a = byId(recordsOf(viaSearch.messages, stream));
      const b = byId(recordsOf(old.messages, stream));
      assertHoldsTruth(sandbox, stream, [...a.values()]);
      assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), `${stream}: the same records`);
      let typed = 0;
      for (const [id, oldRecord] of b) {
        const {custom: _deprecatedDict, ...expected} = oldRecord;
        assert.deepEqual(a.get(id), expected, `${stream} ${id}: the record read through the search differs`);
        typed += Object.keys(expected).filter((k) => k.startsWith('custom.cf_')).length;
      }
      assert.ok(typed > 0, `${stream}: typed custom columns were compared`);
    }
  });

  test('first incremental sync, then one after changes: only what changed is read, from the search', async () => {
    const first = await read(catalog('incremental'));
    assertClean(first);
    for (const stream of STREAMS) {
      assertHoldsTruth(sandbox, stream, recordsOf(first.messages, stream));
      assert.ok(savedCursor(first.messages, stream, 'date_updated'), `${stream}: a cursor was saved`);
    }
    const change = sandbox.mutate({updatedLeads: 5, updatedContacts: 6, newContacts: 3, deletedContacts: 2, newLeads: 2});
    const {res: second, groups} = await counted(sandbox, () => read(catalog('incremental'), latestStates(first.messages)));
    assertClean(second);
    for (const stream of STREAMS) {
      // Deletions come from the event log (deletions.ts), not from the search.
      const got = byId(recordsOf(second.messages, stream).filter((r) => !r._ab_cdc_deleted_at));
      for (const id of change.changed[stream as 'leads' | 'contacts']) assert.ok(got.has(id), `${stream}: change to ${id} not emitted`);
      // Only the changes, and the records the first sync read in its settle margin (at or after its committed cursor).
      const from = Date.parse(savedCursor(first.messages, stream, 'date_updated')!);
      const margin = new Set(recordsOf(first.messages, stream).filter((r) => Date.parse(r.date_updated) >= from).map((r) => r.id));
      const changed = new Set(change.changed[stream as 'leads' | 'contacts']);
      const unexpected = [...got.keys()].filter((id) => !changed.has(id) && !margin.has(id));
      assert.deepEqual(unexpected, [], `${stream}: re-read though unchanged`);
      const cursor = savedCursor(second.messages, stream, 'date_updated');
      assert.ok(cursor && Date.parse(cursor) >= Date.parse(savedCursor(first.messages, stream, 'date_updated')!), `${stream}: the cursor moved forward`);
    }
    assert.equal(groups.contact ?? 0, 0, 'contacts are not read whole');
    assert.ok((groups.data ?? 0) <= 6, `${groups.data} search requests for a handful of changes (a probe and a page per stream)`);
  });

  test('the per-walk cap and expired cursors cost no record: fresh queries by the second, groups in one second read until consistent', async () => {
    // 220 leads (and their contacts) imported at one instant: more than a search page in one date_updated and date_created second.
    const bulk = sandbox.mutate({newLeads: 220, minimalLeads: true});
    assert.equal(bulk.created.leads?.length, 220);
    assert.ok(sandbox.truth('leads').length > 2 * 250, 'more leads than one cursor walk returns');
    // A walk stops at 250 results (above the page size, as 10,000 is above 200); the next two cursor continuations answer expired.
    sandbox.setSearch({walkCap: 250, expireNext: 2});
    try {
      const {res, groups} = await counted(sandbox, () => read(catalog('full_refresh')));
      assertClean(res);
      for (const stream of STREAMS) assertHoldsTruth(sandbox, stream, recordsOf(res.messages, stream));
      const ids = new Set(recordsOf(res.messages, 'leads').map((r) => r.id));
      for (const id of bulk.created.leads!) assert.ok(ids.has(id), `bulk-created lead ${id} missing`);
      assert.equal(sandbox.stats().byStatus['400'], 2, 'both expired continuations were answered (and read around)');
      assert.ok((groups.data ?? 0) > 0);
    } finally {
      sandbox.setSearch({walkCap: 10_000, expireNext: 0});
    }
  });

  test('the walk cap said as an error (a 400 past it): the reader never walks that far', async () => {
    sandbox.setSearch({walkCap: 250, pastWalkCap: 'error'});
    try {
      const {res} = await counted(sandbox, () => read(catalog('full_refresh')));
      assertClean(res);
      for (const stream of STREAMS) assertHoldsTruth(sandbox, stream, recordsOf(res.messages, stream));
      assert.equal(sandbox.stats().byStatus['400'] ?? 0, 0);
    } finally {
      sandbox.setSearch({walkCap: 10_000, pastWalkCap: 'end'});
    }
  });

  test('an incremental sync whose search is refused falls back to the old endpoints and keeps its state format', async () => {
    const first = await read(catalog('incremental'));
    assertClean(first);
    const change = sandbox.mutate({updatedLeads: 3, updatedContacts: 3});
    sandbox.script({path: '/data/search/', times: 1000, respond: {status: 403, body: JSON.stringify({error: 'This feature is not available on your plan.'})}});
    let second: RunResult;
    try {
      second = await read(catalog('incremental'), latestStates(first.messages));
    } finally {
      sandbox.clearScripts();
    }
    assertClean(second);
    for (const stream of STREAMS) {
      // Deletions come from the event log (deletions.ts), not from the search.
      const got = byId(recordsOf(second.messages, stream).filter((r) => !r._ab_cdc_deleted_at));
      for (const id of change.changed[stream as 'leads' | 'contacts']) assert.ok(got.has(id), `${stream}: change to ${id} not emitted by the fallback`);
      assert.ok(savedCursor(second.messages, stream, 'date_updated'));
    }
  });

  test('a refusal after the search answered once fails the stream loudly (no silent switch mid-sync)', async () => {
    sandbox.script({path: '/data/search/', afterRequests: 1, times: 1000, respond: REFUSED});
    let res: RunResult;
    try {
      res = await read(catalog('full_refresh', ['leads']));
    } finally {
      sandbox.clearScripts();
    }
    assert.notEqual(res.code, 0);
    const errors = errorTraces(res.messages, 'leads').map((m) => m.trace.error.message);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /data\/search.*404|404.*data\/search/s);
    assert.ok(!logLines(res.messages, 'WARN').some((l) => l.includes('Close refused POST /data/search/')), 'no fallback after the search answered');
  });

  test('a search whose answers lack fields: records are read whole by id, equal to the full ones', async () => {
    const full = await read(catalog('full_refresh', ['contacts']));
    assertClean(full, ['contacts']);
    sandbox.setSearch({fieldsNotReturned: ['emails']});
    try {
      const res = await read(catalog('full_refresh', ['contacts']));
      assertClean(res, ['contacts']);
      assert.ok(logLines(res.messages, 'WARN').some((l) => /without emails; reading those contacts whole by id/.test(l)));
      assert.deepEqual(byId(recordsOf(res.messages, 'contacts')), byId(recordsOf(full.messages, 'contacts')));
    } finally {
      sandbox.setSearch({fieldsNotReturned: []});
    }
  });

  test('a search index that lags: the committed cursor stays the settle margin behind, so the next sync finds what the index showed late', async () => {
    const first = await read(catalog('incremental'));
    assertClean(first);
    // Edits made now are invisible to the search for 2 minutes (less than the 5-minute margin).
    sandbox.setSearch({indexLagMs: 120_000});
    const change = sandbox.mutate({updatedLeads: 4, updatedContacts: 4});
    let second: RunResult;
    try {
      second = await read(catalog('incremental'), latestStates(first.messages));
      assertClean(second);
    } finally {
      sandbox.setSearch({indexLagMs: 0});
    }
    const third = await read(catalog('incremental'), latestStates(second.messages));
    assertClean(third);
    for (const stream of STREAMS) {
      const got = new Set([...recordsOf(second.messages, stream), ...recordsOf(third.messages, stream)].map((r) => r.id));
      for (const id of change.changed[stream as 'leads' | 'contacts']) assert.ok(got.has(id), `${stream}: change to ${id} lost to the index lag`);
      const committed = Date.parse(savedCursor(second.messages, stream, 'date_updated')!);
      assert.ok(committed <= Date.parse(change.at) , `${stream}: the committed cursor is before the lagging edits`);
    }
  });
});
