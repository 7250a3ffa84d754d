import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, startSandbox } from '../../sandbox';
import { eventsAll, get, pageAll, us } from './helpers';

const since = (iso: string): string => `date_updated__gte=${encodeURIComponent(iso)}`;

describe('sandbox changes: deletions, merges, bulk changes, the oracle', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 80, seed: 33, recordVersions: true });
  });
  after(() => sb.close());

  it('a lead deletion removes it and its children, each with a Close `deleted` event', async () => {
    const lead = (await get(sb, '/lead/?_limit=50')).body.data.find((l: any) => l.contacts.length > 0 && l.opportunities.length > 0);
    assert.ok(lead, 'a lead with contacts and opportunities');
    const acts = await pageAll(sb, `/activity/?lead_id=${lead.id}&_fields=id`, 100);
    const mark = sb.oracle.mark();
    const res = sb.mutate({ delete: [lead.id] });
    assert.deepEqual(res.deleted.leads, [lead.id]);
    assert.deepEqual(new Set(res.deleted.contacts), new Set(lead.contacts.map((c: any) => c.id)));
    assert.deepEqual(new Set(res.deleted.activities), new Set(acts.map((a) => a.id)));

    assert.equal((await get(sb, `/lead/${lead.id}/`)).status, 404);
    assert.ok(!sb.truth('leads').some((t) => t.id === lead.id));
    const contacts = await pageAll(sb, '/contact/?_fields=id', 100);
    assert.ok(!contacts.some((c) => lead.contacts.some((x: any) => x.id === c.id)), 'children are gone from the lists');
    assert.equal((await get(sb, `/activity/?lead_id=${lead.id}`)).body.data.length, 0);

    const evs = (await eventsAll(sb, since(res.at))).filter((e) => e.action === 'deleted');
    const leadEv = evs.find((e) => e.object_id === lead.id)!;
    assert.equal(leadEv.object_type, 'lead');
    assert.equal(leadEv.lead_id, lead.id);
    assert.equal(leadEv.data, null, 'documented: data is null for delete events');
    for (const c of lead.contacts) {
      const e = evs.find((x) => x.object_id === c.id);
      assert.ok(e, `contact ${c.id} has a deleted event`);
      assert.equal(e.object_type, 'contact');
      assert.equal(e.lead_id, lead.id);
    }
    for (const o of lead.opportunities) assert.ok(evs.some((e) => e.object_id === o.id && e.object_type === 'opportunity'));

    assert.deepEqual(sb.oracle.deletedBetween('leads', mark).map((d) => d.id), [lead.id]);
    assert.ok(sb.oracle.existedAt('leads', mark).has(lead.id));
    assert.ok(!sb.oracle.existedAt('leads', sb.oracle.mark()).has(lead.id));
    assert.ok(sb.oracle.everExisted('leads').has(lead.id));
  });

  it('deleting a contact updates its lead (documented lead `updated` trigger); deleting an email updates its thread', async () => {
    const contact = (await get(sb, '/contact/?_limit=1')).body.data[0];
    const res = sb.mutate({ delete: [contact.id] });
    assert.deepEqual(res.updated.leads, [contact.lead_id]);
    const leadNow = (await get(sb, `/lead/${contact.lead_id}/`)).body;
    assert.equal(leadNow.date_updated, res.at);
    assert.ok(!leadNow.contact_ids.includes(contact.id));

    const threads = await pageAll(sb, '/activity/emailthread/?_fields=id,n_emails', 100);
    const thread = threads.find((t) => t.n_emails >= 2)!;
    const detail = (await get(sb, `/activity/emailthread/${thread.id}/`)).body;
    const gone = sb.mutate({ delete: [detail.emails[0].id] });
    assert.ok(gone.updated.email_threads?.includes(thread.id));
    assert.equal((await get(sb, `/activity/emailthread/${thread.id}/`)).body.n_emails, thread.n_emails - 1);
  });

  it('a merge deletes the source and moves its children, as Close documents, with merge meta on every event', async () => {
    const leads = (await get(sb, '/lead/?_limit=100')).body.data;
    const source = leads.find((l: any) => l.contacts.length > 0 && l.opportunities.length > 0);
    const destination = leads.find((l: any) => l.id !== source.id);
    const sourceActs = (await pageAll(sb, `/activity/?lead_id=${source.id}&_fields=id,_type`, 100)).filter((a) => a._type !== 'Created');
    const res = sb.mutate({ merge: [[source.id, destination.id]] });
    assert.deepEqual(res.merged, [{ source: source.id, destination: destination.id }]);
    assert.deepEqual(res.deleted.leads, [source.id]);
    assert.equal((await get(sb, `/lead/${source.id}/`)).status, 404);
    const dest = (await get(sb, `/lead/${destination.id}/`)).body;
    for (const c of source.contacts) assert.ok(dest.contact_ids.includes(c.id), 'contacts moved to the destination');
    for (const o of source.opportunities) assert.ok(dest.opportunities.some((x: any) => x.id === o.id && x.lead_id === destination.id));
    assert.equal(dest.date_updated, res.at);
    const destActs = await pageAll(sb, `/activity/?lead_id=${destination.id}&_fields=id,_type,date_updated,source_lead_id`, 100);
    for (const a of sourceActs) assert.equal(destActs.find((x) => x.id === a.id)?.date_updated, res.at, 'moved activities are updated');
    const merge = destActs.find((a) => a._type === 'LeadMerge');
    assert.equal(merge?.source_lead_id, source.id);

    const evs = (await eventsAll(sb, since(res.at))).filter((e) => e.meta?.merge_source_lead_id === source.id);
    const merged = evs.find((e) => e.action === 'merged')!;
    assert.equal(merged.lead_id, destination.id, 'documented: lead_id and data are the destination');
    assert.equal(merged.data.id, destination.id);
    const deleted = evs.find((e) => e.action === 'deleted' && e.object_id === source.id)!;
    assert.equal(deleted.meta.merge_destination_lead_id, destination.id);
    assert.ok(evs.some((e) => e.action === 'updated' && e.object_id === destination.id));
    for (const c of source.contacts) assert.ok(evs.some((e) => e.action === 'updated' && e.object_id === c.id && e.lead_id === destination.id));
    for (const e of evs) assert.equal(e.meta.merge_destination_lead_id, destination.id);
  });

  it('edits move date_updated (activities keep date_created); previous_data holds the old values', async () => {
    const opp = (await get(sb, '/opportunity/?_limit=1')).body.data[0];
    const res = sb.mutate({ update: [opp.id] });
    const now = (await get(sb, `/opportunity/?lead_id=${opp.lead_id}`)).body.data.find((o: any) => o.id === opp.id);
    assert.equal(now.date_updated, res.at);
    assert.equal(now._sandbox_version, opp._sandbox_version + 1);
    const ev = (await eventsAll(sb, since(res.at))).find((e) => e.object_id === opp.id && e.action === 'updated');
    assert.ok(ev.changed_fields.includes('date_updated'));
    for (const f of ev.changed_fields) assert.deepEqual(ev.previous_data[f], opp[f] ?? null, `previous_data.${f} is the old value (null: it had none)`);
    assert.equal(ev.previous_data.date_updated, opp.date_updated);

    const act = (await get(sb, '/activity/?_limit=1')).body.data[0];
    const edit = sb.mutate({ update: [act.id] });
    const after = (await get(sb, `/activity/?lead_id=${act.lead_id}`)).body.data.find((a: any) => a.id === act.id);
    assert.equal(after.date_created, act.date_created);
    assert.equal(after.date_updated, edit.at);
  });

  it('edits of one object in consecutive batches fold into one event (consolidation)', async () => {
    const lead = (await get(sb, '/lead/?_limit=1')).body.data[0];
    const first = sb.mutate({ update: [lead.id] });
    await new Promise((r) => setTimeout(r, 5));
    const second = sb.mutate({ update: [lead.id] });
    const evs = (await eventsAll(sb, since(first.at))).filter((e) => e.object_id === lead.id && e.action === 'updated');
    assert.equal(evs.length, 1);
    assert.equal(evs[0].date_updated, second.at);
    assert.equal(evs[0].date_created, first.at);
    assert.deepEqual(second.updated.event_log, [evs[0].id], 'the oracle sees the event change version');
  });

  it('a bulk import puts thousands of records into the same millisecond, second and minute', async () => {
    const res = sb.mutate({ newTasks: 2500 });
    assert.equal(res.created.tasks!.length, 2500);
    const iso = encodeURIComponent(res.at);
    const tasks = await pageAll(sb, `/task/?_type=all&date_created__gte=${iso}&date_created__lte=${iso}&_order_by=date_created&_fields=id,date_created`, 1000);
    assert.equal(tasks.length, 2500, 'more records in one instant than a page holds');
    assert.ok(tasks.every((t) => t.date_created === res.at));
    const leads = sb.mutate({ newLeads: 1200, minimalLeads: true });
    const q = encodeURIComponent(`date_created>="${leads.at.slice(0, 16)}" sort:date_created`);
    const inMinute = await pageAll(sb, `/lead/?query=${q}&_fields=id,date_created`, 200);
    assert.ok(inMinute.filter((l) => l.date_created === leads.at).length === 1200);
    assert.equal(us(inMinute[0].date_created) % 1000, 0, 'millisecond precision');
  });

  it('the oracle tells what existed, what was created, updated and deleted between two marks', async () => {
    const m0 = sb.oracle.mark();
    const before = new Set(sb.truth('contacts').map((t) => t.id));
    assert.deepEqual(sb.oracle.existedAt('contacts', m0), before);
    const res = sb.mutate({ newContacts: 3, updatedContacts: 4, deletedContacts: 2 });
    const m1 = sb.oracle.mark();
    sb.mutate({ newContacts: 1 });
    assert.deepEqual(sb.oracle.createdBetween('contacts', m0, m1), new Set(res.created.contacts));
    assert.deepEqual(sb.oracle.updatedBetween('contacts', m0, m1), new Set(res.updated.contacts));
    assert.deepEqual(new Set(sb.oracle.deletedBetween('contacts', m0, m1).map((d) => d.id)), new Set(res.deleted.contacts));
    const at1 = sb.oracle.existedAt('contacts', m1);
    for (const id of res.created.contacts!) assert.ok(at1.has(id));
    for (const id of res.deleted.contacts!) assert.ok(!at1.has(id) && before.has(id));
    const latest = sb.oracle.latest('contacts');
    for (const id of res.updated.contacts!) assert.ok(latest.get(id)!.version! >= 1);

    const r = await fetch(sb.url.replace('/api/v1', '') + `/_sandbox/oracle/contacts?from=${m0.seq}&to=${m1.seq}`);
    const body = (await r.json()) as { created: string[]; deleted: { id: string }[]; existed: string[] };
    assert.deepEqual(new Set(body.created), new Set(res.created.contacts));
    assert.equal(body.existed.length, before.size);
  });
});
