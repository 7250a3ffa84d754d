/**
 * The built image, run the way Airbyte runs a source (RULES.md I1–I5), against
 * the sandbox on the host (`--network host`). Run by `npm run image:test`
 * (scripts/image/image-test.sh), which builds the image first and passes its
 * name in CLOSEIO_IMAGE; not part of scripts/test.sh (needs root and podman).
 *
 * Every run is `podman run --read-only --cap-drop=ALL` as the image's own user,
 * with the platform's files mounted read-only at /source; every stdout line is
 * checked against Airbyte's protocol schema, and the records against the
 * sandbox's truth.
 */
import {after, before, describe, test} from 'node:test';
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {Sandbox, StreamName} from '../../sandbox';
import {runConnector, tempDir} from '../helpers/connector';
import {AirbyteMessage, checkReadRules, latestStates, ofType, parseOutput, recordsOf} from '../helpers/protocol';
import {TEST_API_KEY, WRONG_API_KEY, basicAuthForm} from '../helpers/keys';
import {REPO_ROOT} from '../helpers/paths';
import {catalogFrom, configFor, startTestSandbox, streamNames} from '../helpers/sandbox';
import {assertRecordMatchesSchema} from '../helpers/schemas';

const IMAGE = process.env.CLOSEIO_IMAGE;
if (!IMAGE) throw new Error('CLOSEIO_IMAGE is not set: run `npm run image:test`, which builds the image first');

/** What FACTS.md found works here: runc (crun refuses this machine's cgroups) and explicit limits. */
const RUNTIME = ['--runtime', 'runc', '--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768'];
/** As a restricted pod would run it: read-only root, no capabilities, no privilege gain. */
const LOCKED_DOWN = ['--read-only', '--cap-drop=ALL', '--security-opt', 'no-new-privileges'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Everything the image printed, for the last test: no key in any of it. */
const printed: string[] = [];

function podman(args: string[], timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', args, {stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`podman ${args.slice(0, 6).join(' ')} … did not finish within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      printed.push(stdout, stderr);
      resolve({code, stdout, stderr});
    });
  });
}

