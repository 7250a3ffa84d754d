import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {readKeyset} from '../../src/readers/keyset-reader';
import {Micros, MICROS_PER_MINUTE, MICROS_PER_SECOND, formatInstant, formatMinute, parseInstant} from '../../src/time/instant';
import {FakeClock, newClient, seededRandom} from './helpers/fakes';
import {HookContext, LiveClose, Rec, sortBy} from './helpers/live-close';
import {Oracle, drain} from './helpers/oracle';

/**
 * The keyset reader while Close changes between two of its pages: edits
 * (date_updated moves to now) and deletes of records already read and not
 * yet read, at, before and after the page boundary, inside and outside the
 * boundary quantum; quanta holding several pages; imports landing in the
 * quantum being read. Every scenario runs both orders, both quanta (1 s for
 * `__gte/__lt`, a minute for the lead query language) and two page sizes,
 * and checks the oracle: every record that stayed unchanged was emitted, and
 * no per-page checkpoint passed one that was not.
 */

const PATH = '/thing/';
const KEY = 'date_updated';
const BASE = parseInstant('2024-03-01T10:00:00Z')!;
/** Close's clock at the start: after every record, so that edits and creates sort last. */
const NOW = BASE + 30 * MICROS_PER_MINUTE;

interface Flavour {
  name: string;
  quantum: Micros;
  /** The lead query language (minute values) rather than `__gte/__lt` filters. */
  query: boolean;
  /** How Close truncates filter values (a guess either way: exact, or to the quantum). */
  precision: Micros;
}
const FLAVOURS: Flavour[] = [
  {name: '1 s quantum, filters truncated to the second', quantum: MICROS_PER_SECOND, query: false, precision: MICROS_PER_SECOND},
  {name: '1 s quantum, exact filters', quantum: MICROS_PER_SECOND, query: false, precision: 1},
  {name: 'minute quantum, lead query language', quantum: MICROS_PER_MINUTE, query: true, precision: 1},
];

/** Many ties: most records share a few seconds inside a few minutes, so quanta span several pages. */
function dataset(seed: number, n: number): Rec[] {
  const rnd = seededRandom(seed);
  const hotSeconds = [5, 6, 61, 62, 63, 130, 200].map((s) => BASE + s * MICROS_PER_SECOND);
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const c = rnd();
    const t =
      c < 0.5
        ? hotSeconds[Math.floor(rnd() * hotSeconds.length)] + Math.floor(rnd() * 4) * 1000 // same second, ms apart (or equal)
        : c < 0.6
          ? hotSeconds[0] // exactly equal keys
          : BASE + Math.floor(rnd() * 5 * MICROS_PER_MINUTE);
    out.push({id: `r${String(i).padStart(4, '0')}`, [KEY]: formatInstant(t), date_created: formatInstant(t - MICROS_PER_MINUTE)});
  }
  return out;
}

interface Run {
  direction: 'asc' | 'desc';
  flavour: Flavour;
  pageSize: number;
  records: Rec[];
  lower?: Micros;
  upper: Micros;
  between?: (ctx: HookContext) => void;
}

async function run(o: Run) {
  const order = (o.direction === 'desc' ? '-' : '') + KEY;
  const close = new LiveClose(NOW)
    .resource(PATH, {kind: o.flavour.query ? 'query' : 'filtered', order, filterPrecision: o.flavour.precision}, o.records)
    .start();
  close.between = o.between;
  const oracle = new Oracle(close, PATH, {key: KEY, lower: o.lower, upper: o.upper});
  const pages = readKeyset({
    client: newClient(close.transport, new FakeClock()),
    path: PATH,
    stream: 'things',
    pageSize: o.pageSize,
    key: KEY,
    direction: o.direction,
    quantum: o.flavour.quantum,
    lower: o.lower,
    upper: o.upper,
    params: (b) =>
      o.flavour.query
        ? {query: [b.gte === undefined ? '' : `${KEY}>="${formatMinute(b.gte)}"`, `${KEY}<"${formatMinute(b.lt)}"`, `sort:${order}`].filter(Boolean).join(' ')}
        : {[`${KEY}__gte`]: b.gte === undefined ? undefined : formatInstant(b.gte), [`${KEY}__lt`]: formatInstant(b.lt), _order_by: order},
  });
  const result = await drain(pages, oracle, {key: KEY, checkpointEveryPage: o.direction === 'asc'});
  return {close, oracle, result};
}

const keys = new Map<string, Micros>();
const keyOf = (r: Rec): Micros => {
  let k = keys.get(r[KEY]);
  if (k === undefined) keys.set(r[KEY], (k = parseInstant(r[KEY])!));
  return k;
};

