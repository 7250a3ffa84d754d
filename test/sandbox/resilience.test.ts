import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { FaultKind, Sandbox, startSandbox } from '../../sandbox';
import { authHeader, get } from './helpers';

/** Raw request so socket-level faults (reset, truncation) can be observed. */
function rawGet(sb: Sandbox, path: string): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get(sb.url + path, { headers: { ...authHeader(sb.apiKey), Connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (e) => resolve({ status: res.statusCode, error: e.message }));
      res.on('aborted', () => resolve({ status: res.statusCode, error: 'aborted' }));
    });
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
  });
}

describe('sandbox rate limits', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 20, rateLimit: { perGroupPerSecond: 3, orgMultiplier: 2 } });
  });
  after(() => sb.close());

  it('sends RateLimit headers and 429 with Retry-After once a group is exhausted', async () => {
    sb.resetStats();
    const rs = [];
    for (let i = 0; i < 4; i++) rs.push(await get(sb, '/lead/'));
    assert.deepEqual(rs.map((r) => r.status), [200, 200, 200, 429]);
    // Documented header form, reset in whole seconds (rounded up).
    assert.match(rs[0].headers.get('ratelimit')!, /^limit=3, remaining=2, reset=1$/);
    const r429 = rs[3];
    assert.match(r429.headers.get('ratelimit')!, /^limit=3, remaining=0, reset=1$/);
    assert.equal(r429.headers.get('retry-after'), '1');
    // The recorded (deprecated) body: top-level keys, rate_reset a string (recorded/find_leads_rate_limit.json).
    assert.deepEqual(Object.keys(r429.body).sort(), ['message', 'rate_endpoint_group', 'rate_limit', 'rate_limit_type', 'rate_reset', 'rate_window']);
    assert.equal(r429.body.message, 'API call count exceeded for this period');
    assert.equal(r429.body.rate_limit_type, 'key');
    assert.match(r429.body.rate_reset, /^0\.\d{6}$|^1\.000000$/);
    assert.match(r429.body.rate_endpoint_group, /^[0-9a-f]{32}$/);
    // another group still has room until the organisation limit (2 x 3) is hit
    assert.equal((await get(sb, '/user/')).status, 200);
    assert.equal((await get(sb, '/user/')).status, 200);
    assert.equal((await get(sb, '/user/')).status, 200);
    const org = await get(sb, '/task/');
    assert.equal(org.status, 429);
    assert.equal(org.body.rate_limit_type, 'organization');
    assert.equal(sb.stats().status429, 2);
    // control endpoints are never limited
    const stats = await fetch(sb.url.replace('/api/v1', '') + '/_sandbox/stats');
    assert.equal(stats.status, 200);
  });

  it('offers the other 429 shapes and a fractional reset', async () => {
    const shapes: [string, (r: any) => void][] = [
      ['nested', (r) => assert.deepEqual(Object.keys(r.body.error).sort(), ['message', 'rate_limit', 'rate_limit_type', 'rate_reset', 'rate_window'])],
      ['none', (r) => assert.equal(r.text, '')],
    ];
    for (const [body, check] of shapes) {
      const one = await startSandbox({ scale: 5, rateLimit: { perGroupPerSecond: 1, body: body as 'nested' | 'none', resetFormat: 'fraction' } });
      try {
        const first = await get(one, '/user/');
        assert.match(first.headers.get('ratelimit')!, /^limit=1, remaining=0, reset=\d\.\d{3}$/);
        const r = await get(one, '/user/');
        assert.equal(r.status, 429);
        assert.match(r.headers.get('retry-after')!, /^\d+$/);
        check(r);
      } finally {
        await one.close();
      }
    }
  });

  it('recovers after the window', async () => {
    await new Promise((r) => setTimeout(r, 1050));
    assert.equal((await get(sb, '/lead/')).status, 200);
    sb.setRateLimit(null);
    for (let i = 0; i < 10; i++) assert.equal((await get(sb, '/lead/')).status, 200);
  });
});

