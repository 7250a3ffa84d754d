#!/usr/bin/env node
'use strict';
/**
 * Regenerates the acceptance-test inputs that follow from the connector itself:
 *
 *   test_files/expected_spec.json                  the `spec` object `bin/main spec` prints
 *   test_files/configured_catalog.json             every discovered stream, incremental where supported
 *   test_files/configured_catalog_full_refresh.json every discovered stream, full_refresh
 *   test_files/future_state.json                   one STREAM state per incremental stream, cursor (and deletions position) in 2999
 *   docs/examples/catalog.json                     same as configured_catalog.json, for the docker examples
 *
 * Run after `npm run build` whenever a stream, a cursor or the spec changes:
 *   node scripts/update-test-files.js           write the files
 *   node scripts/update-test-files.js --check   exit 1 if any file is out of date (writes nothing)
 * discover reads the account's custom fields, so it runs against the bundled
 * sandbox; the account-specific custom field columns (`custom.*` properties) are
 * then removed, so the committed catalogs fit any Close account.
 */
const {spawn} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'bin', 'main');

/** The cursor format Close uses and the connector saves verbatim: microseconds, explicit +00:00. */
const FUTURE_CURSOR = '2999-01-01T00:00:00.000000+00:00';

/** Runs bin/main asynchronously (an in-process sandbox must keep answering) and parses stdout. */
function run(args) {
  return new Promise((resolve, reject) => {
    const env = {...process.env};
    delete env.WORKER_JOB_ID;
    const child = spawn(process.execPath, [MAIN, ...args], {cwd: os.tmpdir(), env, stdio: ['ignore', 'pipe', 'inherit']});
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bin/main ${args[0]} exited ${code}`));
      resolve(out.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)));
    });
  });
}

/** Drops the account's custom field columns from a stream schema. */
function withoutCustomColumns(stream) {
  const schema = stream.json_schema;
  const properties = Object.fromEntries(Object.entries(schema.properties || {}).filter(([k]) => !k.startsWith('custom.')));
  return {...stream, json_schema: {...schema, properties}};
}

function only(messages, type) {
  const found = messages.filter((m) => m.type === type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type} message, got ${found.length}`);
  return found[0];
}

async function discoverStreams() {
  const {startSandbox} = require('tsx/cjs/api').require(path.join(ROOT, 'sandbox'), __filename);
  const sandbox = await startSandbox({scale: 1, seed: 1});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closeio-discover-'));
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({api_key: sandbox.apiKey, api_url: sandbox.url}));
  try {
    return only(await run(['discover', '--config', config]), 'CATALOG').catalog.streams.map(withoutCustomColumns);
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
    await sandbox.close();
  }
}

function configured(stream, incremental) {
  const entry = {
    stream,
    sync_mode: incremental ? 'incremental' : 'full_refresh',
    destination_sync_mode: incremental ? 'append' : 'overwrite',
  };
  if (incremental) entry.cursor_field = stream.default_cursor_field;
  if (stream.source_defined_primary_key) entry.primary_key = stream.source_defined_primary_key;
  return entry;
}

function supportsIncremental(stream) {
  return (stream.supported_sync_modes || []).includes('incremental');
}

/** A stream that emits deletion records declares their column (src/streams/deletions.ts). */
function hasDeletions(stream) {
  return Boolean(stream.json_schema && stream.json_schema.properties && stream.json_schema.properties._ab_cdc_deleted_at);
}

async function build() {
  const spec = only(await run(['spec']), 'SPEC').spec;
  const streams = await discoverStreams();
  const catalog = {streams: streams.map((s) => configured(s, supportsIncremental(s)))};
  const fullRefresh = {streams: streams.map((s) => configured(s, false))};
  const futureState = streams.filter(supportsIncremental).map((s) => {
    const cursor = s.default_cursor_field;
    if (!Array.isArray(cursor) || cursor.length !== 1) {
      throw new Error(`stream ${s.name}: expected a single top-level default_cursor_field, got ${JSON.stringify(cursor)}`);
    }
    // Streams that deliver deletions keep their position too: far in the future, no deletions are read.
    const deletions = hasDeletions(s) ? {deletions: {date_updated: FUTURE_CURSOR}} : {};
    return {
      type: 'STREAM',
      stream: {stream_descriptor: {name: s.name}, stream_state: {[cursor[0]]: FUTURE_CURSOR, ...deletions}},
    };
  });
  const json = (v) => JSON.stringify(v, null, 2) + '\n';
  return {
    'test_files/expected_spec.json': json(spec),
    'test_files/configured_catalog.json': json(catalog),
    'test_files/configured_catalog_full_refresh.json': json(fullRefresh),
    'test_files/future_state.json': json(futureState),
    'docs/examples/catalog.json': json(catalog),
  };
}

async function main() {
  const check = process.argv.includes('--check');
  const files = await build();
  const stale = [];
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(ROOT, rel);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    stale.push(rel);
    if (!check) {
      fs.mkdirSync(path.dirname(file), {recursive: true});
      fs.writeFileSync(file, text);
    }
  }
  if (check && stale.length) {
    console.error(`out of date (run node scripts/update-test-files.js): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.error(stale.length ? `${check ? 'stale' : 'updated'}: ${stale.join(', ')}` : 'all files up to date');
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`update-test-files: ${err.message}`);
    process.exit(1);
  });
}
module.exports = {build, withoutCustomColumns, hasDeletions, FUTURE_CURSOR};
