import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, startSandbox } from '../../sandbox';
import { get } from './helpers';

describe('sandbox API basics', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 60, seed: 3 });
  });
  after(() => sb.close());

  it('rejects missing and wrong keys with Close 401 body', async () => {
    const none = await fetch(sb.url + '/lead/');
    assert.equal(none.status, 401);
    assert.match(((await none.json()) as { error: string }).error, /could not verify that you are authorized/);
    const wrong = await get(sb, '/lead/', 'nope');
    assert.equal(wrong.status, 401);
    assert.equal(typeof wrong.body.error, 'string');
  });

  it('answers /me/ with the user and organizations', async () => {
    const r = await get(sb, '/me/');
    assert.equal(r.status, 200);
    assert.match(r.body.id, /^user_[0-9A-Za-z]{43}$/);
    assert.match(r.body.organizations[0].id, /^orga_/);
  });

  it('unknown path is a JSON 404', async () => {
    const r = await get(sb, '/nothing/here/');
    assert.equal(r.status, 404);
    assert.equal(typeof r.body.error, 'string');
  });

  it('uses Close list shapes; total_results only on lead and opportunity', async () => {
    for (const [path, total] of [
      ['/lead/', true],
      ['/opportunity/', true],
      ['/activity/', false],
      ['/task/', false],
      ['/contact/', false],
      ['/user/', false],
      ['/custom_field/lead/', false],
      ['/custom_fields/lead/', false],
      ['/status/lead/', false],
      ['/pipeline/', false],
      ['/email_template/', false],
      ['/sequence/', false],
    ] as const) {
      const r = await get(sb, path);
      assert.equal(r.status, 200, path);
      assert.equal(typeof r.body.has_more, 'boolean', path);
      assert.ok(Array.isArray(r.body.data), path);
      assert.equal('total_results' in r.body, total, path);
    }
  });

  it('enforces per-resource max _limit with Close wording', async () => {
    const cases: [string, number][] = [
      ['/lead/', 200],
      ['/opportunity/', 250],
      ['/task/', 1000],
      ['/user/', 1000],
      ['/custom_field/contact/', 1000],
      ['/sequence/', 1000],
      ['/activity/', 100],
      ['/activity/call/', 100],
      ['/contact/', 100],
      ['/event/', 50],
    ];
    for (const [path, max] of cases) {
      assert.equal((await get(sb, `${path}?_limit=${max}`)).status, 200, path);
      const r = await get(sb, `${path}?_limit=${max + 1}`);
      assert.equal(r.status, 400, path);
      assert.equal(r.body.error, `The limit you set is larger than the maximum limit for this resource (max_limit = ${max}).`);
    }
  });

  it('does not page what Close does not page: statuses, pipelines, shared custom fields', async () => {
    for (const path of ['/status/lead/', '/status/opportunity/', '/pipeline/', '/custom_field/shared/']) {
      const all = await get(sb, path);
      const limited = await get(sb, `${path}?_limit=1&_skip=1`);
      assert.equal(limited.status, 200, path);
      assert.deepEqual(limited.body, all.body, `${path} ignores _skip/_limit`);
      assert.equal(all.body.has_more, false, path);
    }
  });

  it('answers bad paging parameters with the framework wording', async () => {
    assert.equal((await get(sb, '/lead/?_limit=abc')).body.error, '_limit must be an integer (got "abc" instead).');
    assert.equal((await get(sb, '/lead/?_skip=x')).body.error, '_skip must be an integer (got "x" instead).');
    assert.equal((await get(sb, '/lead/?_skip=-1')).body.error, '_skip must be a non-negative integer (got "-1" instead).');
  });

  it('rejects _skip above the cap', async () => {
    sb.setSkipCap(100);
    try {
      assert.equal((await get(sb, '/activity/?_skip=100')).status, 200);
      const r = await get(sb, '/activity/?_skip=101');
      assert.equal(r.status, 400);
      assert.equal(
        r.body.error,
        'The skip you set is larger than the maximum skip for this resource (max_skip = 100). Please refine your search query.',
      );
    } finally {
      sb.setSkipCap(250000);
    }
  });

  it('honours _fields', async () => {
    const r = await get(sb, '/lead/?_fields=id,date_updated&_limit=5');
    for (const l of r.body.data) assert.deepEqual(Object.keys(l).sort(), ['date_updated', 'id']);
    const a = await get(sb, '/activity/email/?_fields=id,envelope');
    for (const x of a.body.data) assert.deepEqual(Object.keys(x).sort(), ['envelope', 'id']);
  });

  it('formats dates like Close', async () => {
    const acts = await get(sb, '/activity/?_limit=100&_fields=date_created,date_updated');
    for (const a of acts.body.data) {
      assert.match(a.date_created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
    }
  });

  it('embeds contacts, opportunities, tasks and custom fields in leads', async () => {
    const cfs = (await get(sb, '/custom_field/lead/')).body.data;
    const ids = new Set(cfs.map((f: any) => 'custom.' + f.id));
    const r = await get(sb, '/lead/?_limit=50');
    let customSeen = 0;
    for (const l of r.body.data) {
      assert.ok(Array.isArray(l.contacts) && Array.isArray(l.opportunities) && Array.isArray(l.tasks) && Array.isArray(l.addresses));
      for (const t of l.tasks) assert.equal(t._type, 'lead');
      for (const k of Object.keys(l)) {
        if (k.startsWith('custom.')) {
          assert.ok(ids.has(k), k);
          customSeen++;
        }
      }
      assert.equal(typeof l.custom, 'object');
    }
    assert.ok(customSeen > 0);
  });

  it('keeps connections alive across requests', async () => {
    const http = await import('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const u = new URL(sb.url + '/user/');
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.get(u, { agent, auth: `${sb.apiKey}:` }, (res) => {
          sockets.add(req.socket);
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
      });
    }
    agent.destroy();
    assert.equal(sockets.size, 1);
  });
});
