import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, startSandbox } from '../../sandbox';
import { Mutator } from '../../sandbox/data/mutate';
import { Store } from '../../sandbox/data/store';
import { DataSearch } from '../../sandbox/endpoints/data-search';
import { get, us } from './helpers';
import { field, iso, moment, post, search, second, walk } from './search-helpers';

/** Ids of the rows updated at or after t (earlier tests' edits may share t's second). */
const since = (rows: any[], t: number): string[] => rows.filter((r) => us(r.date_updated) >= t).map((r) => r.id).sort();

describe('sandbox POST /data/search/', () => {
  let sb: Sandbox;
  let nowMs = Date.now();
  before(async () => {
    sb = await startSandbox({ scale: 400, seed: 8, search: { now: () => nowMs } });
  });
  beforeEach(() => {
    nowMs = Date.now();
    sb.setSearch({ cursorTtlMs: 30_000, walkCap: 10_000, pastWalkCap: 'end', indexLagMs: 0, sortPrecision: 'microsecond', fieldsNotReturned: [] });
  });
  after(() => sb.close());

  it('answers POST only, in its own rate-limit group, with Close 401 without a key', async () => {
    assert.equal((await get(sb, '/data/search/')).status, 405);
    assert.equal((await post(sb, search('lead'), '/lead/')).status, 405);
    const anon = await fetch(sb.url + '/data/search/', { method: 'POST', body: JSON.stringify(search('lead')) });
    assert.equal(anon.status, 401);
    sb.resetStats();
    assert.equal((await post(sb, search('lead'))).status, 200);
    assert.deepEqual(sb.stats().byGroup, { data: 1 });
    assert.equal((await post(sb, '{"query": ')).status, 400);
  });

  it('without _fields answers ids and __object_type only (documented); with _fields exactly the fields named', async () => {
    const bare = await post(sb, search('contact', { limit: 3 }));
    assert.equal(bare.status, 200);
    assert.equal(bare.body.data.length, 3);
    for (const row of bare.body.data) assert.deepEqual(Object.keys(row).sort(), ['__object_type', 'id']);
    assert.equal(bare.body.data[0].__object_type, 'contact');
    assert.ok('cursor' in bare.body && !('count' in bare.body));

    const named = await post(sb, search('lead', { limit: 20, fields: ['id', 'date_updated', 'contacts', 'custom', 'no_such_field'] }));
    for (const row of named.body.data) {
      const keys = Object.keys(row);
      assert.ok(keys.includes('id') && keys.includes('date_updated') && keys.includes('contacts'));
      assert.ok(!keys.includes('__object_type') && !keys.includes('no_such_field') && !keys.includes('name'));
      // `custom` is every custom field, flat; the lead's by-name `custom` object is not an answer to it.
      for (const k of keys) assert.ok(['id', 'date_updated', 'contacts'].includes(k) || k.startsWith('custom.'), k);
      const full = (await get(sb, `/lead/${row.id}/`)).body;
      const customKeys = Object.keys(full).filter((k) => k.startsWith('custom.'));
      assert.deepEqual(keys.filter((k) => k.startsWith('custom.')).sort(), customKeys.sort());
      assert.deepEqual(row.contacts, full.contacts);
    }
  });

  it('filters [on_or_after, before) on date_updated or date_created and sorts either way, for leads and contacts', async () => {
    for (const o of ['lead', 'contact'] as const) {
      const truth = sb.truth(o === 'lead' ? 'leads' : 'contacts');
      for (const key of ['date_updated', 'date_created'] as const) {
        const keys = truth.map((t) => us(t[key]!)).sort((a, b) => a - b);
        const lo = second(keys[Math.floor(keys.length / 4)]);
        const hi = second(keys[Math.floor((3 * keys.length) / 4)]);
        const want = truth.filter((t) => us(t[key]!) >= lo && us(t[key]!) < hi).map((t) => t.id).sort();
        for (const dir of ['asc', 'desc'] as const) {
          const { rows } = await walk(sb, search(o, { key, gte: iso(lo), lt: iso(hi), dir, fields: ['id', key], limit: 200 }));
          assert.deepEqual(rows.map((r) => r.id).sort(), want, `${o} ${key} ${dir}`);
          const got = rows.map((r) => us(r[key]));
          for (let i = 1; i < got.length; i++) assert.ok(dir === 'asc' ? got[i - 1] <= got[i] : got[i - 1] >= got[i], `${o} ${key} ${dir} order at ${i}`);
        }
      }
    }
  });

  it('applies bounds at whole seconds: a fraction is cut (GUESS, documented)', async () => {
    const truth = sb.truth('contacts');
    const t = truth.map((r) => us(r.date_updated!)).find((k) => k % 1e6 >= 100_000)!;
    const rec = truth.find((r) => us(r.date_updated!) === t)!;
    const fraction = (m: number) => new Date(Math.floor(m / 1000)).toISOString().replace(/\.\d+Z$/, '.999999+00:00');
    // on_or_after later in the same second still finds it; before later in the same second already excludes it
    const lower = await walk(sb, search('contact', { gte: fraction(t), lt: iso(second(t) + 1e6), fields: ['id'], limit: 200 }));
    assert.ok(lower.rows.some((r) => r.id === rec.id));
    const upper = await walk(sb, search('contact', { gte: iso(second(t)), lt: fraction(t), fields: ['id'], limit: 200 }));
    assert.ok(!upper.rows.some((r) => r.id === rec.id));
  });

  it('caps _limit at 200 with the list endpoints\' 400, and defaults to 100', async () => {
    const over = await post(sb, search('contact', { limit: 201 }));
    assert.equal(over.status, 400);
    assert.equal(over.body.error, 'The limit you set is larger than the maximum limit for this resource (max_limit = 200).');
    assert.equal((await post(sb, search('contact', { limit: 200 }))).body.data.length, 200);
    assert.equal((await post(sb, search('contact'))).body.data.length, 100);
    assert.equal((await post(sb, search('contact', { limit: 1.5 }))).status, 400);
  });

  it('pages by cursor through the same results as one big query, and refuses a cursor sent with another query', async () => {
    const body = search('contact', { fields: ['id'], limit: 37 });
    const paged = await walk(sb, body);
    const all = sb.truth('contacts');
    assert.equal(paged.rows.length, all.length);
    assert.equal(new Set(paged.rows.map((r) => r.id)).size, all.length);
    assert.equal(paged.pages, Math.ceil(all.length / 37));

    const first = await post(sb, body);
    const again = await post(sb, { ...body, cursor: first.body.cursor });
    const retried = await post(sb, { ...body, cursor: first.body.cursor });
    assert.deepEqual(retried.body.data, again.body.data, 'a cursor can be sent again (a retry) until it expires');
    const other = await post(sb, { ...search('contact', { fields: ['id'], limit: 36 }), cursor: first.body.cursor });
    assert.equal(other.status, 400);
    assert.match(other.body.error, /cursor/i);
    const bogus = await post(sb, { ...body, cursor: 'not-a-cursor' });
    assert.equal(bogus.status, 400);
    assert.match(bogus.body.error, /cursor/i);
  });

  it('expires a cursor 30 s after it was issued (injected clock), with a 400 that names the cursor', async () => {
    const body = search('lead', { fields: ['id'], limit: 10 });
    const first = await post(sb, body);
    nowMs += 30_000;
    const inTime = await post(sb, { ...body, cursor: first.body.cursor });
    assert.equal(inTime.status, 200);
    nowMs += 1;
    const late = await post(sb, { ...body, cursor: first.body.cursor });
    assert.equal(late.status, 400);
    assert.match(late.body.error, /cursor/i);
    assert.match(late.body.error, /expire/i);
    // a fresh cursor from the page that was still in time lives its own 30 s
    const next = await post(sb, { ...body, cursor: inTime.body.cursor });
    assert.equal(next.status, 200);
    sb.setSearch({ cursorTtlMs: 5 });
    const short = await post(sb, body);
    nowMs += 6;
    assert.equal((await post(sb, { ...body, cursor: short.body.cursor })).status, 400);
  });

  it('ends a cursor walk at the cap silently by default, or with a 400 past it', async () => {
    sb.setSearch({ walkCap: 250 });
    const body = search('contact', { fields: ['id'], limit: 100, extra: { include_counts: true } });
    const capped = await walk(sb, body);
    assert.equal(capped.rows.length, 250, 'the walk stops at the cap with a null cursor');
    const total = (await post(sb, body)).body.count.total;
    assert.ok(total > 250);
    // a fresh query is a new walk: the cap does not carry over
    assert.equal((await post(sb, body)).body.data.length, 100);

    sb.setSearch({ pastWalkCap: 'error' });
    let cursor: string | null = null;
    let read = 0;
    for (;;) {
      const r = await post(sb, cursor ? { ...body, cursor } : body);
      if (r.status === 400) {
        assert.match(r.body.error, /250/);
        break;
      }
      read += r.body.data.length;
      cursor = r.body.cursor;
      assert.ok(cursor, 'past the cap an error, not a silent end');
    }
    assert.equal(read, 250);
  });

  it('takes its options from the control endpoint too (POST /_sandbox/config {"search": ...})', async () => {
    const r = await fetch(sb.url.replace(/\/api\/v1$/, '') + '/_sandbox/config', { method: 'POST', body: JSON.stringify({ search: { walkCap: 5 } }) });
    assert.equal(r.status, 200);
    assert.equal((await walk(sb, search('lead', { limit: 2 }))).rows.length, 5);
  });

  it('counts with include_counts, and results_limit caps the walk (0: a count only)', async () => {
    const n = sb.truth('leads').length;
    const counted = await post(sb, search('lead', { limit: 5, extra: { include_counts: true, results_limit: 0 } }));
    assert.deepEqual(counted.body, { data: [], cursor: null, count: { total: n } });
    const limited = await walk(sb, search('lead', { limit: 4, extra: { results_limit: 10 } }));
    assert.equal(limited.rows.length, 10);
  });

  it('refuses query shapes it does not implement, and malformed ones, with 400', async () => {
    const cases: [string, unknown][] = [
      ['no query', { sort: [] }],
      ['no object_type', { query: { type: 'and', queries: [] } }],
      ['two object types', { query: { type: 'and', queries: [{ type: 'object_type', object_type: 'lead' }, { type: 'object_type', object_type: 'contact' }] } }],
      ['or', { query: { type: 'or', queries: [{ type: 'object_type', object_type: 'lead' }] } }],
      ['opportunity', { query: { type: 'object_type', object_type: 'opportunity' } }],
      ['negate', { query: { type: 'object_type', object_type: 'lead', negate: true } }],
      [
        'field of another object type',
        { query: { type: 'and', queries: [{ type: 'object_type', object_type: 'contact' }, { type: 'field_condition', field: field('lead', 'date_updated'), condition: { type: 'moment_range', on_or_after: moment('2024-01-01T00:00:00+00:00') } }] } },
      ],
      [
        'text condition',
        { query: { type: 'and', queries: [{ type: 'object_type', object_type: 'contact' }, { type: 'field_condition', field: field('contact', 'title'), condition: { type: 'text', mode: 'full_words', value: 'CEO' } }] } },
      ],
      [
        'offset moment',
        { query: { type: 'and', queries: [{ type: 'object_type', object_type: 'contact' }, { type: 'field_condition', field: field('contact', 'date_updated'), condition: { type: 'moment_range', on_or_after: { type: 'offset' } } }] } },
      ],
      ['bad date', search('lead', { gte: 'yesterday' })],
      ['sort on name', { ...search('lead'), sort: [{ direction: 'asc', field: field('lead', 'name') }] }],
      ['sort direction', { ...search('lead'), sort: [{ direction: 'up', field: field('lead', 'date_updated') }] }],
      ['_fields not a list', { ...search('lead'), _fields: { lead: 'id' } }],
    ];
    for (const [name, body] of cases) {
      const r = await post(sb, body);
      assert.equal(r.status, 400, name);
      assert.equal(typeof r.body.error, 'string', name);
    }
  });

  it('keeps contacts indexed by date_updated through edits and creations', async () => {
    const t0 = Date.now() * 1000;
    const changed = sb.mutate({ updatedContacts: 7, newLeads: 2 }).changed.contacts;
    const { rows } = await walk(sb, search('contact', { gte: iso(second(t0)), fields: ['id', 'date_updated'], limit: 200 }));
    assert.deepEqual(since(rows, t0), [...changed].sort());
  });

  it('with index lag, finds a record only that long after its date_updated', async () => {
    const t0 = Date.now() * 1000;
    const changed = sb.mutate({ updatedContacts: 3 }).changed.contacts;
    sb.setSearch({ indexLagMs: 60_000 });
    const body = search('contact', { gte: iso(second(t0)), fields: ['id', 'date_updated'], limit: 200 });
    nowMs = Date.now();
    assert.deepEqual(since((await walk(sb, body)).rows, t0), []);
    nowMs += 61_000;
    assert.deepEqual(since((await walk(sb, body)).rows, t0), [...changed].sort());
  });

  it('continues a cursor at its offset in the current results, not in a snapshot (GUESS: the harder reading)', async () => {
    // Newest first by date_created: a contact created between two pages pushes the older ones one place down.
    const body = search('contact', { key: 'date_created', dir: 'desc', fields: ['id'], limit: 10 });
    const p1 = await post(sb, body);
    const created = sb.mutate({ newLeads: 1 }).changed.contacts;
    assert.ok(created.length >= 1);
    const p2 = await post(sb, { ...body, cursor: p1.body.cursor });
    const firstIds = p1.body.data.map((r: any) => r.id);
    assert.deepEqual(
      p2.body.data.slice(0, created.length).map((r: any) => r.id),
      firstIds.slice(10 - created.length),
      'the next page repeats the records an insert pushed back',
    );
    // Records edited out of the range between pages are no longer there to be paged over.
    const old = search('contact', { lt: iso(Date.now() * 1000 - 1e6), fields: ['id'], limit: 10 });
    const q1 = await post(sb, old);
    assert.ok(q1.body.cursor);
    sb.mutate({ updatedContacts: sb.truth('contacts').length });
    const q2 = await post(sb, { ...old, cursor: q1.body.cursor });
    assert.equal(q2.status, 200);
    assert.deepEqual(q2.body.data, []);
  });

  it('orders by whole seconds when sortPrecision is "second": inside a second, neither microsecond nor id order', () => {
    // A mutation stamps all its changes with one instant (as a bulk edit in Close), so the mix of
    // microseconds inside one second comes from three mutations 1 ms apart, on the store's injected clock.
    const store = new Store({ seed: 8, scale: 100, nowUs: Date.now() * 1000 });
    const mutator = new Mutator(store);
    const t0 = second(store.w.nowUs) + 10e6;
    const changed = new Set<string>();
    for (let i = 1; i <= 3; i++) {
      store.now = () => t0 + i * 1000;
      for (const id of mutator.apply({ updatedContacts: 20 }).changed.contacts) changed.add(id);
    }
    const answer = (precision: 'second' | 'microsecond') =>
      new DataSearch({ sortPrecision: precision }).answer(store, search('contact', { gte: iso(t0), fields: ['id', 'date_updated'], limit: 200 })).body as { data: any[] };
    const rows = answer('second').data;
    assert.deepEqual(rows.map((r) => r.id).sort(), [...changed].sort());
    const keys = rows.map((r) => us(r.date_updated));
    assert.equal(new Set(keys).size, 3, 'three instants in one second');
    const microSorted = keys.every((k, i) => i === 0 || keys[i - 1] <= k);
    assert.ok(!microSorted, 'edits 1 ms apart in one second are not returned in microsecond order');
    const ids = rows.map((r) => r.id);
    assert.notDeepEqual(ids, ids.slice().sort(), 'nor in id order');
    const micro = answer('microsecond').data.map((r) => us(r.date_updated));
    assert.ok(micro.every((k, i) => i === 0 || micro[i - 1] <= k), 'at microsecond precision they are');
  });

  it('leaves out fields listed in fieldsNotReturned, and serves contacts by id', async () => {
    sb.setSearch({ fieldsNotReturned: ['contacts'] });
    const r = await post(sb, search('lead', { fields: ['id', 'contacts', 'name'], limit: 5 }));
    for (const row of r.body.data) assert.deepEqual(Object.keys(row).sort(), ['id', 'name']);
    const c = sb.truth('contacts')[0];
    const one = await get(sb, `/contact/${c.id}/`);
    assert.equal(one.status, 200);
    assert.equal(one.body.id, c.id);
    assert.equal((await get(sb, '/contact/cont_nope/')).status, 404);
  });
});
