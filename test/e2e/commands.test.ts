import {infoOf} from '../helpers/streams';
import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import net from 'net';
import Ajv from 'ajv';
import {Sandbox} from '../../sandbox';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {WRONG_API_KEY} from '../helpers/keys';
import {ofType} from '../helpers/protocol';
import {configFor, startTestSandbox} from '../helpers/sandbox';

/** Keys CAT refuses in a spec unless they are property names (S5). */
const FORBIDDEN_SPEC_KEYS = ['not', 'anyOf', 'patternProperties', 'prefixItems', 'allOf', 'if', 'then', 'else', 'dependentSchemas', 'dependentRequired', '$ref'];

function keysOutsideProperties(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => keysOutsideProperties(n, found));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties' && v && typeof v === 'object') {
        Object.values(v).forEach((child) => keysOutsideProperties(child, found));
      } else {
        found.push(k);
        keysOutsideProperties(v, found);
      }
    }
  }
  return found;
}

describe('spec, check and discover against the sandbox', () => {
  let sandbox: Sandbox;
  let dir: string;
  before(async () => {
    sandbox = await startTestSandbox({scale: 10});
    dir = tempDir();
  });
  after(async () => sandbox.close());

  test('spec prints exactly one SPEC that CAT accepts', async () => {
    const res = await runConnector(['spec']);
    assert.equal(res.code, 0);
    assert.equal(res.messages.length, 1);
    const spec = res.messages[0].spec;
    const conn = spec.connectionSpecification;
    new Ajv({strict: false}).compile(conn);
    const keys = keysOutsideProperties(conn);
    for (const k of FORBIDDEN_SPEC_KEYS) assert.ok(!keys.includes(k), `spec uses ${k}`);
    assert.equal(conn.properties.api_key.airbyte_secret, true);
    assert.deepEqual(conn.required, ['api_key']);
    assert.equal(conn.properties.lookback_window_hours.default, 24);
    assert.equal(conn.properties.api_url.default, 'https://api.close.com/api/v1');
    const orders = Object.values<any>(conn.properties).map((p) => p.order);
    assert.equal(new Set(orders).size, orders.length, 'order values are unique');
  });

  test('check with a good key succeeds', async () => {
    const res = await runConnector(['check', '--config', writeJson(dir, 'good.json', configFor(sandbox))]);
    assert.equal(res.code, 0);
    assert.equal(res.messages.length, 1);
    assert.equal(res.messages[0].connectionStatus.status, 'SUCCEEDED');
  });

  test('check with a wrong key fails with a clear message', async () => {
    const res = await runConnector(['check', '--config', writeJson(dir, 'wrong.json', configFor(sandbox, {api_key: WRONG_API_KEY}))]);
    assert.equal(res.code, 0);
    const statuses = ofType(res.messages, 'CONNECTION_STATUS');
    assert.equal(statuses.length, 1);
    assert.equal(statuses[0].connectionStatus.status, 'FAILED');
    assert.match(statuses[0].connectionStatus.message, /rejected the API key \(401\)/);
  });

  test('check against an address that never answers fails within the timeout', async () => {
    // Accepts connections and never answers: the worst kind of unreachable.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const cfg = configFor(sandbox, {api_url: `http://127.0.0.1:${port}/api/v1`, request_timeout_seconds: 1});
      const res = await runConnector(['check', '--config', writeJson(dir, 'silent.json', cfg)], {timeoutMs: 30_000});
      const elapsed = Date.now() - started;
      assert.equal(res.messages.filter((m) => m.type === 'CONNECTION_STATUS').length, 1);
      const status = ofType(res.messages, 'CONNECTION_STATUS')[0].connectionStatus;
      assert.equal(status.status, 'FAILED');
      assert.match(status.message, /GET \/me\/.*no complete answer within 1 s/);
      // One retry at most: two timeouts and one backoff.
      assert.ok(elapsed < 10_000, `check took ${elapsed} ms`);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  test('check with an invalid config names the field', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{api_key: ''}, /api_key is missing or empty/],
      [{...configFor(sandbox), start_date: 'yesterday'}, /start_date/],
      [{...configFor(sandbox), lookback_window_hours: -1}, /lookback_window_hours/],
      [{...configFor(sandbox), api_url: 'http://api.close.com/api/v1'}, /api_url .* must use https/],
    ];
    for (const [cfg, message] of cases) {
      const res = await runConnector(['check', '--config', writeJson(dir, 'bad.json', cfg)]);
      const status = ofType(res.messages, 'CONNECTION_STATUS')[0].connectionStatus;
      assert.equal(status.status, 'FAILED');
      assert.match(status.message, message);
    }
  });

  test('discover lists every stream with key, cursor and a Draft-7 schema CAT accepts', async () => {
    const res = await runConnector(['discover', '--config', writeJson(dir, 'good.json', configFor(sandbox))]);
    assert.equal(res.code, 0);
    const catalogs = ofType(res.messages, 'CATALOG');
    assert.equal(catalogs.length, 1);
    const streams: any[] = catalogs[0].catalog.streams;
    const names = streams.map((s) => s.name);
    for (const required of ['activities', 'custom_fields', 'event_log', 'leads', 'tasks', 'users']) {
      assert.ok(names.includes(required), `missing stream ${required}`);
    }
    assert.equal(new Set(names).size, names.length);
    const ajv = new Ajv({strict: false});
    for (const s of streams) {
      ajv.compile(s.json_schema);
      const keys = keysOutsideProperties(s.json_schema);
      for (const k of ['$ref', 'allOf', 'not']) assert.ok(!keys.includes(k), `${s.name} schema uses ${k}`);
      assert.ok(!JSON.stringify(s.json_schema).includes('"additionalProperties":false'), `${s.name} closes a schema`);
      const key = infoOf(s.name).primaryKey;
      assert.deepEqual(s.source_defined_primary_key, [[key]]);
      assert.deepEqual(s.json_schema.properties[key].type, 'string');
      assert.deepEqual(s.supported_sync_modes, infoOf(s.name).syncModes, `${s.name}: the sync modes its declaration says`);
      assert.deepEqual(s.default_cursor_field, infoOf(s.name).cursor ? [infoOf(s.name).cursor] : undefined, `${s.name}: its declared cursor`);
      assert.equal(s.supported_sync_modes[0], 'full_refresh');
      if (s.supported_sync_modes.includes('incremental')) {
        assert.equal(s.source_defined_cursor, true);
        const [cursor] = s.default_cursor_field;
        assert.equal(s.json_schema.properties[cursor].format, 'date-time', `${s.name} cursor ${cursor}`);
      }
    }
    const cursors = Object.fromEntries(streams.filter((s) => s.default_cursor_field).map((s) => [s.name, s.default_cursor_field[0]]));
    assert.equal(cursors.activities, 'date_created');
    for (const s of ['custom_fields', 'event_log', 'leads', 'tasks', 'users']) assert.equal(cursors[s], 'date_updated');
  });

  test('discover with an invalid config is an ERROR trace (config_error) and a non-zero exit', async () => {
    const res = await runConnector(['discover', '--config', writeJson(dir, 'bad.json', {start_date: '2024-01-01'})]);
    assert.equal(res.code, 1);
    const traces = ofType(res.messages, 'TRACE');
    assert.equal(traces.length, 1);
    assert.equal(traces[0].trace.error.failure_type, 'config_error');
    assert.match(traces[0].trace.error.message, /api_key/);
  });
});
