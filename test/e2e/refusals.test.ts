import {after, afterEach, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {REFUSAL_BODIES, RefusalRules, Sandbox, ScriptRule} from '../../sandbox';
import {RunResult, runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, ofType, recordsOf, statesOf} from '../helpers/protocol';
import {FAST_RETRIES, assertHoldsTruth, errorTraces, logLines, statusesOf} from '../helpers/resilience';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';
import {STREAMS} from '../helpers/streams';
import {probePath} from '../../src/source/probe';

/**
 * Issue 13 part 4, a key that may not read everything: bin/main against a
 * sandbox that refuses endpoints as Close refuses them to a key or plan
 * (sandbox/refusals.ts). A stream refused before its first record is
 * skipped (WARN naming the permission or feature, state kept, COMPLETE,
 * exit 0); one of Stitch's six tables fails instead (config_error); a
 * refusal after records fails that stream; check names what it cannot read.
 */
const RUN = {env: FAST_RETRIES, timeoutMs: 60_000};

describe('a key or plan that may not read everything', () => {
  let sandbox: Sandbox;
  let dir: string;
  let discover: AirbyteMessage[];
  let config: string;

  before(async () => {
    sandbox = await startTestSandbox({scale: 20, seed: 11});
    dir = tempDir();
    config = writeJson(dir, 'config.json', configFor(sandbox, {max_retries: 1, request_timeout_seconds: 5}));
    discover = (await runConnector(['discover', '--config', config])).messages;
  });
  afterEach(() => {
    sandbox.setRefusals({});
    sandbox.clearScripts();
  });
  after(async () => sandbox.close());

  async function readWith(streams: string[], refuse: RefusalRules, opts: {state?: object[]; scripts?: ScriptRule[]; config?: Record<string, unknown>} = {}): Promise<RunResult> {
    sandbox.setRefusals(refuse);
    for (const rule of opts.scripts ?? []) sandbox.script(rule);
    const catalog = writeJson(dir, `catalog-${streams.join('-')}.json`, catalogFrom(discover, 'incremental', streams));
    const cfg = opts.config ? writeJson(dir, 'config-extra.json', configFor(sandbox, {max_retries: 1, request_timeout_seconds: 5, ...opts.config})) : config;
    const args = ['read', '--config', cfg, '--catalog', catalog];
    if (opts.state) args.push('--state', writeJson(dir, 'state.json', opts.state));
    return runConnector(args, RUN);
  }

  async function check(refuse: RefusalRules): Promise<{status: any; res: RunResult}> {
    sandbox.setRefusals(refuse);
    const res = await runConnector(['check', '--config', config], RUN);
    const statuses = ofType(res.messages, 'CONNECTION_STATUS');
    assert.equal(statuses.length, 1);
    return {status: statuses[0].connectionStatus, res};
  }

  test('refused optional streams are skipped with a WARN naming what they need; the others complete; exit 0', async () => {
    const streams = ['users', 'webhooks', 'custom_object_types', 'custom_activity_types', 'comment_threads', 'comments', 'roles'];
    const refuse: RefusalRules = {'/webhook/': 403, '/custom_object_type/': 404, '/custom_activity/': 402, '/comment_thread/': 403};
    const res = await readWith(streams, refuse);
    assert.equal(res.code, 0, res.stderr);
    // Every message validated against airbyte_protocol.yaml when parsed; every stream STARTED → COMPLETE with a STATE.
    checkReadRules(res.messages, streams);
    assert.equal(errorTraces(res.messages).length, 0);
    const warns = logLines(res.messages, 'WARN');
    const skipped = ['webhooks', 'custom_object_types', 'custom_activity_types', 'comment_threads', 'comments'];
    for (const s of skipped) {
      assert.deepEqual(statusesOf(res.messages, s), ['STARTED', 'COMPLETE'], s);
      assert.equal(recordsOf(res.messages, s).length, 0, s);
      assert.ok(warns.some((w) => w.startsWith(`Stream ${s} skipped: Close refuses this key or plan`)), `no WARN for ${s}: ${warns.join('\n')}`);
    }
    const warnOf = (s: string) => warns.find((w) => w.startsWith(`Stream ${s} skipped`))!;
    assert.match(warnOf('custom_object_types'), /GET \/custom_object_type\/ answered 404 .*needs the plan feature Custom Objects/);
    assert.match(warnOf('custom_activity_types'), /GET \/custom_activity\/ answered 402 \(This feature is not available on your current plan/);
    assert.match(warnOf('comment_threads'), /answered 403 \(You do not have permission to perform this action\.\); it needs the permission to see all leads/);
    // comments are read per comment thread: refused with their parent
    assert.match(warnOf('comments'), /GET \/comment_thread\/ answered 403/);
    assert.match(warnOf('webhooks'), /a permission or plan feature Close does not document for this endpoint/);
    const summary = warns.find((w) => w.startsWith('Skipped, as Close refuses this key or plan: streams '));
    assert.ok(summary, warns.join('\n'));
    assert.deepEqual(/streams ([a-z_, ]+) \(/.exec(summary)![1].split(', ').sort(), [...skipped].sort());
    for (const s of ['users', 'roles']) assertHoldsTruth(sandbox, s, recordsOf(res.messages, s));
  });

  test('a skipped incremental stream keeps its state: the input state comes back unchanged', async () => {
    const cursor = {date_created: '2020-01-01T00:00:00+00:00'};
    const state = [{type: 'STREAM', stream: {stream_descriptor: {name: 'whatsapp_messages'}, stream_state: cursor}}];
    const res = await readWith(['whatsapp_messages', 'users'], {'/activity/whatsapp_message/': 404}, {state});
    assert.equal(res.code, 0, res.stderr);
    checkReadRules(res.messages, ['whatsapp_messages', 'users']);
    const states = statesOf(res.messages, 'whatsapp_messages');
    assert.equal(states.length, 1);
    assert.deepEqual(states[0].state.stream.stream_state, cursor);
    assert.equal(states[0].state.sourceStats.recordCount, 0);
    assert.ok(logLines(res.messages, 'WARN').some((w) => /^Stream whatsapp_messages skipped: .*needs the plan feature the WhatsApp integration/.test(w)));
  });

  test('a 404 on a stream that declares no plan feature is not a refusal: it fails as before', async () => {
    const res = await readWith(['roles', 'users'], {'/role/': 404});
    assert.equal(res.code, 1);
    checkReadRules(res.messages, ['roles', 'users'], {allowIncomplete: true});
    assert.equal(statusesOf(res.messages, 'roles').at(-1), 'INCOMPLETE');
    assert.match(errorTraces(res.messages, 'roles')[0].trace.error.message, /GET \/role\/ \(stream roles\): Close answered 404/);
  });

  test('a refused core stream (one of Stitch\'s six tables) fails with config_error naming it; the others complete', async () => {
    const res = await readWith(['tasks', 'users', 'webhooks'], {'/task/': 403, '/webhook/': 403});
    assert.equal(res.code, 1);
    checkReadRules(res.messages, ['tasks', 'users', 'webhooks'], {allowIncomplete: true});
    const errs = errorTraces(res.messages);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].trace.error.stream_descriptor.name, 'tasks');
    assert.equal(errs[0].trace.error.failure_type, 'config_error');
    assert.match(
      errs[0].trace.error.message,
      /^Stream tasks is one of Stitch's six core tables, so a refusal fails it instead of skipping it .*: GET \/task\/ \(stream tasks\): the API key is not allowed to read this \(403\): You do not have permission/
    );
    assert.equal(statusesOf(res.messages, 'tasks').at(-1), 'INCOMPLETE');
    assert.deepEqual(statusesOf(res.messages, 'webhooks'), ['STARTED', 'COMPLETE']);
    assert.equal(statusesOf(res.messages, 'users').at(-1), 'COMPLETE');
    assertHoldsTruth(sandbox, 'users', recordsOf(res.messages, 'users'));
  });

  test('a refusal after records (mid-stream) fails that stream with an ERROR trace; the others complete; exit 1', async () => {
    const body = JSON.stringify(REFUSAL_BODIES[403]);
    // One request at a time: the group list and the first group's GET are answered, the second GET is refused.
    const res = await readWith(['groups', 'users'], {}, {scripts: [{path: '/group/', afterRequests: 2, times: Infinity, respond: {status: 403, body}}], config: {max_requests_per_stream: 1}});
    assert.equal(res.code, 1);
    checkReadRules(res.messages, ['groups', 'users'], {allowIncomplete: true});
    assert.equal(recordsOf(res.messages, 'groups').length, 1, 'the first group came before the refusal');
    const errs = errorTraces(res.messages);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].trace.error.stream_descriptor.name, 'groups');
    assert.equal(errs[0].trace.error.failure_type, 'config_error');
    assert.match(errs[0].trace.error.message, /GET \/group\/[^ ]+\/ \(stream groups\): the API key is not allowed to read this \(403\): You do not have permission/);
    assert.equal(statusesOf(res.messages, 'groups').at(-1), 'INCOMPLETE');
    assert.ok(!logLines(res.messages, 'WARN').some((w) => w.includes('skipped')));
    assert.equal(statusesOf(res.messages, 'users').at(-1), 'COMPLETE');
    assertHoldsTruth(sandbox, 'users', recordsOf(res.messages, 'users'));
  });

  test('check succeeds and names the streams this key or plan cannot read', async () => {
    sandbox.resetStats();
    const {status, res} = await check({'/webhook/': 403, '/custom_object_type/': 404, '/comment_thread/': 403});
    assert.equal(res.code, 0);
    assert.equal(status.status, 'SUCCEEDED');
    assert.match(status.message, /^The key works\. Close refuses this key or plan 4 streams, which syncs skip with a warning: /);
    for (const s of ['webhooks', 'custom_object_types', 'comment_threads', 'comments']) assert.match(status.message, new RegExp(`\\b${s} \\(40[34]; needs `));
    assert.ok(!/custom_object_custom_fields/.test(status.message), 'its own endpoint is not refused');
    const warns = logLines(res.messages, 'WARN');
    assert.ok(warns.some((w) => /^Stream webhooks: Close refuses this key or plan: GET \/webhook\/ answered 403 .*Syncs skip it\.$/.test(w)), warns.join('\n'));
    // One cheap request per stream endpoint (children share their parent's; the
    // search-read streams fall back when the search is refused, so they are not
    // probed): /me/ plus one per probed stream.
    const requests = sandbox.stats().requests;
    const probed = STREAMS.filter((s) => probePath(s, 'orga_probe') !== undefined).length;
    assert.ok(probed >= STREAMS.length - 8, `${probed} streams probed`);
    assert.equal(requests, 1 + probed);
  });

  test('check with nothing refused prints the status alone, as before', async () => {
    const {status, res} = await check({});
    assert.equal(status.status, 'SUCCEEDED');
    assert.equal(status.message, undefined);
    assert.equal(res.messages.length, 1);
  });

  test('check fails when Close refuses one of Stitch\'s six tables', async () => {
    const {status, res} = await check({'/event/': 403, '/webhook/': 403});
    assert.equal(res.code, 0);
    assert.equal(status.status, 'FAILED');
    assert.match(status.message, /^This key or plan may not read Stitch's core table event_log \(Close refuses this key or plan: GET \/event\/ answered 403/);
    assert.ok(!status.message.includes(sandbox.apiKey));
  });
});
