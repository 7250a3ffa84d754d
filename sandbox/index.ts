import { Store } from './data/store';
import { SandboxServer } from './server';
import { Sandbox, SandboxOptions } from './types';

export * from './types';
export { REFUSAL_BODIES, REFUSAL_PRESETS } from './refusals';
export type { RefusalRules, RefusalStatus } from './refusals';
export type { Oracle } from './oracle';

/** Starts a Close-compatible API server on 127.0.0.1 backed by seeded data. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const apiKey = opts.apiKey ?? 'sandbox-api-key';
  const store = new Store({
    seed: opts.seed ?? 1,
    scale: opts.scale ?? 50,
    nowUs: (opts.now ?? new Date()).getTime() * 1000,
    recordVersions: opts.recordVersions ?? false,
    naiveDateTimes: opts.naiveDateTimes ?? 'none',
    contactShare: opts.contactShare,
  });
  const server = new SandboxServer(
    store,
    {
      apiKey,
      latencyMs: opts.latencyMs ?? 0,
      skipCap: opts.skipCap ?? 250_000,
      skipCapWording: opts.skipCapWording ?? 'documented',
      keyRole: opts.keyRole ?? 'admin',
      strictOrderBy: opts.strictOrderBy ?? false,
    },
    opts.rateLimit ?? null,
    opts.faults ?? null,
    opts.search ?? {},
    opts.refuse ?? {},
  );
  if (opts.live) server.live.start(opts.live);
  const base = await server.listen(opts.port ?? 0);
  return {
    url: base + '/api/v1',
    apiKey,
    truth: (stream) => store.truth(stream),
    mutate: (m) => server.mutator.apply(m),
    oracle: server.oracle,
    live: {
      start: (o) => server.live.start(o),
      stop: () => server.live.stop(),
      status: () => server.live.status(),
      rule: (r) => server.live.rule(r),
      clearRules: () => server.live.clearRules(),
    },
    setKeyRole: (role) => {
      server.cfg.keyRole = role;
    },
    setSkipCapWording: (w) => {
      server.cfg.skipCapWording = w;
    },
    stats: () => server.stats.snapshot(),
    resetStats: () => server.stats.reset(),
    setFaults: (f) => server.faults.set(f ?? null),
    setRateLimit: (r) => server.setRateLimit(r ?? null),
    setLatency: (ms) => {
      server.cfg.latencyMs = ms;
    },
    setSkipCap: (n) => {
      server.cfg.skipCap = n;
    },
    setSearch: (o) => server.search.configure(o),
    setRefusals: (rules) => server.refusals.set(rules),
    script: (rule) => server.scripts.add(rule),
    clearScripts: () => server.scripts.clear(),
    close: () => server.close(),
  };
}
