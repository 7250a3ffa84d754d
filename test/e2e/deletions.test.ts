import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'path';
import {Sandbox, StreamName} from '../../sandbox';
import {DELETED_AT, deletionQueries} from '../../src/streams/deletions';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, latestStates, ofType, recordsOf} from '../helpers/protocol';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';
import {infoOf} from '../helpers/streams';

/**
 * Deletions end to end: records deleted (and leads merged away) in the
 * sandbox between two incremental syncs come back as deletion records of
 * their stream, and Airbyte's Append + Deduped over every sync's records
 * (the latest version per primary key by cursor, rows whose latest version
 * has _ab_cdc_deleted_at dropped) is the sandbox's truth.
 */
const STREAMS = ['leads', 'contacts', 'opportunities', 'tasks', 'activities', 'email_threads', 'lead_merges'];

/** Append + Deduped: per id the version with the greatest cursor, the later one on a tie; deleted rows dropped. */
function dedup(stream: string, ...runs: Record<string, any>[][]): Set<string> {
  const cursor = infoOf(stream).cursor!;
  const latest = new Map<string, Record<string, any>>();
  for (const r of runs.flat()) {
    const seen = latest.get(r.id);
    if (!seen || Date.parse(r[cursor]) >= Date.parse(seen[cursor])) latest.set(r.id, r);
  }
  return new Set([...latest].filter(([, r]) => r[DELETED_AT] == null).map(([id]) => id));
}

const truthIds = (sandbox: Sandbox, stream: string) => new Set(sandbox.truth(stream as StreamName).map((t) => t.id));

/**
 * Close documents no event type for "Created" activities (activity.created
 * is not in its list; the sandbox writes none): their deletions cannot be
 * delivered (documented limit). The ids of such activities among `records`.
 */
const unlogged = (stream: string, ...runs: Record<string, any>[][]) =>
  new Set(stream === 'activities' ? runs.flat().filter((r) => r._type === 'Created').map((r) => r.id) : []);

/** Dedup is the truth, but for the deletions Close does not log. */
function assertDedupIsTruth(sandbox: Sandbox, stream: string, runs: Record<string, any>[][]): void {
  const skip = unlogged(stream, ...runs);
  const got = [...dedup(stream, ...runs)].filter((id) => !skip.has(id) || truthIds(sandbox, stream).has(id));
  assert.deepEqual(got.sort(), [...truthIds(sandbox, stream)].sort(), `${stream}: dedup is the truth`);
}
const deletionsOf = (messages: AirbyteMessage[], stream: string) => recordsOf(messages, stream).filter((r) => r[DELETED_AT] != null);
const stateOf = (messages: AirbyteMessage[], stream: string): Record<string, any> =>
  (latestStates(messages) as any[]).find((s) => s.stream.stream_descriptor.name === stream).stream.stream_state;

