import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {readAllPages} from '../../src/readers/offset-reader';
import {MICROS_PER_SECOND, formatInstant, parseInstant} from '../../src/time/instant';
import {FakeClock, newClient, seededRandom} from './helpers/fakes';
import {HookContext, LiveClose, Rec, sortBy} from './helpers/live-close';
import {Oracle, drain} from './helpers/oracle';

/**
 * Offset paging (contacts, users, definitions) while Close changes between
 * two pages, with pages fetched ahead concurrently: deletes before the
 * position shift every later row one place back (a plain `_skip = n * page`
 * jumps one), inserts shift them forward, edits move a record when the order
 * depends on date_updated. Every record that stayed unchanged must arrive.
 */

const PATH = '/contact/';
const BASE = parseInstant('2024-03-01T10:00:00Z')!;
const NOW = BASE + 3600 * MICROS_PER_SECOND;

function dataset(n: number): Rec[] {
  return [...Array(n)].map((_, i) => {
    const t = formatInstant(BASE + i * MICROS_PER_SECOND);
    return {id: `cont_${String(i).padStart(4, '0')}`, date_created: t, date_updated: t};
  });
}

/** Orders Close might use for an undocumented list: creation, newest first, or last update (edits move records). */
const ORDERS = ['date_created', '-date_created', 'date_updated'];

async function run(o: {order: string; pageSize: number; concurrency: number; records: Rec[]; between?: (ctx: HookContext) => void}) {
  const close = new LiveClose(NOW).resource(PATH, {kind: 'offset', order: o.order}, o.records).start();
  close.between = o.between;
  const oracle = new Oracle(close, PATH, {key: 'date_created', upper: Infinity});
  const result = await drain(
    readAllPages({client: newClient(close.transport, new FakeClock()), path: PATH, stream: 'contacts', pageSize: o.pageSize, concurrency: o.concurrency}),
    oracle,
    {key: 'date_created', checkpointEveryPage: false}
  );
  return {close, oracle, result};
}

type Mutation = (close: LiveClose, order: string, rnd: () => number) => void;

function position(close: LiveClose, order: string) {
  const list = sortBy(close.records(PATH), order);
  const last = close.lastAnswer(PATH);
  const at = list.findIndex((r) => r.id === last[last.length - 1]);
  return {list, at, read: last.filter((id) => close.get(PATH, id))};
}

let made = 0;
/**
 * Changes at the rate of reading would keep a scan busy for as long as they
 * last (a list that grows or reshuffles as fast as it is read): most run
 * before every other request, creates before three.
 */
const RARE = new Set(['create records now']);
const due = (name: string, n: number) => (RARE.has(name) ? [1, 3, 6].includes(n) : n % 2 === 1);

const MUTATIONS: Record<string, Mutation> = {
  'delete the last record answered': (c) => {
    const last = c.lastAnswer(PATH);
    if (last.length) c.remove(PATH, last[last.length - 1]);
  },
  'delete a record well before the position': (c, order, rnd) => {
    const {list, at} = position(c, order);
    if (at > 0) c.remove(PATH, list[Math.floor(rnd() * at)].id);
  },
  'delete two records before the position': (c, order) => {
    const {list, at} = position(c, order);
    for (const r of list.slice(Math.max(0, at - 1), at + 1)) c.remove(PATH, r.id);
  },
  'delete the first unanswered record': (c, order) => {
    const {list, at} = position(c, order);
    if (at >= 0 && list[at + 1]) c.remove(PATH, list[at + 1].id);
  },
  'edit the last record answered': (c) => {
    const last = c.lastAnswer(PATH);
    if (last.length) c.edit(PATH, last[last.length - 1]);
  },
  'edit a record before the position': (c, order, rnd) => {
    const {list, at} = position(c, order);
    if (at > 0) c.edit(PATH, list[Math.floor(rnd() * at)].id);
  },
  'insert a record just before the position': (c, order) => {
    const {list, at} = position(c, order);
    if (at < 1) return;
    const t = parseInstant(list[at].date_created)!;
    const near = formatInstant(t + (order.startsWith('-') ? 1 : -1));
    c.create(PATH, {id: `ins_${made++}`, date_created: near, date_updated: order === 'date_updated' ? list[at].date_updated : near});
  },
  'create records now': (c) => {
    for (let i = 0; i < 2; i++) c.create(PATH, {id: `new_${made++}`});
  },
};

