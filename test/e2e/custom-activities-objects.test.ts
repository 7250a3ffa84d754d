import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'path';
import {Sandbox} from '../../sandbox';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, ofType} from '../helpers/protocol';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';
import {assertRecordMatchesSchema} from '../helpers/schemas';

/**
 * Custom activity instances (in `activities`) and custom objects, read by the
 * built connector from the sandbox: one typed column per field definition at
 * discover, every record with exactly the sandbox's values in those columns
 * and in `custom_fields`, schema-valid even with no undeclared property.
 */

type Json = Record<string, any>;

const STREAMS = ['activities', 'custom_objects'];

/** The column type of a definition, as Close's type and multiplicity decide it (one type per column). */
function expectedColumn(def: Json): Json {
  if (def.accepts_multiple_values) return {type: ['null', 'array']};
  switch (def.type) {
    case 'number':
      return {type: ['null', 'number']};
    case 'date':
      return {type: ['null', 'string'], format: 'date'};
    case 'datetime':
      return {type: ['null', 'string'], format: 'date-time'};
    default:
      return {type: ['null', 'string']};
  }
}

const asText = (v: unknown) => (v === null || v === undefined || typeof v === 'string' ? v : JSON.stringify(v));

describe('custom activities and custom objects: typed custom field columns', () => {
  let sandbox: Sandbox;
  let dir: string;
  let discover: AirbyteMessage[];
  let schemas: Map<string, Json>;
  let get: (p: string) => Promise<any>;

  before(async () => {
    sandbox = await startTestSandbox({scale: 300});
    dir = tempDir();
    writeJson(dir, 'config.json', configFor(sandbox));
    const auth = {authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`};
    get = async (p) => (await fetch(`${sandbox.url}${p}`, {headers: auth})).json();
    discover = (await runConnector(['discover', '--config', path.join(dir, 'config.json')])).messages;
    schemas = new Map(discover.find((m) => m.type === 'CATALOG')!.catalog.streams.map((s: any) => [s.name, s.json_schema]));
  });
  after(async () => sandbox.close());

  /** Every definition that puts a column on a stream: its own kind, and shared fields associated with it. */
  async function definitionsOf(): Promise<Map<string, Json[]>> {
    const activity = (await get('/custom_field/activity/?_limit=1000')).data as Json[];
    const object = (await get('/custom_field/custom_object_type/?_limit=1000')).data as Json[];
    const shared = (await get('/custom_field/shared/')).data as Json[];
    const sharedWith = (objectType: string) => shared.filter((d) => (d.associations ?? []).some((a: Json) => a.object_type === objectType));
    return new Map([
      ['activities', [...activity, ...sharedWith('custom_activity_type')]],
      ['custom_objects', [...object, ...sharedWith('custom_object_type')]],
    ]);
  }

  test('discover gives activities and custom_objects one column of one type per field definition', async () => {
    const defs = await definitionsOf();
    for (const stream of STREAMS) {
      const properties = schemas.get(stream)!.properties;
      const list = defs.get(stream)!;
      assert.ok(list.length >= 5, `${stream}: the sandbox defines several fields (${list.length})`);
      assert.ok(new Set(list.map(expectedColumn).map((c) => JSON.stringify(c))).size >= 4, `${stream}: fields of several kinds`);
      for (const def of list) {
        const column = properties[`custom.${def.id}`];
        assert.ok(column, `${stream} has no column custom.${def.id} (${def.type})`);
        const want = expectedColumn(def);
        assert.deepEqual(column.type, want.type, `${stream} custom.${def.id} (${def.type})`);
        if (want.format) assert.equal(column.format, want.format);
        assert.match(column.description, new RegExp(def.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      }
      const customColumns = Object.keys(properties).filter((k) => k.startsWith('custom.'));
      assert.equal(customColumns.length, new Set(list.map((d) => d.id)).size, `${stream}: no column without a definition`);
      assert.ok(properties.custom_fields, `${stream} declares custom_fields`);
    }
    const shared = defs.get('activities')!.filter((d) => d.is_shared);
    assert.ok(shared.length > 0, 'a shared field associated with a custom activity type has its column on activities');
  });

  test('records carry exactly the sandbox values in their typed columns and custom_fields, schema-valid', async () => {
    const catalog = writeJson(dir, 'catalog.json', catalogFrom(discover, 'full_refresh', STREAMS));
    const res = await runConnector(['read', '--config', path.join(dir, 'config.json'), '--catalog', catalog]);
    assert.equal(res.code, 0, res.stderr);
    checkReadRules(res.messages, STREAMS);

    // The sandbox's own answers: every custom activity (their endpoint), every custom object (per lead).
    const truth = new Map<string, Map<string, Json>>(STREAMS.map((s) => [s, new Map()]));
    for (let skip = 0; ; skip += 100) {
      const page = await get(`/activity/custom/?_limit=100&_skip=${skip}`);
      for (const a of page.data) truth.get('activities')!.set(a.id, a);
      if (!page.has_more) break;
    }
    for (const lead of sandbox.truth('leads')) {
      for (const o of (await get(`/custom_object/?lead_id=${lead.id}`)).data) truth.get('custom_objects')!.set(o.id, o);
    }
    assert.deepEqual(
      [...truth.get('custom_objects')!.keys()].sort(),
      sandbox.truth('custom_objects').map((t) => t.id).sort(),
      'the per-lead lists hold every custom object'
    );

    const seen = new Map<string, Set<string>>(STREAMS.map((s) => [s, new Set()]));
    const kinds = new Set<string>();
    let nulled = 0;
    for (const m of ofType(res.messages, 'RECORD')) {
      const {stream, data, meta} = m.record;
      if (stream === 'activities' && data._type !== 'CustomActivity') {
        assert.deepEqual(data.custom_fields, [], 'other activities have no custom values');
        continue;
      }
      const schema = schemas.get(stream)!;
      assertRecordMatchesSchema(stream, schema, data);
      // Strict: every custom value is in a declared column.
      for (const key of Object.keys(data)) if (key.startsWith('custom.')) assert.ok(schema.properties[key], `${stream} ${data.id}: ${key} has no column`);
      const raw = truth.get(stream)!.get(data.id);
      assert.ok(raw, `${stream} ${data.id} is not in the sandbox`);
      seen.get(stream)!.add(data.id);
      if (stream === 'activities') assert.equal(data.custom_activity_type_id, raw.custom_activity_type_id);
      if (stream === 'custom_objects') {
        for (const f of ['name', 'lead_id', 'custom_object_type_id', 'date_created', 'date_updated']) assert.deepEqual(data[f], raw[f], `${data.id} ${f}`);
      }
      const rawKeys = Object.keys(raw).filter((k) => k.startsWith('custom.')).sort();
      assert.deepEqual(Object.keys(data).filter((k) => k.startsWith('custom.')).sort(), rawKeys, `${stream} ${data.id}: the same custom keys`);
      const changed = new Set<string>((meta?.changes ?? []).map((c: Json) => c.field));
      for (const key of rawKeys) {
        if (changed.has(key)) {
          nulled++;
          assert.equal(data[key], null, `${key} does not fit its column: nulled there`);
        } else {
          assert.deepEqual(data[key], raw[key], `${stream} ${data.id} ${key}`);
          kinds.add(Array.isArray(raw[key]) ? 'array' : typeof raw[key]);
        }
      }
      assert.deepEqual(
        data.custom_fields,
        rawKeys.map((k) => ({id: k.slice('custom.'.length), value: asText(raw[k])})),
        `${stream} ${data.id}: custom_fields lists every raw value as text, sorted by id`
      );
    }
    for (const stream of STREAMS) {
      assert.deepEqual([...seen.get(stream)!].sort(), [...truth.get(stream)!.keys()].sort(), `${stream}: every instance, once`);
      assert.ok(seen.get(stream)!.size > 10, `${stream}: enough instances to mean something (${seen.get(stream)!.size})`);
    }
    for (const kind of ['number', 'string', 'array']) assert.ok(kinds.has(kind), `some ${kind} values (${[...kinds]})`);
    void nulled;
  });
});

describe('custom activities and custom objects: an account without them', () => {
  let sandbox: Sandbox;
  let dir: string;

  before(async () => {
    sandbox = await startTestSandbox({scale: 60});
    dir = tempDir();
    writeJson(dir, 'config.json', configFor(sandbox));
  });
  after(async () => sandbox.close());

  test('discover succeeds when Close refuses the activity and custom object field definitions (plan features): no typed columns there', async () => {
    const refusal = {status: 403, body: JSON.stringify({error: 'This feature is not available on your plan.'})};
    sandbox.script({path: '/custom_field/activity/', times: 100, respond: refusal});
    sandbox.script({path: '/custom_field/custom_object_type/', times: 100, respond: refusal});
    try {
      const res = await runConnector(['discover', '--config', path.join(dir, 'config.json')]);
      assert.equal(res.code, 0, res.stderr);
      const streams = new Map<string, Json>(res.messages.find((m) => m.type === 'CATALOG')!.catalog.streams.map((s: any) => [s.name, s.json_schema]));
      // Shared fields are still listed: those associated with a custom activity or object type keep their columns.
      const auth = {authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`};
      const shared = ((await (await fetch(`${sandbox.url}/custom_field/shared/`, {headers: auth})).json()) as {data: Json[]}).data;
      const sharedWith = (objectType: string) =>
        shared.filter((d) => (d.associations ?? []).some((a: Json) => a.object_type === objectType)).map((d) => `custom.${d.id}`).sort();
      const expected: Record<string, string[]> = {activities: sharedWith('custom_activity_type'), custom_objects: sharedWith('custom_object_type')};
      assert.equal(expected.activities.length, 1, 'the sandbox associates one shared field with a custom activity type');
      for (const stream of STREAMS) {
        assert.deepEqual(Object.keys(streams.get(stream)!.properties).filter((k) => k.startsWith('custom.')).sort(), expected[stream], `${stream}: only the shared fields' columns`);
        assert.ok(streams.get(stream)!.properties.custom_fields, `${stream} still declares custom_fields`);
      }
      assert.ok(Object.keys(streams.get('leads')!.properties).some((k) => k.startsWith('custom.')), 'leads keep theirs');
      const warnings = ofType(res.messages, 'LOG').filter((m) => m.log.level === 'WARN' && /custom_field\/(activity|custom_object_type)/.test(m.log.message));
      assert.equal(warnings.length, 2, 'one warning per refused list');
    } finally {
      sandbox.clearScripts();
    }
  });

  test('custom_objects asks for no lead when the account has no custom object types', async () => {
    const discover = (await runConnector(['discover', '--config', path.join(dir, 'config.json')])).messages;
    const catalog = writeJson(dir, 'catalog.json', catalogFrom(discover, 'full_refresh', ['custom_objects']));
    sandbox.script({path: '/custom_object_type/', times: 100, respond: {status: 200, body: JSON.stringify({has_more: false, data: []})}});
    sandbox.resetStats();
    try {
      const res = await runConnector(['read', '--config', path.join(dir, 'config.json'), '--catalog', catalog]);
      assert.equal(res.code, 0, res.stderr);
      checkReadRules(res.messages, ['custom_objects']);
      assert.equal(ofType(res.messages, 'RECORD').length, 0);
      const groups = sandbox.stats().byGroup;
      assert.equal(groups.lead ?? 0, 0, 'no lead read');
      assert.equal(groups.custom_object ?? 0, 0, 'no custom object list');
      assert.equal(groups.custom_object_type, 1, 'one request for the types');
    } finally {
      sandbox.clearScripts();
    }
    // With types, the same read lists every instance of every lead.
    const res = await runConnector(['read', '--config', path.join(dir, 'config.json'), '--catalog', catalog]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(
      ofType(res.messages, 'RECORD').map((m) => m.record.data.id).sort(),
      sandbox.truth('custom_objects').map((t) => t.id).sort()
    );
  });
});
