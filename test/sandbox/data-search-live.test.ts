import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Mutation, Sandbox, TruthRecord, startSandbox } from '../../sandbox';
import { Mutator } from '../../sandbox/data/mutate';
import { Rec } from '../../sandbox/data/model';
import { SortedIndex } from '../../sandbox/data/sorted-index';
import { Store } from '../../sandbox/data/store';
import { LiveChanges } from '../../sandbox/live';
import { get, us } from './helpers';
import { SearchObject, iso, post, search, second, walk } from './search-helpers';

// POST /data/search/ reads contacts through Store.contactsByUpdated and leads through the lead
// indexes; every change the Mutator and live mode make must keep them in step, so that a search
// always answers with the account as it stands.

const STREAM = { lead: 'leads', contact: 'contacts' } as const;
const FIELDS = ['id', 'date_updated', '_sandbox_version'];

const inRange = (t: TruthRecord, lo?: number, hi?: number): boolean => {
  const k = us(t.date_updated!);
  return (lo === undefined || k >= lo) && (hi === undefined || k < hi);
};

/** Every row is the record the truth holds, at its latest date_updated and version. */
function assertRowsAreTruth(rows: any[], truth: TruthRecord[], label: string): void {
  const byId = new Map(truth.map((t) => [t.id, t]));
  for (const r of rows) {
    const t = byId.get(r.id);
    assert.ok(t, `${label}: ${r.id} is not (or no longer) in the account`);
    assert.equal(r.date_updated, t.date_updated, `${label}: ${r.id} date_updated`);
    assert.equal(r._sandbox_version, t.version, `${label}: ${r.id} version`);
  }
}

/** Searches by date_updated over the whole account, a middle third and its latest second: each walk must be the truth. */
async function assertSearchIsTruth(sb: Sandbox, o: SearchObject, label: string): Promise<void> {
  const truth = sb.truth(STREAM[o]);
  const keys = truth.map((t) => us(t.date_updated!)).sort((a, b) => a - b);
  const ranges: [number | undefined, number | undefined][] = [
    [undefined, undefined],
    [second(keys[Math.floor(keys.length / 3)]), second(keys[Math.floor((2 * keys.length) / 3)])],
    [second(keys[keys.length - 1]), undefined],
  ];
  for (const [lo, hi] of ranges) {
    const where = `${label}: ${o} date_updated in [${lo === undefined ? '-' : iso(lo)}, ${hi === undefined ? '-' : iso(hi)})`;
    const want = truth.filter((t) => inRange(t, lo, hi));
    const body = search(o, { gte: lo === undefined ? undefined : iso(lo), lt: hi === undefined ? undefined : iso(hi), fields: FIELDS, limit: 200 });
    const { rows } = await walk(sb, body);
    assert.deepEqual(rows.map((r) => r.id).sort(), want.map((t) => t.id).sort(), where);
    assertRowsAreTruth(rows, want, where);
  }
}

