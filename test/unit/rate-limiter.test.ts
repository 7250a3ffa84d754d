import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {RateLimiter} from '../../src/client/rate-limiter';
import {parseRateLimitHeaders, retryAfterMs} from '../../src/client/rate-limit-headers';
import {FakeClock, ManualClock, settle} from './helpers/fakes';

describe('parseRateLimitHeaders', () => {
  it('reads the current combined RateLimit header (decimal reset)', () => {
    assert.deepEqual(parseRateLimitHeaders({ratelimit: 'limit=100, remaining=50, reset=5'}), {limit: 100, remaining: 50, resetSeconds: 5});
    assert.deepEqual(parseRateLimitHeaders({ratelimit: 'limit=10, remaining=0, reset=2.5'}), {limit: 10, remaining: 0, resetSeconds: 2.5});
    assert.deepEqual(parseRateLimitHeaders({RateLimit: 'limit=10;remaining=3;reset=0.25'}), {limit: 10, remaining: 3, resetSeconds: 0.25});
  });

  it('reads the 2022 ratelimit-* headers', () => {
    assert.deepEqual(parseRateLimitHeaders({'ratelimit-limit': '60', 'ratelimit-reset': '1'}), {limit: 60, remaining: undefined, resetSeconds: 1});
    assert.deepEqual(parseRateLimitHeaders({'ratelimit-limit': '60', 'ratelimit-remaining': '0', 'ratelimit-reset': '1'}), {
      limit: 60,
      remaining: 0,
      resetSeconds: 1,
    });
  });

  it('reads the 2017 X-Rate-Limit-* headers', () => {
    assert.deepEqual(parseRateLimitHeaders({'x-rate-limit-limit': '320', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': '0.595956'}), {
      limit: 320,
      remaining: 0,
      resetSeconds: 0.595956,
    });
    assert.deepEqual(parseRateLimitHeaders({'X-Rate-Limit-Limit': '600', 'X-Rate-Limit-Remaining': '599', 'X-Rate-Limit-Reset': '14.5'}), {
      limit: 600,
      remaining: 599,
      resetSeconds: 14.5,
    });
  });

  it('array-valued headers use the first value; nothing known → undefined; garbage ignored', () => {
    assert.deepEqual(parseRateLimitHeaders({ratelimit: ['limit=5, remaining=1, reset=1', 'x']}), {limit: 5, remaining: 1, resetSeconds: 1});
    assert.equal(parseRateLimitHeaders({}), undefined);
    assert.equal(parseRateLimitHeaders({'content-type': 'application/json'}), undefined);
    assert.deepEqual(parseRateLimitHeaders({ratelimit: 'limit=abc, remaining=, reset=1'}), {limit: undefined, remaining: undefined, resetSeconds: 1});
  });
});

describe('retryAfterMs', () => {
  it('prefers RateLimit reset over Retry-After over the body', () => {
    assert.equal(retryAfterMs({ratelimit: 'limit=10, remaining=0, reset=2.5', 'retry-after': '3'}, '{"rate_reset": 9}'), 2500);
    assert.equal(retryAfterMs({'retry-after': '3'}, '{"rate_reset": 9}'), 3000);
    assert.equal(retryAfterMs({}, '{"error": {"message": "x", "rate_reset": 0.87}}'), 870);
    assert.equal(retryAfterMs({}, '{"rate_reset": "0.595956"}'), 595.956);
    assert.equal(retryAfterMs({}, 'not json'), undefined);
    assert.equal(retryAfterMs({}, ''), undefined);
    assert.equal(retryAfterMs({}, '{"error": "x"}'), undefined);
  });
});

describe('RateLimiter', () => {
  it('goes freely before any header is seen', async () => {
    const clock = new FakeClock();
    const rl = new RateLimiter(clock);
    for (let i = 0; i < 5; i++) {
      assert.equal(await rl.acquire('lead'), 0);
      rl.release('lead', undefined);
    }
    assert.deepEqual(clock.sleeps, []);
  });

  it('after remaining=0 the next acquire waits until reset', async () => {
    const clock = new FakeClock();
    const rl = new RateLimiter(clock);
    await rl.acquire('lead');
    rl.release('lead', {limit: 10, remaining: 0, resetSeconds: 2});
    const start = clock.now();
    const waited = await rl.acquire('lead');
    assert.ok(clock.now() - start >= 2000 && clock.now() - start <= 2050, `waited ${clock.now() - start}`);
    assert.equal(waited, clock.now() - start);
    rl.release('lead', undefined);
    // window rolled over: the next one goes at once
    assert.equal(await rl.acquire('lead'), 0);
  });

  it('remaining=N lets N more go, then waits', async () => {
    const clock = new FakeClock();
    const rl = new RateLimiter(clock);
    await rl.acquire('lead');
    rl.release('lead', {limit: 10, remaining: 2, resetSeconds: 1});
    assert.equal(await rl.acquire('lead'), 0);
    assert.equal(await rl.acquire('lead'), 0);
    assert.equal(rl.delayFor('lead'), 1000);
    const waited = await rl.acquire('lead');
    assert.ok(waited >= 1000);
  });

  it('a passed reset lets requests go', async () => {
    const clock = new FakeClock();
    const rl = new RateLimiter(clock);
    await rl.acquire('lead');
    rl.release('lead', {remaining: 0, resetSeconds: 1});
    clock.t += 1500;
    assert.equal(rl.delayFor('lead'), 0);
    assert.equal(await rl.acquire('lead'), 0);
  });

  it('counts requests in flight against remaining', async () => {
    const clock = new FakeClock();
    const rl = new RateLimiter(clock);
    await rl.acquire('lead');
    rl.release('lead', {limit: 10}); // the limit is known: no slow start
    await rl.acquire('lead'); // a
    await rl.acquire('lead'); // b
    // a answers: 1 left, but b is still in flight and will use it
    rl.release('lead', {remaining: 1, resetSeconds: 3});
    assert.equal(rl.delayFor('lead'), 3000);
    // b answers: 0 left
    rl.release('lead', {remaining: 0, resetSeconds: 3});
    assert.equal(rl.delayFor('lead'), 3000);
  });

  it('in-flight never goes negative on extra releases', async () => {
    const clock = new FakeClock();
    const rl = new RateLimiter(clock);
    rl.release('lead', undefined);
    rl.release('lead', undefined);
    await rl.acquire('lead');
    rl.release('lead', {remaining: 1, resetSeconds: 1});
    assert.equal(rl.delayFor('lead'), 0);
  });

  it('block() after a 429 holds the group; other groups unaffected', async () => {
    const clock = new ManualClock();
    const rl = new RateLimiter(clock);
    rl.block('lead', 2500);
    assert.equal(rl.delayFor('lead'), 2500);
    assert.equal(rl.delayFor('activity'), 0);
    let done = false;
    const p = rl.acquire('lead').then((w) => {
      done = true;
      return w;
    });
    await settle();
    assert.equal(done, false);
    assert.equal(await rl.acquire('activity'), 0, 'another group goes at once');
    clock.advance(2000);
    await settle();
    assert.equal(done, false);
    clock.advance(600);
    await settle();
    assert.equal(done, true);
    assert.ok((await p) >= 2500);
  });

  it('block() never shortens an existing block', () => {
    const clock = new FakeClock();
    const rl = new RateLimiter(clock);
    rl.block('lead', 5000);
    rl.block('lead', 1000);
    assert.equal(rl.delayFor('lead'), 5000);
  });
});

describe('RateLimiter: budgets learned from limit=', () => {
  it('keeps at most `limit` starts of a group in any window, with several in flight', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(clock);
    // Close says: 3 per window (1 s), plenty remaining.
    await limiter.acquire('lead');
    limiter.release('lead', {limit: 3, remaining: 50, resetSeconds: 1});
    const starts: number[] = [clock.now()];
    for (let i = 0; i < 8; i++) {
      await limiter.acquire('lead');
      starts.push(clock.now());
    }
    for (let i = 3; i < starts.length; i++) {
      assert.ok(starts[i] - starts[i - 3] >= 1000, `starts ${i - 3} and ${i} are ${starts[i] - starts[i - 3]} ms apart`);
    }
  });

  it('keeps all groups together under the organization limit, 3 × the group limit', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(clock);
    const groups = ['lead', 'activity', 'task', 'contact', 'event'];
    for (const g of groups) {
      await limiter.acquire(g);
      limiter.release(g, {limit: 2, remaining: 100, resetSeconds: 1});
    }
    const starts: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (const g of groups) {
        await limiter.acquire(g);
        starts.push(clock.now());
      }
    }
    const all = [...starts].sort((a, b) => a - b);
    for (let i = 6; i < all.length; i++) {
      assert.ok(all[i] - all[i - 6] >= 1000, `more than 6 starts within a second around ${all[i]}`);
    }
  });

  it('an organization 429 holds every group', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(clock);
    limiter.blockAll(2000);
    assert.ok(limiter.delayFor('lead') >= 1999);
    assert.ok(limiter.delayFor('user') >= 1999);
    await limiter.acquire('user');
    assert.ok(clock.now() >= 2000);
  });
});

