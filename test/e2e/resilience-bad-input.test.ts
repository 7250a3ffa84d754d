import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import {Sandbox} from '../../sandbox';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {TEST_API_KEY, basicAuthForm} from '../helpers/keys';
import {AirbyteMessage, ofType} from '../helpers/protocol';
import {errorTraces} from '../helpers/resilience';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';

/**
 * Issue 7, bad config, catalog and state: each gets a clear message naming
 * what is wrong, one ERROR trace with failure_type config_error and a
 * non-zero exit, before any API call (the sandbox counts none). A state
 * whose cursor is in an unexpected format is an error, not a silent full
 * re-sync.
 */
const CONCURRENCY = {concurrency: 3};

describe('resilience: bad config, catalog and state are refused before any API call', () => {
  let sandbox: Sandbox;
  let dir: string;
  let discover: AirbyteMessage[];
  let goodConfig: Record<string, unknown>;
  let config: string;
  let catalog: string;

  before(async () => {
    sandbox = await startTestSandbox({scale: 5});
    dir = tempDir();
    goodConfig = configFor(sandbox);
    config = writeJson(dir, 'config.json', goodConfig);
    discover = (await runConnector(['discover', '--config', config])).messages;
    catalog = writeJson(dir, 'catalog.json', catalogFrom(discover, 'incremental'));
    sandbox.resetStats();
  });
  after(async () => sandbox.close());

  function writeText(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  }

  /**
   * Runs the command and checks everything a refused input must show. Tests
   * run a few at a time; the sandbox serves nothing else after before(), so
   * its request count must stay 0 across all of them.
   */
  async function refused(args: string[], message: RegExp, env: Record<string, string> = {}): Promise<AirbyteMessage[]> {
    const res = await runConnector(args, {env: {LOG_LEVEL: 'debug', ...env}});
    assert.notEqual(res.code, 0, `${args[0]} exited 0`);
    const errs = errorTraces(res.messages);
    assert.equal(errs.length, 1, `expected one ERROR trace, got ${JSON.stringify(errs)}`);
    assert.equal(errs[0].trace.error.failure_type, 'config_error');
    assert.match(errs[0].trace.error.message, message);
    assert.equal(ofType(res.messages, 'RECORD').length, 0);
    assert.equal(ofType(res.messages, 'STATE').length, 0);
    assert.equal(sandbox.stats().requests, 0, `${args[0]} called the API ${sandbox.stats().requests} times`);
    return res.messages;
  }

  describe('config', CONCURRENCY, () => {
    // [what, config, message, also check discover]
    const cases: [string, () => Record<string, unknown>, RegExp, boolean?][] = [
      ['a missing api_key', () => ({...goodConfig, api_key: undefined}), /api_key is missing or empty/, true],
      ['an empty api_key', () => ({...goodConfig, api_key: ''}), /api_key is missing or empty/],
      ['a blank api_key', () => ({...goodConfig, api_key: '   '}), /api_key is missing or empty/],
      ['a non-string api_key', () => ({...goodConfig, api_key: 12345}), /api_key is missing or empty/],
      ['a start_date that is not a date', () => ({...goodConfig, start_date: 'yesterday'}), /start_date does not look like an ISO date/, true],
      ['a start_date that does not exist', () => ({...goodConfig, start_date: '2024-02-30'}), /start_date "2024-02-30" is not a valid ISO date/],
      ['a negative lookback window', () => ({...goodConfig, lookback_window_hours: -1}), /lookback_window_hours must be >= 0/, true],
      ['a lookback window that is not a number', () => ({...goodConfig, lookback_window_hours: '24h'}), /lookback_window_hours must be integer/],
      ['an http api_url', () => ({...goodConfig, api_url: 'http://api.close.com/api/v1'}), /api_url "http:\/\/api.close.com" must use https/, true],
      ['an http api_url that only looks like loopback', () => ({...goodConfig, api_url: 'http://127.0.0.1.nip.io/api/v1'}), /must use https/],
      ['an api_url that is not a URL', () => ({...goodConfig, api_url: 'api.close.com'}), /api_url "api.close.com" is not a URL/],
      ['an api_url with credentials', () => ({...goodConfig, api_url: `https://${TEST_API_KEY}@api.close.com/api/v1`}), /api_url must not contain credentials/],
      ['a negative request timeout', () => ({...goodConfig, request_timeout_seconds: -5}), /request_timeout_seconds/],
    ];
    for (const [i, [what, cfg, message, discoverToo]] of cases.entries()) {
      test(`${what}: read${discoverToo ? ' and discover' : ''} refuse${discoverToo ? '' : 's'} it`, async () => {
        const file = writeJson(dir, `bad-config-${i}.json`, cfg());
        await refused(['read', '--config', file, '--catalog', catalog], message);
        if (discoverToo) await refused(['discover', '--config', file], message);
      });
    }

    test('a config file that does not exist, or is not JSON', async () => {
      await refused(['read', '--config', path.join(dir, 'no-such-config.json'), '--catalog', catalog], /Cannot read the config file .*no-such-config.json: no such file/);
      await refused(['read', '--config', writeText('config.txt', '{"api_key": "x",'), '--catalog', catalog], /The config file .*config.txt is not valid JSON/);
      await refused(['read', '--config', writeText('config-array.json', '[]'), '--catalog', catalog], /Invalid config: expected a JSON object/);
    });

    /** Every piece of the key 6 characters or longer (issue 11): none may appear in anything printed. */
    function keyFragmentsIn(text: string): string[] {
      const found: string[] = [];
      for (let i = 0; i + 6 <= TEST_API_KEY.length; i++) {
        const piece = TEST_API_KEY.slice(i, i + 6);
        if (text.includes(piece)) found.push(piece);
      }
      return found;
    }

    const key = TEST_API_KEY;
    const malformedConfigs: [string, string][] = [
      ['cut after the key', `{"api_key": "${key}",`],
      ['a missing comma after the key', `{"api_key": "${key}" "start_date": "2020-01-01"}`],
      ['the key cut short', `{"api_key": "${key.slice(0, 14)}`],
      ['single quotes', `{'api_key': '${key}'}`],
      ['unquoted names', `{api_key: "${key}"}`],
      ['only the key, pasted', key],
      ['the key and garbage after the JSON', `{"api_key": "${key}"}x`],
      ['key=value lines', `api_key=${key}\nstart_date=2020-01-01\n`],
      ['a BOM and trailing comma', `\uFEFF{"api_key": "${key}", "start_date": "2020-01-01",}`],
    ];
    for (const [i, [what, text]] of malformedConfigs.entries()) {
      test(`a config that is not JSON (${what}): no fragment of the key in anything printed`, async () => {
        const file = writeText(`malformed-config-${i}.json`, text);
        for (const args of [['check', '--config', file], ['discover', '--config', file], ['read', '--config', file, '--catalog', catalog]]) {
          const res = await runConnector(args, {env: {LOG_LEVEL: 'debug'}});
          assert.notEqual(res.code, 0);
          const printed = res.stdout + res.stderr;
          assert.deepEqual(keyFragmentsIn(printed), [], `${args[0]} printed ${printed.slice(0, 600)}`);
          assert.match(printed, /is not valid JSON/);
        }
      });
    }

    test('a catalog or state file that is not JSON, holding the key (a config passed as the wrong file): no fragment printed', async () => {
      const texts = [`{"api_key": "${key}",`, key, `[{"type": "STREAM", "api_key": "${key}"`, `{"api_key": "${key}"}`];
      for (const [i, text] of texts.entries()) {
        const bad = writeText(`holds-key-${i}.json`, text);
        for (const args of [
          ['read', '--config', config, '--catalog', bad],
          ['read', '--config', config, '--catalog', catalog, '--state', bad],
        ]) {
          const res = await runConnector(args, {env: {LOG_LEVEL: 'debug'}});
          assert.notEqual(res.code, 0);
          const printed = res.stdout + res.stderr;
          assert.deepEqual(keyFragmentsIn(printed), [], `${args.join(' ')} printed ${printed.slice(0, 600)}`);
        }
      }
    });

    test('the key is masked even where a bad field repeats it', async () => {
      const file = writeJson(dir, 'echo.json', {...goodConfig, start_date: TEST_API_KEY, api_url: `http://example.com/${TEST_API_KEY}`});
      const messages = await refused(['read', '--config', file, '--catalog', catalog], /Invalid config/);
      const printed = JSON.stringify(messages);
      assert.ok(!printed.includes(TEST_API_KEY) && !printed.includes(basicAuthForm(TEST_API_KEY)), printed.slice(0, 500));
    });

    test('http to a loopback address is accepted (another sandbox, so that the count above stays 0)', async () => {
      const other = await startTestSandbox({scale: 1});
      try {
        const res = await runConnector(['check', '--config', writeJson(dir, 'loopback.json', {...goodConfig, api_url: other.url.replace('127.0.0.1', 'localhost')})]);
        assert.equal(ofType(res.messages, 'CONNECTION_STATUS')[0].connectionStatus.status, 'SUCCEEDED');
      } finally {
        await other.close();
      }
    });
  });

  describe('catalog', CONCURRENCY, () => {
    const mutations: [string, (c: any) => unknown, RegExp][] = [
      ['an unknown stream', (c) => ({streams: [...c.streams, {...c.streams[0], stream: {...c.streams[0].stream, name: 'deals'}}]}), /unknown stream "deals"; this connector has activities, /],
      ['an invalid sync mode', (c) => ({streams: [{...c.streams[0], sync_mode: 'INVALID'}]}), /stream "activities" has sync_mode "INVALID"; it supports full_refresh, incremental/],
      ['a sync mode in the wrong case', (c) => ({streams: c.streams.filter((s: any) => s.stream.name === 'pipelines').map((s: any) => ({...s, sync_mode: 'Incremental'}))}), /stream "pipelines" has sync_mode "Incremental"; it supports full_refresh/],
      ['a stream without a name', (c) => ({streams: [{...c.streams[0], stream: {}}]}), /streams\[0\].stream.name is missing/],
      ['no streams', () => ({streams: []}), /no streams are configured/],
      ['an array instead of a catalog', (c) => c.streams, /expected a configured catalog/],
      ['a stream listed twice', (c) => ({streams: [c.streams[0], c.streams[0]]}), /stream "activities" is listed twice/],
    ];
    for (const [what, mutate, message] of mutations) {
      test(what, async () => {
        const file = writeJson(dir, `bad-catalog-${what.replace(/\W+/g, '-')}.json`, mutate(catalogFrom(discover, 'incremental')));
        await refused(['read', '--config', config, '--catalog', file], message);
      });
    }

    test('a catalog file that does not exist, is empty, or is not JSON', async () => {
      await refused(['read', '--config', config, '--catalog', path.join(dir, 'nope', 'catalog.json')], /Cannot read the catalog file .*catalog.json: no such file/);
      await refused(['read', '--config', config, '--catalog', writeText('empty-catalog.json', '')], /The catalog file .*empty-catalog.json is not valid JSON/);
      await refused(['read', '--config', config, '--catalog', writeText('html-catalog.json', '<html>oops</html>')], /The catalog file .*html-catalog.json is not valid JSON/);
    });
  });

  describe('state', CONCURRENCY, () => {
    const stream = (name: string, state: unknown) => ({type: 'STREAM', stream: {stream_descriptor: {name}, stream_state: state}});
    const good = '2024-05-01T12:34:56.789000+00:00';
    const cases: [string, unknown, RegExp][] = [
      ['a per-stream object (the legacy format)', {leads: {date_updated: good}}, /Invalid state: expected a JSON array of STREAM state messages/],
      ['a LEGACY message', [{type: 'LEGACY', data: {leads: {date_updated: good}}}], /item 0 has type LEGACY; this connector reads and writes STREAM states only/],
      ['a GLOBAL message', [{type: 'GLOBAL', global: {stream_states: []}}], /item 0 has type GLOBAL/],
      ['a message without a stream name', [{type: 'STREAM', stream: {stream_state: {}}}], /item 0 has no stream.stream_descriptor.name/],
      ['a stream_state that is an array', [stream('leads', [good])], /stream_state of leads must be an object/],
      ['an item that is not an object', ['leads'], /item 0 is not an object/],
      // Cursors in an unexpected format: an error, not a silent full re-sync.
      ['a cursor that is not a date', [stream('leads', {date_updated: 'yesterday'})], /Invalid state for stream leads: date_updated "yesterday" is not an ISO date-time/],
      ['a cursor in epoch seconds', [stream('tasks', {date_updated: 1714567890})], /Invalid state for stream tasks: date_updated 1714567890 is not an ISO date-time/],
      ['a cursor under another key', [stream('users', {updated_at: good})], /Invalid state for stream users: expected the cursor "date_updated", found keys \["updated_at"\]/],
      ['activities with date_updated instead of date_created', [stream('activities', {date_updated: good})], /Invalid state for stream activities: expected the cursor "date_created"/],
      ['a cursor on a date that does not exist', [stream('event_log', {date_updated: '2024-02-30T00:00:00Z'})], /Invalid state for stream event_log: date_updated "2024-02-30T00:00:00Z" is not an ISO date-time/],
      ['a cursor that is null inside an object', [stream('opportunities', {date_updated: null})], /Invalid state for stream opportunities/],
    ];
    for (const [what, state, message] of cases) {
      test(what, async () => {
        await refused(['read', '--config', config, '--catalog', catalog, '--state', writeJson(dir, `bad-state-${what.replace(/\W+/g, '-')}.json`, state)], message);
      });
    }

    test('a state file that is not JSON, or does not exist', async () => {
      await refused(['read', '--config', config, '--catalog', catalog, '--state', writeText('state.txt', '[{"type": "STREAM"')], /The state file .*state.txt is not valid JSON/);
      await refused(['read', '--config', config, '--catalog', catalog, '--state', path.join(dir, 'no-state.json')], /Cannot read the state file .*no-state.json: no such file/);
    });
  });
});