/** Where the reader stands: the records of the last page, in Close's current order. */
function position(close: LiveClose, direction: 'asc' | 'desc', quantum: Micros) {
  const order = sortBy(close.records(PATH), (direction === 'desc' ? '-' : '') + KEY);
  const last = close.lastAnswer(PATH);
  const lastId = last[last.length - 1];
  const at = order.findIndex((r) => r.id === lastId);
  const q = (r: Rec) => Math.floor(keyOf(r) / quantum);
  const boundary = at >= 0 ? q(order[at]) : undefined;
  return {
    order,
    at,
    read: last.filter((id) => close.get(PATH, id)),
    /** Read records in the last record's quantum. */
    readInQuantum: last.filter((id) => {
      const r = close.get(PATH, id);
      return r && q(r) === boundary;
    }),
    readBeforeQuantum: last.filter((id) => {
      const r = close.get(PATH, id);
      return r && boundary !== undefined && q(r) !== boundary;
    }),
    unread: at >= 0 ? order.slice(at + 1) : [],
    unreadInQuantum: at >= 0 ? order.slice(at + 1).filter((r) => q(r) === boundary) : [],
    boundaryStart: boundary === undefined ? undefined : boundary * quantum,
  };
}

type Mutation = (close: LiveClose, p: ReturnType<typeof position>, rnd: () => number, quantum: Micros) => void;

/** Changes applied before every page, except those marked rare, applied before a few (imports faster than reading never end). */
const RARE = new Set(['an import lands in the boundary quantum']);

const MUTATIONS: Record<string, Mutation> = {
  'delete the last record read': (c, p) => p.read.length && c.remove(PATH, p.read[p.read.length - 1]),
  'edit the last record read': (c, p) => p.read.length && c.edit(PATH, p.read[p.read.length - 1]),
  'delete the first record read in the boundary quantum': (c, p) => p.readInQuantum.length && c.remove(PATH, p.readInQuantum[0]),
  'edit a record read in the boundary quantum': (c, p, rnd) =>
    p.readInQuantum.length && c.edit(PATH, p.readInQuantum[Math.floor(rnd() * p.readInQuantum.length)]),
  'delete three records read in the boundary quantum': (c, p) => p.readInQuantum.slice(-3).forEach((id) => c.remove(PATH, id)),
  'delete every record read in the boundary quantum': (c, p) => p.readInQuantum.forEach((id) => c.remove(PATH, id)),
  'delete a record read before the boundary quantum': (c, p) => p.readBeforeQuantum.length && c.remove(PATH, p.readBeforeQuantum[0]),
  'edit a record read before the boundary quantum': (c, p) => p.readBeforeQuantum.length && c.edit(PATH, p.readBeforeQuantum[0]),
  'delete the first unread record': (c, p) => p.unread.length && c.remove(PATH, p.unread[0].id),
  'edit the first unread record': (c, p) => p.unread.length && c.edit(PATH, p.unread[0].id),
  'delete an unread record inside the boundary quantum': (c, p) => p.unreadInQuantum.length > 1 && c.remove(PATH, p.unreadInQuantum[1].id),
  'delete an unread record past the boundary quantum': (c, p) => {
    const past = p.unread.filter((r) => !p.unreadInQuantum.includes(r));
    if (past.length) c.remove(PATH, past[0].id);
  },
  'an import lands in the boundary quantum': (c, p, rnd, quantum) => {
    if (p.boundaryStart === undefined) return;
    for (let i = 0; i < 25; i++) {
      const t = formatInstant(p.boundaryStart + Math.floor(rnd() * quantum));
      c.create(PATH, {id: `imp_${c.seen.length}_${i}`, [KEY]: t, date_created: t});
    }
  },
  'records are created now': (c) => {
    for (let i = 0; i < 3; i++) c.create(PATH, {id: `new_${c.seen.length}_${i}`});
  },
};

/** Edits and creates land inside the range for the first 200 requests (Close's clock moves 1 ms a request), as in the leads' last minute. */
const UPPER_FAR = NOW + 200 * 1000;
const UPPER_NEAR = BASE + 6 * MICROS_PER_MINUTE; // edits leave the range