describe(`the image ${IMAGE}, run as Airbyte runs it`, () => {
  let sandbox: Sandbox;
  let dir: string;
  let sourceDir: string;
  let discover: AirbyteMessage[];
  let names: string[];
  let inspect: any;

  /** `podman run` with the platform's files at /source (read-only). */
  function run(args: string[], opts: {entrypoint?: string; lockedDown?: boolean; user?: string} = {}): Promise<Run> {
    return podman([
      'run', '--rm', '--network', 'host', ...RUNTIME,
      ...(opts.lockedDown === false ? [] : LOCKED_DOWN),
      ...(opts.user ? ['--user', opts.user] : []),
      '-v', `${sourceDir}:/source:ro`,
      ...(opts.entrypoint ? ['--entrypoint', opts.entrypoint] : []),
      IMAGE!, ...args,
    ]);
  }

  /** The platform's form: `eval "$AIRBYTE_ENTRYPOINT <command>"` from another directory (RULES.md I2). */
  function platformRun(command: string): Promise<Run> {
    return run(['-c', `cd /tmp && eval "$AIRBYTE_ENTRYPOINT ${command}"`], {entrypoint: 'bash'});
  }

  /** Node inside the image (as the image's user unless told otherwise), for checks of its file system. */
  async function nodeInImage(script: string, opts: {lockedDown?: boolean; user?: string} = {}): Promise<any> {
    const r = await run(['-e', script], {...opts, entrypoint: '/usr/local/bin/node'});
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  }

  function writeSource(name: string, value: unknown): void {
    const file = path.join(sourceDir, name);
    fs.writeFileSync(file, JSON.stringify(value));
    fs.chmodSync(file, 0o644);
  }

  before(async () => {
    sandbox = await startTestSandbox({scale: 20});
    dir = tempDir('closeio-image-');
    sourceDir = path.join(dir, 'source');
    fs.mkdirSync(sourceDir);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(sourceDir, 0o755);
    writeSource('connectorConfig.json', configFor(sandbox));
    const local = path.join(dir, 'local-config.json');
    fs.writeFileSync(local, JSON.stringify(configFor(sandbox)));
    discover = (await runConnector(['discover', '--config', local])).messages;
    names = streamNames(discover);
    writeSource('catalog.json', catalogFrom(discover, 'incremental'));
    const r = await podman(['image', 'inspect', IMAGE!]);
    assert.equal(r.code, 0, r.stderr);
    inspect = JSON.parse(r.stdout)[0];
  });
  after(async () => {
    await sandbox?.close();
    if (dir) fs.rmSync(dir, {recursive: true, force: true});
  });

  test('image config: entrypoint, AIRBYTE_ENTRYPOINT, labels, user airbyte, working directory (I1–I4)', () => {
    const config = inspect.Config;
    const env = Object.fromEntries((config.Env as string[]).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    assert.deepEqual(config.Entrypoint, ['/usr/local/bin/node', '/airbyte/integration_code/bin/main']);
    assert.equal(env.AIRBYTE_ENTRYPOINT, config.Entrypoint.join(' '));
    assert.equal(config.User, 'airbyte');
    assert.equal(config.WorkingDir, '/airbyte');
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    assert.equal(config.Labels['io.airbyte.version'], pkg.version);
    assert.equal(config.Labels['io.airbyte.name'], 'closeio-source/source-closeio');
    assert.ok(['amd64', 'arm64'].includes(inspect.Architecture), inspect.Architecture);
  });

  test('is built on the base passed as --build-arg NODE_IMAGE', async () => {
    const base = process.env.CLOSEIO_BASE_IMAGE;
    assert.ok(base, 'CLOSEIO_BASE_IMAGE is set by scripts/image/image-test.sh');
    const r = await podman(['image', 'inspect', base!]);
    assert.equal(r.code, 0, r.stderr);
    const baseLayers: string[] = JSON.parse(r.stdout)[0].RootFS.Layers;
    assert.deepEqual(inspect.RootFS.Layers.slice(0, baseLayers.length), baseLayers);
  });

  test('runs as airbyte, UID/GID 1000, non-root; /airbyte is writable by it, the code is not', async () => {
    const script = `
      const fs = require('fs');
      const os = require('os');
      const tryWrite = (f) => { try { fs.writeFileSync(f, 'x'); fs.rmSync(f); return 'ok'; } catch (e) { return e.code; } };
      const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\\n').find((l) => l.split(':')[2] === String(process.getuid()));
      console.log(JSON.stringify({uid: process.getuid(), gid: process.getgid(), user: passwd && passwd.split(':')[0],
        airbyteDir: tryWrite('/airbyte/probe'), code: tryWrite('/airbyte/integration_code/probe'),
        lib: tryWrite('/airbyte/integration_code/lib/index.js'), node: process.version}));`;
    // Without --read-only, so that only ownership and modes decide.
    const writable = await nodeInImage(script, {lockedDown: false});
    assert.deepEqual([writable.uid, writable.gid, writable.user], [1000, 1000, 'airbyte']);
    assert.equal(writable.airbyteDir, 'ok', '/airbyte is writable by airbyte (I4)');
    assert.equal(writable.code, 'EACCES', 'the code directory is not writable by airbyte');
    assert.equal(writable.lib, 'EACCES', 'the code is not writable by airbyte');
    assert.match(writable.node, /^v2\d\./);
  });

  test('holds only what the connector needs, all owned by root and writable by nobody else', async () => {
    const listing = await nodeInImage(`
      const fs = require('fs'); const path = require('path');
      const out = {files: [], notRoot: [], groupOrOtherWritable: []};
      (function walk(d) {
        for (const e of fs.readdirSync(d, {withFileTypes: true})) {
          const f = path.join(d, e.name); const st = fs.lstatSync(f);
          const rel = path.relative('/airbyte/integration_code', f);
          if (st.uid !== 0 || st.gid !== 0) out.notRoot.push(rel);
          if (!e.isSymbolicLink() && (st.mode & 0o022)) out.groupOrOtherWritable.push(rel);
          if (e.isDirectory()) walk(f); else out.files.push(rel);
        }
      })('/airbyte/integration_code');
      console.log(JSON.stringify(out));`);
    assert.deepEqual(listing.notRoot, [], 'everything in /airbyte/integration_code belongs to root:root');
    assert.deepEqual(listing.groupOrOtherWritable, [], 'nothing is group- or world-writable');
    const top = [...new Set((listing.files as string[]).map((f) => f.split('/')[0]))].sort();
    assert.deepEqual(top, ['bin', 'lib', 'node_modules', 'package.json', 'resources']);
    const unwanted = (listing.files as string[]).filter((f) => /\.(map|ts|mts|cts|md)$/i.test(f) && !/(^|\/)licen[cs]e[^/]*$/i.test(f));
    assert.deepEqual(unwanted, [], 'no source maps, TypeScript sources or declarations, docs');
    assert.ok(!(listing.files as string[]).some((f) => /(^|\/)(sandbox|src|test|scripts)\//.test(f) && !f.startsWith('node_modules/')), 'no sandbox, sources, tests or scripts');
    const devDependencies = Object.keys(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).devDependencies);
    assert.ok(devDependencies.includes('typescript'));
    for (const dev of devDependencies) {
      assert.ok(!(listing.files as string[]).some((f) => f.startsWith(`node_modules/${dev}/`)), `dev dependency ${dev} is not installed`);
    }
    assert.ok(listing.files.includes('lib/index.js') && listing.files.includes('resources/spec.json'));
  });

  test('spec prints one SPEC equal to the repo’s, every line valid', async () => {
    const r = await run(['spec']);
    assert.equal(r.code, 0, r.stderr);
    const messages = parseOutput(r.stdout);
    assert.deepEqual(messages.map((m) => m.type), ['SPEC']);
    const local = (await runConnector(['spec'])).messages[0];
    assert.deepEqual(messages[0].spec, local.spec);
  });

  test('check with the mounted config succeeds; with a wrong key it fails cleanly', async () => {
    const ok = await platformRun('check --config /source/connectorConfig.json');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ofType(parseOutput(ok.stdout), 'CONNECTION_STATUS')[0].connectionStatus.status, 'SUCCEEDED');
    writeSource('wrongKey.json', configFor(sandbox, {api_key: WRONG_API_KEY}));
    const bad = await run(['check', '--config', '/source/wrongKey.json']);
    const status = ofType(parseOutput(bad.stdout), 'CONNECTION_STATUS');
    assert.equal(status[0]?.connectionStatus.status, 'FAILED', bad.stdout.slice(0, 500));
  });

  test('discover prints the same catalog as the connector outside the image', async () => {
    const r = await platformRun('discover --config /source/connectorConfig.json');
    assert.equal(r.code, 0, r.stderr);
    const catalogs = ofType(parseOutput(r.stdout), 'CATALOG');
    assert.equal(catalogs.length, 1);
    assert.deepEqual(catalogs[0].catalog, discover.find((m) => m.type === 'CATALOG')!.catalog);
  });

  test('read (eval "$AIRBYTE_ENTRYPOINT read …" from /tmp, read-only root) returns the sandbox’s truth; a read from its state brings the changes', async () => {
    const first = await platformRun('read --config /source/connectorConfig.json --catalog /source/catalog.json');
    assert.equal(first.code, 0, first.stderr.slice(-2000));
    const messages = parseOutput(first.stdout);
    checkReadRules(messages, names);
    const catalogStreams = discover.find((m) => m.type === 'CATALOG')!.catalog.streams;
    const schemas = new Map<string, object>(catalogStreams.map((s: any) => [s.name, s.json_schema]));
    // Each stream's key as the catalog declares it (unsubscribed_emails: email); the truth's `id` is that key.
    const keyOf = new Map<string, string>(catalogStreams.map((s: any) => [s.name, s.source_defined_primary_key?.[0]?.[0] ?? 'id']));
    for (const name of names) {
      const key = keyOf.get(name)!;
      const records = recordsOf(messages, name);
      for (const r of records) assertRecordMatchesSchema(name, schemas.get(name)!, r);
      assert.deepEqual([...new Set(records.map((r) => r[key]))].sort(), sandbox.truth(name as StreamName).map((t) => t.id).sort(), `${name}: ${key}s differ from the sandbox's truth`);
    }

    writeSource('inputState.json', latestStates(messages));
    const change = sandbox.mutate({newLeads: 2, updatedLeads: 2, newTasks: 1, updatedUsers: 1, newOpportunities: 1});
    const second = await platformRun('read --config /source/connectorConfig.json --catalog /source/catalog.json --state /source/inputState.json');
    assert.equal(second.code, 0, second.stderr.slice(-2000));
    const again = parseOutput(second.stdout);
    checkReadRules(again, names);
    for (const [stream, ids] of Object.entries(change.changed)) {
      if (!names.includes(stream) || stream === 'activities') continue;
      const got = new Set(recordsOf(again, stream).map((r) => r.id));
      for (const id of ids) assert.ok(got.has(id), `${stream}: changed record ${id} not read from the state`);
    }
    assert.ok(recordsOf(again, 'leads').length < recordsOf(messages, 'leads').length / 2, 'the second read is incremental');
  });

  test('no API key, nor its Basic-auth form, in anything the image printed (stdout and stderr of every run)', () => {
    assert.ok(printed.length > 10, 'the runs above printed something');
    const all = printed.join('\n');
    for (const key of [TEST_API_KEY, WRONG_API_KEY]) {
      assert.ok(!all.includes(key) && !all.includes(basicAuthForm(key)), 'a key was printed');
    }
  });

  test('a bad config fails with an ERROR trace (config_error) and a non-zero exit, in the image too', async () => {
    writeSource('badConfig.json', {api_key: ''});
    const r = await run(['read', '--config', '/source/badConfig.json', '--catalog', '/source/catalog.json']);
    assert.notEqual(r.code, 0);
    const errors = ofType(parseOutput(r.stdout), 'TRACE').filter((m) => m.trace.type === 'ERROR');
    assert.equal(errors[0]?.trace.error.failure_type, 'config_error', r.stdout.slice(0, 500));
  });
});
