import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {SyncMode} from 'faros-airbyte-cdk';
import {parseConfig} from '../../src/config/config';
import {Activities} from '../../src/streams/activities';
import {ContactsScan as Contacts} from '../../src/streams/contacts-scan';
import {cursorCeiling} from '../../src/streams/cursor';
import {EventLog} from '../../src/streams/event-log';
import {Users} from '../../src/streams/full-scan-stream';
import {LeadsQuery as Leads, SEARCH_SETTLE_MARGIN} from '../../src/streams/leads-query';
import {Opportunities} from '../../src/streams/opportunities';
import {CloseStream, StreamContext} from '../../src/streams/stream-base';
import {Tasks} from '../../src/streams/tasks';
import {Micros, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, formatInstant, parseInstant} from '../../src/time/instant';
import {API_KEY, FakeClock, newClient, seededRandom, silentLogger} from './helpers/fakes';
import {LiveClose, Rec, ResourceOptions} from './helpers/live-close';
import {Oracle} from './helpers/oracle';

/**
 * Whole streams (windows read concurrently, per-page or per-window
 * checkpoints, committed cursors) while Close changes during the sync:
 * records edited (date_updated moves to now), deleted and created between
 * any two requests, many of them in the last minute before the sync, where
 * windows end. Two syncs: one with changes, then a quiet one from its state.
 * Checked:
 * - no checkpoint passes a record that was not emitted (at the moment it is taken);
 * - a committed cursor stays before the sync's start (less the stream's settle margin);
 * - after both syncs, the latest version of every record arrived.
 */

/** Close's clock when sync 1 starts: not on a whole second, as syncStartedAt rounds it up. */
const T0 = parseInstant('2024-06-01T12:00:00.400000Z')!;
const START_DATE = '2024-01-01';

interface StreamCase {
  name: string;
  path: string;
  resource: ResourceOptions;
  cursor: string;
  make: (ctx: StreamContext) => CloseStream;
  margin: Micros;
  /** What an edit does: activities keep date_created, and only some fields change. */
  edit: 'date_updated';
  /** The oldest key the sync reads (lookback, event retention), relative to the saved cursor. */
  rescan?: Micros;
}

const CASES: StreamCase[] = [
  {name: 'leads', path: '/lead/', resource: {kind: 'query', order: '-date_updated', totalResults: true}, cursor: 'date_updated', make: (c) => new Leads(c), margin: SEARCH_SETTLE_MARGIN, edit: 'date_updated'},
  {name: 'opportunities', path: '/opportunity/', resource: {kind: 'filtered', order: '-date_created', totalResults: true, filterPrecision: MICROS_PER_SECOND}, cursor: 'date_updated', make: (c) => new Opportunities(c), margin: 0, edit: 'date_updated'},
  {name: 'tasks', path: '/task/', resource: {kind: 'filtered', order: '-date_created'}, cursor: 'date_updated', make: (c) => new Tasks(c), margin: 0, edit: 'date_updated'},
  {name: 'activities', path: '/activity/', resource: {kind: 'filtered', order: '-date_created'}, cursor: 'date_created', make: (c) => new Activities(c), margin: 0, edit: 'date_updated', rescan: 24 * MICROS_PER_HOUR},
  {name: 'event_log', path: '/event/', resource: {kind: 'events', order: '-date_updated'}, cursor: 'date_updated', make: (c) => new EventLog(c), margin: 0, edit: 'date_updated', rescan: 5 * MICROS_PER_MINUTE},
  {name: 'users', path: '/user/', resource: {kind: 'offset', order: 'date_updated'}, cursor: 'date_updated', make: (c) => new Users(c), margin: 0, edit: 'date_updated'},
];

