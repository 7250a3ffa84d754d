import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {Sandbox} from '../../sandbox';
import {CHILD_RESCAN, FULL_READ_KEY, FULL_READ_PERIOD} from '../../src/streams/changed-children-limits';
import {DELETED_AT} from '../../src/streams/deletions';
import {MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_SECOND, formatInstant} from '../../src/time/instant';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, latestStates, recordsOf} from '../helpers/protocol';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';

/**
 * custom_objects and comments incremental (changed-children.ts), end to end:
 * the built connector against the sandbox, whose custom object edits leave
 * their lead as it was and whose comment edits leave their thread (only the
 * event log names them). Requests are counted per endpoint on the sandbox:
 * GET /custom_object/ once per lead read, GET /comment/ once per thread read.
 */
const STREAMS = ['custom_objects', 'comments'];
const PARENT = {custom_objects: 'lead_id', comments: 'thread_id'} as const;
const GROUP = {custom_objects: 'custom_object', comments: 'comment'} as const;
type Child = keyof typeof PARENT;
const CHILDREN = Object.keys(PARENT) as Child[];

const nowMicros = () => Date.now() * 1000;
const stateOf = (messages: AirbyteMessage[], stream: string): Record<string, any> =>
  (latestStates(messages) as any[]).find((s) => s.stream.stream_descriptor.name === stream).stream.stream_state;
const own = (messages: AirbyteMessage[], stream: string) => recordsOf(messages, stream).filter((r) => r[DELETED_AT] == null);
const ids = (records: Record<string, any>[]) => records.map((r) => r.id).sort();
const cursorOf = (s: string) => (s === 'comments' ? 'updated_at' : 'date_updated');
/**
 * The position is the sync's start rounded up to the second, less a second: a
 * change made up to a second before a sync started may lie at or after it.
 * Moved on by this too, a state's position is past every change made before
 * its sync started (and may pass changes made in its first seconds).
 */
const AFTER_START = 2 * MICROS_PER_SECOND;
/**
 * The states of a sync as the next one sees them when it runs more than the
 * re-scan margin later: the changes of the last minutes are behind its
 * re-scan (positions moved on by CHILD_RESCAN, which is what such a sync's
 * lower bound comes to). The sandbox stamps changes with the wall clock.
 */
const later = (messages: AirbyteMessage[], by = CHILD_RESCAN + AFTER_START): object[] =>
  (latestStates(messages) as any[]).map((m) => {
    const name = m.stream.stream_descriptor.name;
    const state = {...m.stream.stream_state};
    state[cursorOf(name)] = formatInstant(Date.parse(state[cursorOf(name)]) * 1000 + by);
    return {...m, stream: {...m.stream, stream_state: state}};
  });
/** A state message list with one stream's state replaced. */
const withState = (states: object[], stream: string, state: Record<string, any>): object[] =>
  (states as any[]).map((m) => (m.stream.stream_descriptor.name === stream ? {...m, stream: {...m.stream, stream_state: state}} : m));

