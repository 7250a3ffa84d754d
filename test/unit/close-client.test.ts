import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {backoffDelayMs, DEFAULT_BACKOFF} from '../../src/client/backoff';
import {CloseClient} from '../../src/client/close-client';
import {NetworkError} from '../../src/client/transport';
import {failureTypeOf} from '../../src/errors';
import {
  API_KEY,
  API_KEY_BASIC,
  FakeClock,
  ManualClock,
  settle,
  cassetteResponse,
  loadCassette,
  newClient,
  replayTransport,
  res,
  scriptedTransport,
  seededRandom,
} from './helpers/fakes';

/** Every error provoked here is checked for the key at the end. */
const provoked: Error[] = [];

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Error);
    provoked.push(err);
    return err;
  }
  assert.fail('expected the request to fail');
}

const OK = res(200, {has_more: false, data: [{id: 'lead_1'}]});

describe('CloseClient', () => {
  it('GETs with Basic auth (key as user, empty password) and returns parsed JSON', async () => {
    const t = scriptedTransport([OK]);
    const client = newClient(t);
    const out = await client.get('/lead/', {_limit: 10, _skip: undefined, query: 'x'});
    assert.deepEqual(out, {has_more: false, data: [{id: 'lead_1'}]});
    assert.equal(t.requests.length, 1);
    assert.equal(t.requests[0].url, 'https://api.close.com/api/v1/lead/');
    assert.deepEqual(t.requests[0].auth, {username: API_KEY, password: ''});
    assert.deepEqual(t.requests[0].params, {_limit: 10, query: 'x'}, 'undefined params are dropped');
    assert.equal(t.requests[0].timeoutMs, 60_000);
    assert.equal(client.stats.requests, 1);
    assert.equal(client.stats.retries, 0);
  });

  for (const status of [500, 502, 503, 504]) {
    it(`retries ${status} with backoff, then succeeds`, async () => {
      const clock = new FakeClock();
      const t = scriptedTransport([res(status, {error: 'oops'}), res(status, ''), res(status, 'x'), OK]);
      const client = newClient(t, clock);
      const out = await client.get('/lead/');
      assert.equal(out.data[0].id, 'lead_1');
      assert.equal(t.requests.length, 4);
      assert.equal(clock.sleeps.length, 3);
      assert.equal(client.stats.retries, 3);
      // equal jitter: attempt n waits in [exp/2, exp], exp = 1 s * 2^(n-1)
      clock.sleeps.forEach((ms, i) => {
        const exp = 1000 * 2 ** i;
        assert.ok(ms >= exp / 2 && ms <= exp, `sleep ${i} = ${ms}`);
      });
    });
  }

  it('backoff grows and is capped, jitter within [exp/2, exp]', async () => {
    const clock = new FakeClock();
    const t = scriptedTransport([...Array(12)].map(() => res(503, '{"error": "busy"}')).concat([OK]));
    const client = newClient(t, clock, {maxRetries: 12, backoff: {baseMs: 1000, capMs: 8000}});
    await client.get('/lead/');
    assert.equal(clock.sleeps.length, 12);
    clock.sleeps.forEach((ms, i) => {
      const exp = Math.min(8000, 1000 * 2 ** i);
      assert.ok(ms >= exp / 2 && ms <= exp, `sleep ${i} = ${ms} not in [${exp / 2}, ${exp}]`);
    });
    assert.ok(Math.max(...clock.sleeps) <= 8000);
    // deterministic with a seeded random
    const again = new FakeClock();
    const t2 = scriptedTransport([...Array(12)].map(() => res(503, '{"error": "busy"}')).concat([OK]));
    await newClient(t2, again, {maxRetries: 12, backoff: {baseMs: 1000, capMs: 8000}}).get('/lead/');
    assert.deepEqual(again.sleeps, clock.sleeps);
  });

  it('backoffDelayMs bounds: random 0 gives exp/2, random→1 gives exp, capped', () => {
    assert.equal(backoffDelayMs(1, DEFAULT_BACKOFF, () => 0), 500);
    assert.equal(backoffDelayMs(1, DEFAULT_BACKOFF, () => 1), 1000);
    assert.equal(backoffDelayMs(4, DEFAULT_BACKOFF, () => 0), 4000);
    assert.equal(backoffDelayMs(30, DEFAULT_BACKOFF, () => 1), 30_000);
    assert.equal(backoffDelayMs(30, DEFAULT_BACKOFF, () => 0), 15_000);
    const r = seededRandom(1);
    for (let a = 1; a < 20; a++) {
      const d = backoffDelayMs(a, DEFAULT_BACKOFF, r);
      const exp = Math.min(30_000, 1000 * 2 ** (a - 1));
      assert.ok(d >= exp / 2 && d <= exp);
    }
  });

  it('gives up after max_retries with a transient_error naming endpoint, status and message', async () => {
    const clock = new FakeClock();
    const t = scriptedTransport([...Array(4)].map(() => res(503, {error: 'Service temporarily unavailable'})));
    const client = newClient(t, clock, {maxRetries: 3});
    const err = await rejection(client.get('/lead/', {}, {stream: 'leads'}));
    assert.equal(failureTypeOf(err), 'transient_error');
    assert.match(err.message, /GET \/lead\//);
    assert.match(err.message, /503/);
    assert.match(err.message, /Service temporarily unavailable/);
    assert.match(err.message, /leads/);
    assert.equal(t.requests.length, 4);
    assert.equal(clock.sleeps.length, 3);
  });

  it('401 (recorded invalid key) → config_error, no retry', async () => {
    const clock = new FakeClock();
    const t = replayTransport('get_lead_invalid_key');
    const client = newClient(t, clock);
    const err = await rejection(client.get('/lead/lead_ibiNeZe7yE0ZoJZQUKm0Eymg0nxDH2xb5fHg8IzBsAm/'));
    assert.equal(failureTypeOf(err), 'config_error');
    assert.match(err.message, /401/);
    assert.match(err.message, /could not verify that you are authorized/);
    assert.match(err.message, /api_key/);
    assert.equal(t.requests.length, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it('403 → config_error, no retry', async () => {
    const t = scriptedTransport([res(403, {error: 'Forbidden'})]);
    const err = await rejection(newClient(t).get('/lead/'));
    assert.equal(failureTypeOf(err), 'config_error');
    assert.match(err.message, /403.*Forbidden/);
    assert.equal(t.requests.length, 1);
  });

  it('404 (recorded unknown lead) → system_error with Close message, no retry', async () => {
    const clock = new FakeClock();
    const t = replayTransport('get_lead_unknown');
    const err = await rejection(newClient(t, clock).get('/lead/wibble/'));
    assert.equal(failureTypeOf(err), 'system_error');
    assert.match(err.message, /GET \/lead\/wibble\//);
    assert.match(err.message, /404/);
    assert.match(err.message, /Empty query: Lead matching query does not exist\./);
    assert.equal(t.requests.length, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it('400 skip cap → system_error quoting Close', async () => {
    const msg = 'The skip you set is larger than the maximum skip for this resource (max_skip = 250000).';
    const t = scriptedTransport([res(400, {error: msg})]);
    const err = await rejection(newClient(t).get('/activity/email/'));
    assert.equal(failureTypeOf(err), 'system_error');
    assert.ok(err.message.includes(msg));
    assert.equal(t.requests.length, 1);
  });

  it('validation errors body shape is quoted', async () => {
    const t = scriptedTransport([res(400, {errors: [], 'field-errors': {lead: 'This field is required.'}})]);
    const err = await rejection(newClient(t).get('/opportunity/'));
    assert.match(err.message, /This field is required/);
  });

  it('429 recorded (X-Rate-Limit headers + body rate_reset) then success → waits ~0.6 s', async () => {
    const clock = new FakeClock();
    const [limited, ok] = loadCassette('find_leads_rate_limit');
    const t = scriptedTransport([cassetteResponse(limited), cassetteResponse(ok)]);
    const client = newClient(t, clock);
    const out = await client.get('/lead/', {query: 'FOO'});
    assert.equal(out.data.length, 2);
    assert.equal(t.requests.length, 2);
    assert.ok(clock.slept >= 595 && clock.slept <= 700, `slept ${clock.slept}`);
    assert.equal(client.stats.rateLimited, 1);
    assert.equal(client.stats.retries, 0, 'a 429 is not a retry');
  });

  it('429 with only the deprecated body rate_reset → waits that long', async () => {
    const clock = new FakeClock();
    const body = {error: {message: 'API call count exceeded for this period', rate_reset: 0.87, rate_limit: 40}};
    const t = scriptedTransport([res(429, body), OK]);
    await newClient(t, clock).get('/lead/');
    assert.ok(clock.slept >= 870 && clock.slept <= 900, `slept ${clock.slept}`);
  });

  it('429 with RateLimit reset=2.5 and Retry-After 3 → waits 2.5 s (header reset wins)', async () => {
    const clock = new FakeClock();
    const t = scriptedTransport([
      res(429, {error: 'too many'}, {ratelimit: 'limit=10, remaining=0, reset=2.5', 'retry-after': '3'}),
      OK,
    ]);
    const client = newClient(t, clock);
    await client.get('/lead/');
    assert.ok(clock.slept >= 2500 && clock.slept < 2600, `slept ${clock.slept}`);
    assert.equal(t.requests.length, 2);
  });

  it('429 with only Retry-After → waits that many seconds', async () => {
    const clock = new FakeClock();
    const t = scriptedTransport([res(429, '', {'retry-after': '3'}), OK]);
    await newClient(t, clock).get('/lead/');
    assert.ok(clock.slept >= 3000 && clock.slept < 3100, `slept ${clock.slept}`);
  });

  it('429 without any hint → backs off instead of spinning', async () => {
    const clock = new FakeClock();
    const t = scriptedTransport([res(429, ''), OK]);
    await newClient(t, clock).get('/lead/');
    assert.ok(clock.slept >= 500, `slept ${clock.slept}`);
  });

  it('429s beyond max_rate_limit_wait → transient_error', async () => {
    const clock = new FakeClock();
    const limited = () => res(429, {error: 'API call count exceeded'}, {ratelimit: 'limit=10, remaining=0, reset=4', 'retry-after': '4'});
    const t = scriptedTransport([...Array(10)].map(limited));
    const client = newClient(t, clock, {maxRateLimitWaitMs: 10_000});
    const err = await rejection(client.get('/lead/', {}, {stream: 'leads'}));
    assert.equal(failureTypeOf(err), 'transient_error');
    assert.match(err.message, /GET \/lead\//);
    assert.match(err.message, /429/);
    assert.match(err.message, /API call count exceeded/);
    assert.ok(clock.slept <= 10_000 + 100, `slept ${clock.slept}`);
    assert.ok(t.requests.length >= 2 && t.requests.length <= 3, `requests ${t.requests.length}`);
  });

  it('rate-limit waits count once toward max_rate_limit_wait', async () => {
    // Two 429s asking 2.5 s each = 5 s in total, under a 6 s limit: must succeed.
    const clock = new FakeClock();
    const limited = () => res(429, {error: 'too many'}, {ratelimit: 'limit=10, remaining=0, reset=2.5'});
    const t = scriptedTransport([limited(), limited(), OK]);
    const client = newClient(t, clock, {maxRateLimitWaitMs: 6000});
    const out = await client.get('/lead/');
    assert.equal(out.data[0].id, 'lead_1');
    assert.ok(clock.slept >= 5000 && clock.slept < 5100, `slept ${clock.slept}`);
    assert.ok(client.stats.rateLimitWaitMs >= 5000 && client.stats.rateLimitWaitMs < 5100, `stats ${client.stats.rateLimitWaitMs}`);
  });

  for (const headers of [{ratelimit: 'limit=10, remaining=0, reset=0'}, {'retry-after': '0'}]) {
    it(`429s that ask for no wait (${JSON.stringify(headers)}) do not loop forever`, async () => {
      const clock = new FakeClock();
      let n = 0;
      const transport = async () => {
        n++;
        if (n > 500) throw new Error('guard: the client keeps sending');
        return res(429, {error: 'API call count exceeded'}, headers);
      };
      const client = newClient(transport, clock, {maxRateLimitWaitMs: 10_000});
      const err = await rejection(client.get('/lead/'));
      assert.equal(failureTypeOf(err), 'transient_error');
      assert.match(err.message, /429/);
      assert.ok(n < 100, `${n} requests`);
      assert.ok(clock.sleeps.every((ms) => ms > 0), 'every retry of a 429 waits');
    });
  }

  it('recorded 504 with an empty body is retried', async () => {
    const clock = new FakeClock();
    const [gw] = loadCassette('get_lead_504');
    const t = scriptedTransport([cassetteResponse(gw), OK]);
    const out = await newClient(t, clock).get('/lead/lead_ibiNeZe7yE0ZoJZQUKm0Eymg0nxDH2xb5fHg8IzBsAm/');
    assert.equal(out.data[0].id, 'lead_1');
    assert.equal(t.requests.length, 2);
    assert.equal(clock.sleeps.length, 1);
  });

  it('recorded 504 forever → transient_error saying (empty body)', async () => {
    const t = replayTransport('get_lead_504');
    const err = await rejection(newClient(t, new FakeClock(), {maxRetries: 2}).get('/lead/lead_ibiNeZe7yE0ZoJZQUKm0Eymg0nxDH2xb5fHg8IzBsAm/'));
    assert.equal(failureTypeOf(err), 'transient_error');
    assert.match(err.message, /504/);
    assert.match(err.message, /empty body/);
    assert.equal(t.requests.length, 3);
  });

  it('truncated JSON with 200 → retried, then succeeds', async () => {
    const clock = new FakeClock();
    const t = scriptedTransport([res(200, '{"has_more": false, "data": [{"id": "le'), OK]);
    const out = await newClient(t, clock).get('/lead/');
    assert.equal(out.data[0].id, 'lead_1');
    assert.equal(clock.sleeps.length, 1);
  });

  it('truncated JSON forever → error after retries', async () => {
    const clock = new FakeClock();
    const t = scriptedTransport([...Array(3)].map(() => res(200, '{"has_more": false, "data": [')));
    const err = await rejection(newClient(t, clock, {maxRetries: 2}).get('/lead/'));
    assert.match(err.message, /GET \/lead\//);
    assert.match(err.message, /truncated or invalid JSON/);
    assert.match(err.message, /200/);
    assert.equal(t.requests.length, 3);
    assert.equal(clock.sleeps.length, 2);
  });

  it('HTML page with 200 → error after retries mentioning HTML', async () => {
    const html = '<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon</body></html>';
    const t = scriptedTransport([...Array(3)].map(() => ({status: 200, headers: {'content-type': 'text/html'}, body: html})));
    const err = await rejection(newClient(t, new FakeClock(), {maxRetries: 2}).get('/lead/'));
    assert.match(err.message, /HTML/);
    assert.match(err.message, /Maintenance/);
    assert.equal(t.requests.length, 3);
  });

  it('HTML error page with 502 is described, not dumped', async () => {
    const html = '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
    const t = scriptedTransport([...Array(2)].map(() => ({status: 502, headers: {'content-type': 'text/html'}, body: html})));
    const err = await rejection(newClient(t, new FakeClock(), {maxRetries: 1}).get('/lead/'));
    assert.equal(failureTypeOf(err), 'transient_error');
    assert.match(err.message, /HTML page \("502 Bad Gateway"\)/);
    assert.doesNotMatch(err.message, /nginx/);
  });

  it('network error → retried, then succeeds', async () => {
    const clock = new FakeClock();
    const t = scriptedTransport([new NetworkError('socket hang up (ECONNRESET)', 'ECONNRESET'), OK]);
    const client = newClient(t, clock);
    const out = await client.get('/lead/');
    assert.equal(out.data[0].id, 'lead_1');
    assert.equal(clock.sleeps.length, 1);
    assert.equal(client.stats.retries, 1);
  });

  it('network errors forever → transient_error with the reason', async () => {
    const t = scriptedTransport([...Array(3)].map(() => new NetworkError('no complete answer within 60 s', 'ETIMEDOUT')));
    const err = await rejection(newClient(t, new FakeClock(), {maxRetries: 2}).get('/event/'));
    assert.equal(failureTypeOf(err), 'transient_error');
    assert.match(err.message, /GET \/event\//);
    assert.match(err.message, /no complete answer within 60 s/);
    assert.equal(t.requests.length, 3);
  });

  it('a stuck group (429s without any hint, forever) gets few requests in its first minute, however many wait', async () => {
    const clock = new ManualClock(0);
    const sent: number[] = [];
    const transport = async () => {
      sent.push(clock.now());
      return res(429, '', {'retry-after': '0'});
    };
    const client = newClient(transport, clock as any, {maxRateLimitWaitMs: 3_600_000});
    // Eight requests of the group at once, as several windows of a stream would send.
    const all = Array.from({length: 8}, () => client.get('/user/').catch(() => undefined));
    for (let t = 0; t < 60_000; t += 50) {
      await settle();
      clock.advance(50);
    }
    await settle();
    const firstMinute = sent.filter((t) => t < 60_000).length;
    // 1 s base doubling per 429 in a row (equal jitter): 0.5–1, 1–2, 2–4, 4–8, 8–16, 15–30 s … ≤ 8 in a minute.
    assert.ok(firstMinute <= 10, `${firstMinute} requests in the first minute: ${sent.join(', ')}`);
    for (let i = 1; i < sent.length; i++) assert.ok(sent[i] > sent[i - 1], 'never two at once: a 429 drops the group to one request in flight');
    for (let i = 2; i < Math.min(sent.length, 7); i++) {
      assert.ok(sent[i] - sent[i - 1] >= 0.9 * (sent[i - 1] - sent[i - 2]) * 0.5, `gaps grow: ${sent.join(', ')}`);
    }
    void all;
  });

  it('429s without a hint reset their backoff after a success', async () => {
    const clock = new FakeClock(0);
    const noHint = () => res(429, '');
    const t = scriptedTransport([noHint(), noHint(), noHint(), OK, noHint(), OK]);
    const client = newClient(t, clock, {random: () => 0});
    await client.get('/user/');
    await client.get('/user/');
    // Waits asked of the limiter: 0.5, 1, 2 s (growing), then 0.5 s again after the success (plus its 25 ms margins).
    const waits = clock.sleeps.map((ms) => Math.round(ms / 100) * 100);
    assert.deepEqual(waits, [500, 1000, 2000, 500]);
  });

  it('a network failure does not end the group\'s slow start: the next request still goes alone', async () => {
    const clock = new ManualClock();
    let inFlight = 0;
    let maxInFlight = 0;
    let n = 0;
    const gates: (() => void)[] = [];
    const transport = async () => {
      n++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((r) => gates.push(r));
      inFlight--;
      if (n === 1) throw new NetworkError('socket hang up', 'ECONNRESET');
      return OK;
    };
    const client = newClient(transport, clock as any, {random: () => 0});
    const all = Promise.all([client.get('/lead/'), client.get('/lead/'), client.get('/lead/')]);
    await settle();
    assert.equal(gates.length, 1, 'one request in flight before any answer');
    gates.shift()!(); // fails: retried after a backoff
    await settle();
    assert.equal(inFlight, 1, 'after the failure, still one at a time');
    assert.equal(maxInFlight, 1);
    while (gates.length || clock.waiting) {
      gates.shift()?.();
      clock.advance(1000);
      await settle();
    }
    await all;
  });

  it('groups endpoints by first path segment', () => {
    assert.equal(CloseClient.groupOf('/lead/'), 'lead');
    assert.equal(CloseClient.groupOf('/activity/email/'), 'activity');
    assert.equal(CloseClient.groupOf('/'), 'root');
  });

  it('a 429 on one group does not hold another', async () => {
    const clock = new ManualClock();
    const answers: Record<string, (() => ReturnType<typeof res>)[]> = {
      '/lead/': [() => res(429, '', {ratelimit: 'limit=1, remaining=0, reset=10'}), () => OK, () => OK],
      '/user/': [() => OK],
    };
    const order: string[] = [];
    const transport = async (req: {url: string}) => {
      const p = new URL(req.url).pathname.replace('/api/v1', '');
      order.push(p);
      return answers[p].shift()!();
    };
    const client = newClient(transport, clock as any);
    let leadDone = false;
    const lead = client.get('/lead/').then(() => (leadDone = true));
    await settle();
    assert.equal(clock.waiting, 1, 'the lead request waits for the reset');
    await client.get('/user/');
    assert.deepEqual(order, ['/lead/', '/user/'], 'user went out while lead was held');
    // a second lead request is held as well
    let second = false;
    const lead2 = client.get('/lead/').then(() => (second = true));
    await settle();
    assert.equal(leadDone, false);
    assert.equal(second, false);
    clock.advance(9000);
    await settle();
    assert.equal(leadDone, false);
    clock.advance(1100);
    await settle();
    await Promise.all([lead, lead2]);
    assert.deepEqual(order, ['/lead/', '/user/', '/lead/', '/lead/']);
  });

  it('never puts the API key or its Basic form in any error message or stack', () => {
    assert.ok(provoked.length >= 10, `provoked ${provoked.length}`);
    for (const err of provoked) {
      for (const text of [err.message, String(err.stack), JSON.stringify(err), String(err)]) {
        assert.ok(!text.includes(API_KEY), `key in: ${text}`);
        assert.ok(!text.includes(API_KEY_BASIC), `basic key in: ${text}`);
      }
    }
  });
});
