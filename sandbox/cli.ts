import { parseArgs } from 'node:util';
import { startSandbox } from './index';

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${v}`);
  return n;
}

function pastWalkCap(v: string | undefined): 'end' | 'error' | undefined {
  if (v === undefined || v === 'end' || v === 'error') return v;
  throw new Error(`--search-past-walk-cap must be end or error, got ${v}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      scale: { type: 'string', default: '50' },
      seed: { type: 'string' },
      key: { type: 'string' },
      'latency-ms': { type: 'string' },
      'rate-limit': { type: 'string' },
      'fault-rate': { type: 'string' },
      'skip-cap': { type: 'string' },
      'search-cursor-ttl-ms': { type: 'string' },
      'search-walk-cap': { type: 'string' },
      'search-past-walk-cap': { type: 'string' },
      'search-index-lag-ms': { type: 'string' },
    },
    strict: true,
  });
  const rate = num(values['rate-limit'], 'rate-limit');
  const faultRate = num(values['fault-rate'], 'fault-rate');
  const started = Date.now();
  const sb = await startSandbox({
    port: num(values.port, 'port'),
    scale: num(values.scale, 'scale'),
    seed: num(values.seed, 'seed'),
    apiKey: values.key,
    latencyMs: num(values['latency-ms'], 'latency-ms'),
    rateLimit: rate ? { perGroupPerSecond: rate } : null,
    faults: faultRate ? { rate: faultRate } : null,
    skipCap: num(values['skip-cap'], 'skip-cap'),
    search: {
      cursorTtlMs: num(values['search-cursor-ttl-ms'], 'search-cursor-ttl-ms'),
      walkCap: num(values['search-walk-cap'], 'search-walk-cap'),
      pastWalkCap: pastWalkCap(values['search-past-walk-cap']),
      indexLagMs: num(values['search-index-lag-ms'], 'search-index-lag-ms'),
    },
  });
  const startDate = new Date(Date.now() - 2 * 365 * 86400_000).toISOString().slice(0, 10) + 'T00:00:00Z';
  const config = { api_key: sb.apiKey, api_url: sb.url, start_date: startDate };
  process.stdout.write(
    `Close sandbox listening on ${sb.url} (key ${sb.apiKey}, ready in ${Date.now() - started} ms); connector config: ${JSON.stringify(config)}\n`,
  );
  const stop = (): void => {
    sb.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
