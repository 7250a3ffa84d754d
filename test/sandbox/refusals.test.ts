import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REFUSAL_BODIES, REFUSAL_PRESETS, Sandbox, startSandbox } from '../../sandbox';
import { parseRefusals } from '../../sandbox/refusals';
import { get } from './helpers';

/**
 * Issue 13 part 4: the sandbox refuses endpoints as Close refuses them to a
 * key or plan without the permission or feature (402, 403, 404 with
 * Close's `{"error": …}` body), after authentication and rate limiting, on
 * every path under the refused prefix.
 */
describe('sandbox refusals (a key or plan that may not read everything)', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({
      scale: 10,
      refuse: { '/webhook/': 403, '/custom_field/': 402, '/custom_field/custom_object_type/': 404 },
      rateLimit: { perGroupPerSecond: 1000 },
    });
  });
  after(() => sb.close());

  it('answers the refused prefix, and everything under it, with the status and its body', async () => {
    for (const p of ['/webhook/', '/webhook/?_limit=1', '/webhook/whsub_1/']) {
      const r = await get(sb, p);
      assert.equal(r.status, 403, p);
      assert.deepEqual(r.body, REFUSAL_BODIES[403]);
      assert.match(r.headers.get('ratelimit') ?? '', /^limit=1000, /, 'a refusal is rate limited like any answer');
    }
    assert.equal((await get(sb, '/user/')).status, 200);
    assert.ok(Array.isArray((await get(sb, '/user/')).body.data));
  });

  it('the longest prefix decides', async () => {
    const plan = await get(sb, '/custom_field/lead/');
    assert.equal(plan.status, 402);
    assert.deepEqual(plan.body, REFUSAL_BODIES[402]);
    const feature = await get(sb, '/custom_field/custom_object_type/');
    assert.equal(feature.status, 404);
    assert.match(feature.body.error, /not found/);
  });

  it('a wrong key is still a 401, not a refusal', async () => {
    assert.equal((await get(sb, '/webhook/', 'not-the-key')).status, 401);
  });

  it('refusals change at run time (setRefusals, POST /_sandbox/config) and {} lifts them', async () => {
    sb.setRefusals({ '/dialer/': 402 });
    assert.equal((await get(sb, '/dialer/')).status, 402);
    assert.equal((await get(sb, '/webhook/')).status, 200);
    const control = sb.url.replace('/api/v1', '') + '/_sandbox/config';
    const res = await fetch(control, { method: 'POST', body: JSON.stringify({ refuse: { '/phone_number/': 403 } }) });
    assert.equal(res.status, 200);
    assert.equal((await get(sb, '/phone_number/')).status, 403);
    assert.equal((await get(sb, '/dialer/')).status, 200);
    sb.setRefusals({});
    assert.equal((await get(sb, '/phone_number/')).status, 200);
    assert.throws(() => sb.setRefusals({ '/user/': 500 as never }), /402, 403 or 404/);
  });

  it('a script (a test\'s one-off answer) comes before a refusal', async () => {
    sb.setRefusals({ '/role/': 403 });
    sb.script({ path: '/role/', respond: { status: 200, body: '{"has_more": false, "data": []}' } });
    assert.deepEqual((await get(sb, '/role/')).body, { has_more: false, data: [] });
    assert.equal((await get(sb, '/role/')).status, 403);
    sb.setRefusals({});
  });

  it('parses the CLI form PATH=STATUS,… and rejects anything else', () => {
    assert.deepEqual(parseRefusals('/webhook/=403, /dialer/=402'), { '/webhook/': 403, '/dialer/': 402 });
    assert.throws(() => parseRefusals('/webhook/=500'), /PATH=402\|403\|404/);
    assert.throws(() => parseRefusals('webhook=403'), /PATH=402\|403\|404/);
    assert.deepEqual(REFUSAL_PRESETS['restricted-user'], { '/comment_thread/': 403 });
  });

  it('is started by --refuse and --refuse-preset', async () => {
    const cli = path.join(__dirname, '..', '..', 'sandbox', 'cli.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--scale', '5', '--refuse', '/webhook/=403', '--refuse-preset', 'basic-plan'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.on('exit', (code) => reject(new Error(`sandbox CLI exited ${code}`)));
      });
      assert.match(line, /refusing .*\/webhook\/ \(403\)/);
      const url = /listening on (\S+)/.exec(line)![1];
      const key = /key (\S+),/.exec(line)![1];
      const auth = { Authorization: 'Basic ' + Buffer.from(key + ':').toString('base64') };
      const status = async (p: string) => (await fetch(url + p, { headers: auth }).then(async (r) => ({ s: r.status, t: await r.text() }))).s;
      assert.equal(await status('/webhook/'), 403);
      assert.equal(await status('/custom_object_type/'), 404);
      assert.equal(await status('/custom_activity/'), 402);
      assert.equal(await status('/user/'), 200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
