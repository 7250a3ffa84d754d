import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {readEvents} from '../../src/readers/event-cursor-reader';
import {MICROS_PER_MINUTE, MICROS_PER_SECOND, formatInstant, parseInstant} from '../../src/time/instant';
import {FakeClock, newClient, seededRandom} from './helpers/fakes';
import {HookContext, LiveClose, Rec, ResourceOptions} from './helpers/live-close';
import {Oracle, drain} from './helpers/oracle';

/**
 * The event log's cursor walk while Close changes between two pages. Close
 * documents cursors as "events before the given ID" and nothing more: these
 * fakes keep a cursor as a position, as an event id whose event may since
 * have been consolidated (its date_updated moved to now), refuse cursors
 * (expired), or stop handing them out early. Every event that stayed
 * unchanged inside the range must arrive, once.
 */

const PATH = '/event/';
const BASE = parseInstant('2024-05-01T12:00:00Z')!;
const NOW = BASE + 120 * MICROS_PER_MINUTE;
const LOWER = BASE + 10 * MICROS_PER_MINUTE;
const UPPER = BASE + 100 * MICROS_PER_MINUTE;

/** Events over 2 hours with a burst: a quarter of them in one second (a bulk edit), some sharing one millisecond. */
function dataset(seed: number, n: number): Rec[] {
  const rnd = seededRandom(seed);
  const burst = BASE + 40 * MICROS_PER_MINUTE + 500_000;
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    const c = rnd();
    const t = c < 0.25 ? burst + Math.floor(rnd() * 900) * 1000 : c < 0.28 ? burst : BASE + Math.floor(rnd() * 110 * MICROS_PER_MINUTE);
    out.push({id: `ev_${String(i).padStart(4, '0')}`, date_created: formatInstant(t), date_updated: formatInstant(t), object_type: 'lead', action: 'updated'});
  }
  return out;
}

async function run(o: {
  records: Rec[];
  cursor?: ResourceOptions['cursor'];
  walkCap?: number;
  precision?: number;
  between?: (ctx: HookContext) => void;
  pageSize?: number;
}) {
  const close = new LiveClose(NOW)
    .resource(PATH, {kind: 'events', order: '-date_updated', cursor: o.cursor, walkCap: o.walkCap, filterPrecision: o.precision}, o.records)
    .start();
  close.between = o.between;
  const oracle = new Oracle(close, PATH, {key: 'date_updated', lower: LOWER, upper: UPPER});
  const result = await drain(
    readEvents({client: newClient(close.transport, new FakeClock()), stream: 'event_log', pageSize: o.pageSize ?? 50, lower: LOWER, upper: UPPER}),
    oracle,
    {key: 'date_updated', checkpointEveryPage: false}
  );
  return {close, oracle, result};
}

const inRange = (records: Rec[]) =>
  records.filter((r) => {
    const k = parseInstant(r.date_updated)!;
    return k >= LOWER && k < UPPER;
  }).length;

