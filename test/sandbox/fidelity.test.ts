import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, startSandbox } from '../../sandbox';
import { STRIPPED_EMAIL_FIELDS } from '../../sandbox/data/materialize';
import { eventsAll, get, pageAll } from './helpers';

/** Behaviour the audit (docs/close-api-behaviour.md) found documented, and the sandbox now follows. */
describe('sandbox: GET /activity/ thread_emails and EmailThreads', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 120, seed: 17 });
  });
  after(() => sb.close());

  it('without thread_emails: one Email per message and no EmailThread', async () => {
    const all = await pageAll(sb, '/activity/?_fields=id,_type,thread_id', 100);
    assert.equal(all.length, sb.truth('activities').length);
    assert.ok(!all.some((a) => a._type === 'EmailThread'));
    const emails = all.filter((a) => a._type === 'Email');
    assert.equal(emails.length, (await pageAll(sb, '/activity/email/?_fields=id', 100)).length);
    const threads = new Set(sb.truth('email_threads').map((t) => t.id));
    for (const e of emails) assert.ok(threads.has(e.thread_id), `email ${e.id} points at an existing thread`);
  });

  it('thread_emails=true adds the threads and strips the emails; =only leaves the emails out', async () => {
    const both = await pageAll(sb, '/activity/?thread_emails=true', 100);
    const types = new Set(both.map((a) => a._type));
    assert.ok(types.has('EmailThread') && types.has('Email') && types.has('Call'));
    assert.equal(both.length, sb.truth('activities').length + sb.truth('email_threads').length);
    for (const e of both.filter((a) => a._type === 'Email')) {
      for (const f of STRIPPED_EMAIL_FIELDS) assert.ok(!(f in e), `stripped email still has ${f}`);
      assert.ok(e.thread_id && e.subject !== undefined && e.body_preview !== undefined);
    }
    const only = await pageAll(sb, '/activity/?thread_emails=only&_fields=id,_type', 100);
    assert.ok(!only.some((a) => a._type === 'Email'));
    assert.equal(only.filter((a) => a._type === 'EmailThread').length, sb.truth('email_threads').length);
    assert.ok(only.some((a) => a._type === 'Note'), 'other types are still listed');
    const lead = both.find((a) => a._type === 'EmailThread').lead_id;
    const perLead = await pageAll(sb, `/activity/?lead_id=${lead}&thread_emails=only&_fields=_type`, 100);
    assert.ok(perLead.some((a) => a._type === 'EmailThread') && !perLead.some((a) => a._type === 'Email'));
  });

  it('threads link to their emails: n_emails, latest_emails, the detail endpoint, date filters as /activity/', async () => {
    const emails = await pageAll(sb, '/activity/email/?_fields=id,thread_id,date_created,lead_id', 100);
    const byThread = new Map<string, any[]>();
    for (const e of emails) byThread.set(e.thread_id, [...(byThread.get(e.thread_id) ?? []), e]);
    const threads = await pageAll(sb, '/activity/emailthread/', 100);
    assert.equal(threads.length, byThread.size);
    for (const t of threads) {
      const mine = byThread.get(t.id)!;
      assert.equal(t._type, 'EmailThread');
      assert.equal(t.n_emails, mine.length);
      assert.ok(mine.every((e) => e.lead_id === t.lead_id));
      assert.ok(t.latest_emails.length >= 1 && t.latest_emails.every((e: any) => e.thread_id === t.id));
      assert.equal(t.date_created, mine.map((e) => e.date_created).sort()[0], "a thread's date_created is its first email's");
    }
    const big = threads.find((t) => t.n_emails > 1)!;
    const detail = await get(sb, `/activity/emailthread/${big.id}/`);
    assert.deepEqual(new Set(detail.body.emails.map((e: any) => e.id)), new Set(byThread.get(big.id)!.map((e) => e.id)));
    const mid = threads[Math.floor(threads.length / 2)].date_created;
    const newer = await pageAll(sb, `/activity/emailthread/?date_created__gte=${encodeURIComponent(mid)}&_fields=date_created`, 100);
    assert.equal(newer.length, threads.filter((t) => t.date_created >= mid).length);
  });

  it('a new email answers a thread or starts one; the thread moves (date_updated), its date_created stays', async () => {
    const res = sb.mutate({ newEmails: 12 });
    const touched = [...(res.created.email_threads ?? []), ...(res.updated.email_threads ?? [])];
    assert.ok(touched.length > 0);
    for (const id of res.updated.email_threads ?? []) {
      const t = (await get(sb, `/activity/emailthread/${id}/`)).body;
      assert.equal(t.date_updated, res.at);
      assert.ok(t.date_created < res.at);
      assert.ok(t.emails.some((e: any) => res.created.activities!.includes(e.id)));
    }
  });
});