/** Records over the two hours before the sync: half of them in three seconds (more than a page each), many in its last minute. */
function dataset(seed: number, n: number, prefix: string): Rec[] {
  const rnd = seededRandom(seed);
  const hot = [T0 - 40 * MICROS_PER_SECOND, T0 - 3 * MICROS_PER_SECOND, T0 - 61 * MICROS_PER_MINUTE];
  return [...Array(n)].map((_, i) => {
    const c = rnd();
    const updated =
      c < 0.5 ? hot[Math.floor(rnd() * hot.length)] + Math.floor(rnd() * 5) * 1000 : c < 0.6 ? T0 - Math.floor(rnd() * MICROS_PER_MINUTE) : T0 - Math.floor(rnd() * 2 * MICROS_PER_HOUR);
    const created = updated - Math.floor(rnd() * 3) * MICROS_PER_SECOND * (rnd() < 0.5 ? 0 : 1000);
    return {id: `${prefix}_${String(i).padStart(4, '0')}`, date_created: formatInstant(Math.min(created, updated)), date_updated: formatInstant(updated), rev: 0};
  });
}

function context(close: LiveClose, syncStartedAt: Micros): StreamContext {
  return {
    client: newClient(close.transport, new FakeClock()),
    config: parseConfig({api_key: API_KEY, start_date: START_DATE, max_requests_per_stream: 3}),
    syncStartedAt,
    now: () => close.now(),
    logger: silentLogger as any,
  };
}

interface SyncResult {
  emitted: Map<string, Rec>;
  state: Record<string, unknown> | undefined;
  states: Record<string, unknown>[];
}

async function sync(c: StreamCase, close: LiveClose, state: Record<string, unknown> | undefined, oracle?: Oracle): Promise<SyncResult> {
  const syncStartedAt = Math.ceil(close.now() / MICROS_PER_SECOND) * MICROS_PER_SECOND;
  const stream = c.make(context(close, syncStartedAt));
  const emitted = new Map<string, Rec>();
  const states: Record<string, unknown>[] = [];
  const ceiling = cursorCeiling(syncStartedAt, c.margin);
  const saved = state ? parseInstant(state[c.cursor]) : undefined;
  for await (const item of stream.readItems(SyncMode.INCREMENTAL, state)) {
    if ('record' in item) {
      emitted.set(item.record.id, item.record as Rec);
      oracle?.emit([item.record as Rec]);
    } else if ('checkpoint' in item) {
      states.push(item.checkpoint);
      const value = parseInstant(item.checkpoint[c.cursor]);
      if (value !== undefined) {
        assert.ok(value <= Math.max(ceiling, saved ?? -Infinity), `${c.name}: checkpoint ${formatInstant(value)} past the ceiling ${formatInstant(ceiling)}`);
      }
      oracle?.checkpoint(value);
    }
  }
  return {emitted, state: states.at(-1), states};
}

/** Changes between requests: edits, deletes and creates, at `rate` per request. */
function liveChanges(c: StreamCase, close: LiveClose, seed: number, rate: number) {
  const rnd = seededRandom(seed);
  let made = 0;
  close.between = ({n}) => {
    if (n === 0) return;
    while (rnd() < rate) {
      const all = close.records(c.path);
      const last = close.lastAnswer(c.path);
      const pick = rnd();
      // Most changes hit what was just answered, its last record above all: the page boundary.
      const where = rnd();
      const target = last.length && where < 0.4 ? last[last.length - 1] : last.length && where < 0.6 ? last[Math.floor(rnd() * last.length)] : all[Math.floor(rnd() * all.length)]?.id;
      if (!target) continue;
      const r = close.get(c.path, target);
      if (!r) continue;
      if (pick < 0.45) close.edit(c.path, target, {rev: (r.rev ?? 0) + 1});
      else if (pick < 0.8) close.remove(c.path, target);
      else close.create(c.path, {id: `new_${seed}_${made++}`, rev: 0});
    }
  };
}

