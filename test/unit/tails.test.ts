import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {SyncMode} from 'faros-airbyte-cdk';
import {parseConfig} from '../../src/config/config';
import {Activities} from '../../src/streams/activities';
import {EventLog} from '../../src/streams/event-log';
import {LeadsQuery as Leads} from '../../src/streams/leads-query';
import {Opportunities} from '../../src/streams/opportunities';
import {CloseStream, StreamContext} from '../../src/streams/stream-base';
import {MAX_TAILS, TAIL_MEMORY, TailPlan} from '../../src/streams/tails';
import {Tasks} from '../../src/streams/tasks';
import {Micros, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, formatInstant, parseInstant} from '../../src/time/instant';
import {API_KEY, FakeClock, newClient, seededRandom, silentLogger} from './helpers/fakes';
import {LiveClose, Rec, ResourceOptions, SeenRequest} from './helpers/live-close';

/**
 * Full refresh of date_updated-keyed streams: a record edited before the scan
 * reaches it moves past the sync's start, so the sync reads on past its range
 * ("tails", src/streams/tails.ts) while tails bring records, at most
 * MAX_TAILS; a tail that finds nothing costs one request.
 */

const T0 = parseInstant('2024-06-01T12:00:00.400000Z')!;

interface Case {
  name: string;
  path: string;
  resource: ResourceOptions;
  make: (ctx: StreamContext) => CloseStream;
  /** How far the stream's range reaches past the start: to the next whole quantum (a minute for the lead query language). */
  quantum: Micros;
}

const CASES: Case[] = [
  {name: 'leads', path: '/lead/', resource: {kind: 'query', order: '-date_updated', totalResults: true}, make: (c) => new Leads(c), quantum: MICROS_PER_MINUTE},
  {name: 'opportunities', path: '/opportunity/', resource: {kind: 'filtered', order: '-date_created', totalResults: true, filterPrecision: MICROS_PER_SECOND}, make: (c) => new Opportunities(c), quantum: MICROS_PER_SECOND},
  {name: 'tasks', path: '/task/', resource: {kind: 'filtered', order: '-date_created'}, make: (c) => new Tasks(c), quantum: MICROS_PER_SECOND},
  {name: 'event_log', path: '/event/', resource: {kind: 'events', order: '-date_updated'}, make: (c) => new EventLog(c), quantum: MICROS_PER_SECOND},
];

/** Records over the two hours before the sync, a fifth of them in its last minute. */
function dataset(n: number, prefix: string, seed = 1): Rec[] {
  const rnd = seededRandom(seed);
  return [...Array(n)].map((_, i) => {
    const back = rnd() < 0.2 ? Math.floor(rnd() * MICROS_PER_MINUTE) : Math.floor(rnd() * 2 * MICROS_PER_HOUR);
    const t = formatInstant(T0 - back - MICROS_PER_SECOND);
    return {id: `${prefix}_${String(i).padStart(4, '0')}`, date_created: t, date_updated: t, rev: 0};
  });
}

function context(close: LiveClose, concurrency: number): StreamContext {
  return {
    client: newClient(close.transport, new FakeClock()),
    config: parseConfig({api_key: API_KEY, start_date: '2024-01-01', max_requests_per_stream: concurrency}),
    syncStartedAt: Math.ceil(close.now() / MICROS_PER_SECOND) * MICROS_PER_SECOND,
    now: () => close.now(),
    logger: silentLogger as any,
  };
}

/** One request at a time makes window sizes, and so request counts, the same from run to run. */
async function read(c: Case, close: LiveClose, mode: SyncMode, concurrency = 3): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const item of c.make(context(close, concurrency)).readItems(mode, undefined)) if ('record' in item) out.push(item.record as Rec);
  return out;
}

/** The exclusive (or, for the event log, inclusive) upper bound a request asked for, if it carried one. */
function upperOf(req: SeenRequest, key = 'date_updated'): Micros | undefined {
  const p = req.params;
  if (p.query !== undefined) {
    const m = new RegExp(`${key}<"([^"]+)"`).exec(String(p.query));
    return m ? parseInstant(m[1]) : undefined;
  }
  return parseInstant(p[`${key}__lt`] ?? p[`${key}__lte`]);
}

/** Where the sync's range ends: the next whole quantum after its start. */
function rangeEnd(c: Pick<Case, 'quantum'>): Micros {
  return Math.ceil(T0 / c.quantum) * c.quantum;
}

/** Requests that read past the sync's range. */
function pastTheStart(close: LiveClose, c: Pick<Case, 'path' | 'quantum'>, key = 'date_updated'): SeenRequest[] {
  return close.requestsTo(c.path).filter((r) => (upperOf(r, key) ?? -Infinity) > rangeEnd(c));
}

/** Far enough for an edit to land past any stream's range. */
const JUMP = 70 * MICROS_PER_SECOND;

function idsOnce(records: Rec[]): Map<string, Rec[]> {
  const by = new Map<string, Rec[]>();
  for (const r of records) by.set(r.id, [...(by.get(r.id) ?? []), r]);
  return by;
}