describe('sandbox search indexes through every kind of change', () => {
  it('hold exactly the live contacts and leads, in order, after each change the Mutator and live mode make', () => {
    const store = new Store({ seed: 12, scale: 120, nowUs: Date.now() * 1000 });
    const mutator = new Mutator(store);
    let clock = second(store.w.nowUs) + 5e6;
    store.now = () => (clock += 1000);
    const w = store.w;

    const sameOrder = (idx: SortedIndex<Rec>, live: Rec[], label: string): void => {
      assert.deepEqual(
        idx.arr.map((r) => r.id),
        live.slice().sort(idx.cmp).map((r) => r.id),
        label,
      );
    };
    const check = (label: string): void => {
      const contacts = w.contacts.filter((c) => !c.dead);
      const leads = w.leads.filter((l) => !l.dead);
      sameOrder(store.contactsByUpdated, contacts, `${label}: contactsByUpdated`);
      sameOrder(store.contactsByCreated, contacts, `${label}: contactsByCreated`);
      sameOrder(store.leadsByUpdated, leads, `${label}: leadsByUpdated`);
      sameOrder(store.leadsByCreated, leads, `${label}: leadsByCreated`);
      for (const c of contacts) {
        assert.ok(!w.leads[c.lead].dead, `${label}: ${c.id} belongs to a live lead`);
        assert.ok(w.children[c.lead].contacts.includes(c), `${label}: ${c.id} is listed under its lead`);
      }
    };
    check('generated');

    const steps: [string, () => Mutation][] = [
      ['contact edits', () => ({ updatedContacts: 15 })],
      ['contact creations', () => ({ newContacts: 10 })],
      ['contact deletions', () => ({ deletedContacts: 6 })],
      ['lead deletions (contacts cascade)', () => ({ deletedLeads: 4 })],
      ['random lead merges', () => ({ mergedLeads: 4 })],
      [
        'named edits and deletions',
        () => {
          const cs = store.contactsByUpdated.arr;
          return { update: [cs[0].id, cs[1].id], delete: [cs[2].id, store.leadsByCreated.arr[5].id] };
        },
      ],
      ['bulk lead import', () => ({ newLeads: 400, minimalLeads: true })],
      ['bulk contact import', () => ({ newContacts: 400 })],
      ['bulk contact edit', () => ({ updatedContacts: 400 })],
      ['custom field definitions', () => ({ newCustomFields: 3, deletedCustomFields: 2, updatedCustomFields: 2 })],
      ['everything else at once', () => ({ newLeads: 5, updatedLeads: 8, newOpportunities: 4, newTasks: 4, newEmails: 6, deletedActivities: 3, mergedLeads: 2, deletedLeads: 2, newContacts: 4, deletedContacts: 2 })],
    ];
    for (const [label, make] of steps) {
      const res = mutator.apply(make());
      for (const id of res.deleted.contacts ?? []) assert.ok(!store.contactsByUpdated.arr.some((c) => c.id === id), `${label}: deleted ${id} left the index`);
      check(label);
    }

    // A named merge: the source's contacts move to the destination and are found there at the merge instant.
    const src = w.leads.find((l) => !l.dead && w.children[l.lead].contacts.length > 1)!;
    const dst = w.leads.find((l) => !l.dead && l !== src)!;
    const moving = w.children[src.lead].contacts.slice();
    const res = mutator.apply({ merge: [[src.id, dst.id]] });
    assert.deepEqual(res.merged, [{ source: src.id, destination: dst.id }]);
    check('named merge');
    const t = us(res.at);
    const [s, e] = store.contactsByUpdated.span({ gte: t, lte: t });
    const atMerge = new Set(store.contactsByUpdated.arr.slice(s, e));
    for (const c of moving) {
      assert.equal(c.lead, dst.lead, `${c.id} moved to the destination`);
      assert.ok(atMerge.has(c), `${c.id} is indexed at the merge instant`);
    }

    // Live mode: ordinary batches with hits on the records just served, and every bulk kind in turn.
    const live = new LiveChanges(mutator, 12);
    live.start({ every: 1, seed: 12, batchSize: 10, hits: 3, bulkEvery: 3, bulkSize: 250, maxBatches: 24 });
    for (let i = 0; i < 24; i++) {
      const served = [...store.contactsByUpdated.arr.slice(-4), ...store.leadsByUpdated.arr.slice(-2)].map((r) => r.id);
      live.servedRequest('/data/search/', served);
      check(`live batch ${i + 1}`);
    }
    const batches = live.status().batches;
    assert.equal(batches.length, 24);
    const labels = new Set(batches.map((b) => b.label));
    for (const l of ['import leads', 'import contacts', 'bulk-edit leads']) assert.ok(labels.has(l), `live mode ran "${l}"`);
    assert.ok(batches.some((b) => b.merged > 0), 'live mode merged leads');
    assert.ok(batches.some((b) => (b.result.deleted.contacts ?? []).length > 0), 'live mode deleted contacts');
    assert.ok(batches.some((b) => (b.result.deleted.leads ?? []).length > 0), 'live mode deleted leads');
  });
});

