import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import axios, {AxiosError} from 'axios';
import {NetworkError, axiosTransport, maxRequestsInFlight} from '../../src/client/transport';
import {API_KEY, API_KEY_BASIC} from './helpers/fakes';

const req = {url: 'https://api.close.com/api/v1/lead/', params: {_limit: 1}, timeoutMs: 60_000, auth: {username: API_KEY, password: ''}};

function withAdapter(adapter: (config: any) => Promise<any>) {
  return axiosTransport(
    axios.create({adapter, responseType: 'text', transformResponse: [(d) => d], validateStatus: () => true})
  );
}

describe('axiosTransport (injected axios, no network)', () => {
  it('passes params and Basic auth, lower-cases header names, returns the body as text', async () => {
    let seen: any;
    const t = withAdapter(async (config) => {
      seen = config;
      return {data: '{"data": []}', status: 200, statusText: 'OK', headers: {'X-Rate-Limit-Reset': '1.5', 'Content-Type': 'application/json'}, config};
    });
    const res = await t.send(req);
    t.close();
    assert.equal(res.status, 200);
    assert.equal(res.body, '{"data": []}');
    assert.equal(res.headers['x-rate-limit-reset'], '1.5');
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(seen.params, {_limit: 1});
    assert.deepEqual(seen.auth, {username: API_KEY, password: ''});
  });

  it('any HTTP status resolves', async () => {
    const t = withAdapter(async (config) => ({data: '', status: 504, statusText: 'Gateway Timeout', headers: {}, config}));
    assert.equal((await t.send(req)).status, 504);
    t.close();
  });

  it('network failures become NetworkError without axios config (and so without the key)', async () => {
    const cases: [string | undefined, RegExp][] = [
      ['ECONNRESET', /ECONNRESET/],
      ['ECONNABORTED', /no complete answer within 60 s/],
      ['ETIMEDOUT', /no complete answer within 60 s/],
      [undefined, /./],
    ];
    for (const [code, msg] of cases) {
      const t = withAdapter(async (config) => {
        const headers = {Authorization: `Basic ${API_KEY_BASIC}`};
        throw new AxiosError(code ? `socket trouble` : 'weird', code, {...config, headers} as any, {}, undefined);
      });
      let err: unknown;
      try {
        await t.send(req);
      } catch (e) {
        err = e;
      }
      t.close();
      assert.ok(err instanceof NetworkError, String(err));
      assert.match(err.message, msg);
      for (const text of [err.message, String(err.stack), JSON.stringify(err)]) {
        assert.ok(!text.includes(API_KEY) && !text.includes(API_KEY_BASIC), text);
      }
      assert.equal((err as any).config, undefined);
      assert.equal((err as any).cause, undefined);
    }
  });
});

describe('axiosTransport: sockets and the timeout', () => {
  it('has a socket for every request allowed in flight (max_parallel_streams × max_requests_per_stream), and more', () => {
    for (const [parallelStreams, requestsPerStream] of [[8, 4], [1, 1], [16, 8], [3, 5]]) {
      const inFlight = maxRequestsInFlight({parallelStreams, requestsPerStream});
      assert.equal(inFlight, parallelStreams * requestsPerStream);
      const t = axiosTransport(undefined, {maxInFlight: inFlight});
      assert.ok(t.maxSockets >= inFlight, `${t.maxSockets} sockets for ${inFlight} requests in flight`);
      assert.equal(t.gate.size, inFlight);
      t.close();
    }
  });

  it("a request's timeout starts when it leaves, not while it waits for a free socket", async () => {
    const held: (() => void)[] = [];
    const signalsMade: string[] = [];
    let n = 0;
    const t = axiosTransport(
      axios.create({
        adapter: async (config: any) => {
          const id = (config.params as any).id;
          await new Promise<void>((r) => held.push(r));
          return {data: `{"id": "${id}"}`, status: 200, statusText: 'OK', headers: {}, config};
        },
        responseType: 'text',
        transformResponse: [(d) => d],
        validateStatus: () => true,
      }),
      {
        maxInFlight: 2,
        timeoutSignal: (ms) => {
          signalsMade.push(`timer ${++n}`);
          return AbortSignal.timeout(ms);
        },
      }
    );
    const send = (id: number) => t.send({...req, params: {id}});
    const answers = [send(1), send(2), send(3)];
    await new Promise((r) => setImmediate(r));
    assert.equal(held.length, 2, 'two requests out, the third waits for a slot');
    assert.equal(signalsMade.length, 2, 'the waiting request has no timer running yet');
    assert.equal(t.gate.waiting, 1);
    held.shift()!();
    await answers[0];
    await new Promise((r) => setImmediate(r));
    assert.equal(signalsMade.length, 3, 'its timer starts when it is sent');
    assert.equal(held.length, 2);
    for (const r of held.splice(0)) r();
    const bodies = (await Promise.all(answers)).map((a) => a.body);
    assert.deepEqual(bodies, ['{"id": "1"}', '{"id": "2"}', '{"id": "3"}']);
    t.close();
  });

  it('a failed request frees its slot too', async () => {
    let calls = 0;
    const t = axiosTransport(
      axios.create({
        adapter: async (config: any) => {
          calls++;
          if (calls === 1) throw new AxiosError('socket hang up', 'ECONNRESET', config, {}, undefined);
          return {data: '{}', status: 200, statusText: 'OK', headers: {}, config};
        },
      }),
      {maxInFlight: 1}
    );
    await assert.rejects(t.send(req), NetworkError);
    assert.equal((await t.send(req)).status, 200);
    t.close();
  });
});