describe('readEvents while Close changes between two pages', () => {
  const records = dataset(5, 600);

  it('quiet: every event once, one cursor page after another', async () => {
    const {close, oracle, result} = await run({records});
    assert.equal(result.error, undefined);
    oracle.assertSound();
    assert.equal(oracle.duplicates(), 0);
    assert.equal(oracle.emitted.size, inRange(records));
    assert.ok(close.seen.length <= Math.ceil(inRange(records) / 50) + 2, `${close.seen.length} requests`);
    assert.ok(close.seen.slice(1).every((s) => s.params._cursor !== undefined));
  });

  it('cursors expire before pages 2, 5 and 9: the walk starts again below the oldest event read, nothing lost or repeated', async () => {
    const {close, oracle, result} = await run({records, between: ({n, close: c}) => [2, 5, 9].includes(n) && c.expireCursors()});
    assert.equal(result.error, undefined);
    oracle.assertSound();
    assert.equal(oracle.duplicates(), 0);
    const fresh = close.seen.filter((s) => s.params._cursor === undefined);
    assert.equal(fresh.length, 4, 'the first request and one per refused cursor');
    assert.ok(fresh.slice(1).every((s) => s.params.date_updated__lte !== undefined));
  });

  it('Close refuses every cursor: the whole range is read by date queries, to the instant or to the second', async () => {
    for (const precision of [1, MICROS_PER_SECOND]) {
      // Without cursors a second can only be got past if it holds fewer events than a page.
      const {oracle, result} = await run({records: dataset(5, 150), cursor: 0, precision});
      assert.equal(result.error, undefined, String(result.error));
      oracle.assertSound(`filter precision ${precision} µs`);
      assert.equal(oracle.duplicates(), 0);
    }
  });

  it('Close truncates date filters to the second: restarts round up and lose nothing', async () => {
    const {oracle, result} = await run({records, precision: MICROS_PER_SECOND, between: ({n, close: c}) => n % 7 === 2 && c.expireCursors()});
    assert.equal(result.error, undefined);
    oracle.assertSound();
    assert.equal(oracle.duplicates(), 0);
  });

  it('a cursor anchored on an event that is consolidated (moves to now) before the next page: the jump back is noticed', async () => {
    const {close, oracle, result} = await run({
      records,
      cursor: 'anchor',
      between: ({n, close: c}) => {
        const last = c.lastAnswer(PATH);
        if (n % 3 === 1 && last.length) c.edit(PATH, last[last.length - 1]);
      },
    });
    assert.equal(result.error, undefined);
    oracle.assertSound();
    assert.ok(close.seen.length < 4 * (inRange(records) / 50 + 2), `${close.seen.length} requests`);
  });

  it('a cursor anchored on an event that left the log (400): the walk starts again', async () => {
    const {oracle, result} = await run({
      records,
      cursor: 'anchor',
      between: ({n, close: c}) => {
        const last = c.lastAnswer(PATH);
        if (n % 4 === 2 && last.length) c.remove(PATH, last[last.length - 1]);
      },
    });
    assert.equal(result.error, undefined);
    oracle.assertSound();
  });

  it('events not yet read are consolidated (move to now, out of the range): the others all arrive', async () => {
    const rnd = seededRandom(3);
    const {oracle, result} = await run({
      records,
      between: ({close: c}) => {
        const all = c.records(PATH);
        for (let i = 0; i < 3; i++) c.edit(PATH, all[Math.floor(rnd() * all.length)].id);
      },
    });
    assert.equal(result.error, undefined);
    oracle.assertSound();
  });

  it('new events arrive during the walk (always newer): nothing lost', async () => {
    let made = 0;
    const {oracle, result} = await run({
      records,
      between: ({close: c}) => {
        for (let i = 0; i < 5; i++) c.create(PATH, {id: `new_${made++}`, object_type: 'lead', action: 'created'});
      },
    });
    assert.equal(result.error, undefined);
    oracle.assertSound();
  });

  it('a walk cut short (no cursor after 3 full pages): a date query from the oldest event finds the rest', async () => {
    const {close, oracle, result} = await run({records, walkCap: 3});
    assert.equal(result.error, undefined);
    oracle.assertSound();
    assert.equal(oracle.duplicates(), 0);
    assert.ok(close.seen.filter((s) => s.params._cursor === undefined).length >= Math.ceil(inRange(records) / 150));
  });

  it('a burst of 130 events in one second and cursors expiring inside it: each printed once', async () => {
    const burst = BASE + 40 * MICROS_PER_MINUTE;
    const events = [...Array(130)].map((_, i) => ({
      id: `ev_b${String(i).padStart(3, '0')}`,
      date_created: formatInstant(burst + (i % 7) * 1000),
      date_updated: formatInstant(burst + (i % 7) * 1000),
    }));
    const {oracle, result} = await run({records: events, pageSize: 20, between: ({n, close: c}) => n % 2 === 0 && c.expireCursors()});
    assert.equal(result.error, undefined);
    oracle.assertSound();
    assert.equal(oracle.duplicates(), 0);
    assert.equal(oracle.emitted.size, 130);
  });

  it('a refused cursor that keeps being refused with nothing new: an error after a few fresh starts, not a loop', async () => {
    // Every page is a full page of one instant's events and Close never gives a usable cursor.
    const t = formatInstant(BASE + 50 * MICROS_PER_MINUTE);
    const events = [...Array(60)].map((_, i) => ({id: `ev_s${String(i).padStart(2, '0')}`, date_created: t, date_updated: t}));
    const {close, result} = await run({records: events, cursor: 0});
    assert.ok(result.error, 'stops with an error');
    assert.match(result.error!.message, /fresh starts/);
    assert.ok(close.seen.length <= 10, `${close.seen.length} requests`);
  });
});

describe('readEvents under random changes (seeded property test)', () => {
  it('150 random runs: sound, bounded', async () => {
    const modes: ResourceOptions['cursor'][] = ['position', 'anchor', 2];
    for (let seed = 1; seed <= 150; seed++) {
      const rnd = seededRandom(seed * 15485863);
      const records = dataset(seed, 50 + Math.floor(rnd() * 400));
      const cursor = modes[Math.floor(rnd() * modes.length)];
      const walkCap = rnd() < 0.3 ? 1 + Math.floor(rnd() * 4) : undefined;
      const pageSize = 5 + Math.floor(rnd() * 46);
      const rate = rnd();
      let made = 0;
      const {close, oracle, result} = await run({
        records,
        cursor,
        walkCap,
        pageSize,
        between: ({close: c}) => {
          while (rnd() < rate * 0.6) {
            const all = c.records(PATH);
            const last = c.lastAnswer(PATH);
            const pick = rnd();
            if (pick < 0.3 && last.length) c.edit(PATH, last[last.length - 1]);
            else if (pick < 0.5) c.edit(PATH, all[Math.floor(rnd() * all.length)].id);
            else if (pick < 0.6 && last.length) c.remove(PATH, last[Math.floor(rnd() * last.length)]);
            else if (pick < 0.8) c.create(PATH, {id: `new_${made++}`});
            else c.expireCursors();
          }
        },
      });
      const label = `seed ${seed} (cursor ${cursor}, walk cap ${walkCap}, page ${pageSize})`;
      assert.equal(result.error, undefined, `${label}: ${result.error?.message}`);
      oracle.assertSound(label);
      assert.ok(close.seen.length < 10 * (records.length / pageSize + 3), `${label}: ${close.seen.length} requests`);
    }
  });
});

