/**
 * Image rehearsal, without Docker: what the image will hold is what `npm pack`
 * puts in the package (package.json "files": bin/, lib/, resources/) plus its
 * production dependencies. Pack it, install the tarball with --omit=dev into an
 * empty directory, and run it the way the platform runs the image:
 *   sh -c 'eval "$AIRBYTE_ENTRYPOINT read --config /…/source/connectorConfig.json …"'
 * from another working directory, with an absolute AIRBYTE_ENTRYPOINT.
 * Needs the npm registry (npm's cache makes it fast) and a built lib/.
 */
import assert from 'node:assert/strict';
import {execFile, spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {promisify} from 'node:util';
import {startSandbox} from '../../sandbox';
import {ROOT, packageJson, parseMessages, requireBuilt} from './helpers';

const exec = promisify(execFile);
const timings: Record<string, number> = {};

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings[label] = Date.now() - t0;
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  messages: any[];
}

/** `sh -c 'eval "$AIRBYTE_ENTRYPOINT <cmd>"'`, as the platform's launcher does (RULES.md I2). */
function platformRun(entrypoint: string, command: string, cwd: string, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {PATH: process.env.PATH, HOME: process.env.HOME, AIRBYTE_ENTRYPOINT: entrypoint};
    const child = spawn('sh', ['-c', `eval "$AIRBYTE_ENTRYPOINT ${command}"`], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command.split(' ')[0]} did not finish within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve({code, stdout, stderr, messages: parseMessages(stdout)});
      } catch (e) {
        reject(e);
      }
    });
  });
}