describe('readKeyset while Close changes between two pages', () => {
  const records = dataset(7, 140);
  for (const direction of ['asc', 'desc'] as const) {
    for (const flavour of FLAVOURS) {
      for (const [name, mutate] of Object.entries(MUTATIONS)) {
        it(`${direction}, ${flavour.name}: ${name}, before ${RARE.has(name) ? 'pages 1, 3 and 6' : 'every page'}`, async () => {
          for (const pageSize of [3, 10]) {
            for (const upper of [UPPER_NEAR, UPPER_FAR]) {
              const rnd = seededRandom(pageSize);
              const {close, oracle, result} = await run({
                direction,
                flavour,
                pageSize,
                records,
                upper,
                lower: BASE + 5 * MICROS_PER_SECOND + 1500,
                between: ({n, close: c}) => {
                  if (n > 0 && (!RARE.has(name) || [1, 3, 6].includes(n))) mutate(c, position(c, direction, flavour.quantum), rnd, flavour.quantum);
                },
              });
              assert.equal(result.error, undefined, String(result.error?.stack));
              oracle.assertSound(`page ${pageSize}, upper ${formatInstant(upper)}`);
              assert.ok(close.seen.length < 30 * (records.length / (pageSize - 1) + 2), `${close.seen.length} requests`);
            }
          }
        });
      }
    }
  }

  it('quiet: every record exactly once, one repeated record per continuation, no retry', async () => {
    const records = dataset(3, 200);
    for (const direction of ['asc', 'desc'] as const) {
      for (const flavour of FLAVOURS) {
        const {close, oracle, result} = await run({direction, flavour, pageSize: 10, records, upper: UPPER_FAR});
        assert.equal(result.error, undefined);
        oracle.assertSound();
        assert.equal(oracle.duplicates(), 0);
        assert.equal(oracle.emitted.size, 200);
        // Without changes every continuation lines up at once: at most ceil((n - 1) / (page - 1)) requests.
        assert.ok(close.seen.length <= Math.ceil(199 / 9), `${direction} ${flavour.name}: ${close.seen.length} requests`);
      }
    }
  });

  it('a quantum of 95 records read 10 at a time while a read record is deleted before each page', async () => {
    const t = formatInstant(BASE + 7 * MICROS_PER_SECOND + 250_000);
    const records = [...Array(95)].map((_, i) => ({id: `same_${String(i).padStart(3, '0')}`, [KEY]: t}));
    for (const direction of ['asc', 'desc'] as const) {
      const {close, oracle, result} = await run({
        direction,
        flavour: FLAVOURS[0],
        pageSize: 10,
        records,
        upper: UPPER_FAR,
        between: ({n, close: c}) => {
          const read = c.lastAnswer(PATH).filter((id) => c.get(PATH, id));
          if (n > 0 && read.length) c.remove(PATH, read[0]);
        },
      });
      assert.equal(result.error, undefined);
      oracle.assertSound(direction);
      // One retry per continuation at most (one record gone, one step back).
      assert.ok(close.seen.length <= 2 * 12, `${close.seen.length} requests`);
    }
  });

  it('the old count-based continuation loses a record here; the overlap does not', async () => {
    // Page 1 reads a, b of second 5; b is deleted; `_skip=2` from second 5 would start after c.
    const at = (s: number, ms = 0) => formatInstant(BASE + s * MICROS_PER_SECOND + ms * 1000);
    const records = [
      {id: 'a', [KEY]: at(5, 1)},
      {id: 'b', [KEY]: at(5, 2)},
      {id: 'c', [KEY]: at(5, 3)},
      {id: 'd', [KEY]: at(5, 4)},
      {id: 'e', [KEY]: at(9)},
    ];
    const {close, oracle, result} = await run({
      direction: 'asc',
      flavour: FLAVOURS[0],
      pageSize: 2,
      records,
      upper: UPPER_FAR,
      between: ({n, close: c}) => n === 1 && c.remove(PATH, 'b'),
    });
    assert.equal(result.error, undefined);
    oracle.assertSound();
    assert.deepEqual([...oracle.emitted.keys()].sort(), ['a', 'b', 'c', 'd', 'e']);
    // The continuation at _skip=1 (b's place) found c, not read: one step back to _skip=0 found a.
    assert.deepEqual(
      close.seen.map((s) => s.params._skip),
      [0, 1, 0, 1, 2]
    );
  });
});

describe('readKeyset under random changes (seeded property test)', () => {
  it('300 random runs: sound, bounded', async () => {
    const names = Object.keys(MUTATIONS);
    let retried = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = seededRandom(seed * 7919);
      const direction = rnd() < 0.5 ? 'asc' : 'desc';
      const flavour = FLAVOURS[Math.floor(rnd() * FLAVOURS.length)];
      const pageSize = 2 + Math.floor(rnd() * 12);
      const records = dataset(seed, 20 + Math.floor(rnd() * 120));
      const rate = rnd();
      const lower = rnd() < 0.5 ? undefined : BASE + Math.floor(rnd() * 3 * MICROS_PER_MINUTE);
      const upper = rnd() < 0.5 ? UPPER_FAR : BASE + Math.floor((2 + rnd() * 4) * MICROS_PER_MINUTE);
      const {close, oracle, result} = await run({
        direction,
        flavour,
        pageSize,
        records,
        lower,
        upper,
        between: ({n, close: c}) => {
          if (n === 0) return;
          while (rnd() < rate * 0.8) {
            const name = names[Math.floor(rnd() * names.length)];
            if (RARE.has(name) && rnd() < 0.9) continue;
            MUTATIONS[name](c, position(c, direction, flavour.quantum), rnd, flavour.quantum);
          }
        },
      });
      const label = `seed ${seed} (${direction}, ${flavour.name}, page ${pageSize})`;
      assert.equal(result.error, undefined, `${label}: ${result.error?.message}`);
      oracle.assertSound(label);
      assert.ok(close.seen.length < 40 * (records.length / (pageSize - 1) + 2), `${label}: ${close.seen.length} requests`);
      if (close.seen.length > Math.ceil(records.length / (pageSize - 1)) + 1) retried++;
    }
    assert.ok(retried > 50, `the changes hit page boundaries in only ${retried} runs`);
  });
});