describe('sandbox faults', () => {
  const run = async (seed: number): Promise<string[]> => {
    const sb = await startSandbox({
      scale: 20,
      faults: { rate: 0.5, seed, stallMs: 200, kinds: ['status500', 'status502', 'status503', 'status504', 'reset', 'truncated'] },
    });
    try {
      const out: string[] = [];
      for (let i = 0; i < 24; i++) {
        const r = await rawGet(sb, '/contact/?_limit=20');
        let tag = r.error ? 'err' : String(r.status);
        if (r.status === 200 && r.body !== undefined) {
          try {
            JSON.parse(r.body);
          } catch {
            tag = 'trunc';
          }
        }
        out.push(tag);
      }
      assert.equal(sb.stats().faults, out.filter((t) => t !== '200').length);
      return out;
    } finally {
      await sb.close();
    }
  };

  it('is reproducible from the seed and covers several kinds', async () => {
    const a = await run(42);
    const b = await run(42);
    assert.deepEqual(a, b);
    assert.ok(a.includes('200'));
    assert.ok(new Set(a).size >= 4, a.join());
    const c = await run(43);
    assert.notDeepEqual(a, c);
  });

  it('504 has an empty body, 502 is HTML, stall drops the connection after stallMs', async () => {
    const sb = await startSandbox({ scale: 5 });
    try {
      const once = async (kind: FaultKind) => {
        sb.setFaults({ rate: 1, kinds: [kind], stallMs: 150 });
        const t0 = Date.now();
        const r = await rawGet(sb, '/user/');
        sb.setFaults(null);
        return { ...r, ms: Date.now() - t0 };
      };
      const r504 = await once('status504');
      assert.equal(r504.status, 504);
      assert.equal(r504.body, '');
      const r502 = await once('status502');
      assert.equal(r502.status, 502);
      assert.match(r502.body!, /<html>/);
      const stall = await once('stall');
      assert.ok(stall.error, 'stall should end in a connection error');
      assert.ok(stall.ms >= 140);
      const reset = await once('reset');
      assert.ok(reset.error);
      assert.equal((await get(sb, '/user/')).status, 200);
    } finally {
      await sb.close();
    }
  });
});

describe('sandbox scripted rules and latency', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 30 });
  });
  after(() => sb.close());

  it('answers raw responses after N requests, for `times` requests', async () => {
    sb.script({ path: '/activity/', afterRequests: 1, times: 2, respond: { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html>maintenance</html>' } });
    const rs = [];
    for (let i = 0; i < 4; i++) rs.push(await get(sb, '/activity/call/'));
    assert.deepEqual(rs.map((r) => r.body === undefined), [false, true, true, false]);
    assert.equal(rs[1].text, '<html>maintenance</html>');
    sb.script({ path: '/lead/', respond: { status: 403, body: '{"error": "forbidden"}' } });
    assert.equal((await get(sb, '/lead/')).status, 403);
    assert.equal((await get(sb, '/lead/')).status, 200);
  });

  it('hasMoreEmptyPage and dropField', async () => {
    sb.script({ path: '/task/', respond: { hasMoreEmptyPage: true } });
    const r = await get(sb, '/task/');
    assert.deepEqual(r.body, { has_more: true, data: [] });
    sb.script({ path: '/event/', respond: { hasMoreEmptyPage: true } });
    const first = await get(sb, '/event/?_limit=5');
    assert.equal(first.body.data.length, 0);
    assert.equal(typeof first.body.cursor_next, 'string');
    sb.script({ path: '/event/', respond: { hasMoreEmptyPage: true } });
    const next = await get(sb, `/event/?_cursor=${encodeURIComponent('abc')}`);
    assert.equal(next.body.cursor_next, 'abc');
    sb.script({ path: '/contact/', times: Infinity, respond: { dropField: 'id' } });
    for (let i = 0; i < 2; i++) {
      const c = await get(sb, '/contact/?_limit=10');
      assert.equal(c.body.data.length, 10);
      assert.ok(c.body.data.every((x: any) => !('id' in x) && 'lead_id' in x));
    }
    sb.clearScripts();
    assert.ok((await get(sb, '/contact/')).body.data.every((x: any) => 'id' in x));
  });

  it('adds latency without serialising concurrent requests, and tracks in-flight', async () => {
    sb.setLatency(150);
    sb.resetStats();
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => get(sb, '/user/')));
    const ms = Date.now() - t0;
    sb.setLatency(0);
    // No upper bound on the time (a shared machine can be slow): that the
    // requests overlapped is read from the sandbox's in-flight count instead.
    assert.ok(ms >= 140, `took ${ms} ms`);
    const st = sb.stats();
    assert.equal(st.byGroup.user, 5);
    assert.equal(st.byStatus['200'], 5);
    assert.ok(st.maxInFlightByGroup.user >= 2);
  });
});