/** After both syncs: each record's last emitted copy is its current version (for activities: it arrived). */
function assertLatest(c: StreamCase, close: LiveClose, first: SyncResult, second: SyncResult) {
  const stale: string[] = [];
  for (const r of close.records(c.path)) {
    const got = second.emitted.get(r.id) ?? first.emitted.get(r.id);
    if (!got) stale.push(`${r.id} never emitted (${c.cursor} ${r[c.cursor]})`);
    else if (c.name !== 'activities' && got.date_updated !== r.date_updated) stale.push(`${r.id} emitted at ${got.date_updated}, now ${r.date_updated}`);
  }
  assert.deepEqual(stale.slice(0, 5), [], `${c.name}: ${stale.length} records without their latest version`);
}

describe('streams while Close changes during the sync, then a quiet sync from the saved state', () => {
  for (const c of CASES) {
    it(`${c.name}: nothing lost, no checkpoint past an unemitted record, cursors before the start`, async () => {
      for (const [seed, rate] of [
        [1, 0.3],
        [2, 0.8],
        [3, 1.5],
      ] as const) {
        const close = new LiveClose(T0).resource(c.path, c.resource, dataset(seed, 1200, c.name)).start();
        close.tick = 20 * 1000; // 20 ms a request: a sync runs into the minute after its start
        liveChanges(c, close, seed, rate / (1 + rate));
        const oracle = new Oracle(close, c.path, {key: c.cursor, upper: Infinity});
        const first = await sync(c, close, undefined, oracle);
        oracle.assertSound(`${c.name}, seed ${seed}`);
        assert.ok(first.state && first.state[c.cursor], `${c.name}: a state`);

        close.between = undefined;
        close.advance(10 * MICROS_PER_MINUTE);
        const second = await sync(c, close, first.state);
        assertLatest(c, close, first, second);
        for (const [a, b] of [[first.states.at(-1), second.states.at(-1)]]) {
          assert.ok(parseInstant(b![c.cursor])! >= parseInstant(a![c.cursor])!, `${c.name}: the state moved back`);
        }
      }
    });
  }

  it('contacts (full scan): a contact edited after it was read, then another before it is read, both reach the next sync', async () => {
    // Ordered by date_created, edits do not move: c0 is read in page 1 and edited at t1 afterwards;
    // c250 is edited at t2 > t1 before page 3 reads it. A cursor at t2 (the largest value read) would
    // make the next sync skip c0's edit; the committed cursor stays before the sync's start instead.
    const t = (i: number) => formatInstant(T0 - (400 - i) * MICROS_PER_SECOND);
    const contacts = [...Array(300)].map((_, i) => ({id: `c${i}`, date_created: t(i), date_updated: t(i)}));
    const close = new LiveClose(T0).resource('/contact/', {kind: 'offset', order: 'date_created'}, contacts).start();
    close.between = ({n}) => {
      if (n === 1) close.edit('/contact/', 'c0');
      if (n === 2) close.edit('/contact/', 'c250');
    };
    const c: StreamCase = {...CASES.find((x) => x.name === 'users')!, name: 'contacts', path: '/contact/', make: (ctx) => new Contacts(ctx), margin: 0};
    const first = await sync(c, close, undefined);
    assert.equal(first.emitted.get('c250')!.date_updated, close.get('/contact/', 'c250')!.date_updated, 'c250 read at its new version');
    assert.notEqual(first.emitted.get('c0')!.date_updated, close.get('/contact/', 'c0')!.date_updated, 'c0 read before its edit');
    close.between = undefined;
    close.advance(10 * MICROS_PER_MINUTE);
    const second = await sync(c, close, first.state);
    assertLatest(c, close, first, second);
    assert.equal(second.emitted.get('c0')?.date_updated, close.get('/contact/', 'c0')!.date_updated);
  });
});

