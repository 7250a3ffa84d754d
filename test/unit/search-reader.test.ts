import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {failureTypeOf} from '../../src/errors';
import {SearchPage, SearchReadOptions, readSearch} from '../../src/readers/search-reader';
import {Micros, MICROS_PER_MINUTE, MICROS_PER_SECOND, formatInstant, parseInstant} from '../../src/time/instant';
import {FakeRecord, FakeSearchClose, FakeSearchOptions} from './helpers/fake-search';
import {FakeClock, newClient, seededRandom} from './helpers/fakes';

const S = MICROS_PER_SECOND;
const BASE = parseInstant('2024-03-01T10:00:00Z')!;
/** The sync started here: the clock's now, the range's end; edits land at or after it. */
const SYNC_START = parseInstant('2024-03-02T00:00:00Z')!;

let serial = 0;
function rec(updated: Micros, created: Micros = updated - 3600 * S, prefix = 'lead_'): FakeRecord {
  const n = serial++;
  return {
    id: `${prefix}${n.toString(36).padStart(5, '0')}`,
    date_updated: formatInstant(updated),
    date_created: formatInstant(created),
    name: `Lead ${n}`,
    contacts: [{id: `cont_of_${n}`}],
    'custom.cf_a': n % 3 === 0 ? null : `v${n}`,
  };
}

/** Spread over six hours, microseconds anywhere. */
function spread(rnd: () => number, n: number): FakeRecord[] {
  return Array.from({length: n}, () => rec(BASE + Math.floor(rnd() * 6 * 3600 * S)));
}

/** `n` records in one second of date_updated, date_created spread over a year (a bulk edit). */
function bulkEdit(rnd: () => number, n: number, second: Micros): FakeRecord[] {
  return Array.from({length: n}, () => rec(second + Math.floor(rnd() * S), second - Math.floor(rnd() * 365 * 86400) * S));
}

/** `n` records created and updated in the same second (a bulk import). */
function bulkImport(rnd: () => number, n: number, second: Micros): FakeRecord[] {
  return Array.from({length: n}, () => {
    const t = second + Math.floor(rnd() * S);
    return rec(t, t);
  });
}

interface Run {
  got: Record<string, any>[];
  pages: SearchPage[];
  error?: unknown;
  logs: string[];
}

async function run(
  fake: FakeSearchClose,
  opts: Partial<SearchReadOptions> = {},
  onPage: (page: SearchPage, n: number) => void | Promise<void> = () => undefined
): Promise<Run> {
  const logs: string[] = [];
  const client = newClient(fake.transport, fake.clock);
  const got: Record<string, any>[] = [];
  const pages: SearchPage[] = [];
  try {
    for await (const page of readSearch({
      client,
      stream: 'leads',
      objectType: 'lead',
      fields: ['name', 'contacts'],
      upper: SYNC_START,
      pageSize: 50,
      logger: {info: (m) => logs.push(m), warn: (m) => logs.push(m)},
      ...opts,
    })) {
      assert.ok(page.records.length > 0, 'no empty pages');
      pages.push(page);
      got.push(...page.records);
      await onPage(page, pages.length);
    }
  } catch (error) {
    return {got, pages, error, logs};
  }
  return {got, pages, logs};
}

const key = (r: Record<string, any>) => parseInstant(r.date_updated)!;

/**
 * What a sync must deliver: every record that was in [lower, upper) when the read started and
 * was neither edited (it moved past upper: the next sync reads it) nor deleted meanwhile —
 * exactly once; nothing outside the range; and no page's safeBefore may pass one of them
 * before it was yielded.
 */
function expectComplete(r: Run, initial: FakeRecord[], changed: Set<string>, lower: Micros | undefined, upper = SYNC_START): void {
  assert.equal(r.error, undefined, String(r.error));
  const inRange = (t: Micros) => (lower === undefined || t >= lower) && t < upper;
  const want = initial.filter((x) => inRange(key(x)) && !changed.has(x.id));
  const ids = r.got.map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length, 'no record twice');
  const got = new Set(ids);
  const missing = want.filter((x) => !got.has(x.id));
  assert.deepEqual(missing.map((x) => x.id), [], `${missing.length} records lost`);
  for (const x of r.got) assert.ok(inRange(key(x)), `${x.id} outside the range`);
  const wantedKeys = new Map(want.map((x) => [x.id, key(x)]));
  const emitted = new Set<string>();
  for (const p of r.pages) {
    for (const x of p.records) emitted.add(x.id);
    for (const [id, k] of wantedKeys) if (k < p.safeBefore) assert.ok(emitted.has(id), `safeBefore ${formatInstant(p.safeBefore)} passed ${id} (${formatInstant(k)}) before it was yielded`);
  }
  for (let i = 1; i < r.pages.length; i++) assert.ok(r.pages[i].safeBefore >= r.pages[i - 1].safeBefore, 'safeBefore only moves forward');
  for (let i = 1; i < r.got.length; i++) {
    assert.ok(Math.floor(key(r.got[i]) / S) >= Math.floor(key(r.got[i - 1]) / S), 'seconds ascend');
  }
}

