import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, startSandbox } from '../../sandbox';
import { parseLeadQuery } from '../../sandbox/endpoints/lead-query';
import { get, pageAll, us } from './helpers';

const cmpDesc = (a: any, b: any, key: string): number => us(b[key]) - us(a[key]) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe('sandbox filtering and ordering', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 600, seed: 11 });
  });
  after(() => sb.close());

  it('activities: newest date_created first, ties ordered stably, date filters as instants', async () => {
    const all = await pageAll(sb, '/activity/?_fields=id,date_created', 100);
    assert.equal(all.length, sb.truth('activities').length);
    for (let i = 1; i < all.length; i++) assert.ok(cmpDesc(all[i - 1], all[i], 'date_created') < 0, `order at ${i}`);
    // bulk imports share one date_created: ties exist and are served in a stable order
    const counts = new Map<string, number>();
    for (const a of all) counts.set(a.date_created, (counts.get(a.date_created) ?? 0) + 1);
    const [tieTs, n] = [...counts].sort((a, b) => b[1] - a[1])[0];
    assert.ok(n > 1, 'expected shared timestamps');
    const again = await pageAll(sb, '/activity/?_fields=id,date_created', 100);
    assert.deepEqual(again.map((a) => a.id), all.map((a) => a.id));

    // same instant written with Z and no fraction / +00:00 with fraction
    const zForm = new Date(us(tieTs) / 1000).toISOString().replace('.000Z', 'Z');
    const gte = await pageAll(sb, `/activity/?date_created__gte=${encodeURIComponent(zForm)}&_fields=id,date_created`, 100);
    const gt = await pageAll(sb, `/activity/?date_created__gt=${encodeURIComponent(tieTs)}&_fields=id,date_created`, 100);
    assert.equal(gte.length - gt.length, n);
    assert.ok(gt.every((a) => us(a.date_created) > us(tieTs)));
    const lt = await pageAll(sb, `/activity/?date_created__lt=${encodeURIComponent(tieTs)}&_fields=id`, 100);
    assert.equal(lt.length + gte.length, all.length);
    const day = tieTs.slice(0, 10);
    const sameDay = await pageAll(sb, `/activity/?date_created__gte=${day}&date_created__lte=${day}T23:59:59.999999Z&_fields=id,date_created`, 100);
    assert.ok(sameDay.every((a) => a.date_created.startsWith(day)));
    assert.equal(sameDay.length, all.filter((a) => a.date_created.startsWith(day)).length);
  });

  it('activities: per-type endpoints and _type only with lead_id', async () => {
    const calls = await pageAll(sb, '/activity/call/?_fields=id,_type', 100);
    assert.ok(calls.length > 0 && calls.every((a) => a._type === 'Call'));
    const lsc = await get(sb, '/activity/status_change/lead/?_fields=_type');
    assert.ok(lsc.body.data.every((a: any) => a._type === 'LeadStatusChange'));
    assert.equal((await get(sb, '/activity/?_type=Call')).status, 400);
    const leadId = sb.truth('leads')[0].id;
    const r = await get(sb, `/activity/?lead_id=${leadId}&_type=Created`);
    assert.equal(r.status, 200);
    assert.equal(r.body.data.length, 1);
    assert.equal(r.body.data[0].lead_id, leadId);
  });

  it('parses the legacy lead query', () => {
    const q = parseLeadQuery('date_updated >= "2024-01-01T00:00" date_updated<2024-02-01T00:00:00.5Z  sort:date_updated');
    assert.equal(q.ranges.date_updated.gte, Date.UTC(2024, 0, 1) * 1000);
    assert.equal(q.ranges.date_updated.lt, Date.UTC(2024, 1, 1) * 1000 + 500000);
    assert.deepEqual(q.sort, { field: 'date_updated', desc: false });
    assert.deepEqual(parseLeadQuery('sort:-date_created date_created>"2020-01-01+00:00"').sort, { field: 'date_created', desc: true });
    assert.throws(() => parseLeadQuery('name:foo'));
    assert.throws(() => parseLeadQuery('date_updated>="not a date"'));
  });

  it('leads: query ranges, ascending sort, total_results, default newest first', async () => {
    const truth = sb.truth('leads').sort((a, b) => us(a.date_updated!) - us(b.date_updated!));
    const lo = truth[Math.floor(truth.length / 4)].date_updated!;
    const hi = truth[Math.floor((truth.length * 3) / 4)].date_updated!;
    const q = encodeURIComponent(`date_updated>="${lo}" date_updated < "${hi}" sort:date_updated`);
    const first = await get(sb, `/lead/?query=${q}&_limit=10&_fields=id`);
    const expected = truth.filter((t) => us(t.date_updated!) >= us(lo) && us(t.date_updated!) < us(hi));
    assert.equal(first.body.total_results, expected.length);
    const got = await pageAll(sb, `/lead/?query=${q}&_fields=id,date_updated`, 200);
    assert.equal(got.length, expected.length);
    for (let i = 1; i < got.length; i++) assert.ok(us(got[i - 1].date_updated) <= us(got[i].date_updated));
    assert.deepEqual(new Set(got.map((l) => l.id)), new Set(expected.map((l) => l.id)));

    const def = await get(sb, '/lead/?_limit=50&_fields=id,date_updated');
    for (let i = 1; i < def.body.data.length; i++) assert.ok(us(def.body.data[i - 1].date_updated) >= us(def.body.data[i].date_updated));
    assert.equal((await get(sb, '/lead/?query=' + encodeURIComponent('company:"Acme"'))).status, 400);
  });

  it('tasks: no _type gives lead tasks only, _type=all gives every type', async () => {
    const leadOnly = await pageAll(sb, '/task/?_fields=id,_type', 1000);
    assert.ok(leadOnly.every((t) => t._type === 'lead'));
    const all = await pageAll(sb, '/task/?_type=all&_fields=id,_type', 1000);
    assert.equal(all.length, sb.truth('tasks').length);
    const types = new Set(all.map((t) => t._type));
    assert.ok(types.size >= 6, [...types].join());
    assert.ok(leadOnly.length < all.length);
    const vm = await pageAll(sb, '/task/?_type=voicemail&_fields=_type,voicemail_url', 1000);
    assert.ok(vm.length > 0 && vm.every((t) => t._type === 'voicemail' && t.voicemail_url));
    const done = await pageAll(sb, '/task/?_type=all&is_complete=true&_fields=is_complete', 1000);
    assert.ok(done.length > 0 && done.every((t) => t.is_complete === true));
    const byDate = await pageAll(sb, '/task/?_type=all&_order_by=date&_fields=date', 1000);
    const dateKey = (d: string): number => us(d.length === 10 ? d + 'T00:00:00+00:00' : d);
    for (let i = 1; i < byDate.length; i++) assert.ok(dateKey(byDate[i - 1].date) <= dateKey(byDate[i].date));
    const created = await pageAll(sb, '/task/?_type=all&_order_by=date_created&_fields=date_created', 1000);
    for (let i = 1; i < created.length; i++) assert.ok(us(created[i - 1].date_created) <= us(created[i].date_created));
  });

  it('tasks: an _order_by Close does not offer is ignored (default order), or refused when strict', async () => {
    // Documented orderings are date and date_created; Close's framework silently ignores others.
    const ignored = await get(sb, '/task/?_type=all&_order_by=date_updated&_limit=200&_fields=id,date_created');
    const plain = await get(sb, '/task/?_type=all&_limit=200&_fields=id,date_created');
    assert.equal(ignored.status, 200);
    assert.deepEqual(ignored.body.data, plain.body.data);
    for (let i = 1; i < plain.body.data.length; i++) assert.ok(us(plain.body.data[i - 1].date_created) >= us(plain.body.data[i].date_created));
    const strict = await startSandbox({ scale: 20, seed: 11, strictOrderBy: true });
    try {
      assert.equal((await get(strict, '/task/?_order_by=date_updated')).status, 400);
      assert.equal((await get(strict, '/opportunity/?_order_by=nonsense')).status, 400);
      assert.equal((await get(strict, '/task/?_order_by=-date')).status, 200);
    } finally {
      await strict.close();
    }
  });

  it('tasks: _type__in, and object_type/view/is_dateless as Close records them', async () => {
    const two = await pageAll(sb, '/task/?_type__in=missed_call,voicemail&_fields=_type', 1000);
    assert.ok(two.length > 0 && two.every((t) => t._type === 'missed_call' || t._type === 'voicemail'));
    const all = await pageAll(sb, '/task/?_type=all', 1000);
    for (const t of all) {
      if (t._type === 'incoming_email' || t._type === 'email_followup') assert.equal(t.object_type, 'emailthread');
      if (t._type === 'lead') {
        assert.equal(t.object_type, t.is_complete ? 'taskcompleted' : null);
        if (t.is_complete) assert.match(t.object_id, /^acti_/);
      }
      if (t.is_complete) assert.equal(t.view, 'archive');
      else assert.ok(['inbox', 'future'].includes(t.view), t.view);
      if (t.is_dateless) {
        assert.equal(t.due_date, null);
        assert.match(t.date, /^\d{4}-\d{2}-\d{2}$/);
      }
    }
    assert.ok(all.some((t) => t.is_dateless), 'some tasks are dateless');
  });

  it('opportunities: _order_by and date_updated filters, total_results', async () => {
    const truth = sb.truth('opportunities');
    const asc = await pageAll(sb, '/opportunity/?_order_by=date_updated&_fields=id,date_updated', 250);
    assert.equal(asc.length, truth.length);
    for (let i = 1; i < asc.length; i++) assert.ok(us(asc[i - 1].date_updated) <= us(asc[i].date_updated));
    const desc = await pageAll(sb, '/opportunity/?_order_by=-date_created&_fields=id,date_created', 250);
    for (let i = 1; i < desc.length; i++) assert.ok(us(desc[i - 1].date_created) >= us(desc[i].date_created));
    // Other documented orderings, and the aggregates "contained in all opportunity list responses".
    const byValue = await pageAll(sb, '/opportunity/?_order_by=-value&_fields=id,value', 250);
    assert.equal(byValue.length, truth.length);
    for (let i = 1; i < byValue.length; i++) assert.ok(byValue[i - 1].value >= byValue[i].value);
    const page = await get(sb, '/opportunity/?_limit=5');
    for (const k of ['count_by_value_period', 'total_value_one_time', 'total_value_monthly', 'total_value_annual', 'expected_value_annualized']) {
      assert.ok(k in page.body, k);
    }
    const mid = asc[Math.floor(asc.length / 2)].date_updated;
    const r = await get(sb, `/opportunity/?date_updated__gte=${encodeURIComponent(mid)}&_limit=1`);
    assert.equal(r.body.total_results, truth.filter((t) => us(t.date_updated!) >= us(mid)).length);
  });
});
