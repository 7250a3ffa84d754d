import axios, {AxiosInstance} from 'axios';
import http from 'http';
import https from 'https';
import {SlotGate} from './slot-gate';

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

/** Requests in flight when nothing says how many (check, discover): Close's documented default concurrency is not given; 16 was the old pool. */
export const DEFAULT_MAX_IN_FLIGHT = 16;
/**
 * Sockets beyond the requests allowed in flight: a socket destroyed by a
 * timeout leaves the agent's count only when it has closed, a moment later.
 */
const SOCKET_SLACK = 4;

/**
 * The most requests a sync may have in flight: each of max_parallel_streams
 * streams sends up to max_requests_per_stream at once.
 */
export function maxRequestsInFlight(c: {parallelStreams: number; requestsPerStream: number}): number {
  return Math.max(1, c.parallelStreams) * Math.max(1, c.requestsPerStream);
}

export interface TransportOptions {
  /** The most requests the connector may have in flight (max_parallel_streams × max_requests_per_stream). */
  maxInFlight?: number;
  /** The timeout's signal, from when the request leaves: injectable so that a test can see when it starts. */
  timeoutSignal?: (ms: number) => AbortSignal;
}

/**
 * axios over keep-alive agents. Bodies are taken as text and parsed by the
 * client, so that a truncated or non-JSON answer is detected instead of being
 * handed on as a string. The timeout covers the whole exchange (an
 * AbortSignal), not only socket idleness, so a server that drips bytes
 * cannot hold a sync forever; it starts when the request leaves, not while it
 * waits for a socket: the agents have a socket for every request allowed in
 * flight (and a few more), and a gate of that size lets requests through only
 * when one is free.
 */
export function axiosTransport(
  instance?: AxiosInstance,
  opts: TransportOptions = {}
): {send: Transport; close(): void; maxSockets: number; gate: SlotGate} {
  const maxInFlight = Math.max(1, Math.floor(opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT));
  const maxSockets = maxInFlight + SOCKET_SLACK;
  const gate = new SlotGate(maxInFlight);
  const timeoutSignal = opts.timeoutSignal ?? ((ms: number) => AbortSignal.timeout(ms));
  const httpAgent = new http.Agent({keepAlive: true, maxSockets});
  const httpsAgent = new https.Agent({keepAlive: true, maxSockets});
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
    await gate.acquire();
    const signal = timeoutSignal(req.timeoutMs);
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
    } finally {
      gate.release();
    }
  };
  return {
    maxSockets,
    gate,
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
