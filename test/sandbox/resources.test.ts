import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Sandbox, startSandbox } from '../../sandbox';
import { RESOURCE_SEEDS } from '../../sandbox/resources/seeds';
import { eventsAll, get, pageAll } from './helpers';
import { readSeeded } from './resource-reads';

const seed = (stream: string) => RESOURCE_SEEDS.find((s) => s.stream === stream)!;

describe('sandbox resource engine (sandbox/resources)', () => {
  let sb: Sandbox;
  let me: string;
  before(async () => {
    sb = await startSandbox({ scale: 60, seed: 21 });
    me = (await get(sb, '/me/')).body.id;
  });
  after(() => sb.close());

  it('is deterministic from the seed: the same records, rendered the same, in another sandbox', async () => {
    const now = new Date('2026-05-01T12:00:00Z');
    const [a, b] = await Promise.all([startSandbox({ scale: 60, seed: 21, now }), startSandbox({ scale: 60, seed: 21, now })]);
    try {
      for (const stream of ['roles', 'comment_threads', 'comments', 'sequence_subscriptions', 'phone_numbers', 'send_as'] as const) {
        const records = await readSeeded(a, seed(stream));
        assert.ok(records.length > 0, stream);
        assert.deepEqual(await readSeeded(b, seed(stream)), records, stream);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('pages where Close documents paging, with a 400 above the max _limit; answers the rest at once', async () => {
    const tooMany = await get(sb, `/phone_number/?_limit=${seed('phone_numbers').maxLimit! + 1}`);
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.error, /max_limit = 100/);
    const page = await get(sb, '/phone_number/?_limit=3');
    assert.equal(page.body.data.length, 3);
    assert.equal(page.body.has_more, true);
    const roles = await get(sb, '/role/?_limit=2&_skip=1');
    assert.equal(roles.body.has_more, false);
    assert.equal(roles.body.data.length, sb.truth('roles').length, 'unpaged: _skip/_limit are ignored');
  });

  it('refuses a child list without its parent filter, as documented', async () => {
    assert.equal((await get(sb, '/comment/')).status, 400);
    assert.equal((await get(sb, '/sequence_subscription/')).status, 400);
    const thread = sb.truth('comment_threads')[0].id;
    const comments = (await get(sb, `/comment/?thread_id=${thread}`)).body.data;
    assert.ok(comments.length > 0 && comments.every((c: any) => c.thread_id === thread));
    const threadBody = (await get(sb, `/comment_thread/${thread}/`)).body;
    assert.equal(threadBody.num_comments, comments.length, "a thread's num_comments counts its comments");
  });

  it('honours the documented filters and defaults: Smart Views of lead type unless asked; Send As of the key only', async () => {
    const lead = await pageAll(sb, '/saved_search/', 100);
    assert.ok(lead.length > 0 && lead.every((v) => v.type === 'lead'));
    const two = await pageAll(sb, '/saved_search/?type__in=lead,contact', 100);
    assert.deepEqual([...new Set(two.map((v) => v.type))].sort(), ['contact', 'lead']);
    const allowing = (await get(sb, '/send_as/')).body.data;
    assert.ok(allowing.length > 0 && allowing.every((a: any) => a.allowing_user_id === me), 'allowing_user_id = me by default');
    const allowed = (await get(sb, `/send_as/?allowed_user_id=${me}`)).body.data;
    assert.ok(allowed.length > 0 && allowed.every((a: any) => a.allowed_user_id === me));
    assert.equal(sb.truth('send_as').length, allowing.length + allowed.length, 'the others are invisible to the key');
  });

  it('edits and deletions: dates move, the edited field shows it, events of the logged kinds only, children go with their parent', async () => {
    const from = sb.oracle.mark();
    const [phone] = sb.truth('phone_numbers');
    const [role] = sb.truth('roles').slice(-1);
    const thread = sb.truth('comment_threads')[1].id;
    const threadComments = (await get(sb, `/comment/?thread_id=${thread}`)).body.data.map((c: any) => c.id);
    const res = sb.mutate({ update: [phone.id, role.id], delete: [thread] });
    const edited = (await get(sb, `/phone_number/${phone.id}/`)).body;
    assert.equal(edited.date_updated, res.at);
    assert.match(edited.label, /\(edit 1\)$/);
    assert.equal((await get(sb, `/comment_thread/${thread}/`)).status, 404);
    assert.deepEqual([...(res.deleted.comments ?? [])].sort(), [...threadComments].sort(), 'its comments are deleted with it');
    const events = await eventsAll(sb, `date_updated__gte=${encodeURIComponent(res.at)}`);
    assert.ok(events.some((e) => e.object_type === 'phone_number' && e.action === 'updated' && e.object_id === phone.id));
    assert.ok(events.some((e) => e.object_type === 'comment_thread' && e.action === 'deleted' && e.object_id === thread && e.data === null));
    for (const c of threadComments) assert.ok(events.some((e) => e.object_type === 'comment' && e.action === 'deleted' && e.object_id === c));
    assert.ok(!events.some((e) => e.object_id === role.id), 'Close logs no events for roles');
    assert.deepEqual([...sb.oracle.updatedBetween('phone_numbers', from)], [phone.id]);
    assert.deepEqual(sb.oracle.deletedBetween('comment_threads', from).map((d) => d.id), [thread]);
    assert.ok(!sb.oracle.existedAt('comment_threads', sb.oracle.mark()).has(thread));
    assert.ok(sb.oracle.existedAt('comment_threads', from).has(thread));
  });

  it("a new comment edits its thread; a deleted lead's comment threads go with it", async () => {
    const res = sb.mutate({ resources: { comments: { created: 1 } } });
    const [comment] = res.created.comments!;
    assert.equal(res.updated.comment_threads?.length, 1, 'its thread was edited');
    const threadId = (res.updated.comment_threads ?? [])[0];
    const thread = (await get(sb, `/comment_thread/${threadId}/`)).body;
    assert.equal(thread.updated_at, res.at);
    assert.ok((await get(sb, `/comment/?thread_id=${threadId}`)).body.data.some((c: any) => c.id === comment));
    const lead = thread.lead_id;
    const del = sb.mutate({ delete: [lead] });
    assert.ok(del.deleted.comment_threads?.includes(threadId));
  });

  it('activity types with an endpoint of their own are activities too, with their own events', async () => {
    const subs = await pageAll(sb, '/activity/form_submission/', 100);
    assert.deepEqual(subs.map((a) => a.id).sort(), sb.truth('form_submissions').map((t) => t.id).sort());
    assert.ok(subs.every((a) => a._type === 'FormSubmission' && typeof a.form_id === 'string'));
    const forms = new Set(sb.truth('forms').map((f) => f.id));
    assert.ok(subs.every((a) => forms.has(a.form_id)), 'form_id names a form');
    const res = sb.mutate({ update: [subs[0].id] });
    assert.ok(res.updated.form_submissions?.includes(subs[0].id) && res.updated.activities?.includes(subs[0].id), 'journaled in both streams');
    const events = await eventsAll(sb, `date_updated__gte=${encodeURIComponent(res.at)}`);
    assert.ok(events.some((e) => e.object_type === 'activity.form_submission' && e.object_id === subs[0].id));
    const merges = await pageAll(sb, '/activity/lead_merge/', 100);
    assert.ok(merges.length > 0 && merges.every((m) => m.merge_status === 'completed' && m.source_lead_id && m.destination_lead_id === m.lead_id));
  });
});