describe('contacts past the skip cap, while leads change', () => {
  function world(seed: number, wording: (cap: number) => unknown) {
    const rnd = seededRandom(seed);
    const leads = dataset(seed, 150, 'lead').map((l) => ({
      ...l,
      contacts: [...Array(1 + Math.floor(rnd() * 3))].map((_, j) => ({id: `cont_${l.id}_${j}`, lead_id: l.id, date_created: l.date_created, date_updated: l.date_updated})),
    }));
    const contacts = leads.flatMap((l) => l.contacts);
    const close = new LiveClose(T0)
      .resource('/contact/', {kind: 'offset', order: 'date_created', skipCap: 150, skipCapBody: wording}, contacts)
      .resource('/lead/', {kind: 'query', order: '-date_updated', totalResults: true}, leads)
      .start();
    return close;
  }
  const WORDINGS: Record<string, (cap: number) => unknown> = {
    'the recorded wording': (cap) => ({error: `The skip you set is larger than the maximum skip for this resource (max_skip = ${cap}). Please refine your search query.`}),
    'the recorded wording on two lines': (cap) => ({error: `The skip you set is larger than the maximum skip for this resource (max_skip = ${cap}).\nPlease refine your search query.`}),
    'a "less than or equal to" wording': (cap) => ({error: `_skip must be less than or equal to ${cap}.`}),
    'a field error on _skip': (cap) => ({errors: [], 'field-errors': {_skip: `Ensure this value is less than or equal to ${cap}.`}}),
  };
  for (const [name, wording] of Object.entries(WORDINGS)) {
    it(`${name}: the fallback starts, every contact arrives`, async () => {
      const close = world(4, wording);
      const stream = new Contacts(context(close, Math.ceil(T0 / MICROS_PER_SECOND) * MICROS_PER_SECOND));
      const got = new Set<string>();
      for await (const item of stream.readItems(SyncMode.FULL_REFRESH, undefined)) if ('record' in item) got.add(item.record.id);
      assert.ok(close.requestsTo('/lead/').length > 0, 'the lead search was used');
      assert.deepEqual([...got].sort(), close.records('/contact/').map((r) => r.id).sort());
    });
  }

  it('leads deleted, created and imported in the minute being read during the fallback: every unchanged contact arrives', async () => {
    for (const seed of [5, 6, 7]) {
      const close = world(seed, WORDINGS['the recorded wording']);
      const rnd = seededRandom(seed);
      let made = 0;
      close.between = ({path}) => {
        if (path !== '/lead/') return;
        const last = close.lastAnswer('/lead/');
        if (last.length && rnd() < 0.6) {
          const gone = last[Math.floor(rnd() * last.length)];
          for (const ct of close.get('/lead/', gone)?.contacts ?? []) close.remove('/contact/', ct.id);
          close.remove('/lead/', gone);
        }
        if (rnd() < 0.2) {
          // an import: 30 leads created now, in the minute the search may be reading
          for (let i = 0; i < 30; i++) {
            const id = `imp_${seed}_${made++}`;
            const t = formatInstant(close.now());
            const ct = {id: `cont_${id}`, lead_id: id, date_created: t, date_updated: t};
            close.create('/lead/', {id, contacts: [ct]});
            close.create('/contact/', ct);
          }
        }
      };
      const stream = new Contacts(context(close, Math.ceil(T0 / MICROS_PER_SECOND) * MICROS_PER_SECOND));
      const oracle = new Oracle(close, '/contact/', {key: 'date_updated', upper: Infinity});
      for await (const item of stream.readItems(SyncMode.INCREMENTAL, undefined)) {
        if ('record' in item) oracle.emit([item.record as Rec]);
        else if ('checkpoint' in item) {
          const v = parseInstant(item.checkpoint.date_updated);
          assert.ok(v === undefined || v <= cursorCeiling(Math.ceil(T0 / MICROS_PER_SECOND) * MICROS_PER_SECOND, SEARCH_SETTLE_MARGIN));
          oracle.checkpoint(v);
        }
      }
      oracle.assertSound(`seed ${seed}`);
    }
  });
});
