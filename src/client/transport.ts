import axios, {AxiosInstance} from 'axios';
import http from 'http';
import https from 'https';

export interface HttpRequest {
  /** GET when absent. */
  method?: 'GET' | 'POST';
  url: string;
  params: Record<string, string | number>;
  timeoutMs: number;
  auth: {username: string; password: string};
  /** POST: the JSON body, already serialised. */
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends one request. Resolves with any HTTP status; rejects only on network-level failures. */
export type Transport = (req: HttpRequest) => Promise<HttpResponse>;

/** A failure below HTTP: reset, refused, timeout, truncated body. Always worth a retry. */
export class NetworkError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = 'NetworkError';
  }
}

/**
 * axios over keep-alive agents. Bodies are taken as text and parsed by the
 * client, so that a truncated or non-JSON answer is detected instead of being
 * handed on as a string. The timeout covers the whole exchange (an
 * AbortSignal), not only socket idleness, so a server that drips bytes
 * cannot hold a sync forever.
 */
export function axiosTransport(instance?: AxiosInstance): {send: Transport; close(): void} {
  const httpAgent = new http.Agent({keepAlive: true, maxSockets: 16});
  const httpsAgent = new https.Agent({keepAlive: true, maxSockets: 16});
  const client =
    instance ??
    axios.create({
      httpAgent,
      httpsAgent,
      responseType: 'text',
      transformResponse: [(data) => data],
      validateStatus: () => true,
      maxRedirects: 0,
      decompress: true,
      headers: {Accept: 'application/json', 'User-Agent': 'closeio-source'},
    });
  const send: Transport = async (req) => {
    const signal = AbortSignal.timeout(req.timeoutMs);
    try {
      const options = {params: req.params, auth: req.auth, timeout: req.timeoutMs, signal};
      const res =
        req.method === 'POST'
          ? await client.post(req.url, req.body ?? '', {...options, headers: {'Content-Type': 'application/json'}})
          : await client.get(req.url, options);
      return {
        status: res.status,
        headers: Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v as any])),
        body: typeof res.data === 'string' ? res.data : JSON.stringify(res.data ?? ''),
      };
    } catch (err: any) {
      // Never pass axios' error on: its config holds the Authorization header.
      const code: string | undefined = err?.code ?? err?.cause?.code;
      const timedOut = signal.aborted || code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED';
      const what = timedOut ? `no complete answer within ${Math.round(req.timeoutMs / 1000)} s` : describeNetworkError(err, code);
      throw new NetworkError(what, timedOut ? 'ETIMEDOUT' : code);
    }
  };
  return {
    send,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function describeNetworkError(err: any, code: string | undefined): string {
  const base = typeof err?.message === 'string' ? err.message.split('\n')[0] : 'network error';
  return code && !base.includes(code) ? `${base} (${code})` : base;
}
