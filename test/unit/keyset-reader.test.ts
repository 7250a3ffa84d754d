import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {readKeyset} from '../../src/readers/keyset-reader';
import {failureTypeOf} from '../../src/errors';
import {Micros, MICROS_PER_MINUTE, MICROS_PER_SECOND, formatInstant, parseInstant} from '../../src/time/instant';
import {fakeKeysetClose} from './helpers/fake-close';
import {FakeClock, newClient, res, scriptedTransport, seededRandom} from './helpers/fakes';

const BASE = parseInstant('2024-03-01T10:00:00Z')!;

/** Records with heavy ties: exact duplicates, same second with different micros, same minute. */
function makeRecords(seed: number, n: number): Record<string, any>[] {
  const rnd = seededRandom(seed);
  const out: Record<string, any>[] = [];
  // a few hot instants shared by many records (they straddle page boundaries)
  const hot = [BASE + 5 * MICROS_PER_SECOND, BASE + 61 * MICROS_PER_SECOND + 250_000, BASE + 3 * MICROS_PER_MINUTE];
  for (let i = 0; i < n; i++) {
    let t: Micros;
    const c = rnd();
    if (c < 0.35) t = hot[Math.floor(rnd() * hot.length)];
    else if (c < 0.6) t = BASE + Math.floor(rnd() * 8) * MICROS_PER_SECOND; // whole seconds
    else t = BASE + Math.floor(rnd() * 6 * MICROS_PER_MINUTE); // anywhere, microseconds
    const id = `rec_${Math.floor(rnd() * 1e9).toString(36)}_${i}`;
    out.push({id, date_updated: formatInstant(t), n: i});
  }
  return out;
}

async function readAll(
  records: Record<string, any>[],
  o: {direction: 'asc' | 'desc'; quantum: Micros; serverQuantum: Micros; pageSize: number; lower?: Micros; upper: Micros; skipCap?: number}
) {
  const transport = fakeKeysetClose(
    records,
    {path: '/thing/', key: 'date_updated', direction: o.direction, serverQuantum: o.serverQuantum, skipCap: o.skipCap ?? 10_000},
    o.quantum
  );
  const client = newClient(transport, new FakeClock());
  const got: Record<string, any>[] = [];
  let pages = 0;
  for await (const page of readKeyset({
    client,
    path: '/thing/',
    stream: 'things',
    pageSize: o.pageSize,
    key: 'date_updated',
    direction: o.direction,
    quantum: o.quantum,
    lower: o.lower,
    upper: o.upper,
    params: (b) => ({
      date_updated__gte: b.gte === undefined ? undefined : formatInstant(b.gte),
      date_updated__lt: formatInstant(b.lt),
    }),
  })) {
    pages++;
    assert.ok(page.length > 0, 'no empty pages are yielded');
    got.push(...page);
  }
  return {got, pages, seen: transport.seen};
}

function expectExactlyOnce(got: Record<string, any>[], records: Record<string, any>[], lower: Micros | undefined, upper: Micros) {
  const want = records.filter((r) => {
    const k = parseInstant(r.date_updated)!;
    return (lower === undefined || k >= lower) && k < upper;
  });
  const ids = got.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'no duplicates');
  assert.deepEqual([...ids].sort(), want.map((r) => r.id).sort(), 'no gaps, nothing outside [lower, upper)');
}

function expectOrdered(got: Record<string, any>[], direction: 'asc' | 'desc') {
  for (let i = 1; i < got.length; i++) {
    const a = parseInstant(got[i - 1].date_updated)!;
    const b = parseInstant(got[i].date_updated)!;
    assert.ok(direction === 'asc' ? a <= b : a >= b, `order broken at ${i}`);
  }
}