describe('RateLimiter: answers without RateLimit headers', () => {
  it('holds back the first burst only until the first answer, then does not pace by time at all', async () => {
    const clock = new FakeClock(0);
    const limiter = new RateLimiter(clock);
    // Slow start lets one request per group go before its first answer; many groups: the organization budget holds.
    for (let i = 0; i < 10; i++) await limiter.acquire(`group${i}`);
    assert.ok(limiter.delayFor('group10') > 0, 'an 11th request before any answer waits');
    limiter.release('group0', undefined);
    for (let i = 0; i < 100; i++) {
      assert.equal(limiter.delayFor('activity'), 0);
      await limiter.acquire('activity');
      limiter.release('activity', undefined);
    }
    assert.equal(clock.now(), 0, 'no waiting once Close answered without limits');
  });
});

/** Starts acquire() and tells whether it resolved, without waiting for it. */
function pending(p: Promise<number>): {done: () => boolean; p: Promise<number>} {
  let resolved = false;
  void p.then(() => (resolved = true));
  return {done: () => resolved, p};
}

describe('RateLimiter: slow start per endpoint group', () => {
  it('one request in flight per group before its first answer; each answer lets one more go', async () => {
    const clock = new ManualClock();
    const rl = new RateLimiter(clock);
    await rl.acquire('lead');
    const second = pending(rl.acquire('lead'));
    assert.equal(await rl.acquire('activity'), 0, 'another group has its own slow start');
    await settle();
    assert.equal(second.done(), false, 'a second lead request waits for the first answer');
    rl.release('lead', undefined); // an answer without headers: allowance 2
    await settle();
    assert.equal(second.done(), true);
    // Allowance 2, one in flight: one more goes, the next waits.
    await rl.acquire('lead');
    const fourth = pending(rl.acquire('lead'));
    await settle();
    assert.equal(fourth.done(), false);
    rl.release('lead', undefined); // allowance 3, in flight 1: room for two
    await settle();
    assert.equal(fourth.done(), true);
    assert.deepEqual(clock.sleeps, [], 'slow start waits for answers, never for time');
  });

  it('an answer announcing the limit ends slow start: pacing by limit takes over', async () => {
    const clock = new ManualClock();
    const rl = new RateLimiter(clock);
    await rl.acquire('lead');
    rl.release('lead', {limit: 5, remaining: 4, resetSeconds: 1});
    for (let i = 0; i < 4; i++) assert.equal(await rl.acquire('lead'), 0, `request ${i + 2} goes with others in flight`);
    assert.ok(rl.delayFor('lead') > 0, 'the sixth waits for the window: remaining was 4');
  });

  it('a network failure is no answer: it frees the slot but neither grows the allowance nor ends the organization slow start', async () => {
    const clock = new ManualClock();
    const rl = new RateLimiter(clock);
    await rl.acquire('lead');
    const second = pending(rl.acquire('lead'));
    rl.failed('lead');
    await settle();
    assert.equal(second.done(), true, 'the failed request freed its slot');
    const third = pending(rl.acquire('lead'));
    await settle();
    assert.equal(third.done(), false, 'still one in flight at a time: a failure taught nothing');
    // The organization's first-window budget still applies: no answer yet.
    for (let i = 0; i < 8; i++) await rl.acquire(`g${i}`);
    assert.ok(rl.delayFor('other') > 0, 'the organization slow start is still on after failures');
    rl.failed('lead');
    await settle();
  });

  it('a 429 drops the group back to one request in flight', async () => {
    const clock = new ManualClock();
    const rl = new RateLimiter(clock);
    await rl.acquire('lead');
    rl.release('lead', undefined);
    rl.release('lead', undefined); // allowance 3
    await rl.acquire('lead');
    rl.throttled('lead');
    const next = pending(rl.acquire('lead'));
    await settle();
    assert.equal(next.done(), false, 'one is in flight, the allowance is back at 1');
    rl.release('lead', undefined, false); // the 429 itself: no growth, but frees the slot
    await settle();
    assert.equal(next.done(), true);
  });
});