describe('sandbox POST /data/search/ while the account changes', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 150, seed: 14, recordVersions: true });
  });
  after(() => sb.close());

  it('after edits, deletions, lead deletions, merges and bulk imports, every date_updated search equals the truth', async () => {
    await assertSearchIsTruth(sb, 'contact', 'generated');
    await assertSearchIsTruth(sb, 'lead', 'generated');
    const deleted = new Set<string>();
    const steps: [string, Mutation][] = [
      ['contact edits', { updatedContacts: 12 }],
      ['contact deletions', { deletedContacts: 8 }],
      ['lead deletions', { deletedLeads: 4 }],
      ['lead merges', { mergedLeads: 4 }],
      ['bulk contact import', { newContacts: 400 }],
      ['bulk lead import', { newLeads: 300, minimalLeads: true }],
      ['bulk contact edit', { updatedContacts: 300 }],
      ['mixed', { newLeads: 3, newContacts: 5, updatedLeads: 5, deletedContacts: 3, mergedLeads: 1, deletedLeads: 1, newCustomFields: 2, deletedCustomFields: 1 }],
    ];
    for (const [label, mu] of steps) {
      const res = sb.mutate(mu);
      for (const id of res.deleted.contacts ?? []) deleted.add(id);
      await assertSearchIsTruth(sb, 'contact', label);
      await assertSearchIsTruth(sb, 'lead', label);
    }
    assert.ok(deleted.size > 8 + 3, 'deleted leads took their contacts along');
    const all = (await walk(sb, search('contact', { fields: ['id'], limit: 200 }))).rows.map((r) => r.id);
    assert.ok(!all.some((id) => deleted.has(id)));
    for (const id of [...deleted].slice(0, 5)) assert.equal((await get(sb, `/contact/${id}/`)).status, 404, `GET /contact/${id}/ after its deletion`);
  });

  it("a merge moves the source lead's contacts: search finds them under the destination at the merge instant, and the source is gone", async () => {
    const rows = (await walk(sb, search('contact', { fields: ['id', 'lead_id'], limit: 200 }))).rows;
    const byLead = new Map<string, string[]>();
    for (const r of rows) byLead.set(r.lead_id, [...(byLead.get(r.lead_id) ?? []), r.id]);
    const [src, dst] = [...byLead.keys()];
    const moved = byLead.get(src)!;
    const res = sb.mutate({ merge: [[src, dst]] });
    assert.deepEqual(res.merged, [{ source: src, destination: dst }]);
    const since = search('contact', { gte: iso(second(us(res.at))), fields: ['id', 'lead_id', 'date_updated'], limit: 200 });
    const after = new Map((await walk(sb, since)).rows.map((r) => [r.id, r]));
    for (const id of moved) {
      assert.equal(after.get(id)?.lead_id, dst, `${id} is the destination's`);
      assert.equal(after.get(id)?.date_updated, res.at, `${id} was updated by the merge`);
    }
    const leads = (await walk(sb, search('lead', { fields: ['id', 'contacts'], limit: 200 }))).rows;
    assert.ok(!leads.some((l) => l.id === src), 'the merged-away lead is not found');
    const dest = leads.find((l) => l.id === dst);
    for (const id of moved) assert.ok(dest.contacts.some((c: any) => c.id === id), `${id} is embedded in the destination`);
  });

  it('while live mode changes contacts and leads, each answer is the account as it stood; once it stops, every search equals the oracle', async () => {
    const start = sb.oracle.mark();
    sb.live.start({ every: 3, seed: 6, batchSize: 8, hits: 3, bulkEvery: 2, bulkSize: 150, maxBatches: 16 });
    sb.live.rule({ afterRequests: 4, path: '/data/search/', apply: { mergedLeads: 3, deletedLeads: 2, deletedContacts: 4 } });
    const quantiles = [0, 0.5, 0.9, 0.99];
    let answers = 0;
    let continued = 0;
    for (let i = 0; sb.live.status().batches.length < 17 && i < 300; i++) {
      const o: SearchObject = i % 2 ? 'lead' : 'contact';
      const dir = i % 3 === 0 ? 'desc' : 'asc';
      // Changes land only after an answer is sent, so the truth now is what the next answer must show.
      const truth = sb.truth(STREAM[o]);
      const keys = truth.map((t) => us(t.date_updated!)).sort((a, b) => a - b);
      const q = quantiles[Math.floor(i / 2) % quantiles.length];
      const lo = q === 0 ? undefined : second(keys[Math.floor(q * (keys.length - 1))]);
      const body = search(o, { gte: lo === undefined ? undefined : iso(lo), dir, fields: FIELDS, limit: 200, extra: { include_counts: true } });
      const label = `request ${i} (${o} ${dir} from ${lo === undefined ? 'the start' : iso(lo)})`;
      const r = await post(sb, body);
      assert.equal(r.status, 200, `${label}: ${r.text}`);
      const want = truth.filter((t) => inRange(t, lo));
      assert.equal(r.body.count.total, want.length, `${label}: count`);
      assert.equal(r.body.data.length, Math.min(200, want.length), `${label}: page size`);
      assertRowsAreTruth(r.body.data, want, label);
      // The page holds the first records in sort order (records sharing a date_updated in any order).
      const first = want.map((t) => us(t.date_updated!)).sort((a, b) => (dir === 'asc' ? a - b : b - a)).slice(0, 200);
      assert.deepEqual(r.body.data.map((row: any) => us(row.date_updated)), first, `${label}: the first records`);
      answers++;
      if (r.body.cursor && i % 4 === 1) {
        // Mid-walk, after a batch may have changed the account: no deleted or stale record, whatever shifted.
        const now = sb.truth(STREAM[o]);
        const next = await post(sb, { ...body, cursor: r.body.cursor });
        assert.equal(next.status, 200, `${label}, next page: ${next.text}`);
        assertRowsAreTruth(next.body.data, now, `${label}, next page`);
        continued++;
      }
    }
    sb.live.stop();
    assert.ok(answers >= 30 && continued > 0, `${answers} answers, ${continued} continued`);

    const batches = sb.live.status().batches;
    assert.equal(batches.length, 17, 'every scheduled batch and the rule ran');
    const labels = new Set(batches.map((b) => b.label));
    for (const l of ['import leads', 'import contacts', 'bulk-edit leads', 'rule']) assert.ok(labels.has(l), `live mode ran "${l}"`);
    assert.ok(batches.some((b) => b.merged > 0) && batches.some((b) => (b.result.deleted.contacts ?? []).length > 0));

    await assertSearchIsTruth(sb, 'contact', 'after live mode');
    await assertSearchIsTruth(sb, 'lead', 'after live mode');
    // The oracle's account: everything created during the run and not deleted is found, nothing deleted is.
    const end = sb.oracle.mark();
    for (const o of ['contact', 'lead'] as const) {
      const found = new Set((await walk(sb, search(o, { fields: ['id'], limit: 200 }))).rows.map((r) => r.id));
      assert.deepEqual([...found].sort(), [...sb.oracle.existedAt(STREAM[o], end)].sort(), `${o}: the oracle's records`);
      const gone = sb.oracle.deletedBetween(STREAM[o], start, end);
      assert.ok(gone.length > 0, `${o}: live mode deleted some`);
      for (const d of gone) assert.ok(!found.has(d.id), `${o}: deleted ${d.id} is not found`);
      for (const id of sb.oracle.createdBetween(STREAM[o], start, end)) {
        if (!gone.some((d) => d.id === id)) assert.ok(found.has(id), `${o}: created ${id} is found`);
      }
    }
  });
});

