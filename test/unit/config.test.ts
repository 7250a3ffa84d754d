import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {AirbyteLogger, SyncMode} from 'faros-airbyte-cdk';
import {parseConfig} from '../../src/config/config';
import {failureTypeOf} from '../../src/errors';
import {HttpRequest} from '../../src/client/transport';
import {Activities} from '../../src/streams/activities';
import {EmailThreads} from '../../src/streams/email-threads';
import {StreamContext} from '../../src/streams/stream-base';
import {MICROS_PER_DAY, parseInstant} from '../../src/time/instant';
import {API_KEY, FakeClock, newClient, res} from './helpers/fakes';

function configErrorOf(raw: unknown): Error {
  try {
    parseConfig(raw, new Date('2024-06-01T00:00:00Z'));
  } catch (err) {
    assert.ok(err instanceof Error);
    assert.equal(failureTypeOf(err), 'config_error', err.message);
    return err;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

describe('parseConfig', () => {
  it('rejects a non-object config', () => {
    for (const raw of [null, undefined, 'x', 42, [], [{api_key: 'k'}]]) configErrorOf(raw);
  });

  it('missing or empty api_key names api_key', () => {
    for (const raw of [{}, {api_key: ''}, {api_key: '   '}, {api_key: 123}, {api_key: null}]) {
      assert.match(configErrorOf(raw).message, /api_key/);
    }
  });

  it('bad start_date names start_date', () => {
    for (const start_date of ['yesterday', '2024-02-31', '2024-13-01', '01/02/2024', 20240101, '2024-01-01T25:00:00Z']) {
      const err = configErrorOf({api_key: API_KEY, start_date});
      assert.match(err.message, /start_date/, err.message);
    }
  });

  it('negative or non-integer lookback_window_hours names the field', () => {
    for (const v of [-1, -24, 1.5, '24']) {
      assert.match(configErrorOf({api_key: API_KEY, lookback_window_hours: v}).message, /lookback_window_hours/);
    }
  });

  it('other numeric fields are range-checked', () => {
    assert.match(configErrorOf({api_key: API_KEY, request_timeout_seconds: 0}).message, /request_timeout_seconds/);
    assert.match(configErrorOf({api_key: API_KEY, max_retries: 21}).message, /max_retries/);
    assert.match(configErrorOf({api_key: API_KEY, max_rate_limit_wait_seconds: 0}).message, /max_rate_limit_wait_seconds/);
  });

  it('api_url must be https unless loopback', () => {
    for (const api_url of ['http://api.close.com/api/v1', 'ftp://api.close.com/api/v1', 'not a url', 'http://localhost.evil.com/api/v1',
      'http://127.0.0.1.evil.com/', 'http://10.0.0.1/api/v1', 'file:///etc/passwd', 'http://[::2]/']) {
      const err = configErrorOf({api_key: API_KEY, api_url});
      assert.match(err.message, /api_url/, err.message);
    }
    for (const api_url of ['https://api.close.com/api/v1', 'http://localhost:8080/api/v1', 'http://127.0.0.1:3000/api/v1', 'http://127.0.0.2/api/v1',
      'http://[::1]:8080/api/v1']) {
      const cfg = parseConfig({api_key: API_KEY, api_url});
      assert.equal(cfg.apiUrl, api_url);
    }
  });

  it('api_url with credentials is refused without echoing them', () => {
    for (const api_url of ['https://user:pass@api.close.com/api/v1', 'https://api_secretkey@api.close.com/api/v1', 'http://k:@localhost/api/v1']) {
      const err = configErrorOf({api_key: API_KEY, api_url});
      assert.match(err.message, /api_url/);
      assert.match(err.message, /credentials/);
      assert.ok(!err.message.includes('pass') && !err.message.includes('secretkey'), err.message);
    }
  });

  it('errors never contain the api key', () => {
    for (const raw of [
      {api_key: API_KEY, start_date: 'x'},
      {api_key: API_KEY, api_url: 'http://example.com'},
      {api_key: API_KEY, lookback_window_hours: -1},
    ]) {
      assert.ok(!configErrorOf(raw).message.includes(API_KEY));
    }
  });

  it('defaults: start_date one year before now, lookback 24, api_url, timeouts', () => {
    const now = new Date('2024-06-01T12:00:00Z');
    const cfg = parseConfig({api_key: ` ${API_KEY} `}, now);
    assert.equal(cfg.apiKey, API_KEY, 'key is trimmed');
    assert.equal(cfg.startDate, now.getTime() * 1000 - 365 * MICROS_PER_DAY);
    assert.equal(cfg.lookbackWindowHours, 24);
    assert.equal(cfg.apiUrl, 'https://api.close.com/api/v1');
    assert.equal(cfg.requestTimeoutMs, 60_000);
    assert.equal(cfg.maxRetries, 8);
    assert.equal(cfg.maxRateLimitWaitMs, 900_000);
    // empty/null values take defaults too
    const cfg2 = parseConfig({api_key: API_KEY, start_date: '', api_url: '', lookback_window_hours: null}, now);
    assert.equal(cfg2.startDate, cfg.startDate);
    assert.equal(cfg2.apiUrl, cfg.apiUrl);
    assert.equal(cfg2.lookbackWindowHours, 24);
  });

  it('explicit values are kept; trailing slash of api_url dropped; lookback 0 allowed', () => {
    const cfg = parseConfig({
      api_key: API_KEY,
      start_date: '2017-07-03',
      lookback_window_hours: 0,
      api_url: 'https://proxy.example.com/close/api/v1/',
      request_timeout_seconds: 5,
      max_retries: 0,
      max_rate_limit_wait_seconds: 10,
    });
    assert.equal(cfg.startDate, parseInstant('2017-07-03T00:00:00Z'));
    assert.equal(cfg.lookbackWindowHours, 0);
    assert.equal(cfg.apiUrl, 'https://proxy.example.com/close/api/v1');
    assert.equal(cfg.requestTimeoutMs, 5000);
    assert.equal(cfg.maxRetries, 0);
    assert.equal(cfg.maxRateLimitWaitMs, 10_000);
    assert.equal(parseConfig({api_key: API_KEY, start_date: '2024-01-01T02:00:00+02:00'}).startDate, parseInstant('2024-01-01T00:00:00Z'));
  });
});

for (const [name, make, path] of [
  ['activities', (ctx: StreamContext) => new Activities(ctx), '/activity/'],
  ['email_threads', (ctx: StreamContext) => new EmailThreads(ctx), '/activity/emailthread/'],
] as const) describe(`Stitch's lookback examples through the ${name} stream`, () => {
  async function firstActivityQuery(config: Record<string, unknown>, state: Record<string, unknown> | undefined) {
    const requests: HttpRequest[] = [];
    const transport = async (req: HttpRequest) => {
      requests.push(req);
      return res(200, {has_more: false, data: []});
    };
    const cfg = parseConfig(config, new Date('2018-01-01T00:00:00Z'));
    const stream = make({
      client: newClient(transport, new FakeClock()),
      config: cfg,
      syncStartedAt: parseInstant('2018-01-01T00:00:00Z')!,
      now: () => parseInstant('2018-01-01T00:00:00Z')!,
      logger: new AirbyteLogger(),
    });
    for await (const _ of stream.readRecords(SyncMode.INCREMENTAL, undefined, undefined, state)) {
      // no records
    }
    // The records come from the stream's path; a saved state also walks the event log for deletions (after them).
    const own = requests.filter((r) => new URL(r.url).pathname.endsWith(`/api/v1${path}`));
    const others = requests.filter((r) => !own.includes(r));
    assert.ok(own.length > 0, `${path} is asked`);
    assert.ok(
      others.every((r) => new URL(r.url).pathname.endsWith('/api/v1/event/') && r.params.action === 'deleted'),
      `only ${path}, and /event/ for deletions, are asked`
    );
    if (state !== undefined) assert.ok(others.length > 0, 'a saved state walks the event log for deletions');
    const first = own[0];
    return first.params;
  }

  it('start_date 2017-07-03 with 24 h: the first query starts at 2017-07-02T00:00:00', async () => {
    const params = await firstActivityQuery({api_key: API_KEY, start_date: '2017-07-03', lookback_window_hours: 24}, undefined);
    assert.equal(parseInstant(String(params.date_created__gte)), parseInstant('2017-07-02T00:00:00Z'));
  });

  it('saved cursor 2017-10-01T00:00:00: the next run queries from 2017-09-30T00:00:00', async () => {
    const params = await firstActivityQuery(
      {api_key: API_KEY, start_date: '2017-07-03', lookback_window_hours: 24},
      {date_created: '2017-10-01T00:00:00.000000+00:00'}
    );
    assert.equal(parseInstant(String(params.date_created__gte)), parseInstant('2017-09-30T00:00:00Z'));
  });

  it('lookback 0 queries from the cursor itself', async () => {
    const params = await firstActivityQuery(
      {api_key: API_KEY, start_date: '2017-07-03', lookback_window_hours: 0},
      {date_created: '2017-10-01T00:00:00+00:00'}
    );
    assert.equal(parseInstant(String(params.date_created__gte)), parseInstant('2017-10-01T00:00:00Z'));
  });
});
