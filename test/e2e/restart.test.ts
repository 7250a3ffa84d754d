import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'path';
import {Sandbox, StreamName} from '../../sandbox';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, latestStates, parseOutput, recordsOf} from '../helpers/protocol';
import {catalogFrom, configFor, startTestSandbox, streamNames} from '../helpers/sandbox';
import {keyOf} from '../helpers/streams';

function count(stdout: string, needle: string): number {
  return stdout.split(needle).length - 1;
}

describe('a sync killed with SIGKILL and resumed from its last state', () => {
  let sandbox: Sandbox;
  let dir: string;
  let discover: AirbyteMessage[];

  before(async () => {
    sandbox = await startTestSandbox({scale: 150, latencyMs: 2});
    dir = tempDir();
    writeJson(dir, 'config.json', configFor(sandbox));
    discover = (await runConnector(['discover', '--config', path.join(dir, 'config.json')])).messages;
  });
  after(async () => sandbox.close());

  test('loses nothing: both runs together deliver every record of every stream', async () => {
    const names = streamNames(discover);
    const catalog = writeJson(dir, 'catalog.json', catalogFrom(discover, 'incremental'));
    const config = path.join(dir, 'config.json');
    // Killed in the middle of the activities stream, after some windows were committed.
    const killed = await runConnector(['read', '--config', config, '--catalog', catalog], {
      killWhen: (out) => count(out, '"stream":"activities"') > 500,
      raw: true,
    });
    assert.equal(killed.signal, 'SIGKILL');
    const partial = parseOutput(killed.stdout.slice(0, killed.stdout.lastIndexOf('\n') + 1));
    const state = writeJson(dir, 'state.json', latestStates(partial));
    const resumed = await runConnector(['read', '--config', config, '--catalog', catalog, '--state', state]);
    assert.equal(resumed.code, 0, resumed.stderr);
    for (const name of names) {
      const got = new Set([...recordsOf(partial, name), ...recordsOf(resumed.messages, name)].map((r) => keyOf(name, r)));
      const missing = sandbox.truth(name as StreamName).filter((t) => !got.has(t.id));
      assert.equal(missing.length, 0, `${name}: ${missing.length} records lost across the restart`);
    }
    // The resumed run does not start over: activities committed before the kill are not all read again.
    const before = recordsOf(partial, 'activities').length;
    const again = recordsOf(resumed.messages, 'activities').length;
    assert.ok(again < sandbox.truth('activities').length, `resumed run re-read all ${again} activities (first run had ${before})`);
  });
});
