import { Store } from './data/store';
import { SandboxServer } from './server';
import { Sandbox, SandboxOptions } from './types';

export * from './types';

/** Starts a Close-compatible API server on 127.0.0.1 backed by seeded data. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const apiKey = opts.apiKey ?? 'sandbox-api-key';
  const store = new Store({
    seed: opts.seed ?? 1,
    scale: opts.scale ?? 50,
    nowUs: (opts.now ?? new Date()).getTime() * 1000,
  });
  const server = new SandboxServer(
    store,
    { apiKey, latencyMs: opts.latencyMs ?? 0, skipCap: opts.skipCap ?? 250_000 },
    opts.rateLimit ?? null,
    opts.faults ?? null,
    opts.search ?? {},
  );
  const base = await server.listen(opts.port ?? 0);
  return {
    url: base + '/api/v1',
    apiKey,
    truth: (stream) => store.truth(stream),
    mutate: (m) => store.mutate(m),
    stats: () => server.stats.snapshot(),
    resetStats: () => server.stats.reset(),
    setFaults: (f) => server.faults.set(f ?? null),
    setRateLimit: (r) => server.limiter.set(r ?? null),
    setLatency: (ms) => {
      server.cfg.latencyMs = ms;
    },
    setSkipCap: (n) => {
      server.cfg.skipCap = n;
    },
    setSearch: (o) => server.search.configure(o),
    script: (rule) => server.scripts.add(rule),
    clearScripts: () => server.scripts.clear(),
    close: () => server.close(),
  };
}
