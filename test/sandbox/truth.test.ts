import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STREAM_NAMES, Sandbox, StreamName, startSandbox } from '../../sandbox';
import { eventsAll, pageAll } from './helpers';
import { RESOURCE_SEEDS, seededStreams } from './resource-reads';

/** The built-in resources' endpoints; the seeded ones are read from their seeds. */
const ENDPOINTS: Partial<Record<StreamName, [string, number]>> = {
  activities: ['/activity/', 100],
  email_threads: ['/activity/emailthread/', 100],
  custom_fields: ['/custom_field/lead/', 1000],
  leads: ['/lead/', 200],
  tasks: ['/task/?_type=all', 1000],
  users: ['/user/', 1000],
  opportunities: ['/opportunity/', 250],
  contacts: ['/contact/', 100],
  lead_statuses: ['/status/lead/', 100],
  opportunity_statuses: ['/status/opportunity/', 100],
  pipelines: ['/pipeline/', 100],
  email_templates: ['/email_template/', 100],
  sequences: ['/sequence/', 1000],
  contact_custom_fields: ['/custom_field/contact/', 1000],
  opportunity_custom_fields: ['/custom_field/opportunity/', 1000],
  activity_custom_fields: ['/custom_field/activity/', 1000],
  shared_custom_fields: ['/custom_field/shared/', 1000],
};

describe('sandbox truth()', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ scale: 150, seed: 9 });
  });
  after(() => sb.close());

  it('matches what paging each endpoint returns, for every stream', async () => {
    const seeded = seededStreams();
    for (const stream of STREAM_NAMES) {
      const truth = sb.truth(stream);
      assert.ok(truth.length > 0, stream);
      const read = seeded.get(stream);
      const endpoint = ENDPOINTS[stream];
      assert.ok(stream === 'event_log' || read || endpoint, `${stream}: no way to read it`);
      const got = stream === 'event_log' ? await eventsAll(sb) : read ? await read(sb) : await pageAll(sb, endpoint![0], endpoint![1]);
      const key = RESOURCE_SEEDS.find((s) => s.stream === stream)?.key ?? 'id';
      const byId = new Map(got.map((r) => [r[key], r]));
      assert.equal(got.length, truth.length, stream);
      assert.equal(byId.size, truth.length, `${stream} duplicates`);
      for (const t of truth) {
        const r = byId.get(t.id);
        assert.ok(r, `${stream} ${t.id} missing`);
        if (t.date_updated) assert.equal(r.date_updated, t.date_updated, stream);
        if (t.date_created) assert.equal(r.date_created, t.date_created, stream);
      }
    }
  });

  it('is also served on the control interface', async () => {
    const r = await fetch(sb.url.replace('/api/v1', '') + '/_sandbox/truth/users');
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), sb.truth('users'));
  });
});
