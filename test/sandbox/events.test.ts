import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, startSandbox } from '../../sandbox';
import { eventsAll, get, us } from './helpers';

describe('sandbox /event/ cursor paging', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 400, seed: 5 });
  });
  after(() => sb.close());

  it('pages completely, newest first, without duplicates', async () => {
    const all = await eventsAll(sb);
    const truth = sb.truth('event_log');
    assert.ok(truth.length > 60, `only ${truth.length} events`);
    assert.equal(all.length, truth.length);
    assert.equal(new Set(all.map((e) => e.id)).size, all.length);
    for (let i = 1; i < all.length; i++) assert.ok(us(all[i - 1].date_updated) >= us(all[i].date_updated));
    const e = all[0];
    assert.match(e.id, /^ev_/);
    for (const k of ['object_type', 'object_id', 'lead_id', 'action', 'changed_fields', 'meta', 'data', 'previous_data', 'request_id', 'organization_id']) {
      assert.ok(k in e, k);
    }
  });

  it('rejects _skip and too large _limit; default limit is 50', async () => {
    assert.equal((await get(sb, '/event/?_skip=0')).status, 400);
    assert.equal((await get(sb, '/event/?_limit=51')).status, 400);
    const r = await get(sb, '/event/');
    assert.equal(r.body.data.length, 50);
    assert.equal(typeof r.body.cursor_next, 'string');
    assert.ok('cursor_previous' in r.body);
  });

  it('only returns the last 30 days', async () => {
    const all = await eventsAll(sb);
    const cutoff = Date.now() - 30 * 86400_000 - 5000;
    assert.ok(all.every((e) => Date.parse(e.date_updated) >= cutoff));
    const old = await get(sb, '/event/?date_updated__lte=' + new Date(Date.now() - 40 * 86400_000).toISOString());
    assert.equal(old.body.data.length, 0);
  });

  it('keeps paging stable while new events arrive, and honours filters with cursors', async () => {
    const lte = new Date(Date.now() - 86400_000).toISOString();
    const gte = new Date(Date.now() - 20 * 86400_000).toISOString();
    const before = await eventsAll(sb, `date_updated__gte=${gte}&date_updated__lte=${lte}`);
    assert.ok(before.every((e) => us(e.date_updated) >= us(gte) && us(e.date_updated) <= us(lte)));
    // first page, then mutate, then continue with the cursor (no date filters resent)
    const p1 = await get(sb, `/event/?date_updated__gte=${gte}&date_updated__lte=${lte}`);
    sb.mutate({ newLeads: 5, updatedLeads: 10, newActivities: 10 });
    const rest: any[] = [];
    let cursor = p1.body.cursor_next;
    while (cursor) {
      const r = await get(sb, `/event/?_cursor=${encodeURIComponent(cursor)}`);
      rest.push(...r.body.data);
      cursor = r.body.cursor_next;
    }
    assert.deepEqual([...p1.body.data, ...rest].map((e) => e.id), before.map((e) => e.id));

    const leads = await eventsAll(sb, 'object_type=lead&action=updated');
    assert.ok(leads.length >= 10 && leads.every((e) => e.object_type === 'lead' && e.action === 'updated'));
  });
});
