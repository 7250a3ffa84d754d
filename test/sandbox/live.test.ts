import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { LiveOptions, Sandbox, startSandbox } from '../../sandbox';
import { get, pageAll } from './helpers';

const REQUESTS = ['/lead/?_limit=20', '/activity/?_limit=30', '/contact/?_limit=25', '/task/?_type=all&_limit=40', '/opportunity/?_limit=10'];

/** The same request sequence against a fresh live sandbox; what the live engine did, without wall-clock times. */
async function run(live: LiveOptions, seed = 5): Promise<{ sb: Sandbox; batches: unknown[] }> {
  const sb = await startSandbox({ scale: 40, seed, live });
  for (let i = 0; i < 60; i++) await get(sb, REQUESTS[i % REQUESTS.length]);
  const batches = sb.live.status().batches.map((b) => ({
    label: b.label,
    afterRequest: b.afterRequest,
    mutation: b.mutation,
    created: b.result.created,
    updated: b.result.updated,
    deleted: b.result.deleted,
    merged: b.result.merged,
  }));
  return { sb, batches };
}

describe('sandbox live changes', () => {
  it('are driven by the request count and deterministic from the seed', async () => {
    const opts: LiveOptions = { every: 6, seed: 77, bulkEvery: 4, bulkSize: 200 };
    const a = await run(opts);
    const b = await run(opts);
    const c = await run({ ...opts, seed: 78 });
    try {
      assert.equal(a.batches.length, 10, 'a batch after every 6th of 60 requests');
      assert.deepEqual(a.batches, b.batches, 'same seed, same requests: same changes');
      assert.notDeepEqual(a.batches, c.batches);
      const labels = a.sb.live.status().batches.map((x) => x.label);
      assert.deepEqual(labels.filter((l) => l !== 'changes').length, 2, 'every 4th batch is a bulk change');
      const all = a.sb.live.status().batches;
      const kinds = new Set(all.flatMap((x) => Object.keys(x.result.deleted)));
      assert.ok(kinds.size >= 2, `deletions of several kinds: ${[...kinds].join()}`);
      assert.ok(all.some((x) => Object.keys(x.result.created).length > 0) && all.some((x) => Object.keys(x.result.updated).length > 0));
    } finally {
      await Promise.all([a.sb.close(), b.sb.close(), c.sb.close()]);
    }
  });

  it('hit records the latest answers served, and stop at maxBatches or on stop()', async () => {
    const sb = await startSandbox({ scale: 40, seed: 6, live: { every: 1, batchSize: 0, hits: 1, bulkEvery: 0, maxBatches: 3 } });
    try {
      const page = (await get(sb, '/opportunity/?_limit=5&_fields=id')).body.data.map((o: any) => o.id);
      const first = sb.live.status().batches[0];
      const target = [...(first.mutation.update ?? []), ...(first.mutation.delete ?? [])];
      assert.equal(target.length, 1);
      assert.ok(page.includes(target[0]), 'the change hit a record just served');
      for (let i = 0; i < 5; i++) await get(sb, '/user/');
      assert.equal(sb.live.status().batches.length, 3);
      sb.live.start({ every: 1, bulkEvery: 0 });
      await get(sb, '/user/');
      sb.live.stop();
      await get(sb, '/user/');
      assert.equal(sb.live.status().batches.length, 4);
      assert.equal(sb.live.status().running, false);
    } finally {
      await sb.close();
    }
  });

  it('rules apply a mutation (or call back) after the K-th request on a path', async () => {
    const sb = await startSandbox({ scale: 30, seed: 8 });
    try {
      const lead = (await get(sb, '/lead/?_limit=1')).body.data[0];
      sb.live.rule({ afterRequests: 2, path: '/contact/', apply: { delete: [lead.id] } });
      let called = 0;
      sb.live.rule({ afterRequests: 1, path: '/task/', apply: (apply) => (called++, apply({ newTasks: 2 })) });
      await get(sb, '/contact/');
      assert.equal((await get(sb, `/lead/${lead.id}/`)).status, 200);
      await get(sb, '/lead/');
      await get(sb, '/contact/');
      assert.equal((await get(sb, `/lead/${lead.id}/`)).status, 404, 'deleted right after the 2nd /contact/ request');
      await get(sb, '/task/');
      await get(sb, '/task/');
      assert.equal(called, 1);
    } finally {
      await sb.close();
    }
  });

  it('are driven over the control interface too', async () => {
    const sb = await startSandbox({ scale: 30, seed: 9 });
    const base = sb.url.replace('/api/v1', '');
    try {
      const post = (p: string, body: unknown) => fetch(base + p, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
      const mark = await post('/_sandbox/mark', {});
      assert.equal(typeof mark.seq, 'number');
      await post('/_sandbox/live', { every: 2, bulkEvery: 0 });
      await post('/_sandbox/live/rule', { afterRequests: 1, path: '/user/', mutation: { newUsers: 1 } });
      for (let i = 0; i < 4; i++) await get(sb, '/user/');
      const status = (await (await fetch(base + '/_sandbox/live')).json()) as any;
      assert.equal(status.running, true);
      assert.equal(status.batches.filter((b: any) => b.label === 'changes').length, 2);
      assert.equal(status.batches.filter((b: any) => b.label === 'rule').length, 1);
      await post('/_sandbox/live/stop', {});
      const oracle = (await (await fetch(`${base}/_sandbox/oracle/users?from=${mark.seq}`)).json()) as any;
      assert.ok(oracle.created.length >= 1);
      assert.equal((await fetch(base + '/_sandbox/live', { method: 'POST', body: '{"every": 0}' })).status, 400);
    } finally {
      await sb.close();
    }
  });

  it('make offset paging lose records, as real accounts do: the adversary works', async () => {
    const sb = await startSandbox({ scale: 80, seed: 10, live: { every: 1, batchSize: 0, hits: 1, bulkEvery: 0 } });
    try {
      const start = sb.oracle.mark();
      const read = new Set((await pageAll(sb, '/contact/?_fields=id', 10)).map((c) => c.id));
      const stillThere = [...sb.oracle.existedAt('contacts', start)].filter((id) => sb.oracle.latest('contacts').has(id));
      const lost = stillThere.filter((id) => !read.has(id));
      assert.ok(sb.oracle.deletedBetween('contacts', start).length > 0);
      assert.ok(lost.length > 0, 'deleting a contact just read shifts every later offset by one');
      const ever = sb.oracle.everExisted('contacts');
      assert.ok([...read].every((id) => ever.has(id)));
    } finally {
      await sb.close();
    }
  });

  it('are started by the CLI flags', async () => {
    const cli = path.join(__dirname, '..', '..', 'sandbox', 'cli.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--scale', '10', '--live', '--live-every', '2', '--live-bulk-every', '0'], {
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
      assert.match(line, /live changes every 2 requests/);
      const url = /listening on (\S+)/.exec(line)![1];
      const key = /key (\S+),/.exec(line)![1];
      const auth = { Authorization: 'Basic ' + Buffer.from(key + ':').toString('base64') };
      for (let i = 0; i < 4; i++) await fetch(url + '/user/', { headers: auth }).then((r) => r.text());
      const status = (await (await fetch(url.replace('/api/v1', '') + '/_sandbox/live')).json()) as any;
      assert.equal(status.batches.length, 2);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