function fakeWith(records: FakeRecord[], opts: FakeSearchOptions = {}): FakeSearchClose {
  return new FakeSearchClose(records, new FakeClock(SYNC_START / 1000), opts);
}

describe('search reader (POST /data/search/): keyset by the second', () => {
  it('reads a range exactly once, in fresh queries without cursors, at about one request per page', async () => {
    const records = spread(seededRandom(1), 1000);
    const fake = fakeWith(records);
    const lower = BASE + 3 * MICROS_PER_MINUTE + 123_456;
    const r = await run(fake, {lower});
    expectComplete(r, records, new Set(), lower);
    assert.equal(fake.count('cursor'), 0);
    const want = records.filter((x) => key(x) >= lower).length;
    assert.ok(fake.calls.length <= Math.ceil(want / 49) + 1, `${fake.calls.length} requests for ${want} records`);
    // every query's bounds are whole seconds (the fake refuses anything else)
    for (const c of fake.calls) assert.equal(c.kind, 'fresh');
  });

  it('filters exactly at bounds with microseconds, which the search itself only applies to the second', async () => {
    const lower = BASE + 10 * S + 500_000;
    const upper = BASE + 20 * S + 250_000;
    const records = [lower - 1, lower, lower + 1, BASE + 10 * S, BASE + 15 * S, upper - 1, upper, upper + 1, BASE + 20 * S, BASE + 21 * S - 1].map((t) => rec(t));
    const fake = fakeWith(records);
    const r = await run(fake, {lower, upper});
    expectComplete(r, records, new Set(), lower, upper);
    assert.equal(r.got.length, 5);
    const q = fake.calls[0].body.query.queries[1].condition;
    assert.deepEqual(q, {type: 'moment_range', on_or_after: {type: 'fixed_utc', value: '2024-03-01T10:00:10+00:00'}, before: {type: 'fixed_utc', value: '2024-03-01T10:00:21+00:00'}});
  });

  it('asks for id, both dates, the fields and custom, and yields records as Close sent them', async () => {
    const records = spread(seededRandom(2), 30);
    const fake = fakeWith(records);
    const r = await run(fake);
    expectComplete(r, records, new Set(), undefined);
    assert.deepEqual(fake.calls[0].body._fields, {lead: ['id', 'date_updated', 'date_created', 'name', 'contacts', 'custom']});
    const one = r.got.find((x) => x.id === records[1].id)!;
    assert.deepEqual(one, {id: records[1].id, date_updated: records[1].date_updated, date_created: records[1].date_created, name: records[1].name, contacts: records[1].contacts, 'custom.cf_a': records[1]['custom.cf_a']});
  });

  it('does not rely on the order inside a second, nor on the page size asked for', async () => {
    const rnd = seededRandom(3);
    const records = [...spread(rnd, 400), ...bulkEdit(rnd, 30, BASE + 100 * S), ...bulkEdit(rnd, 70, BASE + 200 * S)];
    for (const opts of [{sortPrecision: 'second' as const}, {silentPageCap: 17}, {sortPrecision: 'second' as const, silentPageCap: 49}]) {
      const fake = fakeWith(records, opts);
      expectComplete(await run(fake), records, new Set(), undefined);
    }
  });

  it('lowers the page size when Close names a smaller max_limit', async () => {
    const records = spread(seededRandom(4), 300);
    const fake = fakeWith(records, {maxLimit: 40});
    const r = await run(fake, {pageSize: 200});
    expectComplete(r, records, new Set(), undefined);
    assert.equal(fake.calls.filter((c) => c.body?._limit === 40).length, fake.calls.length - 1);
    assert.ok(r.logs.some((l) => /allows 40 records per search page/.test(l)));
  });

  it('an empty range costs one request; lower >= upper costs none', async () => {
    const fake = fakeWith(spread(seededRandom(5), 50));
    const r = await run(fake, {lower: SYNC_START - S, upper: SYNC_START});
    assert.equal(r.got.length, 0);
    assert.equal(fake.calls.length, 1);
    await run(fake, {lower: SYNC_START, upper: SYNC_START});
    assert.equal(fake.calls.length, 1);
  });
});

