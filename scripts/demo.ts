/**
 * The README's first command: what a user does with an Airbyte source, run
 * against the bundled Close sandbox (no Close account needed). spec, check,
 * discover, a full sync of every stream, a change in "Close", then an
 * incremental sync from the saved state. Prints a short summary and leaves
 * the raw Airbyte output in a folder it names.
 */
import {spawn} from 'child_process';
import fs from 'fs';
import path from 'path';
import {startSandbox} from '../sandbox';
import {configuredCatalog} from './shared/configured-catalog';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'main');
const OUT = path.join(ROOT, 'out', 'demo');

interface Message {
  type: string;
  [k: string]: any;
}

/** The connector runs as a subprocess, asynchronously: the sandbox serves it from this process. */
function exec(args: string[]): Promise<{status: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    // Debug logging names the stream of every request: the summary counts them.
    const child = spawn(process.execPath, [BIN, ...args], {cwd: OUT, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, LOG_LEVEL: 'debug'}});
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({status, stdout, stderr}));
  });
}

async function run(step: string, args: string[]): Promise<Message[]> {
  const started = Date.now();
  const res = await exec(args);
  fs.writeFileSync(path.join(OUT, `${step}.jsonl`), res.stdout);
  if (res.stderr) fs.writeFileSync(path.join(OUT, `${step}.stderr.txt`), res.stderr);
  const messages = res.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Message);
  const errors = messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
  if (res.status !== 0 || errors.length > 0) {
    console.error(`✗ ${step} failed (exit ${res.status}): ${errors.map((e) => e.trace.error.message).join('; ') || res.stderr}`);
    process.exit(1);
  }
  console.log(`✓ ${step} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return messages;
}

function summarize(messages: Message[]): void {
  const rows = new Map<string, {records: number; requests: number; started?: number; ended?: number; state?: unknown}>();
  const row = (name: string) => {
    if (!rows.has(name)) rows.set(name, {records: 0, requests: 0});
    return rows.get(name)!;
  };
  for (const m of messages) {
    if (m.type === 'RECORD') row(m.record.stream).records++;
    const request = m.type === 'LOG' && m.log.level === 'DEBUG' ? /^GET \S+ \(stream (\w+)/.exec(m.log.message) : null;
    if (request && rows.has(request[1])) row(request[1]).requests++;
    if (m.type === 'STATE') row(m.state.stream.stream_descriptor.name).state = m.state.stream.stream_state;
    if (m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS') {
      const r = row(m.trace.stream_status.stream_descriptor.name);
      if (m.trace.stream_status.status === 'STARTED') r.started = m.trace.emitted_at;
      else r.ended = m.trace.emitted_at;
    }
  }
  console.log('    stream                      records  requests     time  saved state');
  for (const [name, r] of rows) {
    const secs = r.started && r.ended ? ((r.ended - r.started) / 1000).toFixed(2) + ' s' : '-';
    console.log(`    ${name.padEnd(26)} ${String(r.records).padStart(8)} ${String(r.requests).padStart(9)} ${secs.padStart(8)}  ${JSON.stringify(r.state ?? {})}`);
  }
}

async function main(): Promise<void> {
  fs.rmSync(OUT, {recursive: true, force: true});
  fs.mkdirSync(OUT, {recursive: true});
  const scale = Number(process.env.DEMO_SCALE ?? 500);
  const sandbox = await startSandbox({scale, seed: 1});
  console.log(`Close sandbox with ${scale} leads at ${sandbox.url}`);
  try {
    const config = {api_key: sandbox.apiKey, api_url: sandbox.url, start_date: new Date(Date.now() - 2 * 365 * 86400_000).toISOString().slice(0, 10)};
    fs.writeFileSync(path.join(OUT, 'config.json'), JSON.stringify(config, null, 2));

    await run('spec', ['spec']);
    const check = await run('check', ['check', '--config', 'config.json']);
    const status = check.find((m) => m.type === 'CONNECTION_STATUS')?.connectionStatus?.status;
    if (status !== 'SUCCEEDED') throw new Error(`check said ${status}`);
    const discover = await run('discover', ['discover', '--config', 'config.json']);
    const streams: any[] = discover.find((m) => m.type === 'CATALOG')!.catalog.streams;
    const catalog = configuredCatalog(streams);
    fs.writeFileSync(path.join(OUT, 'catalog.json'), JSON.stringify(catalog, null, 2));
    console.log(`    ${streams.length} streams: ${streams.map((s) => s.name).join(', ')}`);

    sandbox.resetStats();
    const full = await run('read-full', ['read', '--config', 'config.json', '--catalog', 'catalog.json']);
    summarize(full);
    const stats = sandbox.stats();
    console.log(`    ${stats.requests} API requests (${Object.entries(stats.byGroup).map(([g, n]) => `${g} ${n}`).join(', ')})`);

    const latest = new Map<string, unknown>();
    for (const m of full) if (m.type === 'STATE') latest.set(m.state.stream.stream_descriptor.name, {type: 'STREAM', stream: m.state.stream});
    fs.writeFileSync(path.join(OUT, 'state.json'), JSON.stringify([...latest.values()], null, 2));

    const change = sandbox.mutate({newLeads: 5, updatedLeads: 10, newActivities: 20, newTasks: 5, updatedTasks: 5, updatedUsers: 1});
    console.log(`✓ changed the sandbox: ${Object.entries(change.changed).map(([s, ids]) => `${ids.length} ${s}`).join(', ')}`);

    sandbox.resetStats();
    const incremental = await run('read-incremental', ['read', '--config', 'config.json', '--catalog', 'catalog.json', '--state', 'state.json']);
    summarize(incremental);
    console.log(`    ${sandbox.stats().requests} API requests`);
    console.log(`\nRaw Airbyte output (spec, check, discover, both reads), config, catalog and state are in ${path.relative(process.cwd(), OUT) || OUT}/`);
  } finally {
    await sandbox.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
