import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import {Sandbox, StreamName} from '../../sandbox';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, latestStates, ofType, recordsOf, stateInstants, statesOf} from '../helpers/protocol';
import {catalogFrom, configFor, startTestSandbox, streamNames} from '../helpers/sandbox';
import {assertRecordMatchesSchema} from '../helpers/schemas';
import {STREAMS, infoOf, keyOf} from '../helpers/streams';
import {ACTIVITY_SEEDS, RESOURCE_SEEDS} from '../../sandbox/resources/seeds';

/** What a failed run said: its stderr, else its ERROR traces and last log lines. */
function whyFailed(res: {stderr: string; stdout: string; messages: AirbyteMessage[]}): string {
  const traces = res.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error.message);
  return res.stderr || JSON.stringify(traces) + ' ' + res.stdout.slice(-1500);
}

function ids(stream: string, records: Record<string, any>[]): string[] {
  return [...new Set(records.map((r) => keyOf(stream, r)))].sort();
}

/** One creation, edit and deletion in every stream the sandbox serves from a seed (sandbox/resources). */
const EVERY_SEEDED_STREAM = Object.fromEntries(
  [...RESOURCE_SEEDS.map((s) => s.stream), ...ACTIVITY_SEEDS.map((s) => s.stream)].map((s) => [s, {created: 1, updated: 1, deleted: 1}])
);