describe('search reader: plateaus (many records in one second)', () => {
  it('reads a bulk edit larger than a page by date_created inside the second, without a cursor', async () => {
    const rnd = seededRandom(6);
    const records = [...spread(rnd, 200), ...bulkEdit(rnd, 600, BASE + 3600 * S)];
    const fake = fakeWith(records);
    const r = await run(fake);
    expectComplete(r, records, new Set(), undefined);
    assert.equal(fake.count('cursor'), 0);
    const inSecond = fake.calls.filter((c) => c.body?.sort?.[0].field.field_name === 'date_created');
    assert.ok(inSecond.length >= 12 && inSecond.length <= 16, `${inSecond.length} date_created pages for 600 records`);
  });

  it('reads a bulk edit larger than a whole cursor walk: no walk is ever needed', async () => {
    const rnd = seededRandom(7);
    const records = bulkEdit(rnd, 1200, BASE + 50 * S);
    const fake = fakeWith(records, {walkCap: 300});
    expectComplete(await run(fake), records, new Set(), undefined);
  });

  it('reads a bulk import (one second of both dates) with the cursor, checked by counts', async () => {
    const rnd = seededRandom(8);
    const records = [...spread(rnd, 100), ...bulkImport(rnd, 430, BASE + 7 * 3600 * S)];
    const fake = fakeWith(records);
    const r = await run(fake);
    expectComplete(r, records, new Set(), undefined);
    assert.equal(fake.count('cursor'), Math.ceil(430 / 50) - 1);
    assert.equal(fake.count('count'), 1);
  });

  it('without counts, reads such a group twice and accepts equal passes', async () => {
    const rnd = seededRandom(9);
    const records = bulkImport(rnd, 230, BASE + 10 * S);
    const fake = fakeWith(records, {noCounts: true});
    const r = await run(fake);
    expectComplete(r, records, new Set(), undefined);
    assert.equal(fake.count('cursor'), 2 * (Math.ceil(230 / 50) - 1));
  });

  it('a group larger than a cursor walk can hold fails loudly at once, after everything before it', async () => {
    const rnd = seededRandom(10);
    const before = spread(rnd, 120);
    const group = bulkImport(rnd, 400, SYNC_START - 10 * S);
    const fake = fakeWith([...before, ...group]);
    const r = await run(fake, {maxCellRecords: 300});
    assert.ok(r.error instanceof Error);
    assert.equal(failureTypeOf(r.error), 'system_error');
    assert.match(r.error.message, /400 leads with date_updated in .* more than 300/);
    const last = r.pages[r.pages.length - 1];
    assert.ok(last.safeBefore <= SYNC_START - 10 * S, 'the state never passes the group');
    for (const x of before) assert.ok(r.got.some((g) => g.id === x.id));
  });

  for (const pastWalkCap of ['end', 'error'] as const) {
    it(`a walk cap Close applies earlier than assumed (${pastWalkCap}) fails loudly instead of losing the rest`, async () => {
      const rnd = seededRandom(11);
      const group = bulkImport(rnd, 260, BASE + 99 * S);
      const fake = fakeWith(group, {walkCap: 120, pastWalkCap});
      const r = await run(fake);
      assert.ok(r.error instanceof Error);
      assert.equal(failureTypeOf(r.error), 'transient_error');
      assert.match(r.error.message, /could not read all 260|could not read all leads/);
      assert.ok(r.pages.every((p) => p.safeBefore <= BASE + 99 * S));
      assert.equal(new Set(r.got.map((x) => x.id)).size, r.got.length, 'no duplicates either');
    });
  }

  it('an expired cursor restarts the pass without it, skipping what was emitted', async () => {
    const rnd = seededRandom(12);
    const records = bulkImport(rnd, 333, BASE + 5 * S);
    const fake = fakeWith(records);
    // a slow destination: each page handed on holds the reader 31 s
    const r = await run(fake, {}, async () => {
      fake.clock.t += 31_000;
    });
    expectComplete(r, records, new Set(), undefined);
    assert.ok(r.logs.length === 0 || r.logs.every((l) => !/refused/.test(l)));
    assert.ok(fake.calls.length < 60, `${fake.calls.length} requests`);
  });

  it('gives up (transient) when every cursor expires before anything new comes', async () => {
    const records = bulkImport(seededRandom(13), 200, BASE + 5 * S);
    const fake = fakeWith(records, {cursorTtlMs: 0});
    fake.beforeAnswer = () => {
      fake.clock.t += 1;
    };
    const r = await run(fake);
    assert.equal(failureTypeOf(r.error), 'transient_error');
    assert.ok(fake.calls.length < 40);
  });
});

