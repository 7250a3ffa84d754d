import {after, afterEach, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {Sandbox, ScriptRule} from '../../sandbox';
import {RunResult, runConnector, tempDir, writeJson} from '../helpers/connector';
import {TEST_API_KEY, basicAuthForm} from '../helpers/keys';
import {AirbyteMessage, checkReadRules, recordsOf} from '../helpers/protocol';
import {FAST_RETRIES, assertHoldsTruth, errorTraces, statusesOf} from '../helpers/resilience';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';

/**
 * Issue 7, bad answers from Close: HTML instead of JSON, a record without
 * an id, a 401/403 in the middle of a sync, a 404 for an endpoint the
 * account cannot use, has_more with an empty page. Each ends in a clear
 * error for that stream (ERROR trace naming the endpoint, INCOMPLETE status,
 * non-zero exit) while the other streams complete — never a hang or an
 * endless loop (every run has a timeout, and requests are counted).
 */
const MAX_RETRIES = 2;
const RUN = {env: FAST_RETRIES, timeoutMs: 30_000};
const HTML_PAGE = '<!DOCTYPE html><html><head><title>Close is down for maintenance</title></head><body><h1>Back soon</h1></body></html>';

describe('resilience: bad answers from Close', () => {
  let sandbox: Sandbox;
  let dir: string;
  let discover: AirbyteMessage[];
  let config: string;

  before(async () => {
    sandbox = await startTestSandbox({scale: 20, seed: 5});
    dir = tempDir();
    config = writeJson(dir, 'config.json', configFor(sandbox, {max_retries: MAX_RETRIES, request_timeout_seconds: 5}));
    discover = (await runConnector(['discover', '--config', config])).messages;
  });
  afterEach(() => sandbox.clearScripts());
  after(async () => sandbox.close());

  /** Reads `streams` (incremental where possible) with scripted answers in place. */
  async function readWith(streams: string[], rules: ScriptRule[], env: Record<string, string> = {}, extraConfig?: Record<string, unknown>): Promise<RunResult> {
    for (const rule of rules) sandbox.script(rule);
    sandbox.resetStats();
    const catalog = writeJson(dir, `catalog-${streams.join('-')}.json`, catalogFrom(discover, 'incremental', streams));
    const cfg = extraConfig ? writeJson(dir, 'config-extra.json', configFor(sandbox, {max_retries: MAX_RETRIES, request_timeout_seconds: 5, ...extraConfig})) : config;
    return runConnector(['read', '--config', cfg, '--catalog', catalog], {...RUN, env: {...RUN.env, ...env}});
  }

  /** The stream failed with one clear ERROR trace; the others completed with every record. */
  function assertStreamFailed(res: RunResult, streams: string[], failed: string, failureType: string, message: RegExp): string {
    assert.equal(res.code, 1, 'a failed stream makes the exit code non-zero');
    checkReadRules(res.messages, streams, {allowIncomplete: true});
    const errs = errorTraces(res.messages);
    assert.equal(errs.length, 1, JSON.stringify(errs.map((e) => e.trace.error.message)));
    assert.equal(errs[0].trace.error.stream_descriptor?.name, failed);
    assert.equal(errs[0].trace.error.failure_type, failureType);
    assert.match(errs[0].trace.error.message, message);
    assert.equal(statusesOf(res.messages, failed).at(-1), 'INCOMPLETE');
    for (const other of streams.filter((s) => s !== failed)) {
      assert.equal(statusesOf(res.messages, other).at(-1), 'COMPLETE', `${other} should not suffer from ${failed}'s failure`);
      assertHoldsTruth(sandbox, other, recordsOf(res.messages, other));
    }
    return errs[0].trace.error.message;
  }

  describe('HTML instead of JSON', () => {
    test('always (a maintenance page with 200): retried max_retries times, then a system_error that says what came back', async () => {
      const res = await readWith(['users', 'custom_fields'], [{path: '/user/', times: Infinity, respond: {status: 200, headers: {'Content-Type': 'text/html'}, body: HTML_PAGE}}]);
      assertStreamFailed(res, ['users', 'custom_fields'], 'users', 'system_error', /GET \/user\/ \(stream users\): answered 200 with an HTML page \("Close is down for maintenance"\) instead of JSON; gave up after 2 retries/);
      assert.equal(sandbox.stats().byGroup.user, MAX_RETRIES + 1);
    });

    test('always (a proxy\'s 502 page): a transient_error after the retries', async () => {
      const res = await readWith(['users', 'custom_fields'], [{path: '/user/', times: Infinity, respond: {status: 502, headers: {'Content-Type': 'text/html'}, body: '<html><head><title>502 Bad Gateway</title></head></html>'}}]);
      assertStreamFailed(res, ['users', 'custom_fields'], 'users', 'transient_error', /GET \/user\/ \(stream users\): Close answered 502 \(an HTML page \("502 Bad Gateway"\) instead of JSON\); gave up after 2 retries/);
    });

    test('once: retried, and the sync completes with every record', async () => {
      const res = await readWith(['users', 'activities'], [{path: '/activity/', afterRequests: 1, respond: {status: 200, headers: {'Content-Type': 'text/html'}, body: HTML_PAGE}}]);
      assert.equal(res.code, 0, res.stderr);
      checkReadRules(res.messages, ['users', 'activities']);
      for (const s of ['users', 'activities']) assertHoldsTruth(sandbox, s, recordsOf(res.messages, s));
    });
  });

  test('a record without an id: a system_error naming the endpoint and showing the record, not a row without a key', async () => {
    const res = await readWith(['activities', 'users'], [{path: '/activity/', times: Infinity, respond: {dropField: 'id'}}]);
    assertStreamFailed(res, ['activities', 'users'], 'activities', 'system_error', /GET \/activity\/ \(stream activities\): Close answered a record without an id: \{/);
    assert.ok(recordsOf(res.messages, 'activities').every((r) => typeof r.id === 'string'));
  });

  describe('401 and 403 in the middle of a sync', () => {
    test('401 after two activity pages: config_error that says to check api_key; no retries of a 401', async () => {
      const body = JSON.stringify({error: 'The server could not verify that you are authorized to access the URL requested.'});
      // One request at a time, so that the 401s can be counted exactly.
      const res = await readWith(['activities', 'users'], [{path: '/activity/', afterRequests: 2, times: Infinity, respond: {status: 401, body}}], {}, {max_requests_per_stream: 1});
      const message = assertStreamFailed(res, ['activities', 'users'], 'activities', 'config_error', /GET \/activity\/ \(stream activities\): Close rejected the API key \(401\): The server could not verify .* Check api_key\./);
      assert.ok(!message.includes(TEST_API_KEY));
      assert.equal(sandbox.stats().byStatus['401'], 1, 'a 401 is not retried');
    });

    // A 403 before any record of a stream outside Stitch's six is a key or plan limit: skipped (test/e2e/refusals.test.ts).
    test('403 on tasks (one of Stitch\'s six tables): config_error that says the key may not read this', async () => {
      const body = JSON.stringify({error: 'You do not have permission to perform this action.'});
      const res = await readWith(['tasks', 'users'], [{path: '/task/', times: Infinity, respond: {status: 403, body}}]);
      assertStreamFailed(res, ['tasks', 'users'], 'tasks', 'config_error', /GET \/task\/ \(stream tasks\): the API key is not allowed to read this \(403\): You do not have permission/);
    });

    test('the key revoked mid-sync (every request 401 from then on): every unfinished stream fails fast, no hang', async () => {
      const streams = ['activities', 'users', 'tasks', 'leads', 'custom_fields', 'opportunities'];
      const res = await readWith(streams, [{path: '/', afterRequests: 3, times: Infinity, respond: {status: 401, body: JSON.stringify({error: 'Invalid API key'})}}], {LOG_LEVEL: 'debug'});
      assert.equal(res.code, 1);
      checkReadRules(res.messages, streams, {allowIncomplete: true});
      const failed = streams.filter((s) => statusesOf(res.messages, s).at(-1) === 'INCOMPLETE');
      assert.ok(failed.length >= 1);
      for (const e of errorTraces(res.messages)) {
        assert.equal(e.trace.error.failure_type, 'config_error');
        assert.match(e.trace.error.message, /Close rejected the API key \(401\): Invalid API key/);
      }
      assert.equal(errorTraces(res.messages).length, failed.length);
      assert.ok(sandbox.stats().requests <= 3 + streams.length * 4, `${sandbox.stats().requests} requests after the key was revoked`);
    });
  });

  test('404 for an endpoint the account cannot use: that stream fails with the status and Close\'s words, the rest complete', async () => {
    const body = JSON.stringify({error: 'The requested URL was not found on the server.'});
    const res = await readWith(['sequences', 'pipelines', 'users'], [{path: '/sequence/', times: Infinity, respond: {status: 404, body}}]);
    assertStreamFailed(res, ['sequences', 'pipelines', 'users'], 'sequences', 'system_error', /GET \/sequence\/ \(stream sequences[^)]*\): Close answered 404: The requested URL was not found on the server\./);
    assert.ok(sandbox.stats().byGroup.sequence <= 4, 'a 404 is not retried');
  });

  describe('has_more true with an empty page, forever: stops instead of looping', () => {
    const cases: [string, string, string, RegExp][] = [
      ['offset paging (users)', 'users', '/user/', /GET \/user\/ \(stream users[^)]*\): Close said has_more but sent an empty page; stopping instead of looping/],
      ['keyset paging, newest first (activities)', 'activities', '/activity/', /GET \/activity\/ \(stream activities\): Close said has_more but sent an empty page; stopping instead of looping/],
      // (leads page through POST /data/search/ since issue 14; opportunities use the same ascending keyset reader)
      ['keyset paging, oldest first (opportunities)', 'opportunities', '/opportunity/', /GET \/opportunity\/ \(stream opportunities\): Close said has_more but sent an empty page; stopping instead of looping/],
      ['cursor paging (event_log)', 'event_log', '/event/', /GET \/event\/ \(stream event_log\): Close keeps sending a cursor with no new events; stopping instead of looping/],
    ];
    for (const [what, stream, path, message] of cases) {
      test(what, async () => {
        const res = await readWith([stream, 'custom_fields'], [{path, times: Infinity, respond: {hasMoreEmptyPage: true}}]);
        assertStreamFailed(res, [stream, 'custom_fields'], stream, 'system_error', message);
        assert.ok(sandbox.stats().requests < 20, `${sandbox.stats().requests} requests`);
      });
    }
  });

  test('an error answer that echoes the key back (a proxy, say) is printed with the key masked', async () => {
    const body = JSON.stringify({error: `Invalid request from ${TEST_API_KEY} (Authorization: Basic ${basicAuthForm(TEST_API_KEY)})`});
    const res = await readWith(['users', 'custom_fields'], [{path: '/user/', times: Infinity, respond: {status: 400, body}}], {LOG_LEVEL: 'debug'});
    const message = assertStreamFailed(res, ['users', 'custom_fields'], 'users', 'system_error', /GET \/user\/ \(stream users[^)]*\): Close answered 400: Invalid request from \*\*\*\* \(Authorization: Basic \*\*\*\*\)/);
    assert.ok(!message.includes(TEST_API_KEY));
    const printed = res.stdout + res.stderr;
    assert.ok(!printed.includes(TEST_API_KEY) && !printed.includes(basicAuthForm(TEST_API_KEY)), 'the key was printed');
  });
});
