import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {readEvents} from '../../src/readers/event-cursor-reader';
import {readAllPages} from '../../src/readers/offset-reader';
import {failureTypeOf} from '../../src/errors';
import {HttpRequest} from '../../src/client/transport';
import {MICROS_PER_MINUTE, formatInstant, parseInstant} from '../../src/time/instant';
import {FakeClock, newClient, res, scriptedTransport} from './helpers/fakes';

const BASE = parseInstant('2024-05-01T12:00:00Z')!;
const at = (min: number) => formatInstant(BASE + min * MICROS_PER_MINUTE);

async function collect(gen: AsyncGenerator<Record<string, any>[]>) {
  const pages: Record<string, any>[][] = [];
  try {
    for await (const p of gen) pages.push(p);
  } catch (err) {
    return {pages, err: err as Error};
  }
  return {pages, err: undefined};
}

/** An in-memory /event/: newest first, pages by opaque cursor; returns what it was asked. */
function fakeEvents(events: Record<string, any>[], pageSize: number) {
  const sorted = [...events].sort((a, b) => parseInstant(b.date_updated)! - parseInstant(a.date_updated)!);
  const asked: Record<string, string | number>[] = [];
  const transport = async (req: HttpRequest) => {
    asked.push(req.params);
    let start = 0;
    let list = sorted;
    if (req.params._cursor !== undefined) {
      const c = JSON.parse(Buffer.from(String(req.params._cursor), 'base64').toString());
      start = c.start;
      list = sorted.filter((e) => parseInstant(e.date_updated)! >= c.gte && parseInstant(e.date_updated)! <= c.lte);
    } else {
      const gte = parseInstant(String(req.params.date_updated__gte))!;
      const lte = parseInstant(String(req.params.date_updated__lte))!;
      list = sorted.filter((e) => parseInstant(e.date_updated)! >= gte && parseInstant(e.date_updated)! <= lte);
      req.params = {...req.params};
      (transport as any).range = {gte, lte};
    }
    const range = req.params._cursor !== undefined ? JSON.parse(Buffer.from(String(req.params._cursor), 'base64').toString()) : (transport as any).range;
    const data = list.slice(start, start + pageSize);
    const next = start + pageSize < list.length ? Buffer.from(JSON.stringify({...range, start: start + pageSize})).toString('base64') : null;
    return res(200, {data, cursor_next: next, cursor_previous: null});
  };
  return {transport, asked};
}

describe('readEvents', () => {
  const events = [...Array(23)].map((_, i) => ({id: `ev_${i}`, date_updated: at(i), object_type: 'lead', action: 'updated'}));

  it('follows cursors to the end; every event in [lower, upper) exactly once, newest first', async () => {
    const {transport, asked} = fakeEvents(events, 5);
    const client = newClient(transport, new FakeClock());
    const {pages, err} = await collect(
      readEvents({client, stream: 'event_log', pageSize: 5, lower: BASE + 3 * MICROS_PER_MINUTE, upper: BASE + 20 * MICROS_PER_MINUTE})
    );
    assert.equal(err, undefined);
    const ids = pages.flat().map((e) => e.id);
    assert.deepEqual(ids, [...Array(17)].map((_, i) => `ev_${19 - i}`));
    // the first request has the date range, cursor requests only _cursor and _limit
    assert.ok(asked[0].date_updated__gte && asked[0].date_updated__lte);
    assert.equal(asked[0]._cursor, undefined);
    for (const a of asked.slice(1)) {
      assert.ok(a._cursor);
      assert.equal(a.date_updated__gte, undefined);
      assert.equal(a._limit, 5);
      assert.equal(a._skip, undefined, '/event/ rejects _skip');
    }
  });

  it('stops at the lower bound even while Close still offers a cursor', async () => {
    // a server that ignores the date filter: the reader must stop by itself
    const all = [...events].reverse();
    const t = scriptedTransport([
      res(200, {data: all.slice(0, 5), cursor_next: 'c1'}),
      res(200, {data: all.slice(5, 10), cursor_next: 'c2'}),
      res(200, {data: all.slice(10, 15), cursor_next: 'c3'}),
      res(200, {data: all.slice(15, 20), cursor_next: 'c4'}),
    ]);
    const client = newClient(t, new FakeClock());
    const {pages, err} = await collect(
      readEvents({client, stream: 'event_log', pageSize: 5, lower: BASE + 12 * MICROS_PER_MINUTE, upper: BASE + 30 * MICROS_PER_MINUTE})
    );
    assert.equal(err, undefined);
    assert.deepEqual(
      pages.flat().map((e) => e.id),
      [...Array(11)].map((_, i) => `ev_${22 - i}`)
    );
    assert.equal(t.requests.length, 3, 'no request after the page that crossed the lower bound');
  });

  it('a repeated cursor with no data → error instead of looping', async () => {
    const t = scriptedTransport([...Array(10)].map(() => res(200, {data: [], cursor_next: 'same'})));
    const client = newClient(t, new FakeClock());
    const {err} = await collect(readEvents({client, stream: 'event_log', pageSize: 5, lower: BASE, upper: BASE + MICROS_PER_MINUTE}));
    assert.ok(err);
    assert.equal(failureTypeOf(err), 'system_error');
    assert.match(err.message, /cursor with no new events/);
    assert.ok(t.requests.length <= 4, `requests ${t.requests.length}`);
  });

  it('an event without a date → error naming it', async () => {
    const t = scriptedTransport([res(200, {data: [{id: 'ev_x', date_updated: null}], cursor_next: null})]);
    const client = newClient(t, new FakeClock());
    const {err} = await collect(readEvents({client, stream: 'event_log', pageSize: 5, lower: BASE, upper: BASE + MICROS_PER_MINUTE}));
    assert.ok(err);
    assert.match(err.message, /ev_x/);
  });
});

