import {describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {Sandbox, SandboxOptions} from '../../sandbox';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, latestStates, recordsOf, stateInstants} from '../helpers/protocol';
import {assertHoldsTruth, errorTraces} from '../helpers/resilience';
import {catalogFrom, configFor, startTestSandbox, streamNames} from '../helpers/sandbox';
import {assertRecordMatchesSchema} from '../helpers/schemas';

/**
 * Close behaviours the docs leave open or that depend on the account
 * (docs/close-api-behaviour.md), each served by the sandbox on request: the
 * connector must sync either way.
 */
async function syncTwice(opts: SandboxOptions, inspect?: (sandbox: Sandbox) => Promise<void>) {
  const sandbox = await startTestSandbox({scale: 30, seed: 23, ...opts});
  try {
    await inspect?.(sandbox);
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
    const schemas = new Map<string, object>(discover.find((m) => m.type === 'CATALOG')!.catalog.streams.map((st: any) => [st.name, st.json_schema]));
    return {first, second, names, schemas};
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

  for (const naive of ['all', 'fields'] as const) {
    test(`date-times without a UTC offset (${naive}): records get +00:00 and match their schemas with strict date-time formats; cursors are saved with +00:00`, async () => {
      const served = async (sandbox: Sandbox) => {
        const get = async (path: string) =>
          (await (await fetch(`${sandbox.url}${path}`, {headers: {authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:`).toString('base64')}`}})).json()) as any;
        const users = (await get('/user/?_limit=1000')).data;
        assert.ok(users.some((u: any) => /T[\d:.]+$/.test(u.email_verified_at ?? '')), 'the sandbox served naive email_verified_at');
        if (naive === 'all') assert.match((await get('/lead/?_limit=1')).data[0].date_updated, /T[\d:.]+$/, 'the sandbox served naive date_updated');
      };
      const {first, second, names, schemas} = await syncTwice({naiveDateTimes: naive}, served);
      let checked = 0;
      for (const run of [first, second]) {
        for (const name of names) {
          for (const record of recordsOf(run.messages, name)) {
            assertRecordMatchesSchema(name, schemas.get(name)!, record);
            checked++;
          }
        }
      }
      assert.ok(checked > 300, `${checked} records checked`);
      const users = recordsOf(first.messages, 'users');
      assert.ok(users.some((u) => /\+00:00$/.test(u.email_verified_at ?? '')));
      const meetings = recordsOf(first.messages, 'activities').filter((a) => a._type === 'Meeting' && a.starts_at);
      assert.ok(meetings.length > 0 && meetings.every((m) => /\+00:00$/.test(m.starts_at)), 'meetings: starts_at with +00:00');
      for (const s of latestStates(second.messages) as any[]) {
        for (const [k, v] of stateInstants(s.stream.stream_state)) assert.match(v, /\+00:00$/, `${s.stream.stream_descriptor.name} state ${k} ${v}`);
      }
    });
  }
});