describe('readAllPages while Close changes between two pages', () => {
  const records = dataset(90);
  for (const order of ORDERS) {
    for (const [name, mutate] of Object.entries(MUTATIONS)) {
      it(`order ${order}: ${name}, before ${RARE.has(name) ? 'requests 1, 3 and 6' : 'every other request'}`, async () => {
        for (const [pageSize, concurrency] of [
          [3, 1],
          [10, 1],
          [3, 4],
          [10, 4],
        ]) {
          const rnd = seededRandom(pageSize * 10 + concurrency);
          const {close, oracle, result} = await run({
            order,
            pageSize,
            concurrency,
            records,
            between: ({n, close: c}) => {
              if (due(name, n)) mutate(c, order, rnd);
            },
          });
          const label = `page ${pageSize}, concurrency ${concurrency}`;
          assert.equal(result.error, undefined, `${label}: ${result.error?.stack}`);
          oracle.assertSound(label);
          assert.ok(close.seen.length < 40 * (records.length / (pageSize - 1) + 2), `${label}: ${close.seen.length} requests`);
        }
      });
    }
  }

  it('quiet, concurrency 4: every record once, pages _skip = n * (page - 1), a few requests past the end at most', async () => {
    const {close, oracle, result} = await run({order: 'date_created', pageSize: 10, concurrency: 4, records: dataset(95)});
    assert.equal(result.error, undefined);
    oracle.assertSound();
    assert.equal(oracle.duplicates(), 0);
    assert.equal(oracle.emitted.size, 95);
    const skips = close.seen.map((s) => Number(s.params._skip));
    assert.deepEqual(skips.slice(0, 11), [0, 9, 18, 27, 36, 45, 54, 63, 72, 81, 90]);
    assert.ok(skips.length <= 11 + 3, `${skips.length} requests`);
  });

  it('the plain offset loses a row here; the overlap finds it again', async () => {
    // Page 1 = a b c; a is deleted; `_skip=3` would start at e, jumping d.
    const close = new LiveClose(NOW).resource(PATH, {kind: 'offset', order: 'date_created'}, dataset(6)).start();
    close.between = ({n, close: c}) => n === 1 && c.remove(PATH, 'cont_0000');
    const oracle = new Oracle(close, PATH, {key: 'date_created', upper: Infinity});
    const {error} = await drain(
      readAllPages({client: newClient(close.transport, new FakeClock()), path: PATH, stream: 'contacts', pageSize: 3}),
      oracle,
      {key: 'date_created', checkpointEveryPage: false}
    );
    assert.equal(error, undefined);
    oracle.assertSound();
    assert.deepEqual(
      close.seen.map((s) => s.params._skip),
      [0, 2, 1, 3]
    );
  });

  it('an insert of 300 rows before the position (more than is remembered): nothing lost', async () => {
    const {oracle, result} = await run({
      order: '-date_created',
      pageSize: 10,
      concurrency: 3,
      records: dataset(120),
      between: ({n, close: c}) => {
        if (n === 4) for (let i = 0; i < 300; i++) c.create(PATH, {id: `bulk_${i}`});
      },
    });
    assert.equal(result.error, undefined);
    oracle.assertSound();
  });
});

describe('readAllPages under random changes (seeded property test)', () => {
  it('200 random runs: sound, bounded', async () => {
    const names = Object.keys(MUTATIONS);
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = seededRandom(seed * 104729);
      const order = ORDERS[Math.floor(rnd() * ORDERS.length)];
      const pageSize = 2 + Math.floor(rnd() * 12);
      const concurrency = 1 + Math.floor(rnd() * 5);
      const records = dataset(10 + Math.floor(rnd() * 100));
      const rate = rnd();
      const {close, oracle, result} = await run({
        order,
        pageSize,
        concurrency,
        records,
        between: ({n, close: c}) => {
          if (n === 0 || rnd() > rate * 0.6) return;
          const name = names[Math.floor(rnd() * names.length)];
          if (!RARE.has(name) || rnd() < 0.1) MUTATIONS[name](c, order, rnd);
        },
      });
      const label = `seed ${seed} (${order}, page ${pageSize}, concurrency ${concurrency})`;
      assert.equal(result.error, undefined, `${label}: ${result.error?.message}`);
      oracle.assertSound(label);
      assert.ok(close.seen.length < 60 * (records.length / (pageSize - 1) + 2), `${label}: ${close.seen.length} requests`);
    }
  });
});