describe('full refresh reads on past the sync start (tails)', () => {
  for (const c of CASES) {
    it(`${c.name}: records edited before the scan reached them arrive, at their new version, once`, async () => {
      const close = new LiveClose(T0).resource(c.path, c.resource, dataset(900, c.name)).start();
      const all = close.records(c.path).sort((a, b) => parseInstant(a.date_updated)! - parseInstant(b.date_updated)!);
      // Before the first answer: the oldest records (read first) and one in the sync's last minute move past the start.
      const moved = [all[0].id, all[1].id, all[all.length - 1].id];
      close.between = ({n}) => {
        if (n !== 0) return;
        close.advance(JUMP);
        for (const id of moved) close.edit(c.path, id, {rev: 1});
      };
      const got = idsOnce(await read(c, close, SyncMode.FULL_REFRESH));
      assert.ok(pastTheStart(close, c).length >= 1, `${c.name}: a tail`);
      for (const r of close.records(c.path)) assert.ok(got.has(r.id), `${c.name}: ${r.id} missing`);
      for (const id of moved) {
        assert.deepEqual(got.get(id)!.map((r) => r.rev), [1], `${c.name}: ${id} arrives once, edited`);
      }
      const dupes = [...got].filter(([, rs]) => rs.length > 1).map(([id]) => id);
      assert.deepEqual(dupes, [], `${c.name}: records emitted twice`);

      // Incremental syncs read no tail: the next sync reads those records from the committed cursor.
      const inc = new LiveClose(T0).resource(c.path, c.resource, dataset(900, c.name)).start();
      inc.between = ({n}) => {
        if (n !== 0) return;
        inc.advance(JUMP);
        for (const id of moved) inc.edit(c.path, id, {rev: 1});
      };
      await read(c, inc, SyncMode.INCREMENTAL);
      assert.deepEqual(pastTheStart(inc, c), [], `${c.name}: an incremental sync reads no tail`);
    });

    it(`${c.name}: a quiet account pays one request for the tail, and no record twice`, async () => {
      const data = dataset(900, c.name, 2);
      const incremental = new LiveClose(T0).resource(c.path, c.resource, data).start();
      const inc = await read(c, incremental, SyncMode.INCREMENTAL, 1);
      const full = new LiveClose(T0).resource(c.path, c.resource, data).start();
      const fr = await read(c, full, SyncMode.FULL_REFRESH, 1);
      // At most one more: the tail's range is the scan's last one, read apart (the margin, where the scan stops).
      assert.ok(full.seen.length <= incremental.seen.length + 1, `${c.name}: ${full.seen.length} requests for a full refresh, ${incremental.seen.length} for an incremental sync`);
      assert.deepEqual(fr.map((r) => r.id).sort(), inc.map((r) => r.id).sort());
      assert.equal(new Set(fr.map((r) => r.id)).size, fr.length);
    });

    it(`${c.name}: a record edited again while a tail runs arrives with the next tail`, async () => {
      const close = new LiveClose(T0).resource(c.path, c.resource, dataset(600, c.name, 3)).start();
      const [r1, r2] = close.records(c.path).map((r) => r.id);
      let tailSeen = false;
      close.between = ({n, params}) => {
        if (n === 0) {
          close.advance(JUMP);
          close.edit(c.path, r1, {rev: 1});
          close.edit(c.path, r2, {rev: 1});
          return;
        }
        // The first request past the range: r1 moves again, past the tail being answered.
        const req = {n, path: c.path, params, ids: [], status: 200};
        if (!tailSeen && (upperOf(req) ?? 0) > rangeEnd(c)) {
          tailSeen = true;
          close.advance(JUMP);
          close.edit(c.path, r1, {rev: 2});
        }
      };
      const got = idsOnce(await read(c, close, SyncMode.FULL_REFRESH));
      assert.ok(tailSeen, 'a tail ran');
      assert.deepEqual(got.get(r2)?.map((r) => r.rev), [1]);
      assert.deepEqual(got.get(r1)?.map((r) => r.rev), [2], `${c.name}: r1 in its second edit`);
      assert.ok(pastTheStart(close, c).length >= 2, 'two tails');
    });

    it(`${c.name}: an account edited without pause ends after ${MAX_TAILS} tails`, async () => {
      const close = new LiveClose(T0).resource(c.path, c.resource, dataset(300, c.name, 4)).start();
      const rnd = seededRandom(9);
      close.between = ({n}) => {
        if (n === 0) return;
        close.advance(c.quantum + MICROS_PER_SECOND);
        const all = close.records(c.path);
        close.edit(c.path, all[Math.floor(rnd() * all.length)].id, {rev: n});
      };
      await read(c, close, SyncMode.FULL_REFRESH);
      const tails = new Set(pastTheStart(close, c).map((r) => upperOf(r)));
      assert.equal(tails.size, MAX_TAILS, `${c.name}: distinct tail ranges`);
    });
  }

  it(`leads: a bulk import in the settle margin, more than the tail memory holds, arrives once`, async () => {
    const c = CASES[0];
    // TAIL_MEMORY + 500 leads created in the 50 s before the sync, inside the stream's one-minute margin.
    const n = TAIL_MEMORY + 500;
    const bulk = [...Array(n)].map((_, i) => {
      const t = formatInstant(T0 - 50 * MICROS_PER_SECOND + Math.floor((i * 49 * MICROS_PER_SECOND) / n));
      return {id: `bulk_${String(i).padStart(5, '0')}`, date_created: t, date_updated: t, rev: 0};
    });
    const close = new LiveClose(T0).resource(c.path, c.resource, [...dataset(300, c.name, 5), ...bulk]).start();
    close.maxRequests = 1000;
    const got = idsOnce(await read(c, close, SyncMode.FULL_REFRESH));
    assert.equal(got.size, n + 300, 'every record');
    const dupes = [...got].filter(([, rs]) => rs.length > 1).length;
    assert.equal(dupes, 0, `${dupes} records emitted twice`);
  });

  it('activities (date_created: edits do not move them) read no tail', async () => {
    const c: Case = {name: 'activities', path: '/activity/', resource: {kind: 'filtered', order: '-date_created'}, make: (ctx) => new Activities(ctx), quantum: MICROS_PER_SECOND};
    const data = dataset(500, 'acti').map((a) => ({...a, _type: 'Note'}));
    const close = new LiveClose(T0).resource('/activity/', {kind: 'filtered', order: '-date_created'}, data).start();
    close.between = ({n}) => {
      if (n === 0) close.advance(JUMP);
      close.edit('/activity/', data[n % data.length].id);
    };
    const got = await read(c, close, SyncMode.FULL_REFRESH);
    assert.deepEqual(pastTheStart(close, c, 'date_created'), []);
    assert.equal(new Set(got.map((r) => r.id)).size, data.length);
  });
});