describe('POST /data/search/ under rate limits', () => {
  it('is its own endpoint group, and its 429 takes the body shape and reset format chosen, as GETs do', async () => {
    const sb = await startSandbox({ scale: 5, rateLimit: { perGroupPerSecond: 2, orgMultiplier: 10, body: 'nested', resetFormat: 'fraction' } });
    try {
      const body = search('lead', { limit: 1 });
      const first = await post(sb, body);
      assert.equal(first.status, 200);
      assert.match(first.headers.get('ratelimit')!, /^limit=2, remaining=1, reset=\d\.\d{3}$/);
      assert.equal((await post(sb, body)).status, 200);
      const nested = await post(sb, body);
      assert.equal(nested.status, 429);
      assert.match(nested.headers.get('ratelimit')!, /^limit=2, remaining=0, reset=\d\.\d{3}$/);
      assert.match(nested.headers.get('retry-after')!, /^\d+$/);
      assert.deepEqual(Object.keys(nested.body.error).sort(), ['message', 'rate_limit', 'rate_limit_type', 'rate_reset', 'rate_window']);
      assert.equal((await get(sb, '/lead/?_limit=1')).status, 200, 'GET /lead/ is another group');

      sb.setRateLimit({ perGroupPerSecond: 1 });
      assert.equal((await post(sb, body)).status, 200);
      const recorded = await post(sb, body);
      assert.equal(recorded.status, 429);
      assert.equal(recorded.headers.get('ratelimit'), 'limit=1, remaining=0, reset=1');
      assert.equal(recorded.headers.get('retry-after'), '1');
      assert.deepEqual(Object.keys(recorded.body).sort(), ['message', 'rate_endpoint_group', 'rate_limit', 'rate_limit_type', 'rate_reset', 'rate_window']);
      assert.equal((await get(sb, '/lead/?_limit=1')).status, 200);
      const lead429 = await get(sb, '/lead/?_limit=1');
      assert.equal(lead429.status, 429);
      assert.notEqual(lead429.body.rate_endpoint_group, recorded.body.rate_endpoint_group);

      sb.setRateLimit({ perGroupPerSecond: 1, body: 'none' });
      assert.equal((await post(sb, body)).status, 200);
      const bare = await post(sb, body);
      assert.equal(bare.status, 429);
      assert.equal(bare.text, '');
    } finally {
      await sb.close();
    }
  });

  it('refuses a body it cannot parse only after authentication and the rate limit, as any request', async () => {
    const sb = await startSandbox({ scale: 5, rateLimit: { perGroupPerSecond: 1 } });
    try {
      assert.equal((await post(sb, '{"query": ', '/data/search/', {})).status, 401);
      const bad = await post(sb, '{"query": ');
      assert.equal(bad.status, 400);
      assert.equal(typeof bad.body.error, 'string');
      assert.equal(bad.headers.get('ratelimit'), 'limit=1, remaining=0, reset=1');
      assert.equal((await post(sb, '{"query": ')).status, 429, 'a refused body counts against the limit');
    } finally {
      await sb.close();
    }
  });
});

