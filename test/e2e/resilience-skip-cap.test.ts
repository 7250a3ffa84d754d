import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {Sandbox} from '../../sandbox';
import {RunResult, runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, recordsOf} from '../helpers/protocol';
import {assertHoldsTruth, errorTraces, logLines, statusesOf} from '../helpers/resilience';
import {catalogFrom, configFor, startTestSandbox, streamNames} from '../helpers/sandbox';
import {STREAM_NAMES} from '../helpers/streams';

/**
 * Issue 7, skip cap: Close refuses `_skip` beyond a cap (250,000 observed).
 * With the sandbox's cap at 300 and thousands of leads and activities, every
 * stream still completes with every record: date-filtered streams page by
 * keyset, and nothing may page by deep offsets.
 */
const SKIP_CAP = 300;

/**
 * Streams allowed to fail here, each test of theirs marked todo (it runs and
 * reports without failing the suite). Empty: contacts, the last stream that
 * paged by deep `_skip` offsets, reads through the Advanced Filtering API, and
 * where Close refuses it falls back to the lead search past the cap. Add a name only with a reason and a plan to remove it.
 */
const KNOWN_DEEP_OFFSETS = new Set<string>([]);

describe(`resilience: the sandbox's _skip cap at ${SKIP_CAP}, thousands of leads and activities`, () => {
  let sandbox: Sandbox;
  let names: string[];
  let full: RunResult;
  let incremental: RunResult;
  let discover: AirbyteMessage[];
  let config: string;
  let dir: string;

  before(async () => {
    sandbox = await startTestSandbox({scale: 1000, seed: 31, skipCap: SKIP_CAP});
    dir = tempDir();
    config = writeJson(dir, 'config.json', configFor(sandbox));
    discover = (await runConnector(['discover', '--config', config])).messages;
    names = streamNames(discover);
    assert.ok(sandbox.truth('leads').length >= 1000 && sandbox.truth('activities').length >= 5000);
    full = await runConnector(['read', '--config', config, '--catalog', writeJson(dir, 'full.json', catalogFrom(discover, 'full_refresh'))], {timeoutMs: 90_000});
    incremental = await runConnector(['read', '--config', config, '--catalog', writeJson(dir, 'inc.json', catalogFrom(discover, 'incremental'))], {timeoutMs: 90_000});
  });
  after(async () => sandbox.close());

  test('the cap is real: a deep offset is refused by the sandbox', async () => {
    const res = await fetch(`${sandbox.url}/contact/?_skip=${SKIP_CAP + 1}&_limit=10`, {
      headers: {Authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`},
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /max_skip = 300/);
  });

  for (const mode of ['full refresh', 'incremental'] as const) {
    test(`${mode}: every stream completes`, {todo: KNOWN_DEEP_OFFSETS.size ? `until ${[...KNOWN_DEEP_OFFSETS].join(', ')} stop using deep _skip offsets` : undefined}, () => {
      const res = mode === 'full refresh' ? full : incremental;
      const failed = errorTraces(res.messages).map((m) => `${m.trace.error.stream_descriptor?.name}: ${m.trace.error.message}`);
      assert.deepEqual(failed, []);
      assert.equal(res.code, 0);
      checkReadRules(res.messages, names);
    });

    test(`${mode}: streams that do not use deep offsets complete despite the others`, () => {
      const res = mode === 'full refresh' ? full : incremental;
      for (const name of names) {
        if (KNOWN_DEEP_OFFSETS.has(name)) continue;
        assert.deepEqual(statusesOf(res.messages, name).at(-1), 'COMPLETE', `${name}: ${JSON.stringify(errorTraces(res.messages, name).map((m) => m.trace.error.message))}`);
      }
    });
  }

  // Close's only observed wording is the default; FACTS.md reports a newer "less than or equal to" one
  // (docs/close-api-behaviour.md): the contacts fallback must start on either, and on a line break.
  for (const wording of ['documented-newline', 'less-or-equal'] as const) {
    test(`contacts: the fallback past the cap starts when Close words the refusal "${wording}"`, async () => {
      sandbox.setSkipCapWording(wording);
      // Contacts page GET /contact/ by offset only where Close refuses the Advanced Filtering API (issue 14).
      sandbox.script({path: '/data/search/', times: 1000, respond: {status: 404, body: JSON.stringify({error: 'Not found.'})}});
      try {
        const catalog = writeJson(dir, `contacts-${wording}.json`, catalogFrom(discover, 'full_refresh', ['contacts']));
        const res = await runConnector(['read', '--config', config, '--catalog', catalog], {timeoutMs: 90_000});
        assert.deepEqual(errorTraces(res.messages).map((m) => m.trace.error.message), []);
        assert.equal(res.code, 0);
        assertHoldsTruth(sandbox, 'contacts', recordsOf(res.messages, 'contacts'), ` (${wording})`);
        assert.ok(logLines(res.messages, 'WARN').some((l) => l.includes('Close refused to page past')), 'the skip-cap fallback ran');
      } finally {
        sandbox.setSkipCapWording('documented');
        sandbox.clearScripts();
      }
    });
  }

  // One test per stream, so that the report says exactly which streams the cap breaks.
  for (const stream of STREAM_NAMES) {
    const todo = KNOWN_DEEP_OFFSETS.has(stream) ? `${stream} reads with deep _skip offsets until the src/streams rework lands` : undefined;
    test(`${stream}: complete in both modes, every record`, {todo}, () => {
      for (const [mode, res] of [['full refresh', full], ['incremental', incremental]] as const) {
        const errors = errorTraces(res.messages, stream).map((m) => m.trace.error.message);
        assert.deepEqual(errors, [], `${stream} (${mode}) failed`);
        assert.equal(statusesOf(res.messages, stream).at(-1), 'COMPLETE', `${stream} (${mode})`);
        assertHoldsTruth(sandbox, stream, recordsOf(res.messages, stream), ` (${mode})`);
      }
    });
  }
});