describe('readAllPages', () => {
  it('pages with _skip/_limit until has_more is false, each page starting on the last record of the one before', async () => {
    const t = scriptedTransport([
      res(200, {has_more: true, data: [{id: 'a'}, {id: 'b'}, {id: 'c'}]}),
      res(200, {has_more: true, data: [{id: 'c'}, {id: 'd'}, {id: 'e'}]}),
      res(200, {has_more: false, data: [{id: 'e'}, {id: 'f'}]}),
    ]);
    const client = newClient(t, new FakeClock());
    const {pages, err} = await collect(readAllPages({client, path: '/user/', stream: 'users', pageSize: 3, params: {_fields: 'id'}}));
    assert.equal(err, undefined);
    assert.deepEqual(pages.map((p) => p.map((r) => r.id)), [['a', 'b', 'c'], ['d', 'e'], ['f']]);
    assert.deepEqual(
      t.requests.map((r) => r.params),
      [
        {_fields: 'id', _skip: 0, _limit: 3},
        {_fields: 'id', _skip: 2, _limit: 3},
        {_fields: 'id', _skip: 4, _limit: 3},
      ]
    );
  });

  it('empty resource → no pages', async () => {
    const t = scriptedTransport([res(200, {has_more: false, data: []})]);
    const {pages, err} = await collect(readAllPages({client: newClient(t, new FakeClock()), path: '/user/', stream: 'users', pageSize: 2}));
    assert.equal(err, undefined);
    assert.equal(pages.length, 0);
  });

  it('has_more with an empty page → error, no loop', async () => {
    const t = scriptedTransport([res(200, {has_more: true, data: [{id: 'a'}, {id: 'b'}]}), res(200, {has_more: true, data: []}), res(200, {has_more: true, data: []})]);
    const {pages, err} = await collect(readAllPages({client: newClient(t, new FakeClock()), path: '/user/', stream: 'users', pageSize: 2}));
    assert.ok(err);
    assert.equal(failureTypeOf(err), 'system_error');
    assert.match(err.message, /has_more but sent an empty page/);
    assert.match(err.message, /_skip=1/);
    assert.equal(pages.length, 1);
    assert.equal(t.requests.length, 2);
  });

  it('has_more with a single record (no overlap possible) → error, no loop', async () => {
    const t = scriptedTransport([res(200, {has_more: true, data: [{id: 'a'}]}), res(200, {has_more: true, data: [{id: 'a'}]})]);
    const {err} = await collect(readAllPages({client: newClient(t, new FakeClock()), path: '/user/', stream: 'users', pageSize: 5}));
    assert.ok(err);
    assert.match(err.message, /sent one record/);
    assert.equal(t.requests.length, 1);
  });

  it('a record without an id → error', async () => {
    const t = scriptedTransport([res(200, {has_more: false, data: [{id: ''}]})]);
    const {err} = await collect(readAllPages({client: newClient(t, new FakeClock()), path: '/user/', stream: 'users', pageSize: 2}));
    assert.ok(err);
    assert.match(err.message, /without an id/);
  });
});
