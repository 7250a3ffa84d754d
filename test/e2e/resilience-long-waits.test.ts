import {after, afterEach, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {Sandbox, ScriptRule} from '../../sandbox';
import {RunResult, runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, recordsOf} from '../helpers/protocol';
import {assertHoldsTruth, errorTraces, logLines, statusesOf} from '../helpers/resilience';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';

/**
 * Issue 7, long waits: Close's 429 says how long to wait (RateLimit reset,
 * Retry-After, or the body's rate_reset). The connector waits that long and
 * says so in the log when the wait is long (5 s or more); when one request
 * would wait more than max_rate_limit_wait_seconds in total it fails the
 * stream with a transient_error that says how long Close asked to wait. The
 * minutes-long cases are unit tests with a fake clock
 * (test/unit/close-client.test.ts); here the real connector meets scripted
 * 429s, with real waits of a few seconds at most.
 */
const TOO_MANY = JSON.stringify({error: {message: 'API call count exceeded for this period', rate_reset: 600, rate_limit: 40, rate_window: 1}});

describe('resilience: long rate-limit waits', () => {
  let sandbox: Sandbox;
  let dir: string;
  let discover: AirbyteMessage[];

  before(async () => {
    sandbox = await startTestSandbox({scale: 10, seed: 3});
    dir = tempDir();
    discover = (await runConnector(['discover', '--config', writeJson(dir, 'config.json', configFor(sandbox))])).messages;
  });
  afterEach(() => sandbox.clearScripts());
  after(async () => sandbox.close());

  async function readWith(streams: string[], config: Record<string, unknown>, rules: ScriptRule[]): Promise<{res: RunResult; ms: number}> {
    for (const rule of rules) sandbox.script(rule);
    sandbox.resetStats();
    const catalog = writeJson(dir, `catalog-${streams.join('-')}.json`, catalogFrom(discover, 'incremental', streams));
    const started = Date.now();
    const res = await runConnector(['read', '--config', writeJson(dir, 'wait-config.json', configFor(sandbox, config)), '--catalog', catalog], {timeoutMs: 30_000});
    return {res, ms: Date.now() - started};
  }

  for (const [what, headers] of [
    ['Retry-After: 600', {'Retry-After': '600'}],
    ['RateLimit reset=600 and Retry-After: 600', {RateLimit: 'limit=40, remaining=0, reset=600', 'Retry-After': '600'}],
    ['only the body\'s rate_reset: 600', {}],
  ] as [string, Record<string, string>][]) {
    test(`a 429 asking for 10 minutes (${what}) with max_rate_limit_wait_seconds 1: fails fast with transient_error saying how long Close asked`, async () => {
      const {res, ms} = await readWith(['users', 'custom_fields'], {max_rate_limit_wait_seconds: 1}, [{path: '/user/', times: Infinity, respond: {status: 429, headers, body: TOO_MANY}}]);
      assert.equal(res.code, 1);
      checkReadRules(res.messages, ['users', 'custom_fields'], {allowIncomplete: true});
      const errs = errorTraces(res.messages);
      assert.equal(errs.length, 1);
      assert.equal(errs[0].trace.error.stream_descriptor.name, 'users');
      assert.equal(errs[0].trace.error.failure_type, 'transient_error');
      assert.match(errs[0].trace.error.message, /GET \/user\/ \(stream users\): rate limited by Close \(429\): Close asks to wait 600 s, longer than max_rate_limit_wait_seconds \(1 s\) allows; Close said: API call count exceeded for this period/);
      assert.equal(statusesOf(res.messages, 'users').at(-1), 'INCOMPLETE');
      assert.equal(statusesOf(res.messages, 'custom_fields').at(-1), 'COMPLETE');
      assert.equal(sandbox.stats().byGroup.user, 1, 'it gave up without waiting or asking again');
      assert.ok(ms < 15_000, `took ${ms} ms`);
    });
  }

  test('short waits that add up past the maximum: transient_error counting what was already waited', async () => {
    const {res, ms} = await readWith(['users'], {max_rate_limit_wait_seconds: 2}, [
      {path: '/user/', times: Infinity, respond: {status: 429, headers: {'Retry-After': '1'}, body: JSON.stringify({error: 'API call count exceeded for this period'})}},
    ]);
    assert.equal(res.code, 1);
    const errs = errorTraces(res.messages);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].trace.error.failure_type, 'transient_error');
    assert.match(errs[0].trace.error.message, /Close asks to wait 1 s more, after \d(\.\d)? s already waited for this request, longer than max_rate_limit_wait_seconds \(2 s\) allows/);
    const asked = sandbox.stats().byGroup.user;
    assert.ok(asked >= 2 && asked <= 3, `${asked} requests`);
    assert.ok(ms < 15_000, `took ${ms} ms`);
  });

  test('short scripted waits (1 s, twice): waited out, the sync completes with every record', async () => {
    const {res} = await readWith(['users', 'activities'], {}, [
      {path: '/user/', times: 2, respond: {status: 429, headers: {'Retry-After': '1'}, body: JSON.stringify({error: 'API call count exceeded for this period'})}},
      {path: '/activity/', times: 1, respond: {status: 429, headers: {RateLimit: 'limit=40, remaining=0, reset=0.5'}, body: '{}'}},
    ]);
    assert.equal(res.code, 0, res.stderr);
    checkReadRules(res.messages, ['users', 'activities']);
    for (const s of ['users', 'activities']) assertHoldsTruth(sandbox, s, recordsOf(res.messages, s));
    assert.equal(sandbox.stats().status429, 3);
  });

  test('a wait of 6 s is logged as such and waited out; the sync completes', async () => {
    const {res, ms} = await readWith(['users'], {}, [
      {path: '/user/', respond: {status: 429, headers: {'Retry-After': '6'}, body: JSON.stringify({error: 'API call count exceeded for this period'})}},
    ]);
    assert.equal(res.code, 0, res.stderr);
    assertHoldsTruth(sandbox, 'users', recordsOf(res.messages, 'users'));
    const waits = logLines(res.messages).filter((l) => /GET \/user\/ \(stream users\): Close's rate limit is reached; waiting 6\.0 s as Close asks/.test(l));
    assert.equal(waits.length, 1, JSON.stringify(logLines(res.messages)));
    assert.ok(ms >= 6000, `the wait was not honoured: ${ms} ms`);
  });
});