describe('sandbox: skip-cap wordings, event log rules, key roles, dates', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 60, seed: 19, skipCap: 50 });
  });
  after(() => sb.close());

  it('answers the skip cap in each wording, the documented one by default', async () => {
    assert.equal(
      (await get(sb, '/contact/?_skip=51')).body.error,
      'The skip you set is larger than the maximum skip for this resource (max_skip = 50). Please refine your search query.',
    );
    sb.setSkipCapWording('documented-newline');
    assert.match((await get(sb, '/contact/?_skip=51')).body.error, /\(max_skip = 50\)\.\nPlease refine/);
    sb.setSkipCapWording('less-or-equal');
    const lte = (await get(sb, '/activity/?_skip=51')).body.error;
    assert.match(lte, /less than or equal to 50/);
    assert.doesNotMatch(lte, /max_skip|maximum skip/, 'the other wording does not share the documented words');
    sb.setSkipCapWording('documented');
  });

  it('refuses event filter combinations Close does not support, accepts the 15 it lists', async () => {
    for (const ok of ['', 'object_type=lead&action=updated', 'lead_id=x', 'user_id=x&object_type=lead', 'request_id=x', 'object_type=lead&object_id=x']) {
      assert.equal((await get(sb, `/event/?${ok}`)).status, 200, ok);
    }
    for (const bad of ['object_type=lead', 'action=created', 'object_id=x', 'lead_id=x&request_id=y', 'action=created&request_id=y']) {
      const r = await get(sb, `/event/?${bad}`);
      assert.equal(r.status, 400, bad);
      assert.match(r.body.error, /combination of filters/);
    }
  });

  it('cursor_previous leads to the events after a page', async () => {
    const first = await get(sb, '/event/?_limit=5');
    assert.equal(first.body.cursor_previous, null, 'nothing is newer than the newest page');
    const second = await get(sb, `/event/?_limit=5&_cursor=${encodeURIComponent(first.body.cursor_next)}`);
    assert.equal(typeof second.body.cursor_previous, 'string');
    const back = await get(sb, `/event/?_limit=5&_cursor=${encodeURIComponent(second.body.cursor_previous)}`);
    assert.deepEqual(back.body.data.map((e: any) => e.id), first.body.data.map((e: any) => e.id));
    // Events written later are reached from the newest page through cursor_previous.
    const res = sb.mutate({ updatedLeads: 3 });
    const again = await get(sb, `/event/?_limit=5&_cursor=${encodeURIComponent(second.body.cursor_previous)}`);
    assert.deepEqual(again.body.data.map((e: any) => e.id), first.body.data.map((e: any) => e.id));
    assert.equal(typeof again.body.cursor_previous, 'string', 'newer events exist now');
    const newest = await get(sb, `/event/?_limit=5&_cursor=${encodeURIComponent(again.body.cursor_previous)}`);
    assert.deepEqual(new Set(newest.body.data.map((e: any) => e.id)), new Set(res.created.event_log));
    assert.equal(newest.body.cursor_previous, null);
  });

  it('a non-admin key sees data and previous_data of events for an hour only; /me/ and the organization say so', async () => {
    sb.setKeyRole('user');
    try {
      const res = sb.mutate({ updatedLeads: 2 });
      const recent = await eventsAll(sb, `date_updated__gte=${encodeURIComponent(res.at)}`);
      assert.ok(recent.length > 0 && recent.every((e) => 'data' in e && 'previous_data' in e));
      const old = await eventsAll(sb, `date_updated__lte=${encodeURIComponent(new Date(Date.now() - 2 * 3600_000).toISOString())}`);
      assert.ok(old.length > 0);
      for (const e of old) {
        assert.ok(!('data' in e) && !('previous_data' in e), 'absent, not null');
        assert.ok(e.object_id && e.changed_fields);
      }
      const one = await get(sb, `/event/${old[0].id}/`);
      assert.ok(!('data' in one.body));
      const me = (await get(sb, '/me/')).body;
      assert.equal(me.memberships[0].role_id, 'user');
      const org = await get(sb, `/organization/${me.organizations[0].id}/`);
      assert.equal(org.body.memberships[0].role_id, 'user');
    } finally {
      sb.setKeyRole('admin');
    }
    const old = await get(sb, `/event/?_limit=5&date_updated__lte=${encodeURIComponent(new Date(Date.now() - 2 * 3600_000).toISOString())}`);
    assert.ok(old.body.data.every((e: any) => 'data' in e));
    assert.equal((await get(sb, '/me/')).body.memberships[0].role_id, 'admin');
  });

  it('custom field schemas, _fields=custom, lead contact_ids', async () => {
    const schema = await get(sb, '/custom_field_schema/lead/');
    const own = (await get(sb, '/custom_field/lead/')).body.data.length;
    const shared = (await get(sb, '/custom_field/shared/')).body.data.length;
    assert.equal(schema.body.fields.length, own + shared);
    const leads = (await get(sb, '/lead/?_limit=20&_fields=id,custom')).body.data;
    const withCustom = leads.filter((l: any) => Object.keys(l).some((k) => k.startsWith('custom.')));
    assert.ok(withCustom.length > 0, '_fields=custom brings the custom.cf_… keys');
    const lead = (await get(sb, '/lead/?_limit=1')).body.data[0];
    assert.deepEqual(lead.contact_ids, lead.contacts.map((c: any) => c.id));
  });
});

describe('sandbox: naive date-times (an option: Close documents offsets)', () => {
  it('serves date-times without a UTC offset where asked, and stays Close-shaped by default', async () => {
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/;
    const plain = await startSandbox({ scale: 30, seed: 4 });
    const fields = await startSandbox({ scale: 30, seed: 4, naiveDateTimes: 'fields' });
    const all = await startSandbox({ scale: 30, seed: 4, naiveDateTimes: 'all' });
    try {
      const meeting = async (s: Sandbox) => (await get(s, '/activity/meeting/?_limit=1')).body.data[0];
      assert.match((await meeting(plain)).starts_at, /\+00:00$/);
      const m = await meeting(fields);
      assert.match(m.starts_at, iso);
      assert.match(m.date_created, /\+00:00$/);
      const a = await meeting(all);
      assert.match(a.date_created, iso);
      assert.match(a.date_updated, iso);
      const lead = (await get(all, '/lead/?_limit=1')).body.data[0];
      assert.match(lead.date_updated, iso);
      const opp = (await get(all, '/opportunity/?_limit=50')).body.data.find((o: any) => o.date_won);
      if (opp) assert.match(opp.date_won, /^\d{4}-\d\d-\d\d$/, 'date-only fields stay dates');
    } finally {
      await Promise.all([plain.close(), fields.close(), all.close()]);
    }
  });
});