describe('readKeyset against a fake Close', () => {
  const cases: {name: string; quantum: Micros; serverQuantum: Micros}[] = [
    {name: 'quantum 1 s, server truncates to 1 s', quantum: MICROS_PER_SECOND, serverQuantum: MICROS_PER_SECOND},
    {name: 'quantum 60 s, server truncates to the minute', quantum: MICROS_PER_MINUTE, serverQuantum: MICROS_PER_MINUTE},
    {name: 'quantum 60 s, exact server', quantum: MICROS_PER_MINUTE, serverQuantum: 1},
    {name: 'quantum 1 s, exact server', quantum: MICROS_PER_SECOND, serverQuantum: 1},
  ];
  for (const direction of ['asc', 'desc'] as const) {
    for (const c of cases) {
      for (const pageSize of [2, 7, 50]) {
        it(`${direction}, ${c.name}, page ${pageSize}: every record exactly once`, async () => {
          const records = makeRecords(pageSize * 31 + c.quantum, 300);
          const upper = BASE + 10 * MICROS_PER_MINUTE;
          for (const lower of [undefined, BASE, BASE + 5 * MICROS_PER_SECOND, BASE + 61 * MICROS_PER_SECOND + 1, BASE + 90 * MICROS_PER_SECOND + 123_456]) {
            const {got, seen} = await readAll(records, {direction, pageSize, lower, upper, ...c});
            expectExactlyOnce(got, records, lower, upper);
            expectOrdered(got, direction);
            for (const s of seen) {
              assert.ok(s.skip < Math.max(1, s.tiesAtHead), `_skip ${s.skip} reaches past the ${s.tiesAtHead} ties it overlaps`);
              assert.equal(s.limit, pageSize);
            }
          }
        });
      }
    }
  }

  it('upper bound inside the data excludes later records (asc and desc)', async () => {
    const records = makeRecords(3, 200);
    const upper = BASE + 2 * MICROS_PER_MINUTE;
    for (const direction of ['asc', 'desc'] as const) {
      const {got} = await readAll(records, {direction, pageSize: 9, quantum: MICROS_PER_MINUTE, serverQuantum: MICROS_PER_MINUTE, upper, lower: BASE});
      expectExactlyOnce(got, records, BASE, upper);
    }
  });

  it('one instant shared by more records than several pages', async () => {
    const t = formatInstant(BASE + 7 * MICROS_PER_SECOND);
    const records = [...Array(95)].map((_, i) => ({id: `same_${String(i).padStart(3, '0')}`, date_updated: t}));
    for (const direction of ['asc', 'desc'] as const) {
      const {got, seen, pages} = await readAll(records, {
        direction,
        pageSize: 10,
        quantum: MICROS_PER_SECOND,
        serverQuantum: MICROS_PER_SECOND,
        upper: BASE + MICROS_PER_MINUTE,
      });
      expectExactlyOnce(got, records, undefined, BASE + MICROS_PER_MINUTE);
      // each continuation repeats one record of the page before: 9 new records a page after the first
      assert.equal(pages, 11);
      assert.deepEqual(
        seen.map((s) => s.skip),
        [0, 9, 18, 27, 36, 45, 54, 63, 72, 81, 90]
      );
    }
  });

  it('a deep skip is only needed for ties, so a skip cap is not reached', async () => {
    const records = makeRecords(11, 400);
    const {got, seen} = await readAll(records, {
      direction: 'desc',
      pageSize: 20,
      quantum: MICROS_PER_SECOND,
      serverQuantum: MICROS_PER_SECOND,
      upper: BASE + 10 * MICROS_PER_MINUTE,
      skipCap: 120,
    });
    expectExactlyOnce(got, records, undefined, BASE + 10 * MICROS_PER_MINUTE);
    assert.ok(Math.max(...seen.map((s) => s.skip)) <= 120);
  });
});

describe('readKeyset refuses broken pages', () => {
  async function run(bodies: unknown[], direction: 'asc' | 'desc' = 'asc') {
    const t = scriptedTransport(bodies.map((b) => res(200, b)));
    const client = newClient(t, new FakeClock());
    const got: Record<string, any>[] = [];
    try {
      for await (const page of readKeyset({
        client,
        path: '/thing/',
        stream: 'things',
        pageSize: 2,
        key: 'date_updated',
        direction,
        quantum: MICROS_PER_SECOND,
        upper: BASE + MICROS_PER_MINUTE,
        params: () => ({}),
      })) {
        got.push(...page);
      }
    } catch (err) {
      return {err: err as Error, got, requests: t.requests.length};
    }
    return {err: undefined, got, requests: t.requests.length};
  }
  const d = (s: number) => formatInstant(BASE + s * MICROS_PER_SECOND);

  it('has_more with an empty page → error, no loop', async () => {
    const {err, requests} = await run([{has_more: true, data: []}, {has_more: true, data: []}]);
    assert.ok(err);
    assert.match(err.message, /has_more but sent an empty page/);
    assert.equal(failureTypeOf(err), 'system_error');
    assert.equal(requests, 1);
  });

  it('pages that keep bringing only records already read (has_more stays true) → error after a few, no loop', async () => {
    const a = {id: 'a', date_updated: d(1)};
    const b = {id: 'b', date_updated: d(2)};
    const {err, requests} = await run([{has_more: true, data: [a, b]}, ...Array(20).fill({has_more: true, data: [b]})]);
    assert.ok(err);
    assert.match(err.message, /bring nothing new/);
    assert.ok(requests <= 8, `${requests} requests`);
  });

  it('page size 1 leaves no room for the overlap → error before any request', async () => {
    const t = scriptedTransport([]);
    const pages = readKeyset({
      client: newClient(t, new FakeClock()),
      path: '/thing/',
      stream: 'things',
      pageSize: 1,
      key: 'date_updated',
      direction: 'asc',
      quantum: MICROS_PER_SECOND,
      upper: BASE + MICROS_PER_MINUTE,
      params: () => ({}),
    });
    await assert.rejects(pages.next(), /no room for the overlap/);
    assert.equal(t.requests.length, 0);
  });

  it('record without an id → error', async () => {
    const {err} = await run([{has_more: false, data: [{date_updated: d(1)}]}]);
    assert.ok(err);
    assert.match(err.message, /without an id/);
  });

  it('record with a non-date key → error', async () => {
    const {err} = await run([{has_more: false, data: [{id: 'a', date_updated: 'yesterday'}]}]);
    assert.ok(err);
    assert.match(err.message, /not a date-time/);
  });

  it('out-of-order records → error (asc and desc)', async () => {
    const asc = await run([{has_more: false, data: [{id: 'a', date_updated: d(2)}, {id: 'b', date_updated: d(1)}]}], 'asc');
    assert.ok(asc.err);
    assert.match(asc.err.message, /out of date_updated order/);
    const desc = await run([{has_more: false, data: [{id: 'a', date_updated: d(1)}, {id: 'b', date_updated: d(2)}]}], 'desc');
    assert.ok(desc.err);
    assert.match(desc.err.message, /out of date_updated order/);
  });

  it('not a page → error', async () => {
    for (const body of [[], null, {data: 'x'}, '"hello"']) {
      const {err} = await run([body]);
      assert.ok(err, JSON.stringify(body));
      assert.match(err.message, /where a page/);
    }
  });
});
