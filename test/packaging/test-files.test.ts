/**
 * The committed CAT inputs follow the connector: the expected spec is what
 * `bin/main spec` prints, the catalogs name discovered streams with modes they
 * support, and the future state is one far-future STREAM state per incremental
 * stream, in the exact format the connector saves. Regenerate them with
 * `node scripts/update-test-files.js` after changing streams or the spec.
 */
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {describe, test} from 'node:test';
import {promisify} from 'node:util';
import {ROOT, discoverStreams, incrementalStreams, readJson, requireBuilt, runMain} from './helpers';

/**
 * Close's own date-time format (Python's isoformat in UTC), which the connector
 * saves verbatim as the cursor: microseconds and an explicit +00:00. The future
 * state uses it. Like isoformat, Close leaves the fraction out when it is zero,
 * so a saved cursor may also lack it (CAT compares the future state with what
 * the connector echoes back from it, which is the future value itself).
 */
const CURSOR_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
const EMITTED_CURSOR_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/;
const REGENERATE = 'run `npm run build && node scripts/update-test-files.js` and commit test_files/';

describe('committed CAT inputs', () => {
  test('test_files/expected_spec.json equals the spec `bin/main spec` prints', () => {
    requireBuilt();
    const specs = runMain(['spec']).filter((m) => m.type === 'SPEC');
    assert.equal(specs.length, 1, 'spec prints exactly one SPEC message');
    assert.deepEqual(readJson('test_files/expected_spec.json'), specs[0].spec, `expected spec is stale: ${REGENERATE}`);
  });

  test('future_state.json: one STREAM state per incremental stream, with its cursor key only, far in the future', async () => {
    const future = readJson<any[]>('test_files/future_state.json');
    assert.ok(Array.isArray(future), 'a JSON list of state messages');
    const incremental = await incrementalStreams();
    assert.ok(incremental.length > 0);
    const byName = new Map<string, any>();
    for (const msg of future) {
      assert.deepEqual(Object.keys(msg).sort(), ['stream', 'type']);
      assert.equal(msg.type, 'STREAM', 'STREAM states, never LEGACY or GLOBAL');
      const name = msg.stream?.stream_descriptor?.name;
      assert.equal(typeof name, 'string');
      assert.ok(!byName.has(name), `${name} appears once`);
      byName.set(name, msg.stream.stream_state);
    }
    assert.deepEqual([...byName.keys()].sort(), incremental.map((s) => s.name).sort(), `covers exactly the incremental streams: ${REGENERATE}`);
    for (const s of incremental) {
      const state = byName.get(s.name);
      assert.ok(Array.isArray(s.default_cursor_field) && s.default_cursor_field.length === 1, `${s.name} has a top-level cursor`);
      const cursor = s.default_cursor_field[0];
      const deletions = Boolean(s.json_schema.properties._ab_cdc_deleted_at);
      assert.deepEqual(Object.keys(state), deletions ? [cursor, 'deletions'] : [cursor], `${s.name}: stream_state has exactly its cursor ${cursor}${deletions ? ' and its deletions position' : ''}`);
      if (deletions) assert.ok(Date.parse(state.deletions.date_updated) > Date.parse('2900-01-01T00:00:00Z'), `${s.name}: deletions position far in the future`);
      assert.match(state[cursor], CURSOR_SHAPE, `${s.name}: cursor in the connector's format`);
      assert.ok(Date.parse(state[cursor]) > Date.parse('2900-01-01T00:00:00Z'), `${s.name}: cursor far in the future`);
      const prop = s.json_schema.properties[cursor];
      assert.ok(prop, `${s.name}: cursor ${cursor} is in the schema`);
      assert.ok([prop.type].flat().includes('string'), `${s.name}: cursor is a string in the schema, as in the state`);
    }
  });

  test('the future-state shape is the shape the connector emits (a real incremental read against the sandbox)', async () => {
    const {startSandbox} = await import('../../sandbox');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const {runMainAsync} = await import('./helpers');
    const {streamClass} = await import('../../src/streams/registry');
    const {FULL_READ_KEY} = await import('../../src/streams/changed-children-limits');
    const sb = await startSandbox({scale: 2, seed: 1});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closeio-future-'));
    try {
      const catalog = readJson('test_files/configured_catalog.json');
      const config = path.join(dir, 'config.json');
      fs.writeFileSync(config, JSON.stringify({api_key: sb.apiKey, api_url: sb.url}));
      fs.writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(catalog));
      fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(readJson('test_files/future_state.json')));
      // First sync: the states the connector writes have the committed future state's shape.
      const first = await runMainAsync(['read', '--config', config, '--catalog', path.join(dir, 'catalog.json')]);
      assert.equal(first.code, 0, first.stderr);
      const emitted = new Map<string, any>();
      for (const m of first.messages.filter((x) => x.type === 'STATE')) emitted.set(m.state.stream.stream_descriptor.name, m.state.stream.stream_state);
      for (const s of await incrementalStreams()) {
        const state = emitted.get(s.name);
        const cursor = s.default_cursor_field[0];
        if (!state || !(cursor in state)) continue; // a stream with no records keeps no cursor
        const deletions = Boolean(s.json_schema.properties._ab_cdc_deleted_at);
        // Children of changed parents also keep when every parent was last read (changed-children.ts); a
        // future state without it works (its position stands for it).
        const fullRead = streamClass(s.name).info.kind === 'child' ? [FULL_READ_KEY] : [];
        assert.deepEqual(Object.keys(state), [cursor, ...fullRead, ...(deletions ? ['deletions'] : [])], `${s.name} saves only its cursor${fullRead.length ? `, ${FULL_READ_KEY}` : ''}${deletions ? ' and its deletions position' : ''}`);
        if (deletions) assert.match(state.deletions.date_updated, EMITTED_CURSOR_SHAPE, `${s.name} saves its deletions position as ${state.deletions.date_updated}`);
        assert.match(state[cursor], EMITTED_CURSOR_SHAPE, `${s.name} saves its cursor as ${state[cursor]}`);
      }
      // With the future state: no records, at least one STATE, cursors kept as given (CAT's future_state test).
      const incrementalOnly = {streams: catalog.streams.filter((c: any) => c.sync_mode === 'incremental')};
      fs.writeFileSync(path.join(dir, 'catalog.json'), JSON.stringify(incrementalOnly));
      const future = await runMainAsync(['read', '--config', config, '--catalog', path.join(dir, 'catalog.json'), '--state', path.join(dir, 'state.json')]);
      assert.equal(future.code, 0, future.stderr);
      assert.equal(future.messages.filter((m) => m.type === 'RECORD').length, 0, 'no records past a far-future cursor');
      const states = future.messages.filter((m) => m.type === 'STATE');
      assert.ok(states.length >= incrementalOnly.streams.length);
      for (const m of states) {
        // Echoed back exactly: same value, same shape as the future state's.
        const {deletions, ...own} = m.state.stream.stream_state;
        for (const v of [...Object.values<string>(own), ...(deletions ? [deletions.date_updated] : [])]) assert.equal(v, '2999-01-01T00:00:00.000000+00:00');
      }
    } finally {
      fs.rmSync(dir, {recursive: true, force: true});
      await sb.close();
    }
  });

  for (const [file, mode] of [
    ['test_files/configured_catalog.json', 'incremental'],
    ['test_files/configured_catalog_full_refresh.json', 'full_refresh'],
  ] as const) {
    test(`${file} lists every discovered stream once, ${mode} where supported`, async () => {
      const discovered = new Map((await discoverStreams()).map((s) => [s.name, s]));
      const catalog = readJson(file);
      const names = catalog.streams.map((c: any) => c.stream.name);
      assert.equal(new Set(names).size, names.length, 'no stream twice');
      for (const c of catalog.streams) {
        const s = discovered.get(c.stream.name);
        assert.ok(s, `${c.stream.name} is a stream discover lists`);
        assert.ok(s.supported_sync_modes.includes(c.sync_mode), `${c.stream.name} supports ${c.sync_mode}`);
        const want = mode === 'incremental' && s.supported_sync_modes.includes('incremental') ? 'incremental' : 'full_refresh';
        assert.equal(c.sync_mode, want, `${c.stream.name} is read ${want}`);
        assert.ok(['append', 'overwrite', 'append_dedup', 'overwrite_dedup'].includes(c.destination_sync_mode));
        if (c.sync_mode === 'incremental') assert.deepEqual(c.cursor_field, s.default_cursor_field);
        if (s.source_defined_primary_key) assert.deepEqual(c.primary_key, s.source_defined_primary_key);
      }
      assert.deepEqual([...names].sort(), [...discovered.keys()].sort(), `every discovered stream is configured: ${REGENERATE}`);
    });
  }

  test('docs/examples: config.json fits the spec, state.json has the cursor of each stream it names', async () => {
    const Ajv = (await import('ajv')).default;
    const spec = readJson('test_files/expected_spec.json');
    const validate = new Ajv({strict: false}).compile(spec.connectionSpecification);
    assert.ok(validate(readJson('docs/examples/config.json')), JSON.stringify(validate.errors));
    const cursors = new Map((await incrementalStreams()).map((s) => [s.name, s.default_cursor_field[0]]));
    for (const msg of readJson<any[]>('docs/examples/state.json')) {
      assert.equal(msg.type, 'STREAM');
      const name = msg.stream.stream_descriptor.name;
      assert.ok(cursors.has(name), `${name} is an incremental stream`);
      assert.deepEqual(Object.keys(msg.stream.stream_state), [cursors.get(name)]);
      assert.match(msg.stream.stream_state[cursors.get(name)!], CURSOR_SHAPE);
    }
  });

  test('scripts/update-test-files.js --check finds nothing stale (schemas in the catalogs, docs/examples/catalog.json)', async () => {
    requireBuilt();
    await promisify(execFile)(process.execPath, ['scripts/update-test-files.js', '--check'], {cwd: ROOT});
  });
});