describe('TailPlan', () => {
  const q = MICROS_PER_SECOND;

  it('starts where the scan ends, the quantum before the start less the margin, and ends at the quantum after now', () => {
    const plan = new TailPlan(10.4 * q, q, 2 * q);
    assert.equal(plan.firstFrom, 8 * q);
    assert.deepEqual(plan.next(13.2 * q), {from: 8 * q, to: 14 * q});
  });

  it('runs a second tail only after a record edited during the read before it, from just before the previous tail started', () => {
    const plan = new TailPlan(10 * q, q, 0);
    assert.deepEqual(plan.next(12.5 * q), {from: 10 * q, to: 13 * q});
    assert.equal(plan.isNew('margin', 9.5 * q), true, 'a record from before the start: new, but no edit during the scan');
    assert.equal(plan.next(13 * q), undefined, 'nothing edited during the scan: done');

    const busy = new TailPlan(10 * q, q, 0);
    busy.next(12.5 * q);
    assert.equal(busy.isNew('b', 12.2 * q), true);
    assert.equal(busy.isNew('b', 12.2 * q), false, 'the same version once');
    assert.equal(busy.isNew('b', 12.4 * q), true, 'a newer version of it');
    assert.deepEqual(busy.next(14.5 * q), {from: 12 * q, to: 15 * q});
    assert.equal(busy.isNew('b', 12.4 * q), false, 'the overlap with the previous tail: remembered');
    assert.equal(busy.isNew('c', 12.1 * q), true, 'a record the previous tail did not see (Close showed it late)');
    assert.equal(busy.count, 2);
  });

  it('remembers only what the next tail can read again: a bulk import before the start fills no memory', () => {
    const plan = new TailPlan(100 * q, q, 5 * q);
    assert.equal(plan.firstFrom, 95 * q, 'the scan ends at the start less the margin');
    plan.next(200 * q);
    for (let i = 0; i <= TAIL_MEMORY; i++) assert.equal(plan.isNew(`bulk${i}`, 96 * q + i), true);
    assert.equal(plan.isNew('edited', 150 * q), true);
    assert.ok(plan.next(201 * q), 'the memory held: a second tail runs');
  });

  it('stops after MAX_TAILS, and tells whether the last tail was still busy', () => {
    const plan = new TailPlan(0, q, 0);
    for (let i = 0; i < MAX_TAILS; i++) {
      assert.ok(plan.next((i + 1) * 10 * q), `tail ${i + 1}`);
      plan.isNew(`r${i}`, (i + 1) * 10 * q);
    }
    assert.equal(plan.next(100 * q), undefined);
    assert.equal(plan.endedBusy, true);
  });

  it('past its memory, no further tail runs', () => {
    const plan = new TailPlan(10 * q, q, 0);
    assert.ok(plan.next(20 * q));
    for (let i = 0; i <= TAIL_MEMORY; i++) plan.isNew(`r${i}`, 20.5 * q);
    assert.equal(plan.next(21 * q), undefined);
  });
});