describe('RateLimiter: 429s without a usable hint', () => {
  it('back off exponentially per group, capped, jittered, and reset after a success', () => {
    const clock = new FakeClock(0);
    const rl = new RateLimiter(clock);
    const policy = {baseMs: 1000, capMs: 30_000};
    const low = () => 0;
    const high = () => 0.999999;
    const lows = Array.from({length: 8}, () => rl.hintless429('user', policy, low));
    assert.deepEqual(lows, [500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    assert.ok(rl.hintless429('user', policy, high) <= 30_000 && rl.hintless429('user', policy, high) > 29_000);
    assert.equal(rl.hintless429('lead', policy, low), 500, 'another group has its own count');
    rl.release('user', undefined, true);
    assert.equal(rl.hintless429('user', policy, low), 500, 'a success resets the count');
  });
});

describe('RateLimiter: which window an answer describes', () => {
  it('an answer with as many left as the last one opens a new window: it does not inherit the old, earlier end', async () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(clock);
    await limiter.acquire('lead');
    limiter.release('lead', {limit: 100, remaining: 9, resetSeconds: 1}, true, 0); // a window that ends by 1000
    clock.advance(200);
    await limiter.acquire('lead');
    limiter.release('lead', {limit: 100, remaining: 9, resetSeconds: 1}, true, 200); // as many left: a new one, ends by 1200
    clock.advance(100);
    await limiter.acquire('lead');
    limiter.release('lead', {limit: 100, remaining: 0, resetSeconds: 1}, true, 300); // that one is used up
    clock.advance(720); // 1020: past the first window's end, not the second's
    assert.ok(limiter.delayFor('lead') > 0, 'waits for the window that ends by 1200');
  });

  it('an answer that crossed a later one (sent earlier, more left) changes nothing', async () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(clock);
    await limiter.acquire('lead');
    limiter.release('lead', {limit: 100, remaining: 50, resetSeconds: 1}, true, 0);
    clock.advance(5);
    await limiter.acquire('lead');
    clock.advance(5);
    await limiter.acquire('lead');
    limiter.release('lead', {limit: 100, remaining: 0, resetSeconds: 1}, true, 10);
    limiter.release('lead', {limit: 100, remaining: 1, resetSeconds: 1}, true, 5);
    assert.ok(limiter.delayFor('lead') >= 900, `waits for the window to end (${limiter.delayFor('lead')} ms)`);
  });
});