describe('reads against the sandbox', () => {
  let sandbox: Sandbox;
  let dir: string;
  let discover: AirbyteMessage[];
  let names: string[];
  let schemas: Map<string, object>;

  before(async () => {
    sandbox = await startTestSandbox({scale: 60});
    dir = tempDir();
    writeJson(dir, 'config.json', configFor(sandbox));
    discover = (await runConnector(['discover', '--config', path.join(dir, 'config.json')])).messages;
    names = streamNames(discover);
    schemas = new Map(discover.find((m) => m.type === 'CATALOG')!.catalog.streams.map((s: any) => [s.name, s.json_schema]));
  });
  after(async () => sandbox.close());

  test('a full-refresh read of every stream returns exactly the sandbox truth, schema-valid', async () => {
    const catalog = writeJson(dir, 'full.json', catalogFrom(discover, 'full_refresh'));
    const res = await runConnector(['read', '--config', path.join(dir, 'config.json'), '--catalog', catalog]);
    assert.equal(res.code, 0, res.stderr);
    checkReadRules(res.messages, names);
    assert.equal(ofType(res.messages, 'TRACE').filter((m) => m.trace.type === 'ERROR').length, 0);
    for (const name of names) {
      const records = recordsOf(res.messages, name);
      for (const r of records) assertRecordMatchesSchema(name, schemas.get(name)!, r);
      const truth = sandbox.truth(name as StreamName).map((t) => t.id).sort();
      assert.ok(truth.length > 0, `sandbox has no ${name}`);
      assert.deepEqual(ids(name, records), truth, `${name}: ids differ from the sandbox truth`);
      assert.equal(records.length, truth.length, `${name}: duplicates in a full refresh`);
      for (const field of infoOf(name).omitFields ?? []) {
        assert.ok(records.every((r) => !(field in r)), `${name}: ${field} is never emitted`);
      }
    }
    assert.deepEqual(names, STREAMS.map((s) => s.name), 'discover lists the registry\'s streams, in its order');
    for (const lead of recordsOf(res.messages, 'leads')) {
      assert.ok(Array.isArray(lead.custom_fields), 'leads carry custom_fields [{id, value}]');
      const rawKeys = Object.keys(lead).filter((k) => k.startsWith('custom.'));
      assert.equal(lead.custom_fields.length, rawKeys.length);
    }
  });

  test('incremental: a second read from the first run\'s state brings every change and few unchanged records', async () => {
    const catalog = writeJson(dir, 'incremental.json', catalogFrom(discover, 'incremental'));
    const config = path.join(dir, 'config.json');
    const first = await runConnector(['read', '--config', config, '--catalog', catalog]);
    assert.equal(first.code, 0, whyFailed(first));
    checkReadRules(first.messages, names);
    const state = writeJson(dir, 'state.json', latestStates(first.messages));

    const change = sandbox.mutate({
      newLeads: 3,
      updatedLeads: 4,
      newActivities: 6,
      updatedActivities: 2,
      newTasks: 3,
      updatedTasks: 3,
      updatedUsers: 1,
      updatedCustomFields: 1,
      resources: EVERY_SEEDED_STREAM,
    });
    const second = await runConnector(['read', '--config', config, '--catalog', catalog, '--state', state]);
    assert.equal(second.code, 0, whyFailed(second));
    checkReadRules(second.messages, names);

    const savedActivities = (latestStates(first.messages) as any[]).find((s) => s.stream.stream_descriptor.name === 'activities').stream.stream_state.date_created;
    const attributionStart = Date.parse(savedActivities) - 24 * 3600_000;
    for (const [stream, changedIds] of Object.entries(change.changed)) {
      if (!names.includes(stream)) continue;
      const got = new Set(recordsOf(second.messages, stream).map((r) => keyOf(stream, r)));
      const truth = new Map(sandbox.truth(stream as StreamName).map((t) => [t.id, t]));
      for (const id of changedIds) {
        if (infoOf(stream).kind === 'created_windows' && Date.parse(truth.get(id)!.date_created!) < attributionStart) {
          // Close cannot find edits of older activities (no date_updated filter): Stitch's documented limit.
          continue;
        }
        assert.ok(got.has(id), `${stream}: changed record ${id} was not emitted`);
      }
    }
    // Unchanged records come back only where the cursor allows it: records at
    // the saved cursor (>=), and activities inside the 24 h attribution window.
    const firstCounts = Object.fromEntries(names.map((n) => [n, recordsOf(first.messages, n).length]));
    for (const name of names) {
      const changed = new Set((change.changed as Record<string, string[]>)[name] ?? []);
      const unchanged = recordsOf(second.messages, name).filter((r) => !changed.has(keyOf(name, r)));
      const incremental = (discover.find((m) => m.type === 'CATALOG')!.catalog.streams.find((s: any) => s.name === name).supported_sync_modes as string[]).includes('incremental');
      if (!incremental) continue;
      const windowed = infoOf(name).kind === 'created_windows';
      if (windowed || name === 'event_log' || infoOf(name).kind === 'child') {
        // The attribution window (24 h), the event log's 5-minute re-scan, and that of the children of changed
        // parents (changed-children.ts) reach back from the saved cursor.
        const field = infoOf(name).cursor!;
        const saved = (latestStates(first.messages) as any[]).find((s) => s.stream.stream_descriptor.name === name).stream.stream_state[field];
        const cutoff = Date.parse(saved) - (windowed ? 24 * 3600_000 : 5 * 60_000);
        for (const r of unchanged) {
          assert.ok(Date.parse(r[field]) >= cutoff, `${name}: re-emitted ${r.id} from ${r[field]}, outside the window before ${saved}`);
        }
      } else {
        // Cursors are inclusive (>=): only unchanged records sharing the saved cursor value come back.
        const field = 'date_updated';
        const saved = (latestStates(first.messages) as any[]).find((s) => s.stream.stream_descriptor.name === name).stream.stream_state[field];
        for (const r of unchanged) {
          assert.ok(Date.parse(r[field]) >= Date.parse(saved), `${name}: re-emitted unchanged ${r.id} from ${r[field]}, before the cursor ${saved}`);
        }
        assert.ok(unchanged.length < firstCounts[name] / 2 || firstCounts[name] < 10, `${name}: ${unchanged.length} of ${firstCounts[name]} re-emitted`);
      }
    }
    // Full-refresh streams read everything again: created records come, deleted ones are gone.
    for (const name of names.filter((n) => !infoOf(n).syncModes.includes('incremental'))) {
      const truth = sandbox.truth(name as StreamName).map((t) => t.id).sort();
      assert.deepEqual(ids(name, recordsOf(second.messages, name)), truth, `${name}: the second full read is the sandbox's truth`);
    }
    for (const stream of Object.keys(EVERY_SEEDED_STREAM)) {
      assert.ok((change.created as any)[stream]?.length && (change.deleted as any)[stream]?.length, `${stream}: the mutation created and deleted records`);
    }
    // State only moves forward.
    const before = new Map(latestStates(first.messages).map((s: any) => [s.stream.stream_descriptor.name, s.stream.stream_state]));
    for (const s of latestStates(second.messages) as any[]) {
      const prev = new Map(stateInstants(before.get(s.stream.stream_descriptor.name) as any));
      for (const [k, v] of stateInstants(s.stream.stream_state)) {
        if (prev.get(k)) assert.ok(Date.parse(v) >= Date.parse(prev.get(k)!), `${s.stream.stream_descriptor.name} ${k} went back`);
      }
    }
  });

  test('a state with far-future cursors reads no records but still emits a state per stream', async () => {
    const catalogJson = catalogFrom(discover, 'incremental') as any;
    const incremental = catalogJson.streams.filter((s: any) => s.sync_mode === 'incremental');
    const future = incremental.map((s: any) => ({
      type: 'STREAM',
      stream: {
        stream_descriptor: {name: s.stream.name},
        stream_state: {
          [s.cursor_field[0]]: '2999-01-01T00:00:00.000000+00:00',
          // the deletions position too, as test_files/future_state.json (without it: the deletions of the last 30 days)
          ...(s.stream.json_schema.properties._ab_cdc_deleted_at ? {deletions: {date_updated: '2999-01-01T00:00:00.000000+00:00'}} : {}),
        },
      },
    }));
    const catalog = writeJson(dir, 'future-catalog.json', {streams: incremental});
    const res = await runConnector(['read', '--config', path.join(dir, 'config.json'), '--catalog', catalog, '--state', writeJson(dir, 'future.json', future)]);
    assert.equal(res.code, 0, res.stderr);
    const streams = incremental.map((s: any) => s.stream.name);
    checkReadRules(res.messages, streams);
    assert.equal(recordsOf(res.messages).length, 0);
    for (const s of incremental) {
      const states = statesOf(res.messages, s.stream.name);
      assert.ok(states.length >= 1);
      const value = states.at(-1)!.state.stream.stream_state[s.cursor_field[0]];
      assert.match(value, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    }
  });

  const withDeletionsShape = (state: any) => {
    const {deletions, ...own} = state.stream.stream_state;
    assert.match(deletions.date_updated, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    return {...state, stream: {...state.stream, stream_state: {...own, deletions: {date_updated: '<the sync start>'}}}};
  };

  test('the same read with WORKER_JOB_ID set prints the same records and state format', async () => {
    // A sandbox of its own that nothing edits: the committed cursor stays a second before each run's start, so an
    // edit made by an earlier test just before the first run would be committed by the second run only.
    const still = await startTestSandbox({scale: 20});
    const config = writeJson(dir, 'still-config.json', configFor(still));
    const catalog = writeJson(dir, 'some.json', catalogFrom(discover, 'incremental', ['users', 'custom_fields', 'leads']));
    const plain = await runConnector(['read', '--config', config, '--catalog', catalog]);
    const platform = await runConnector(['read', '--config', config, '--catalog', catalog], {env: {WORKER_JOB_ID: '42', AIRBYTE_VERSION: '1.0.0'}});
    await still.close();
    assert.equal(plain.code, 0);
    assert.equal(platform.code, 0);
    // Per stream: streams run side by side, so how their messages interleave depends on timing.
    const strip = (ms: AirbyteMessage[]) => {
      const by: Record<string, unknown[]> = {};
      for (const m of ms) {
        if (m.type !== 'RECORD' && m.type !== 'STATE') continue;
        const stream = m.type === 'RECORD' ? m.record.stream : m.state.stream.stream_descriptor.name;
        // A first sync's deletions position is the sync's start (a second apart between the runs): its shape is compared.
        const state = m.type === 'STATE' && m.state.stream.stream_state.deletions ? withDeletionsShape(m.state) : m.state;
        (by[stream] ??= []).push(m.type === 'RECORD' ? m.record.data : state);
      }
      return by;
    };
    assert.deepEqual(strip(platform.messages), strip(plain.messages));
  });

  test('config, catalog and state files work at paths without .json, from another working directory', async () => {
    const other = tempDir('closeio-cwd-');
    const src = path.join(other, 'source');
    fs.mkdirSync(src);
    fs.copyFileSync(path.join(dir, 'config.json'), path.join(src, 'connectorConfig'));
    fs.writeFileSync(path.join(src, 'catalog'), JSON.stringify(catalogFrom(discover, 'incremental', ['users'])));
    fs.writeFileSync(path.join(src, 'inputState'), JSON.stringify([]));
    const cwd = tempDir('closeio-elsewhere-');
    const res = await runConnector(['read', '--config', path.join(src, 'connectorConfig'), '--catalog', path.join(src, 'catalog'), '--state', path.join(src, 'inputState')], {cwd});
    assert.equal(res.code, 0, res.stderr);
    assert.equal(recordsOf(res.messages, 'users').length, sandbox.truth('users').length);
    const relative = await runConnector(['read', '--config', 'source/connectorConfig', '--catalog', 'source/catalog'], {cwd: other});
    assert.equal(relative.code, 0, relative.stderr);
    assert.equal(recordsOf(relative.messages, 'users').length, sandbox.truth('users').length);
  });
});
