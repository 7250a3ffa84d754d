/**
 * The connector run the way PyAirbyte runs a local executable source:
 *
 *   source = ab.get_source("source-close", config=..., local_executable="bin/main")
 *   source.select_all_streams()
 *   source.read()            # into the default DuckDB cache
 *   ... changes in Close ...
 *   source.read()            # incremental, from the state the cache saved
 *
 * PyAirbyte itself cannot be installed here (no PyPI), so its inputs are
 * reproduced from its source (test/helpers/pyairbyte.ts names the functions):
 * `spec` before every command (PathExecutor.ensure_installation,
 * airbyte/_executors), the config as a read-only `.json`, the catalog and the
 * state as read-only `.txt` files, `--state` always passed ("[]" the first
 * time), every stream incremental, destination_sync_mode overwrite. What it
 * does with the output is checked too: the first ERROR trace aborts its read
 * (_executors/base.py _stream_from_subprocess), columns come from the
 * top-level properties, each must map to one type, and streams with a
 * primary key are merged on it.
 */
import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {Sandbox, StreamName} from '../../sandbox';
import {RunResult, runConnector, tempDir} from '../helpers/connector';
import {checkReadRules, recordsOf} from '../helpers/protocol';
import {fitsColumn, pyAirbyteCatalogText, pyAirbyteColumnName, pyAirbyteStateText, pyAirbyteType, writeTempFile} from '../helpers/pyairbyte';
import {errorTraces, logLines} from '../helpers/resilience';
import {configFor, startTestSandbox} from '../helpers/sandbox';
import {assertRecordMatchesSchema} from '../helpers/schemas';
import {FULL_REFRESH_ONLY, STREAMS, infoOf, keyOf} from '../helpers/streams';


