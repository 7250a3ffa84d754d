import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import axios, {AxiosError} from 'axios';
import {NetworkError, axiosTransport} from '../../src/client/transport';
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
