import {after, before, describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {SyncMode} from 'faros-airbyte-cdk';
import {CloseClient} from '../../src/client/close-client';
import {parseConfig} from '../../src/config/config';
import {streamClass} from '../../src/streams/registry';
import {StreamContext, StreamItem} from '../../src/streams/stream-base';
import {fromDate} from '../../src/time/instant';
import {Sandbox, StreamName, startSandbox} from '../../sandbox';
import {silentLogger} from './helpers/fakes';

/**
 * The kinds of stream the registry declares (child, detail, both-ways,
 * embedded, keyless, secret-dropping, per-type activities), each read in
 * process against the sandbox, for what the end-to-end read does not show.
 */
describe('stream kinds against the sandbox', () => {
  let sb: Sandbox;
  let client: CloseClient;

  function ctx(extra: Record<string, unknown> = {}): StreamContext {
    const now = fromDate(new Date());
    return {
      client,
      config: parseConfig({api_key: sb.apiKey, api_url: sb.url, start_date: '2000-01-01T00:00:00Z', ...extra}),
      syncStartedAt: Math.ceil(now / 1e6) * 1e6,
      now: () => fromDate(new Date()),
      logger: silentLogger as any,
    };
  }

  async function read(stream: string, mode = SyncMode.FULL_REFRESH, state?: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<StreamItem[]> {
    const s = new (streamClass(stream))(ctx(extra));
    const items: StreamItem[] = [];
    for await (const item of s.readItems(mode, state ? s.parseState(state) : undefined)) items.push(item);
    return items;
  }
  const recordsIn = (items: StreamItem[]) => items.flatMap((i) => ('record' in i ? [i.record] : []));
  const truthIds = (stream: string) => sb.truth(stream as StreamName).map((t) => t.id).sort();

  before(async () => {
    sb = await startSandbox({scale: 40, seed: 5});
    client = new CloseClient({apiUrl: sb.url, apiKey: sb.apiKey, timeoutMs: 10_000, maxRetries: 0, maxRateLimitWaitMs: 1000});
  });
  after(async () => {
    client.close();
    await sb.close();
  });

  it('child: comments per thread, in thread order; a thread gone between the two reads (404) has none and the rest arrive', async () => {
    const all = recordsIn(await read('comments'));
    assert.deepEqual(all.map((c) => c.id).sort(), truthIds('comments'));
    const threads = sb.truth('comment_threads').map((t) => t.id);
    const order = [...new Set(all.map((c) => c.thread_id))];
    assert.deepEqual(order, threads.filter((t) => order.includes(t)), 'printed in the order of the threads');
    sb.script({path: '/comment/', times: 1, respond: {status: 404, body: '{"error": "Empty query: CommentThread matching query does not exist."}'}});
    const without = recordsIn(await read('comments', SyncMode.FULL_REFRESH, undefined, {max_requests_per_stream: 1}));
    sb.clearScripts();
    const first = threads[0];
    assert.deepEqual(without.map((c) => c.id).sort(), all.filter((c) => c.thread_id !== first).map((c) => c.id).sort());
  });

  it('child: a 400 for a comment list is an error, not a skipped parent', async () => {
    sb.script({path: '/comment/', times: 1, respond: {status: 400, body: '{"error": "Invalid thread_id"}'}});
    await assert.rejects(read('comments'), /400|Invalid thread_id/);
    sb.clearScripts();
  });

  it('detail: groups carry their members, which the list leaves out', async () => {
    const res = await fetch(`${sb.url}/group/`, {headers: {Authorization: `Basic ${Buffer.from(`${sb.apiKey}:`).toString('base64')}`}});
    const listed = ((await res.json()) as any).data;
    assert.ok(listed.length > 0 && listed.every((g: any) => !('members' in g)), 'the sandbox lists groups without members, as Close does');
    const groups = recordsIn(await read('groups'));
    assert.deepEqual(groups.map((g) => g.id).sort(), truthIds('groups'));
    assert.ok(groups.every((g) => Array.isArray(g.members) && g.members.every((m: any) => typeof m.user_id === 'string')));
  });

  it("send_as: both directions of the key's user, each association once, none it is not part of", async () => {
    const me = sb.truth('users')[0].id;
    const records = recordsIn(await read('send_as'));
    assert.deepEqual(records.map((r) => r.id).sort(), truthIds('send_as'));
    assert.ok(records.every((r) => r.allowing_user_id === me || r.allowed_user_id === me));
    assert.ok(records.some((r) => r.allowing_user_id === me) && records.some((r) => r.allowed_user_id === me), 'both directions present');
  });

  it('memberships: active and inactive ones from the organization, is_active telling them apart', async () => {
    const records = recordsIn(await read('memberships'));
    assert.deepEqual(records.map((r) => r.id).sort(), truthIds('memberships'));
    assert.ok(records.some((r) => r.is_active === true) && records.some((r) => r.is_active === false));
  });

  it('memberships: a /me/ without an organization is an error, not an empty stream', async () => {
    sb.script({path: '/me/', times: 1, respond: {status: 200, body: JSON.stringify({id: 'user_x', organizations: []})}});
    await assert.rejects(read('memberships'), /named no organization/);
    sb.clearScripts();
  });

  it('webhooks: the sandbox serves signature_key as Close does; the stream never emits it', async () => {
    const res = await fetch(`${sb.url}/webhook/`, {headers: {Authorization: `Basic ${Buffer.from(`${sb.apiKey}:`).toString('base64')}`}});
    assert.ok(((await res.json()) as any).data.every((w: any) => typeof w.signature_key === 'string'));
    const records = recordsIn(await read('webhooks'));
    assert.ok(records.length > 0 && records.every((w) => !('signature_key' in w)));
  });

  it('smart_views: every type (without type__in Close lists lead Smart Views only)', async () => {
    const res = await fetch(`${sb.url}/saved_search/`, {headers: {Authorization: `Basic ${Buffer.from(`${sb.apiKey}:`).toString('base64')}`}});
    assert.ok(((await res.json()) as any).data.every((v: any) => v.type === 'lead'));
    const records = recordsIn(await read('smart_views'));
    assert.deepEqual(records.map((r) => r.id).sort(), truthIds('smart_views'));
    assert.ok(new Set(records.map((r) => r.type)).size > 5);
  });

  it('unsubscribed_emails: keyed by email', async () => {
    const records = recordsIn(await read('unsubscribed_emails'));
    assert.deepEqual(records.map((r) => r.email).sort(), truthIds('unsubscribed_emails'));
  });

  it('per-type activities: incremental from the saved cursor less the attribution window, also listed in activities', async () => {
    const first = await read('form_submissions', SyncMode.INCREMENTAL);
    const records = recordsIn(first);
    assert.deepEqual(records.map((r) => r.id).sort(), truthIds('form_submissions'));
    assert.ok(records.every((r) => r._type === 'FormSubmission'));
    const activities = new Set(truthIds('activities'));
    assert.ok(records.every((r) => activities.has(r.id)), 'the same records come in activities');
    const state = first.filter((i) => 'checkpoint' in i).at(-1) as {checkpoint: Record<string, string>};
    const saved = Date.parse(state.checkpoint.date_created);
    const change = sb.mutate({resources: {form_submissions: {created: 2}}});
    const again = recordsIn(await read('form_submissions', SyncMode.INCREMENTAL, state.checkpoint, {lookback_window_hours: 1}));
    for (const id of change.created.form_submissions!) assert.ok(again.some((r) => r.id === id), `new ${id} read`);
    assert.ok(again.every((r) => Date.parse(r.date_created) >= saved - 3600_000), 'nothing older than the window before the cursor');
  });
});