describe('search reader: Close changing between pages', () => {
  type Change = 'edit-read' | 'edit-unread' | 'delete-read' | 'delete-unread' | 'insert';
  const changes: Change[] = ['edit-read', 'edit-unread', 'delete-read', 'delete-unread', 'insert'];

  /** Applies one change before each of the first requests, at the records around the reader's position. */
  function adversary(fake: FakeSearchClose, what: Change, emitted: Set<string>, changed: Set<string>, rnd: () => number): void {
    let edits = 0;
    fake.beforeAnswer = (call) => {
      if (call.kind === 'get' || edits >= 40) return;
      edits++;
      const all = [...fake.records.values()].filter((r) => key(r) < SYNC_START).sort((a, b) => key(a) - key(b));
      const read = all.filter((r) => emitted.has(r.id));
      const unread = all.filter((r) => !emitted.has(r.id));
      // near the boundary: the newest read ones and the oldest unread ones
      const pick = (xs: FakeRecord[], fromEnd: boolean) => (xs.length ? xs[fromEnd ? xs.length - 1 - Math.floor(rnd() * Math.min(5, xs.length)) : Math.floor(rnd() * Math.min(5, xs.length))] : undefined);
      fake.clock.t += 1;
      if (what === 'edit-read' || what === 'delete-read') {
        const x = pick(read, true);
        if (!x) return;
        changed.add(x.id);
        if (what === 'edit-read') fake.edit(x.id, fake.clock.t * 1000 + edits);
        else fake.remove(x.id);
      } else if (what === 'edit-unread' || what === 'delete-unread') {
        const x = pick(unread, false);
        if (!x) return;
        changed.add(x.id);
        if (what === 'edit-unread') fake.edit(x.id, fake.clock.t * 1000 + edits);
        else fake.remove(x.id);
      } else {
        // a record created now lands past the range; one "appearing" in the past is index lag (the settle margin's job), not modelled here
        const t = fake.clock.t * 1000 + edits;
        fake.insert(rec(t, t));
      }
    };
  }

  for (const shape of ['spread', 'bulk edit', 'bulk import'] as const) {
    for (const what of changes) {
      it(`${shape}: ${what} between pages loses nothing`, async () => {
        const rnd = seededRandom(100 + changes.indexOf(what));
        const records =
          shape === 'spread'
            ? spread(rnd, 600)
            : shape === 'bulk edit'
              ? [...spread(rnd, 100), ...bulkEdit(rnd, 400, BASE + 3 * 3600 * S)]
              : [...spread(rnd, 100), ...bulkImport(rnd, 400, BASE + 3 * 3600 * S)];
        const fake = fakeWith(records, {sortPrecision: 'second'});
        const emitted = new Set<string>();
        const changed = new Set<string>();
        adversary(fake, what, emitted, changed, rnd);
        const r = await run(fake, {maxCellRounds: 50}, (p) => {
          for (const x of p.records) emitted.add(x.id);
        });
        expectComplete(r, records, changed, undefined);
      });
    }
  }

  it('an offset cursor shifted by a delete inside a bulk import is caught and the group read again', async () => {
    const rnd = seededRandom(14);
    const records = bulkImport(rnd, 300, BASE + 42 * S);
    const fake = fakeWith(records);
    let deleted = 0;
    const changed = new Set<string>();
    const emitted: string[] = [];
    fake.beforeAnswer = (call) => {
      if (call.kind === 'cursor' && deleted < 2) {
        // a record already read goes: an offset cursor now skips one unread record
        const id = emitted[emitted.length - 1];
        changed.add(id);
        fake.remove(id);
        deleted++;
      }
    };
    const r = await run(fake, {}, (p) => {
      emitted.push(...p.records.map((x) => x.id));
    });
    expectComplete(r, records, changed, undefined);
    assert.ok(fake.count('fresh') >= 4, 'the group was read more than once');
  });
});

