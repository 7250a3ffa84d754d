import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import axios from 'axios';
import {apiErrorInfo} from '../../src/client/close-errors';
import {axiosTransport} from '../../src/client/transport';
import {failureTypeOf} from '../../src/errors';
import {API_KEY, FakeClock, newClient, res, scriptedTransport} from './helpers/fakes';

const BODY = {query: {type: 'object_type', object_type: 'lead'}, _limit: 200};

describe('CloseClient.post (read-only POST /data/search/)', () => {
  it('sends the JSON body with Basic auth and no query string, and returns parsed JSON', async () => {
    const t = scriptedTransport([res(200, {data: [{id: 'lead_1'}], cursor: null})]);
    const out = await newClient(t).post('/data/search/', BODY, {stream: 'leads'});
    assert.deepEqual(out, {data: [{id: 'lead_1'}], cursor: null});
    const req = t.requests[0];
    assert.equal(req.method, 'POST');
    assert.equal(req.url, 'https://api.close.com/api/v1/data/search/');
    assert.deepEqual(JSON.parse(req.body!), BODY);
    assert.deepEqual(req.params, {});
    assert.deepEqual(req.auth, {username: API_KEY, password: ''});
  });

  it('GETs stay GETs: no method or body added to their requests', async () => {
    const t = scriptedTransport([res(200, {data: []})]);
    await newClient(t).get('/lead/', {_limit: 1});
    assert.equal(t.requests[0].method, undefined);
    assert.equal(t.requests[0].body, undefined);
  });

  it('retries 5xx and 429 like a GET, resending the same body, in the group "data"', async () => {
    const clock = new FakeClock();
    const t = scriptedTransport([
      res(503, {error: 'unavailable'}),
      res(429, {error: {message: 'API call count exceeded for this period', rate_reset: 2}}, {'retry-after': '2'}),
      res(200, {data: [], cursor: null}),
    ]);
    const client = newClient(t, clock);
    await client.post('/data/search/', BODY);
    assert.equal(t.requests.length, 3);
    for (const r of t.requests) assert.deepEqual(JSON.parse(r.body!), BODY);
    assert.equal(client.stats.retries, 1);
    assert.equal(client.stats.rateLimited, 1);
    assert.ok(clock.slept >= 2000, `waited ${clock.slept} ms`);
  });

  it('a 400 is a system_error naming POST /data/search/, the stream, and Close\'s words', async () => {
    const t = scriptedTransport([res(400, {error: 'The cursor has expired. Please repeat your search without a cursor.'})]);
    let err: unknown;
    try {
      await newClient(t).post('/data/search/', BODY, {stream: 'contacts'});
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof Error);
    assert.match(err.message, /^POST \/data\/search\/ \(stream contacts\): Close answered 400: The cursor has expired/);
    assert.equal(failureTypeOf(err), 'system_error');
    const info = apiErrorInfo(err);
    assert.equal(info.status, 400);
    assert.equal(info.endpoint, 'POST /data/search/');
    assert.match(info.closeMessage!, /expired/);
    assert.equal(t.requests.length, 1, 'a 400 is not retried');
  });

  it('axiosTransport POSTs the body as JSON', async () => {
    let seen: any;
    const t = axiosTransport(
      axios.create({
        adapter: async (config) => {
          seen = config;
          return {data: '{"data": []}', status: 200, statusText: 'OK', headers: {}, config};
        },
        responseType: 'text',
        transformResponse: [(d) => d],
        validateStatus: () => true,
      })
    );
    const out = await t.send({
      method: 'POST',
      url: 'https://api.close.com/api/v1/data/search/',
      params: {},
      body: JSON.stringify(BODY),
      timeoutMs: 60_000,
      auth: {username: API_KEY, password: ''},
    });
    t.close();
    assert.equal(out.status, 200);
    assert.equal(seen.method, 'post');
    assert.deepEqual(JSON.parse(seen.data), BODY);
    assert.match(String(seen.headers['Content-Type']), /application\/json/);
  });
});
