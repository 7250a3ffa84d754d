import { parseArgs } from 'node:util';
import { startSandbox } from './index';
import { REFUSAL_PRESETS, RefusalRules, parseRefusals } from './refusals';
import { KeyRole, LiveOptions, NaiveDateTimes, SkipCapWording } from './types';

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${v}`);
  return n;
}

function oneOf<T extends string>(v: string | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got ${v}`);
  return v as T;
}

const HELP = `Usage: npm run sandbox -- [options]
  --port N              port (default 8080)
  --scale N             leads to generate (default 50)
  --seed N              data seed
  --key KEY             API key to accept
  --latency-ms N        delay every answer
  --rate-limit N        requests per second per endpoint group (off by default)
  --rate-limit-body S   429 body: recorded (default), nested, none
  --fault-rate P        share of requests that fail (0..1)
  --skip-cap N          largest _skip accepted (default 250000)
  --skip-cap-wording S  documented (default), documented-newline, less-or-equal
  --key-role S          admin (default) or user (old events lose data/previous_data)
  --naive-dates S       none (default), fields, all: date-times without a UTC offset
  --refuse RULES        endpoints this key or plan may not read: PATH=402|403|404,… (e.g. /webhook/=403)
  --refuse-preset S     ${Object.keys(REFUSAL_PRESETS).join(', ')} (added to --refuse)
  --strict-order-by     400 for an _order_by Close does not offer (Close ignores it)
  --record-versions     _sandbox_version in every record
  --live                change the account while it is read (request-driven, seeded)
  --live-every N        requests between two batches of changes (default 20)
  --live-seed N         seed of the changes (default: --seed)
  --live-batch N        random changes per batch (default 6)
  --live-bulk-every N   every N-th batch is a bulk import/edit (default 5, 0: never)
  --live-bulk-size N    records per bulk change (default 1500)
  --live-max-batches N  batches before the account stands still (default 30, 0: no limit)
  POST /data/search/ (Advanced Filtering):
  --search-cursor-ttl-ms N   how long a cursor stays usable (default 30000)
  --search-walk-cap N        results one cursor walk can return (default 10000)
  --search-past-walk-cap S   at the walk cap: end (default, no further cursor) or error (a 400)
  --search-index-lag-ms N    a change is searchable only this long after it (default 0)
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean' },
      port: { type: 'string', default: '8080' },
      scale: { type: 'string', default: '50' },
      seed: { type: 'string' },
      key: { type: 'string' },
      'latency-ms': { type: 'string' },
      'rate-limit': { type: 'string' },
      'rate-limit-body': { type: 'string' },
      'fault-rate': { type: 'string' },
      'skip-cap': { type: 'string' },
      'skip-cap-wording': { type: 'string' },
      'key-role': { type: 'string' },
      'naive-dates': { type: 'string' },
      'strict-order-by': { type: 'boolean' },
      refuse: { type: 'string' },
      'refuse-preset': { type: 'string' },
      'record-versions': { type: 'boolean' },
      live: { type: 'boolean' },
      'live-every': { type: 'string' },
      'live-seed': { type: 'string' },
      'live-batch': { type: 'string' },
      'live-bulk-every': { type: 'string' },
      'live-bulk-size': { type: 'string' },
      'live-max-batches': { type: 'string' },
      'search-cursor-ttl-ms': { type: 'string' },
      'search-walk-cap': { type: 'string' },
      'search-past-walk-cap': { type: 'string' },
      'search-index-lag-ms': { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const rate = num(values['rate-limit'], 'rate-limit');
  const faultRate = num(values['fault-rate'], 'fault-rate');
  const rateBody = oneOf(values['rate-limit-body'], 'rate-limit-body', ['recorded', 'nested', 'none'] as const);
  const live: LiveOptions | null = values.live
    ? {
        every: num(values['live-every'], 'live-every') ?? 20,
        seed: num(values['live-seed'], 'live-seed'),
        batchSize: num(values['live-batch'], 'live-batch'),
        bulkEvery: num(values['live-bulk-every'], 'live-bulk-every'),
        bulkSize: num(values['live-bulk-size'], 'live-bulk-size'),
        maxBatches: num(values['live-max-batches'], 'live-max-batches'),
      }
    : null;
  const preset = oneOf(values['refuse-preset'], 'refuse-preset', Object.keys(REFUSAL_PRESETS));
  const refuse: RefusalRules = { ...(preset ? REFUSAL_PRESETS[preset] : {}), ...(values.refuse ? parseRefusals(values.refuse) : {}) };
  const started = Date.now();
  const sb = await startSandbox({
    port: num(values.port, 'port'),
    scale: num(values.scale, 'scale'),
    seed: num(values.seed, 'seed'),
    apiKey: values.key,
    latencyMs: num(values['latency-ms'], 'latency-ms'),
    rateLimit: rate ? { perGroupPerSecond: rate, body: rateBody } : null,
    faults: faultRate ? { rate: faultRate } : null,
    skipCap: num(values['skip-cap'], 'skip-cap'),
    skipCapWording: oneOf<SkipCapWording>(values['skip-cap-wording'], 'skip-cap-wording', ['documented', 'documented-newline', 'less-or-equal']),
    keyRole: oneOf<KeyRole>(values['key-role'], 'key-role', ['admin', 'user']),
    naiveDateTimes: oneOf<NaiveDateTimes>(values['naive-dates'], 'naive-dates', ['none', 'fields', 'all']),
    strictOrderBy: values['strict-order-by'],
    recordVersions: values['record-versions'],
    refuse,
    live,
    search: {
      cursorTtlMs: num(values['search-cursor-ttl-ms'], 'search-cursor-ttl-ms'),
      walkCap: num(values['search-walk-cap'], 'search-walk-cap'),
      pastWalkCap: oneOf(values['search-past-walk-cap'], 'search-past-walk-cap', ['end', 'error'] as const),
      indexLagMs: num(values['search-index-lag-ms'], 'search-index-lag-ms'),
    },
  });
  const startDate = new Date(Date.now() - 2 * 365 * 86400_000).toISOString().slice(0, 10) + 'T00:00:00Z';
  const config = { api_key: sb.apiKey, api_url: sb.url, start_date: startDate };
  process.stdout.write(
    `Close sandbox listening on ${sb.url} (key ${sb.apiKey}, ready in ${Date.now() - started} ms${live ? `, live changes every ${live.every} requests` : ''}${
      Object.keys(refuse).length ? `, refusing ${Object.entries(refuse).map(([p, s]) => `${p} (${s})`).join(', ')}` : ''
    }); connector config: ${JSON.stringify(config)}\n`,
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