describe('custom_objects and comments: an incremental sync reads only the parents that changed', () => {
  let sandbox: Sandbox;
  let dir: string;
  let config: string;
  let catalog: string;
  let n = 0;

  before(async () => {
    // The account's last edit 10 minutes ago, past the re-scan margin: a first sync's successor re-reads nothing of it.
    sandbox = await startTestSandbox({scale: 100, now: new Date(Date.now() - 2 * CHILD_RESCAN / 1000)});
    dir = tempDir();
    config = writeJson(dir, 'config.json', configFor(sandbox));
    const discover = (await runConnector(['discover', '--config', config])).messages;
    catalog = writeJson(dir, 'catalog.json', catalogFrom(discover, 'incremental', STREAMS));
  });
  after(async () => sandbox.close());

  const read = async (state?: object[]) => {
    const args = ['read', '--config', config, '--catalog', catalog];
    if (state) args.push('--state', writeJson(dir, `state-${n++}.json`, state));
    sandbox.resetStats();
    const run = await runConnector(args);
    assert.equal(run.code, 0, run.stderr);
    checkReadRules(run.messages, STREAMS);
    return {messages: run.messages, groups: sandbox.stats().byGroup};
  };
  const truth = (stream: Child) => sandbox.truth(stream) as unknown as Record<string, any>[];
  const leadCount = () => sandbox.truth('leads').length;
  const threadCount = () => sandbox.truth('comment_threads').length;
  const everyParent = (stream: Child) => (stream === 'custom_objects' ? leadCount() : threadCount());

  test('first sync reads every parent; after changes only the changed parents are read and only the changed children emitted', async () => {
    const first = await read();
    for (const s of CHILDREN) {
      assert.deepEqual(ids(own(first.messages, s)), ids(truth(s)), `${s}: the first sync emits every record`);
      assert.equal(first.groups[GROUP[s]], everyParent(s), `${s}: one request per parent`);
      const state = stateOf(first.messages, s);
      assert.ok(state[FULL_READ_KEY] && state[s === 'comments' ? 'updated_at' : 'date_updated'], `${s}: position and full read in ${JSON.stringify(state)}`);
    }

    const change = sandbox.mutate({
      updatedLeads: 3,
      resources: {custom_objects: {updated: 4, created: 2}, comments: {updated: 3, created: 2}},
    });
    const second = await read(latestStates(first.messages));
    const changedLeads = new Set(change.changed.leads ?? []);
    for (const s of CHILDREN) {
      const changed = change.changed[s] ?? [];
      assert.ok(changed.length >= 4, `${s}: the sandbox changed some (${changed.length})`);
      assert.deepEqual(ids(own(second.messages, s)), [...changed].sort(), `${s}: exactly the changed and new records`);
      // The parents read: those of the changed children (which did not move them), and for custom objects
      // the leads that changed on their own.
      const parents = new Set(own(second.messages, s).map((r) => r[PARENT[s]]));
      if (s === 'custom_objects') for (const l of changedLeads) parents.add(l);
      assert.equal(second.groups[GROUP[s]], parents.size, `${s}: ${second.groups[GROUP[s]]} parents read, ${parents.size} changed`);
      assert.ok(parents.size < everyParent(s), `${s}: fewer than all ${everyParent(s)}`);
      const before = stateOf(first.messages, s);
      const after = stateOf(second.messages, s);
      const cursor = s === 'comments' ? 'updated_at' : 'date_updated';
      // Forward only (equal when both syncs start in the same second); the next check says it reached past the changes.
      assert.ok(Date.parse(after[cursor]) >= Date.parse(before[cursor]), `${s}: the position did not move back`);
      assert.ok(Date.parse(after[cursor]) >= Date.parse(change.at) - 1000, `${s}: the position is past the changes`);
      assert.equal(after[FULL_READ_KEY], before[FULL_READ_KEY], `${s}: no full read, its time kept`);
    }
    // The leads' own read is the search by date_updated (a page), not every lead.
    assert.ok((second.groups.data ?? 0) + (second.groups.lead ?? 0) <= 6, `lead reads: ${JSON.stringify(second.groups)}`);

    // Nothing changed since (the next sync runs more than the re-scan margin later): no parent read, nothing emitted.
    const third = await read(later(second.messages));
    for (const s of CHILDREN) {
      assert.equal(own(third.messages, s).length, 0, `${s}: nothing changed, nothing emitted`);
      assert.equal(third.groups[GROUP[s]] ?? 0, 0, `${s}: no parent read`);
    }
  });

  test('a position older than the 30 days of events, or a full read more than 7 days ago, reads every parent again', async () => {
    const first = await read();
    const states = latestStates(first.messages);
    const cases: [string, (s: Child) => Record<string, any>][] = [
      ['position past the retention', (s) => ({[s === 'comments' ? 'updated_at' : 'date_updated']: formatInstant(nowMicros() - 31 * MICROS_PER_DAY), [FULL_READ_KEY]: formatInstant(nowMicros() - MICROS_PER_DAY)})],
      ['full read due', (s) => ({[s === 'comments' ? 'updated_at' : 'date_updated']: formatInstant(nowMicros() - MICROS_PER_HOUR), [FULL_READ_KEY]: formatInstant(nowMicros() - FULL_READ_PERIOD - MICROS_PER_HOUR)})],
      // Without a full read time, the position stands for it.
      ['no full read recorded, the position 8 days old', (s) => ({[s === 'comments' ? 'updated_at' : 'date_updated']: formatInstant(nowMicros() - 8 * MICROS_PER_DAY)})],
    ];
    for (const [label, state] of cases) {
      let given = states;
      for (const s of CHILDREN) given = withState(given, s, state(s));
      const startedAt = Date.now();
      const run = await read(given);
      for (const s of CHILDREN) {
        assert.deepEqual(ids(own(run.messages, s)), ids(truth(s)), `${label}: ${s} emits every record`);
        assert.equal(run.groups[GROUP[s]], everyParent(s), `${label}: ${s} reads every parent`);
        const full = Date.parse(stateOf(run.messages, s)[FULL_READ_KEY]);
        assert.ok(full >= startedAt - 2000, `${label}: ${s} records the full read`);
      }
    }
    // Six days after the last full read: not due.
    let given = later(first.messages);
    for (const s of CHILDREN) {
      const st = (given as any[]).find((m) => m.stream.stream_descriptor.name === s).stream.stream_state;
      given = withState(given, s, {...st, [FULL_READ_KEY]: formatInstant(nowMicros() - 6 * MICROS_PER_DAY)});
    }
    const quiet = await read(given);
    for (const s of CHILDREN) assert.equal(quiet.groups[GROUP[s]] ?? 0, 0, `${s}: a full read 6 days ago is not due`);
  });

  test('the state moves forward only: a saved position later than this sync is kept', async () => {
    const first = await read();
    let given = latestStates(first.messages);
    const later = formatInstant(nowMicros() + MICROS_PER_HOUR);
    for (const s of CHILDREN) {
      const st = stateOf(first.messages, s);
      given = withState(given, s, {...st, [s === 'comments' ? 'updated_at' : 'date_updated']: later});
    }
    const run = await read(given);
    for (const s of CHILDREN) {
      const cursor = s === 'comments' ? 'updated_at' : 'date_updated';
      assert.equal(Date.parse(stateOf(run.messages, s)[cursor]), Date.parse(later), `${s}: not moved back`);
    }
  });

  for (const [status, error, why] of [
    [403, 'You are not allowed to view the event log.', 'the key may not read the event log'],
    [400, 'Invalid object_type.', 'Close knows none of the object type names asked for'],
  ] as const) {
    test(`the event log answers ${status} (${why}): every parent is read, nothing is lost, the sync succeeds`, async () => {
      const first = await read();
      sandbox.mutate({resources: {custom_objects: {updated: 1}, comments: {updated: 1}}});
      sandbox.script({path: '/event/', times: 1000, respond: {status, body: JSON.stringify({error})}});
      // The last full read an hour back, so that this sync's is later even when both start in the same second.
      let given = later(first.messages);
      for (const s of CHILDREN) {
        const st = (given as any[]).find((m) => m.stream.stream_descriptor.name === s).stream.stream_state;
        given = withState(given, s, {...st, [FULL_READ_KEY]: formatInstant(Date.parse(st[FULL_READ_KEY]) * 1000 - MICROS_PER_HOUR)});
      }
      const before = (s: string) => Date.parse((given as any[]).find((m) => m.stream.stream_descriptor.name === s).stream.stream_state[FULL_READ_KEY]);
      try {
        const run = await read(given);
        for (const s of CHILDREN) {
          assert.equal(run.groups[GROUP[s]], everyParent(s), `${s}: every parent read`);
          assert.deepEqual(ids(own(run.messages, s)), ids(truth(s)), `${s}: every record`);
          assert.ok(Date.parse(stateOf(run.messages, s)[FULL_READ_KEY]) > before(s), `${s}: recorded as a full read`);
        }
      } finally {
        sandbox.clearScripts();
      }
    });
  }

  test('a custom object and a comment edited while the sync reads them arrive with the next sync', async () => {
    const first = await read();
    // A full read (due), during which the child read first (its parent already done) is edited.
    let given = latestStates(first.messages);
    for (const s of CHILDREN) given = withState(given, s, {...stateOf(first.messages, s), [FULL_READ_KEY]: formatInstant(nowMicros() - 8 * MICROS_PER_DAY)});
    const targets = CHILDREN.map((s) => own(first.messages, s)[0]);
    sandbox.live.rule({path: '/custom_object/', afterRequests: 3, apply: {update: [targets[0].id]}});
    sandbox.live.rule({path: '/comment/', afterRequests: 2, apply: {update: [targets[1].id]}});
    let during;
    try {
      during = await read(given);
    } finally {
      sandbox.live.clearRules();
    }
    for (const s of CHILDREN) assert.equal(during.groups[GROUP[s]], everyParent(s), `${s}: that sync read every parent`);
    // The next sync runs more than the re-scan margin later: only the edit made during the sync is new to it.
    // (Moved on by the margin only: the edit may come in the sync's first seconds.)
    const next = await read(later(during.messages, CHILD_RESCAN));
    CHILDREN.forEach((s, i) => {
      const got = own(next.messages, s).find((r) => r.id === targets[i].id);
      assert.ok(got, `${s}: ${targets[i].id} edited during the sync is emitted by the next one`);
      assert.ok(Date.parse(got![cursorOf(s)]) > Date.parse(targets[i][cursorOf(s)]), `${s}: its edited version`);
      assert.deepEqual(ids(own(next.messages, s)), [targets[i].id], `${s}: and nothing else`);
      assert.equal(next.groups[GROUP[s]], 1, `${s}: only its parent is read`);
    });
  });
});
