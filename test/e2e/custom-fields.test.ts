import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'path';
import {Sandbox} from '../../sandbox';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, ofType} from '../helpers/protocol';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';
import {assertRecordMatchesSchema} from '../helpers/schemas';

const TYPED_STREAMS = ['leads', 'contacts', 'opportunities'];

describe('typed custom fields and row estimates', () => {
  let sandbox: Sandbox;
  let dir: string;
  let discover: AirbyteMessage[];
  let streams: Map<string, any>;

  before(async () => {
    sandbox = await startTestSandbox({scale: 400});
    dir = tempDir();
    writeJson(dir, 'config.json', configFor(sandbox));
    discover = (await runConnector(['discover', '--config', path.join(dir, 'config.json')])).messages;
    streams = new Map(discover.find((m) => m.type === 'CATALOG')!.catalog.streams.map((s: any) => [s.name, s]));
  });
  after(async () => sandbox.close());

  test('discover adds one typed column per custom field of the account', async () => {
    const definitions = new Map<string, any>();
    for (const kind of ['lead', 'contact', 'opportunity']) {
      const res = await fetch(`${sandbox.url}/custom_field/${kind}/?_limit=1000`, {headers: {authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`}});
      for (const def of ((await res.json()) as {data: any[]}).data) definitions.set(`${kind}:${def.id}`, def);
    }
    const expectedType: Record<string, string> = {number: 'number', date: 'string', datetime: 'string', text: 'string', choices: 'string'};
    for (const [key, def] of definitions) {
      const [kind, id] = key.split(':');
      const stream = {lead: 'leads', contact: 'contacts', opportunity: 'opportunities'}[kind]!;
      const column = streams.get(stream).json_schema.properties[`custom.${id}`];
      assert.ok(column, `${stream} has no column custom.${id} (${def.type})`);
      assert.match(column.description, new RegExp(def.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      if (def.accepts_multiple_values) {
        assert.deepEqual(column.type, ['null', 'array']);
      } else if (expectedType[def.type]) {
        assert.deepEqual(column.type, ['null', expectedType[def.type]], `${def.type} → ${column.type}`);
      }
      if (def.type === 'date' && !def.accepts_multiple_values) assert.equal(column.format, 'date');
      if (def.type === 'datetime' && !def.accepts_multiple_values) assert.equal(column.format, 'date-time');
    }
    assert.ok([...definitions.keys()].some((k) => k.startsWith('lead:')));
  });

  test('values that do not fit their column are nulled there, kept in custom_fields and reported in meta.changes', async () => {
    const catalog = writeJson(dir, 'catalog.json', catalogFrom(discover, 'full_refresh', TYPED_STREAMS));
    const res = await runConnector(['read', '--config', path.join(dir, 'config.json'), '--catalog', catalog]);
    assert.equal(res.code, 0, res.stderr);
    checkReadRules(res.messages, TYPED_STREAMS);
    let changed = 0;
    for (const m of ofType(res.messages, 'RECORD')) {
      const {stream, data, meta} = m.record;
      assertRecordMatchesSchema(stream, streams.get(stream).json_schema, data);
      const rawKeys = Object.keys(data).filter((k) => k.startsWith('custom.'));
      assert.equal(data.custom_fields.length, rawKeys.length, 'every custom value is listed in custom_fields');
      for (const change of meta?.changes ?? []) {
        changed++;
        assert.equal(change.change, 'NULLED');
        assert.equal(change.reason, 'SOURCE_SERIALIZATION_ERROR');
        assert.equal(data[change.field], null, `${change.field} is nulled in its column`);
        const listed = data.custom_fields.find((f: any) => `custom.${f.id}` === change.field);
        assert.ok(listed && listed.value !== null, `${change.field}'s raw value stays in custom_fields`);
      }
    }
    assert.ok(changed > 0, 'the sandbox sends some values that do not fit their field type; none were reported');
  });

  test('leads and opportunities get a row estimate from Close\'s total_results before their records', async () => {
    const catalog = writeJson(dir, 'catalog2.json', catalogFrom(discover, 'incremental', ['leads', 'opportunities']));
    const res = await runConnector(['read', '--config', path.join(dir, 'config.json'), '--catalog', catalog]);
    assert.equal(res.code, 0, res.stderr);
    for (const stream of ['leads', 'opportunities']) {
      const index = res.messages.findIndex((m) => m.type === 'TRACE' && m.trace.type === 'ESTIMATE' && m.trace.estimate.name === stream);
      assert.ok(index >= 0, `no ESTIMATE for ${stream}`);
      const estimate = res.messages[index].trace.estimate;
      assert.equal(estimate.type, 'STREAM');
      assert.equal(estimate.row_estimate, sandbox.truth(stream as any).length);
      const firstRecord = res.messages.findIndex((m) => m.type === 'RECORD' && m.record.stream === stream);
      assert.ok(index < firstRecord, `${stream}: the estimate comes before the records`);
    }
  });
});