describe('RateLimiter: at the limit of a fixed-window Close', () => {
  /**
   * A virtual-time model of Close's counter: fixed 1 s windows (at an
   * arbitrary phase), `limit` requests counted per window on arrival, the
   * `reset` rounded up to whole seconds (the docs' example format) or exact
   * (a decimal, which the docs allow), 150 ms each way. Four requests in
   * flight, as one stream keeps by default.
   */
  async function run(requests: number, reset: 'whole' | 'decimal'): Promise<{seconds: number; status429: number}> {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(clock);
    const LIMIT = 10;
    const PHASE = 137;
    const windowOf = (t: number) => Math.floor((t - PHASE) / 1000);
    let window = -1;
    let count = 0;
    let left = requests;
    let status429 = 0;
    const worker = async () => {
      while (left > 0) {
        left--;
        await limiter.acquire('activity');
        const sentAt = clock.now();
        await clock.sleep(150);
        const t = clock.now();
        if (windowOf(t) !== window) {
          window = windowOf(t);
          count = 0;
        }
        const exact = (PHASE + (window + 1) * 1000 - t) / 1000;
        const resetSeconds = reset === 'whole' ? Math.max(1, Math.ceil(exact)) : exact;
        const allowed = count < LIMIT;
        if (allowed) count++;
        const info = {limit: LIMIT, remaining: LIMIT - count, resetSeconds};
        await clock.sleep(150);
        if (allowed) limiter.release('activity', info, true, sentAt);
        else {
          status429++;
          left++;
          limiter.release('activity', info, false, sentAt);
          limiter.block('activity', resetSeconds * 1000);
        }
      }
    };
    const done = Promise.all([worker(), worker(), worker(), worker()]);
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      await settle();
      if (!finished && !clock.advanceToNext()) break;
    }
    await done;
    return {seconds: clock.now() / 1000, status429};
  }

  // Whole seconds say only that the window ends within a second of each
  // answer: the earliest such bound of a window is used, and late answers
  // about a window that is over are not taken for the next (7.5/s before).
  it('whole-second resets: at least 9.3 requests/s of 10, no 429', async () => {
    const {seconds, status429} = await run(300, 'whole');
    const rate = 300 / seconds;
    assert.ok(rate >= 9.3, `${rate.toFixed(2)} requests/s of 10 (${seconds.toFixed(1)} s for 300)`);
    assert.equal(status429, 0);
  });

  it('decimal resets: at least 9.3 requests/s of 10, no 429', async () => {
    const {seconds, status429} = await run(300, 'decimal');
    const rate = 300 / seconds;
    assert.ok(rate >= 9.3, `${rate.toFixed(2)} requests/s of 10 (${seconds.toFixed(1)} s for 300)`);
    assert.equal(status429, 0);
  });
});