describe('image rehearsal: the npm package, installed with production dependencies only', () => {
  let base: string;
  let entrypoint: string;
  let installed: string;
  let workdir: string;
  let sourceDir: string;
  let sb: Awaited<ReturnType<typeof startSandbox>>;

  before(async () => {
    requireBuilt();
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'closeio-rehearsal-')));
    const packDir = path.join(base, 'pack');
    const installDir = path.join(base, 'install');
    workdir = path.join(base, 'elsewhere');
    sourceDir = path.join(base, 'source');
    for (const d of [packDir, installDir, workdir, sourceDir]) fs.mkdirSync(d);
    const {stdout} = await timed('npm pack', () =>
      exec('npm', ['pack', '--json', '--pack-destination', packDir], {cwd: ROOT, maxBuffer: 64 * 1024 * 1024})
    );
    const [info] = JSON.parse(stdout);
    const tarball = path.join(packDir, info.filename);
    assert.ok(fs.existsSync(tarball), `npm pack wrote ${tarball}`);
    const files: string[] = info.files.map((f: any) => f.path);
    for (const f of files) {
      assert.match(f, /^(bin\/|lib\/|resources\/|package\.json$|README\.md$|LICENSE)/, `the package holds only what the image needs, not ${f}`);
    }
    assert.ok(files.includes('bin/main') && files.includes('lib/index.js') && files.includes('resources/spec.json'));
    // A fresh project that knows nothing of the repo: install the tarball, production dependencies only.
    fs.writeFileSync(path.join(installDir, 'package.json'), JSON.stringify({name: 'rehearsal', version: '0.0.0', private: true}));
    await timed('npm install --omit=dev', () =>
      exec('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', tarball], {
        cwd: installDir,
        maxBuffer: 64 * 1024 * 1024,
      })
    );
    installed = path.join(installDir, 'node_modules', packageJson().name);
    assert.ok(fs.existsSync(path.join(installed, 'bin', 'main')), 'the package is installed');
    const devOnly = ['typescript', 'tsx', 'yaml', 'json-schema-to-typescript', '@types/node'];
    for (const dev of devOnly) {
      assert.ok(!fs.existsSync(path.join(installDir, 'node_modules', dev)), `dev dependency ${dev} is not installed`);
    }
    assert.ok(!fs.existsSync(path.join(installed, 'src')), 'no TypeScript sources in the package');
    // As in the Dockerfile: absolute node, absolute script.
    entrypoint = `${process.execPath} ${path.join(installed, 'bin', 'main')}`;
    assert.ok(path.isAbsolute(process.execPath) && path.isAbsolute(installed));
    sb = await startSandbox({scale: 20, seed: 1});
    fs.writeFileSync(path.join(sourceDir, 'connectorConfig.json'), JSON.stringify({api_key: sb.apiKey, api_url: sb.url}));
  });

  after(async () => {
    await sb?.close();
    if (base) fs.rmSync(base, {recursive: true, force: true});
    console.log(`# rehearsal timings (ms): ${JSON.stringify(timings)}`);
  });

  test('spec prints exactly one SPEC, equal to the repo’s spec', async () => {
    const r = await timed('spec', () => platformRun(entrypoint, 'spec', workdir));
    assert.equal(r.code, 0, r.stderr);
    const specs = r.messages.filter((m) => m.type === 'SPEC');
    assert.equal(specs.length, 1);
    assert.deepEqual(specs[0].spec, JSON.parse(fs.readFileSync(path.join(ROOT, 'test_files', 'expected_spec.json'), 'utf8')));
  });

  test('check against the sandbox: one CONNECTION_STATUS, SUCCEEDED', async () => {
    const r = await timed('check', () => platformRun(entrypoint, `check --config ${path.join(sourceDir, 'connectorConfig.json')}`, workdir));
    assert.equal(r.code, 0, r.stderr);
    const statuses = r.messages.filter((m) => m.type === 'CONNECTION_STATUS');
    assert.equal(statuses.length, 1);
    assert.equal(statuses[0].connectionStatus.status, 'SUCCEEDED', statuses[0].connectionStatus.message);
  });

  test('check with a wrong key: one CONNECTION_STATUS, FAILED', async () => {
    const bad = path.join(sourceDir, 'badConfig.json');
    fs.writeFileSync(bad, JSON.stringify({api_key: 'wrong-key', api_url: sb.url}));
    const r = await timed('check (wrong key)', () => platformRun(entrypoint, `check --config ${bad}`, workdir));
    const statuses = r.messages.filter((m) => m.type === 'CONNECTION_STATUS');
    assert.equal(statuses.length, 1);
    assert.equal(statuses[0].connectionStatus.status, 'FAILED');
  });

  test('discover, then read with /…/source/{connectorConfig,catalog,inputState}.json: RECORDs and STATEs, exit 0; a second read resumes from the state', async () => {
    const config = path.join(sourceDir, 'connectorConfig.json');
    const disc = await timed('discover', () => platformRun(entrypoint, `discover --config ${config}`, workdir));
    assert.equal(disc.code, 0, disc.stderr);
    const catalogs = disc.messages.filter((m) => m.type === 'CATALOG');
    assert.equal(catalogs.length, 1);
    const streams: any[] = catalogs[0].catalog.streams;
    assert.ok(streams.length > 0);
    const configured = {
      streams: streams.map((s) => {
        const incremental = s.supported_sync_modes.includes('incremental');
        return {
          stream: s,
          sync_mode: incremental ? 'incremental' : 'full_refresh',
          destination_sync_mode: incremental ? 'append' : 'overwrite',
          ...(incremental ? {cursor_field: s.default_cursor_field} : {}),
        };
      }),
    };
    fs.writeFileSync(path.join(sourceDir, 'catalog.json'), JSON.stringify(configured));
    fs.writeFileSync(path.join(sourceDir, 'inputState.json'), '[]');
    const cmd = `read --config ${config} --catalog ${path.join(sourceDir, 'catalog.json')} --state ${path.join(sourceDir, 'inputState.json')}`;

    const first = await timed('read', () => platformRun(entrypoint, cmd, workdir, 60_000));
    assert.equal(first.code, 0, first.stderr.slice(-2000));
    const errors = first.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR');
    assert.deepEqual(errors, [], 'no ERROR traces');
    const records = first.messages.filter((m) => m.type === 'RECORD');
    const states = first.messages.filter((m) => m.type === 'STATE');
    assert.ok(records.length > 0, 'RECORD messages');
    assert.ok(states.length >= streams.length, 'at least one STATE per stream');
    const names = new Set(streams.map((s) => s.name));
    for (const r of records) assert.ok(names.has(r.record.stream));
    for (const s of states) {
      assert.equal(s.state.type, 'STREAM');
      assert.equal(typeof s.state.sourceStats?.recordCount, 'number');
    }
    const withRecords = new Set(records.map((r) => r.record.stream));
    for (const name of ['leads', 'users', 'activities']) {
      assert.ok(withRecords.has(name), `${name} has records`);
      const ids = new Set(sb.truth(name as any).map((x: any) => x.id));
      for (const r of records.filter((x) => x.record.stream === name)) assert.ok(ids.has(r.record.data.id), `${name} ${r.record.data.id} is sandbox data`);
    }

    // The platform hands back the latest state per stream; the next sync starts there.
    const latest = new Map<string, any>();
    for (const s of states) latest.set(s.state.stream.stream_descriptor.name, s.state);
    fs.writeFileSync(path.join(sourceDir, 'inputState.json'), JSON.stringify([...latest.values()]));
    const second = await timed('read (resumed)', () => platformRun(entrypoint, cmd, workdir, 60_000));
    assert.equal(second.code, 0, second.stderr.slice(-2000));
    const secondRecords = second.messages.filter((m) => m.type === 'RECORD').length;
    assert.ok(secondRecords < records.length, `the resumed read emits fewer records (${secondRecords} < ${records.length})`);
  });
});
