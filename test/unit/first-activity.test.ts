import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {SyncMode} from 'faros-airbyte-cdk';
import VError from 'verror';
import {parseConfig} from '../../src/config/config';
import {streamClass} from '../../src/streams/registry';
import {StreamContext, StreamItem} from '../../src/streams/stream-base';
import {formatInstant, fromDate, parseInstant} from '../../src/time/instant';
import {silentLogger} from './helpers/fakes';

type Row = {id: string; date_created: string; _type: string};

/**
 * A Close that serves activity endpoints from memory (date_created filters,
 * newest first, _skip/_limit, has_more) and logs every request, so that the
 * number of "anything before t?" questions each endpoint is asked can be counted.
 */
class FakeActivities {
  readonly log: {path: string; limit: number}[] = [];
  constructor(private readonly byPath: Record<string, Row[]>, private readonly refused = new Set<string>()) {}
  async get(path: string, params: Record<string, any>): Promise<any> {
    this.log.push({path, limit: Number(params._limit)});
    if (this.refused.has(path)) throw new VError({info: {status: 403}}, 'GET %s: 403', path);
    const gte = params.date_created__gte ? parseInstant(params.date_created__gte)! : -Infinity;
    const lt = parseInstant(params.date_created__lt)!;
    const rows = (this.byPath[path] ?? [])
      .filter((r) => {
        const t = parseInstant(r.date_created)!;
        return t >= gte && t < lt;
      })
      .sort((a, b) => parseInstant(b.date_created)! - parseInstant(a.date_created)! || a.id.localeCompare(b.id));
    const skip = Number(params._skip ?? 0);
    const limit = Number(params._limit);
    return {data: rows.slice(skip, skip + limit), has_more: skip + limit < rows.length};
  }
  /** Requests with _limit=1 (the search's questions) per path. */
  questions(path: string): number {
    return this.log.filter((r) => r.path === path && r.limit === 1).length;
  }
}

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);

/** n activities of a type, one every `everyDays` days going back from NOW. */
function rows(type: string, n: number, everyDays: number, offsetDays = 0): Row[] {
  return Array.from({length: n}, (_, i) => ({id: `acti_${type}_${i}`, _type: type, date_created: new Date(NOW - (offsetDays + i * everyDays) * DAY - 1000).toISOString()}));
}

function ctx(client: FakeActivities): StreamContext {
  return {
    client: client as any,
    config: parseConfig({api_key: 'k'.repeat(40), start_date: '2000-01-01T00:00:00Z', lookback_window_hours: 0}),
    syncStartedAt: fromDate(new Date(NOW)),
    now: () => fromDate(new Date(NOW)),
    logger: silentLogger as any,
  };
}

async function ids(stream: string, c: StreamContext): Promise<string[]> {
  const s = new (streamClass(stream))(c);
  const out: string[] = [];
  for await (const item of s.readItems(SyncMode.FULL_REFRESH, undefined) as AsyncGenerator<StreamItem>) if ('record' in item) out.push(String(item.record.id));
  return out.sort();
}

describe('the first activity is searched for once per sync, on GET /activity/', () => {
  const forms = rows('FormSubmission', 300, 2);
  const notes = rows('Note', 400, 2, 1);

  it('a per-type endpoint asks one question instead of searching on its own, and reads everything', async () => {
    const client = new FakeActivities({'/activity/': [...forms, ...notes], '/activity/form_submission/': forms});
    const c = ctx(client);
    const [all, own] = await Promise.all([ids('activities', c), ids('form_submissions', c)]);
    assert.deepEqual(all, [...forms, ...notes].map((r) => r.id).sort());
    assert.deepEqual(own, forms.map((r) => r.id).sort());
    const searched = client.questions('/activity/');
    assert.ok(searched >= 5, `the search on /activity/ took ${searched} questions`);
    assert.equal(client.questions('/activity/form_submission/'), 1, 'one check: nothing before what /activity/ found');
  });

  it('an endpoint with a record older than the first on GET /activity/ searches its own, and loses nothing', async () => {
    // Not what Close documents (the per-type endpoints list subsets of /activity/): the check catches it.
    const older = {id: 'acti_old', _type: 'FormSubmission', date_created: formatInstant(fromDate(new Date(NOW - 3000 * DAY)))};
    const client = new FakeActivities({'/activity/': [...forms, ...notes], '/activity/form_submission/': [...forms, older]});
    const own = await ids('form_submissions', ctx(client));
    assert.deepEqual(own, [...forms.map((r) => r.id), 'acti_old'].sort());
    assert.ok(client.questions('/activity/form_submission/') > 2, 'searched its own endpoint after the check failed');
  });

  it('a revoked key on GET /activity/ fails the stream as its own request would, asked once', async () => {
    const client = new FakeActivities({'/activity/form_submission/': forms});
    client.get = (async (path: string, params: Record<string, any>) => {
      if (path === '/activity/') {
        client.log.push({path, limit: Number(params._limit)});
        throw new VError({info: {status: 401}}, 'GET %s: 401', path);
      }
      return FakeActivities.prototype.get.call(client, path, params);
    }) as any;
    await assert.rejects(ids('form_submissions', ctx(client)), /401/);
    assert.equal(client.questions('/activity/'), 1);
  });

  it('when GET /activity/ is refused, each endpoint searches its own', async () => {
    const client = new FakeActivities({'/activity/form_submission/': forms}, new Set(['/activity/']));
    const own = await ids('form_submissions', ctx(client));
    assert.deepEqual(own, forms.map((r) => r.id).sort());
    assert.ok(client.questions('/activity/form_submission/') >= 5);
  });
});

describe('a range that fits in the probe\'s one page', () => {
  it('is read from that page: one request for a sparse type over years, whole records, nothing lost', async () => {
    const sparse = rows('WhatsAppMessage', 60, 40); // 60 messages over 6.5 years
    const client = new FakeActivities({'/activity/whatsapp_message/': sparse});
    const got = await ids('whatsapp_messages', ctx(client));
    assert.deepEqual(got, sparse.map((r) => r.id).sort());
    assert.equal(client.log.length, 1, `requests: ${JSON.stringify(client.log)}`);
  });

  it('is not trusted when Close says there is more: the windows read it', async () => {
    const sparse = rows('WhatsAppMessage', 60, 40);
    const client = new FakeActivities({'/activity/whatsapp_message/': sparse});
    const get = client.get.bind(client);
    client.get = (async (path: string, params: Record<string, any>) => {
      const page = await get(path, params);
      // The first answer is short but says has_more (Close may cut a page short).
      return client.log.length === 1 ? {data: page.data.slice(0, 10), has_more: true} : page;
    }) as any;
    const got = await ids('whatsapp_messages', ctx(client));
    assert.deepEqual(got, sparse.map((r) => r.id).sort());
    assert.ok(client.log.length > 1);
  });
});