describe('deletions: delete in Close, the next incremental sync emits them, dedup drops the rows', () => {
  let sandbox: Sandbox;
  let dir: string;
  let config: string;
  let catalog: string;

  before(async () => {
    sandbox = await startTestSandbox({scale: 40});
    dir = tempDir();
    config = writeJson(dir, 'config.json', configFor(sandbox));
    const discover = (await runConnector(['discover', '--config', config])).messages;
    catalog = writeJson(dir, 'catalog.json', catalogFrom(discover, 'incremental', STREAMS));
  });
  after(async () => sandbox.close());

  const read = async (state?: object[], name = 'state.json') => {
    const args = ['read', '--config', config, '--catalog', catalog];
    if (state) args.push('--state', writeJson(dir, name, state));
    const run = await runConnector(args);
    assert.equal(run.code, 0, run.stderr);
    checkReadRules(run.messages, STREAMS);
    return run.messages;
  };

  test('every deleted and merged-away record arrives as a deletion; dedup over both syncs equals the truth', async () => {
    const first = await read();
    for (const s of STREAMS) {
      assert.equal(deletionsOf(first, s).length, 0, `${s}: a first sync emits no deletions`);
      assert.ok(stateOf(first, s).deletions?.date_updated, `${s}: the first sync's state holds the deletions position`);
    }
    const leadsBefore = recordsOf(first, 'leads').map((l) => l.id);
    const merged: [string, string] = [leadsBefore[3], leadsBefore[4]];
    const change = sandbox.mutate({
      merge: [merged],
      deletedLeads: 1,
      deletedContacts: 2,
      deletedOpportunities: 2,
      deletedTasks: 2,
      deletedActivities: 6,
      updatedLeads: 2,
      newActivities: 2,
    });
    sandbox.resetStats();
    const second = await read(latestStates(first));

    for (const s of STREAMS) {
      const skip = unlogged(s, recordsOf(first, s));
      const gone = new Set([...(change.deleted as Record<string, string[]>)[s] ?? []].filter((id) => !truthIds(sandbox, s).has(id) && !skip.has(id)));
      const emitted = new Set(deletionsOf(second, s).map((r) => r.id));
      for (const id of gone) assert.ok(emitted.has(id), `${s}: deleted ${id} was not emitted as a deletion`);
      for (const r of deletionsOf(second, s)) {
        assert.deepEqual(Object.keys(r).sort(), [DELETED_AT, infoOf(s).cursor!, 'id'].sort(), `${s}: a deletion is its key, cursor and ${DELETED_AT}`);
        assert.equal(r[infoOf(s).cursor!], r[DELETED_AT]);
        assert.ok(!truthIds(sandbox, s).has(r.id), `${s}: ${r.id} was emitted as deleted but exists`);
      }
      assertDedupIsTruth(sandbox, s, [recordsOf(first, s), recordsOf(second, s)]);
      const position = Date.parse(stateOf(second, s).deletions.date_updated);
      // Forward only: equal when both syncs start in the same second (the position is whole seconds); the
      // next check says it reached past the deletions.
      assert.ok(position >= Date.parse(stateOf(first, s).deletions.date_updated), `${s}: the deletions position did not move back`);
      // The committed position stays a second before the sync's start, which came after the deletions
      // (a deletion inside that second is walked again next sync, from the position less 5 minutes).
      assert.ok(position >= Date.parse(change.at) - 1000, `${s}: the position is past the deletions`);
    }
    assert.ok(deletionsOf(second, 'leads').some((r) => r.id === merged[0]), 'the merged-away lead is deleted');
    assert.ok(!deletionsOf(second, 'leads').some((r) => r.id === merged[1]), 'the merge destination stays');
    assert.ok(deletionsOf(second, 'activities').length > 0);

    // The cost: one request per walk (object type and action) on an account with few deletions.
    const walks = STREAMS.reduce((n, s) => n + deletionQueries(infoOf(s)).length, 0);
    const eventRequests = sandbox.stats().byGroup.event ?? 0;
    assert.ok(eventRequests >= walks && eventRequests <= walks + 2, `${eventRequests} event log requests for ${walks} walks`);
  });

  test('a state saved before deletions existed (no deletions key): the next sync delivers the deletions of the last 30 days', async () => {
    const first = await read();
    const change = sandbox.mutate({deletedLeads: 1, deletedContacts: 2, deletedTasks: 2, deletedActivities: 3});
    // What the connector without deletions printed after those changes: no deletion records, no position.
    const older = await read(latestStates(first), 'state-older.json');
    const olderRecords = (s: string) => recordsOf(older, s).filter((r) => r[DELETED_AT] == null);
    const oldStates = (latestStates(older) as any[]).map((m) => {
      const {deletions: _, ...own} = m.stream.stream_state;
      return {...m, stream: {...m.stream, stream_state: own}};
    });
    for (const m of oldStates) assert.equal(m.stream.stream_state.deletions, undefined);
    const upgraded = await read(oldStates, 'state-old.json');
    const logs = ofType(upgraded, 'LOG').map((m) => m.log.message);
    for (const s of STREAMS) {
      const skip = unlogged(s, recordsOf(first, s));
      for (const id of ((change.deleted as Record<string, string[]>)[s] ?? []).filter((i) => !truthIds(sandbox, s).has(i) && !skip.has(i))) {
        assert.ok(deletionsOf(upgraded, s).some((r) => r.id === id), `${s}: ${id} deleted before the upgrade is delivered`);
      }
      assertDedupIsTruth(sandbox, s, [recordsOf(first, s), olderRecords(s), recordsOf(upgraded, s)]);
      assert.ok(stateOf(upgraded, s).deletions?.date_updated, `${s}: the state gains the deletions position`);
      assert.ok(logs.some((l) => l.includes(`Stream ${s}: no deletions position`)), `${s}: says where deletions start`);
    }
  });

  test('a key Close refuses the event log: the records and the sync succeed, a WARN says why, the position is kept', async () => {
    const first = await read();
    sandbox.mutate({deletedContacts: 1, updatedContacts: 2});
    sandbox.script({path: '/event/', times: 1000, respond: {status: 403, body: JSON.stringify({error: 'You are not allowed to view the event log.'})}});
    try {
      const second = await read(latestStates(first), 'state-refused.json');
      const warns = ofType(second, 'LOG').filter((m) => m.log.level === 'WARN').map((m) => m.log.message);
      for (const s of STREAMS) {
        assert.equal(deletionsOf(second, s).length, 0);
        assert.deepEqual(stateOf(second, s).deletions, stateOf(first, s).deletions, `${s}: position kept`);
        assert.ok(warns.some((w) => w.includes(`Stream ${s}: Close refused this API key the event log`)), `${s}: a WARN`);
      }
      assert.ok(recordsOf(second, 'contacts').length >= 2, 'the changed contacts still arrive');
    } finally {
      sandbox.clearScripts();
    }
  });
});