describe('POST /data/search/ with the fidelity options', () => {
  it('serves records from the same materializer as GET: naive date-times, _sandbox_version, either key role', async () => {
    const sb = await startSandbox({ scale: 20, seed: 3, naiveDateTimes: 'all', recordVersions: true, keyRole: 'user' });
    try {
      sb.mutate({ updatedContacts: 5, updatedLeads: 5 });
      const contactBody = search('contact', { fields: ['id', 'lead_id', 'date_created', 'date_updated', 'emails', 'custom', '_sandbox_version'], limit: 200 });
      const contacts = (await post(sb, contactBody)).body.data;
      assert.equal(contacts.length, sb.truth('contacts').length);
      for (const row of contacts.slice(0, 8)) {
        assert.match(row.date_updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/, 'no UTC offset');
        const full = (await get(sb, `/contact/${row.id}/`)).body;
        for (const k of Object.keys(row)) assert.deepEqual(row[k], full[k], `${row.id} ${k}`);
      }
      const leadBody = search('lead', { fields: ['id', 'date_updated', 'contacts', '_sandbox_version'], limit: 50 });
      const leads = (await post(sb, leadBody)).body.data;
      for (const row of leads.slice(0, 5)) {
        const full = (await get(sb, `/lead/${row.id}/`)).body;
        for (const k of Object.keys(row)) assert.deepEqual(row[k], full[k], `${row.id} ${k}`);
      }
      // Bounds are UTC moments whatever the answers print: a range finds what the truth (with offsets) holds there.
      const truth = sb.truth('contacts');
      const keys = truth.map((t) => us(t.date_updated!)).sort((a, b) => a - b);
      const lo = second(keys[Math.floor(keys.length / 2)]);
      const ranged = (await walk(sb, search('contact', { gte: iso(lo), fields: ['id'], limit: 200 }))).rows.map((r) => r.id);
      assert.deepEqual(ranged.sort(), truth.filter((t) => inRange(t, lo)).map((t) => t.id).sort());
      // The key role changes only what old events show: search answers alike.
      sb.setKeyRole('admin');
      assert.deepEqual((await post(sb, contactBody)).body.data, contacts);
    } finally {
      await sb.close();
    }
  });
});
