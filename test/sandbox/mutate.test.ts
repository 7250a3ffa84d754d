import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, startSandbox } from '../../sandbox';
import { eventsAll, get, pageAll, us } from './helpers';

describe('sandbox mutate()', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 100, seed: 21 });
  });
  after(() => sb.close());

  it('creates and updates records visible through the API, with events', async () => {
    const startUs = Date.now() * 1000;
    const before = new Map(sb.truth('leads').map((t) => [t.id, t]));
    const res = sb.mutate({
      newLeads: 3,
      updatedLeads: 4,
      newActivities: 5,
      updatedActivities: 2,
      newTasks: 2,
      updatedTasks: 2,
      newOpportunities: 2,
      updatedOpportunities: 2,
      updatedContacts: 2,
      updatedUsers: 1,
      updatedCustomFields: 2,
    });
    const c = res.changed;
    assert.equal(c.leads.length, 7);
    assert.equal(c.leads.filter((id) => !before.has(id)).length, 3);
    assert.ok(c.activities.length >= 10); // 5 new + 2 updated + a Created activity per new lead
    assert.ok(c.users.length === 1 && c.event_log.length > 0);

    const q = encodeURIComponent(`date_updated>="${new Date(startUs / 1000 - 1).toISOString()}" sort:date_updated`);
    const leads = await pageAll(sb, `/lead/?query=${q}&_fields=id,date_updated,date_created`, 200);
    assert.deepEqual(new Set(leads.map((l) => l.id)), new Set(c.leads));
    for (const l of leads) assert.ok(us(l.date_updated) >= startUs - 1000);
    for (const id of c.leads.filter((x) => before.has(x))) {
      const l = leads.find((x) => x.id === id);
      assert.equal(l.date_created, before.get(id)!.date_created);
    }

    const tasks = await pageAll(sb, `/task/?_type=all&date_updated__gte=${startUs / 1000 - 1}&_fields=id`, 1000).catch(() => null);
    assert.equal(tasks, null, 'epoch numbers are not dates');
    const iso = encodeURIComponent(new Date(startUs / 1000 - 1).toISOString());
    const t2 = await pageAll(sb, `/task/?_type=all&date_updated__gte=${iso}&_order_by=date_updated&_fields=id`, 1000);
    assert.deepEqual(new Set(t2.map((t) => t.id)), new Set(c.tasks));
    const o = await pageAll(sb, `/opportunity/?date_updated__gte=${iso}&_fields=id`, 250);
    assert.deepEqual(new Set(o.map((t) => t.id)), new Set(c.opportunities));
    const newActs = await pageAll(sb, `/activity/?date_created__gte=${iso}&_fields=id`, 100);
    assert.ok(newActs.length >= 8);

    const evs = await eventsAll(sb, `date_updated__gte=${iso}`);
    const evIds = new Set(evs.map((e) => e.id));
    for (const id of c.event_log) assert.ok(evIds.has(id));
    const updatedLeadIds = new Set(evs.filter((e) => e.object_type === 'lead' && e.action === 'updated').map((e) => e.object_id));
    for (const id of c.leads.filter((x) => before.has(x))) assert.ok(updatedLeadIds.has(id));
    const ev = evs.find((e) => e.action === 'updated' && e.object_type === 'lead');
    assert.equal(ev.data.id, ev.object_id);
    assert.ok(ev.changed_fields.includes('date_updated'));

    const users = (await get(sb, '/user/')).body.data;
    const u = users.find((x: any) => x.id === c.users[0]);
    assert.ok(us(u.date_updated) >= startUs - 1000);
  });

  it('is available on the control interface', async () => {
    const base = sb.url.replace('/api/v1', '');
    const r = await fetch(base + '/_sandbox/mutate', { method: 'POST', body: JSON.stringify({ newLeads: 1 }) });
    const body = (await r.json()) as { changed: { leads: string[] } };
    assert.equal(body.changed.leads.length, 1);
    assert.ok(sb.truth('leads').some((l) => l.id === body.changed.leads[0]));
  });
  it('stamps an import spread over a minute evenly, oldest first, none in the future', async () => {
    const res = sb.mutate({ newLeads: 120, minimalLeads: true, newLeadsOverMs: 60_000 });
    const afterUs = Date.now() * 1000;
    const made = new Set(res.created.leads);
    assert.equal(made.size, 120);
    const leads = sb.truth('leads').filter((t) => made.has(t.id));
    const created = leads.map((l) => us(l.date_created!)).sort((a, b) => a - b);
    const spanS = (created[created.length - 1] - created[0]) / 1e6;
    assert.ok(spanS > 58 && spanS <= 60, `span ${spanS} s`);
    assert.ok(created[created.length - 1] <= afterUs);
    const seconds = new Set(created.map((c) => Math.floor(c / 1e6)));
    assert.ok(seconds.size >= 55, `${seconds.size} distinct seconds`);
    for (const l of leads) assert.equal(l.date_updated, l.date_created);
  });
});
