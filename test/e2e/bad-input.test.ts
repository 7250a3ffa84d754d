import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import path from 'path';
import {Sandbox} from '../../sandbox';
import {runConnector, tempDir, writeJson} from '../helpers/connector';
import {AirbyteMessage, ofType} from '../helpers/protocol';
import {catalogFrom, configFor, startTestSandbox} from '../helpers/sandbox';

function errors(messages: AirbyteMessage[]): AirbyteMessage[] {
  return ofType(messages, 'TRACE').filter((m) => m.trace.type === 'ERROR');
}

describe('a read refuses a bad catalog before any API call', () => {
  let sandbox: Sandbox;
  let dir: string;
  let discover: AirbyteMessage[];
  before(async () => {
    sandbox = await startTestSandbox({scale: 5});
    dir = tempDir();
    writeJson(dir, 'config.json', configFor(sandbox));
    discover = (await runConnector(['discover', '--config', path.join(dir, 'config.json')])).messages;
  });
  after(async () => sandbox.close());

  const cases: [string, (c: any) => any, RegExp][] = [
    ['an unknown stream', (c) => ({streams: [...c.streams, {...c.streams[0], stream: {...c.streams[0].stream, name: 'no_such_stream'}}]}), /unknown stream "no_such_stream"/],
    ['an invalid sync mode', (c) => ({streams: [{...c.streams[0], sync_mode: 'INVALID'}]}), /sync_mode "INVALID"/],
  ];
  for (const [what, mutate, message] of cases) {
    test(`${what}: ERROR trace with config_error, non-zero exit, no request to Close`, async () => {
      const catalog = writeJson(dir, 'catalog.json', mutate(catalogFrom(discover, 'incremental')));
      sandbox.resetStats();
      const res = await runConnector(['read', '--config', path.join(dir, 'config.json'), '--catalog', catalog]);
      assert.notEqual(res.code, 0);
      const errs = errors(res.messages);
      assert.equal(errs.length, 1);
      assert.equal(errs[0].trace.error.failure_type, 'config_error');
      assert.match(errs[0].trace.error.message, message);
      assert.equal(ofType(res.messages, 'RECORD').length, 0);
      assert.equal(sandbox.stats().requests, 0);
    });
  }
});