describe('PyAirbyte: select_all_streams() + read(), then an incremental read from its saved state', () => {
  let sandbox: Sandbox;
  let dir: string;
  let configFile: string;
  let streams: any[];
  let names: string[];
  let first: RunResult;
  let catalogText: string;

  /** ConnectorBase._execute: `spec` first (ensure_installation), then the command. */
  async function pyAirbyteRun(args: string[]): Promise<RunResult> {
    const spec = await runConnector(['spec']);
    assert.equal(spec.code, 0, spec.stderr);
    return runConnector(args);
  }

  /** PyAirbyte stops at the first ERROR trace and fails on any exit code but 0 (or -15). */
  function assertPyAirbyteAccepts(res: RunResult): void {
    assert.deepEqual(errorTraces(res.messages).map((m) => m.trace.error.message), [], 'PyAirbyte raises AirbyteConnectorFailedError on the first ERROR trace');
    assert.equal(res.code, 0, res.stderr);
  }

  before(async () => {
    sandbox = await startTestSandbox({scale: 40});
    dir = tempDir('closeio-pyairbyte-');
    configFile = writeTempFile(dir, configFor(sandbox));
    // Source.validate_config: jsonschema.validate(config, spec.connectionSpecification).
    const spec = (await runConnector(['spec'])).messages.find((m) => m.type === 'SPEC')!.spec;
    const ajv = new Ajv({strict: false});
    addFormats(ajv);
    assert.ok(ajv.validate(spec.connectionSpecification, configFor(sandbox)), JSON.stringify(ajv.errors));
    const discover = await pyAirbyteRun(['discover', '--config', configFile]);
    assert.equal(discover.code, 0, discover.stderr);
    streams = discover.messages.find((m) => m.type === 'CATALOG')!.catalog.streams;
    names = streams.map((s) => s.name);
    catalogText = pyAirbyteCatalogText(streams);
    const catalogFile = writeTempFile(dir, catalogText);
    const stateFile = writeTempFile(dir, '[]');
    first = await pyAirbyteRun(['read', '--config', configFile, '--catalog', catalogFile, '--state', stateFile]);
  });
  after(async () => sandbox?.close());

  test('the catalog is PyAirbyte’s: every stream incremental, overwrite, default cursors, primary keys, generation ids', () => {
    const catalog = JSON.parse(catalogText);
    assert.equal(catalog.streams.length, STREAMS.length);
    for (const c of catalog.streams) {
      assert.equal(c.sync_mode, 'incremental');
      assert.equal(c.destination_sync_mode, 'overwrite');
      assert.deepEqual(c.primary_key, [[infoOf(c.stream.name).primaryKey]]);
      assert.deepEqual([c.generation_id, c.minimum_generation_id, c.sync_id], [1, 1, 1]);
      if (FULL_REFRESH_ONLY.includes(c.stream.name)) {
        assert.deepEqual(c.stream.supported_sync_modes, ['full_refresh']);
        assert.ok(!('cursor_field' in c), 'no default cursor → cursor_field excluded as None');
      } else {
        assert.deepEqual(c.cursor_field, c.stream.default_cursor_field);
      }
    }
  });

  test('every top-level property maps to one PyAirbyte column type, and column names do not collide', () => {
    for (const s of streams) {
      const columns = new Map<string, string>();
      for (const [name, prop] of Object.entries<any>(s.json_schema.properties)) {
        assert.ok(pyAirbyteType(prop), `${s.name}.${name}: PyAirbyte prints "Could not determine airbyte type from JSON schema: ${JSON.stringify(prop)}"`);
        const column = pyAirbyteColumnName(name);
        assert.ok(!columns.has(column), `${s.name}: ${name} and ${columns.get(column)} are both column ${column}`);
        columns.set(column, name);
      }
      assert.ok(columns.has(pyAirbyteColumnName(infoOf(s.name).primaryKey)), `${s.name} has its primary key column`);
    }
  });

  test('the first read succeeds: full-refresh-only streams are read in full with one WARN each, the rest incrementally, and every record fits its column', () => {
    assertPyAirbyteAccepts(first);
    checkReadRules(first.messages, names);
    const warnings = logLines(first.messages, 'WARN');
    for (const name of FULL_REFRESH_ONLY) {
      const mine = warnings.filter((w) => w.includes(`Stream ${name} `));
      assert.equal(mine.length, 1, `one WARN for ${name}: ${JSON.stringify(warnings)}`);
      assert.match(mine[0], /supports only full_refresh; the catalog asks for incremental, so it is read as a full refresh/);
    }
    assert.equal(warnings.filter((w) => /read as a full refresh/.test(w)).length, FULL_REFRESH_ONLY.length, 'no WARN for the incremental streams');
    for (const s of streams) {
      const records = recordsOf(first.messages, s.name);
      const truth = sandbox.truth(s.name as StreamName).map((t) => t.id).sort();
      assert.deepEqual([...new Set(records.map((r) => keyOf(s.name, r)))].sort(), truth, `${s.name}: the first read is the sandbox's truth`);
      const types = Object.fromEntries(Object.entries<any>(s.json_schema.properties).map(([k, p]) => [k, pyAirbyteType(p)!]));
      for (const r of records) {
        assertRecordMatchesSchema(s.name, s.json_schema, r);
        for (const [k, v] of Object.entries(r)) {
          if (k in types) assert.ok(fitsColumn(types[k], v), `${s.name}.${k} = ${JSON.stringify(v)?.slice(0, 80)} does not load into a ${types[k]} column`);
        }
      }
    }
  });

  test('the second read, from the state PyAirbyte saved, brings every change and the merged tables equal the sandbox', async () => {
    assertPyAirbyteAccepts(first);
    const stateText = pyAirbyteStateText(first.messages, names);
    const saved = JSON.parse(stateText);
    assert.equal(saved.length, names.length, 'PyAirbyte keeps the last STATE of every stream');
    assert.ok(saved.every((s: any) => s.type === 'STREAM' && s.global_ === null && s.stream.stream_descriptor.namespace === null));

    const change = sandbox.mutate({newLeads: 3, updatedLeads: 4, newActivities: 5, newTasks: 2, updatedTasks: 2, updatedUsers: 1, newOpportunities: 1, updatedContacts: 2, updatedCustomFields: 1});
    const catalogFile = writeTempFile(dir, catalogText);
    const stateFile = writeTempFile(dir, stateText);
    const second = await pyAirbyteRun(['read', '--config', configFile, '--catalog', catalogFile, '--state', stateFile]);
    assertPyAirbyteAccepts(second);
    checkReadRules(second.messages, names);

    for (const name of names) {
      const firstRecords = recordsOf(first.messages, name);
      const secondRecords = recordsOf(second.messages, name);
      if (FULL_REFRESH_ONLY.includes(name)) {
        assert.equal(secondRecords.length, sandbox.truth(name as StreamName).length, `${name} is read in full again`);
      } else if (firstRecords.length >= 10 && infoOf(name).kind !== 'created_windows') {
        // Re-read unchanged: only records at the saved cursor (cursors are inclusive). Activities re-read
        // their 24 h attribution window, checked in read.test.ts.
        const before = new Map(firstRecords.map((r) => [keyOf(name, r), JSON.stringify(r)]));
        const again = secondRecords.filter((r) => before.get(keyOf(name, r)) === JSON.stringify(r));
        assert.ok(again.length < firstRecords.length / 2, `${name}: ${again.length} of ${firstRecords.length} unchanged records read again: not incremental`);
      }
      // CatalogProvider.resolve_write_method: a stream with a primary key is MERGEd on it.
      const merged = new Map<string, Record<string, any>>();
      for (const r of [...firstRecords, ...secondRecords]) merged.set(keyOf(name, r), r);
      const truth = sandbox.truth(name as StreamName);
      assert.deepEqual([...merged.keys()].sort(), truth.map((t) => t.id).sort(), `${name}: the merged table holds exactly the sandbox's records`);
      for (const t of truth) {
        if (t.date_updated && infoOf(name).kind !== 'created_windows') {
          assert.equal(Date.parse(merged.get(t.id)!.date_updated), Date.parse(t.date_updated), `${name} ${t.id}: the merged row is the latest version`);
        }
      }
    }
    for (const [stream, changedIds] of Object.entries(change.changed)) {
      if (stream === 'activities') continue; // new ones are checked by the truth above; Close cannot find edits of older activities
      const got = new Set(recordsOf(second.messages, stream).map((r) => keyOf(stream, r)));
      for (const id of changedIds) assert.ok(got.has(id), `${stream}: changed record ${id} was not read the second time`);
    }
  });

  test('the state file is read although it is not named .json and holds PyAirbyte’s extra null fields', () => {
    // Covered by the second read above; this asserts the file really had that shape.
    const text = pyAirbyteStateText(first.messages, names);
    assert.match(text, /^\[\{"type":"STREAM","stream":\{"stream_descriptor":\{"name":"[a-z_]+","namespace":null\}/);
    assert.match(text, /"global_":null,"data":null,"sourceStats":\{"recordCount":\d+\.0,"rejectedRecordCount":null\},"destinationStats":null\}\n, \{/);
    assert.equal(path.extname(writeTempFile(dir, text)), '.txt');
  });
});