describe('search reader: answers without the fields asked for', () => {
  it('reads records lacking a required field whole by id, at most 4 at a time, logging once', async () => {
    const records = spread(seededRandom(15), 150);
    const fake = fakeWith(records, {notReturned: ['contacts']});
    let inFlight = 0;
    let maxInFlight = 0;
    const base = fake.transport;
    const transport = async (req: any) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((res) => setImmediate(res));
      try {
        return await base(req);
      } finally {
        inFlight--;
      }
    };
    const logs: string[] = [];
    const client = newClient(transport, fake.clock);
    const got: Record<string, any>[] = [];
    for await (const p of readSearch({client, stream: 'leads', objectType: 'lead', fields: ['name', 'contacts'], upper: SYNC_START, pageSize: 50, logger: {info: (m) => logs.push(m), warn: (m) => logs.push(m)}})) {
      got.push(...p.records);
    }
    assert.equal(got.length, 150);
    for (const g of got) assert.deepEqual(g, fake.records.get(g.id), 'the whole record, as GET /lead/{id}/ has it');
    assert.equal(fake.count('get'), 150);
    assert.equal(maxInFlight, 4);
    assert.equal(logs.filter((l) => /without contacts; reading those leads whole by id/.test(l)).length, 1);
  });

  it('drops a record deleted or edited between the search and its read by id', async () => {
    const records = spread(seededRandom(16), 40);
    const fake = fakeWith(records, {notReturned: ['contacts']});
    const changed = new Set<string>();
    let gets = 0;
    fake.beforeAnswer = (call) => {
      if (call.kind !== 'get') return;
      gets++;
      const id = decodeURIComponent(call.path.split('/')[2]);
      if (gets === 3) {
        fake.remove(id);
        changed.add(id);
      }
      if (gets === 7) {
        fake.edit(id, SYNC_START + 5 * S);
        changed.add(id);
      }
    };
    const r = await run(fake);
    expectComplete(r, records, changed, undefined);
    assert.equal(r.got.length, 38);
  });

  it('custom is not required: a record without custom values is fine', async () => {
    const records = spread(seededRandom(17), 20).map((x) => {
      const {['custom.cf_a']: _, ...rest} = x;
      return rest as FakeRecord;
    });
    const fake = fakeWith(records);
    const r = await run(fake);
    expectComplete(r, records, new Set(), undefined);
    assert.equal(fake.count('get'), 0);
  });
});

describe('search reader: answers it cannot trust', () => {
  async function errorFor(answer: (body: any) => unknown): Promise<unknown> {
    const fake = fakeWith([]);
    const client = newClient(async (req) => {
      fake.clock.t += 0;
      return {status: 200, headers: {'content-type': 'application/json'}, body: JSON.stringify(answer(JSON.parse(req.body!)))};
    }, fake.clock);
    try {
      for await (const _ of readSearch({client, stream: 'leads', objectType: 'lead', fields: [], lower: BASE, upper: SYNC_START, pageSize: 50})) {
        // drain
      }
    } catch (err) {
      return err;
    }
    return undefined;
  }

  const row = (t: Micros, id = 'lead_x') => ({id, date_updated: formatInstant(t), date_created: formatInstant(t)});

  it('records outside the range asked for, out of order, without dates or ids, or not a page: system_error', async () => {
    const cases: [string, (body: any) => unknown, RegExp][] = [
      ['before the range', () => ({data: [row(BASE - 10 * S)], cursor: null}), /outside the range/],
      ['past the range', () => ({data: [row(SYNC_START + 10 * S)], cursor: null}), /outside the range/],
      ['out of order', () => ({data: [row(BASE + 5 * S, 'lead_a'), row(BASE + 2 * S, 'lead_b')], cursor: 'c'}), /out of date_updated order/],
      ['no date', () => ({data: [{id: 'lead_a'}], cursor: null}), /without a date_updated/],
      ['no id', () => ({data: [{date_updated: formatInstant(BASE)}], cursor: null}), /without an id/],
      ['not a page', () => [1, 2], /where \{"data"/],
      ['cursor, empty page', () => ({data: [], cursor: 'c'}), /empty page/],
    ];
    for (const [name, answer, msg] of cases) {
      const err = await errorFor(answer);
      assert.ok(err instanceof Error, name);
      assert.match(err.message, msg, name);
      assert.equal(failureTypeOf(err), 'system_error', name);
    }
  });

  it('a Close that hands out cursors forever in one group is stopped, not followed', async () => {
    let n = 0;
    const err = await errorFor(() => ({data: [row(BASE + 5 * S, `lead_${n++ % 60}`)], cursor: `c${n}`, count: {total: 1}}));
    assert.ok(err instanceof Error);
  });
});
