import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../sandbox/data/store';
import { startSandbox } from '../../sandbox';

const NOW = Date.UTC(2024, 5, 1) * 1000;

describe('sandbox data generator', () => {
  it('is deterministic: same seed and scale give the same ids and dates', () => {
    const a = new Store({ seed: 7, scale: 300, nowUs: NOW });
    const b = new Store({ seed: 7, scale: 300, nowUs: NOW });
    const c = new Store({ seed: 8, scale: 300, nowUs: NOW });
    for (const s of ['leads', 'activities', 'tasks', 'contacts', 'opportunities', 'users', 'custom_fields', 'event_log'] as const) {
      if (s === 'event_log') continue; // depends on the wall clock
      assert.deepEqual(a.truth(s), b.truth(s), s);
      assert.notDeepEqual(a.truth(s), c.truth(s), s);
    }
    assert.deepEqual(a.m.lead(a.w.leads[5], true), b.m.lead(b.w.leads[5], true));
  });

  it('produces Close-like ids, realistic volumes, ties and date ordering', () => {
    const s = new Store({ seed: 1, scale: 3000, nowUs: NOW });
    const w = s.w;
    assert.match(w.leads[0].id, /^lead_[0-9A-Za-z]{43}$/);
    assert.match(w.acts[0].id, /^acti_[0-9A-Za-z]{43}$/);
    const per = (n: number) => n / w.leads.length;
    assert.ok(per(w.acts.length) > 4.5 && per(w.acts.length) < 8, `acts/lead ${per(w.acts.length)}`);
    assert.ok(per(w.tasks.length) > 1.4 && per(w.tasks.length) < 2.8);
    assert.ok(per(w.opps.length) > 0.6 && per(w.opps.length) < 1.4);
    assert.ok(per(w.contacts.length) > 1.4 && per(w.contacts.length) < 2.6);
    const leadTasks = w.tasks.filter((t) => t.kind === 0).length / w.tasks.length;
    assert.ok(leadTasks > 0.6 && leadTasks < 0.8);
    for (const r of [...w.leads, ...w.acts, ...w.tasks, ...w.opps, ...w.contacts]) {
      assert.ok(r.updated >= r.created);
      assert.ok(r.created >= NOW - 731 * 86400e6 && r.updated <= NOW);
    }
    const dupes = (xs: number[]) => xs.length - new Set(xs).size;
    assert.ok(dupes(w.leads.map((l) => l.updated)) >= 10, 'bulk-updated leads share date_updated');
    const wholeSeconds = w.acts.filter((a) => a.created % 1e6 === 0).length / w.acts.length;
    assert.ok(wholeSeconds > 0.05 && wholeSeconds < 0.2, `whole-second share ${wholeSeconds}`);
  });

  it('generates 100,000 leads quickly (timing printed, not asserted)', async () => {
    const t0 = Date.now();
    const sb = await startSandbox({ scale: 100_000, seed: 1 });
    const ms = Date.now() - t0;
    const mem = process.memoryUsage();
    console.log(
      `# sandbox: 100k leads generated in ${ms} ms; heapUsed ${Math.round(mem.heapUsed / 1e6)} MB, rss ${Math.round(mem.rss / 1e6)} MB`,
    );
    const r = await fetch(`${sb.url}/activity/?_skip=200000&_limit=100&_fields=id`, {
      headers: { Authorization: 'Basic ' + Buffer.from(sb.apiKey + ':').toString('base64') },
    });
    assert.equal(r.status, 200);
    await sb.close();
  });
});
