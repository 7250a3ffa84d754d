#!/usr/bin/env node
'use strict';
/**
 * Regenerates the acceptance-test inputs that follow from the connector itself:
 *
 *   test_files/expected_spec.json                  the `spec` object `bin/main spec` prints
 *   test_files/configured_catalog.json             every discovered stream, incremental where supported
 *   test_files/configured_catalog_full_refresh.json every discovered stream, full_refresh
 *   test_files/future_state.json                   one STREAM state per incremental stream, cursor in 2999
 *   docs/examples/catalog.json                     same as configured_catalog.json, for the docker examples
 *
 * Run after `npm run build` whenever a stream, a cursor or the spec changes:
 *   node scripts/update-test-files.js           write the files
 *   node scripts/update-test-files.js --check   exit 1 if any file is out of date (writes nothing)
 * discover needs no API call, so a dummy key is enough.
 */
const {execFileSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'bin', 'main');

/** The cursor format Close uses and the connector saves verbatim: microseconds, explicit +00:00. */
const FUTURE_CURSOR = '2999-01-01T00:00:00.000000+00:00';

function run(args) {
  const out = execFileSync(process.execPath, [MAIN, ...args], {cwd: os.tmpdir(), encoding: 'utf8'});
  return out
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l));
}

function only(messages, type) {
  const found = messages.filter((m) => m.type === type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type} message, got ${found.length}`);
  return found[0];
}

function discoverStreams() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closeio-discover-'));
  const config = path.join(dir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({api_key: 'dummy-key-for-discover'}));
  try {
    return only(run(['discover', '--config', config]), 'CATALOG').catalog.streams;
  } finally {
    fs.rmSync(dir, {recursive: true, force: true});
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

function build() {
  const spec = only(run(['spec']), 'SPEC').spec;
  const streams = discoverStreams();
  const catalog = {streams: streams.map((s) => configured(s, supportsIncremental(s)))};
  const fullRefresh = {streams: streams.map((s) => configured(s, false))};
  const futureState = streams.filter(supportsIncremental).map((s) => {
    const cursor = s.default_cursor_field;
    if (!Array.isArray(cursor) || cursor.length !== 1) {
      throw new Error(`stream ${s.name}: expected a single top-level default_cursor_field, got ${JSON.stringify(cursor)}`);
    }
    return {
      type: 'STREAM',
      stream: {stream_descriptor: {name: s.name}, stream_state: {[cursor[0]]: FUTURE_CURSOR}},
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

function main() {
  const check = process.argv.includes('--check');
  const files = build();
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

if (require.main === module) main();
module.exports = {build, FUTURE_CURSOR};
