import {describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {SandboxOptions} from '../../sandbox';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, latestStates, recordsOf} from '../helpers/protocol';
import {assertHoldsTruth, errorTraces} from '../helpers/resilience';
import {catalogFrom, configFor, startTestSandbox, streamNames} from '../helpers/sandbox';

/**
 * Close behaviours the docs leave open or that depend on the account
 * (docs/close-api-behaviour.md), each served by the sandbox on request: the
 * connector must sync either way.
 */
async function syncTwice(opts: SandboxOptions) {
  const sandbox = await startTestSandbox({scale: 30, seed: 23, ...opts});
  try {
    const dir = tempDir();
    const config = writeJson(dir, 'config.json', configFor(sandbox));
    const discover: AirbyteMessage[] = (await runConnector(['discover', '--config', config])).messages;
    const names = streamNames(discover);
    const catalog = writeJson(dir, 'catalog.json', catalogFrom(discover, 'incremental'));
    const first = await runConnector(['read', '--config', config, '--catalog', catalog]);
    const state = writeJson(dir, 'state.json', latestStates(first.messages));
    const change = sandbox.mutate({updatedLeads: 2, newActivities: 2, updatedTasks: 2});
    const second = await runConnector(['read', '--config', config, '--catalog', catalog, '--state', state]);
    for (const run of [first, second]) {
      assert.equal(run.code, 0, run.stderr.slice(-1000));
      assert.deepEqual(errorTraces(run.messages).map((m) => m.trace.error.message), []);
      checkReadRules(run.messages, names);
    }
    for (const name of names) assertHoldsTruth(sandbox, name, [...recordsOf(first.messages, name), ...recordsOf(second.messages, name)]);
    for (const [stream, ids] of Object.entries(change.changed)) {
      if (!names.includes(stream)) continue;
      const got = new Set(recordsOf(second.messages, stream).map((r) => r.id));
      for (const id of ids) assert.ok(got.has(id), `${stream}: change to ${id} not emitted by the second sync`);
    }
    return {first, second, names};
  } finally {
    await sandbox.close();
  }
}

describe('the connector against Close variants', () => {
  test('a non-admin key: old events come without data and previous_data (documented), the syncs are complete', async () => {
    const {first} = await syncTwice({keyRole: 'user'});
    const events = recordsOf(first.messages, 'event_log');
    const hourAgo = Date.now() - 3600_000;
    const old = events.filter((e) => Date.parse(e.date_created) < hourAgo);
    assert.ok(old.length > 0);
    for (const e of old) assert.ok(!('data' in e) && !('previous_data' in e), `event ${e.id} has data for a non-admin key`);
  });

  test('date-times without a UTC offset everywhere: cursors read them as UTC and save them with +00:00', async () => {
    const {first, second} = await syncTwice({naiveDateTimes: 'all'});
    const leads = recordsOf(first.messages, 'leads');
    assert.ok(leads.length > 0 && leads.every((l) => !/[+-]\d\d:\d\d$|Z$/.test(l.date_updated)), 'the sandbox served naive date-times');
    for (const s of latestStates(second.messages) as any[]) {
      for (const v of Object.values<string>(s.stream.stream_state ?? {})) assert.match(v, /\+00:00$/, `${s.stream.stream_descriptor.name} state ${v}`);
    }
  });
});
