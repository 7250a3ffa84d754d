#!/usr/bin/env node
'use strict';
/**
 * Writes test_files/expected_records.jsonl for CAT's basic_read `expect_records`:
 * does what CAT's basic_read does — `bin/main discover` with the same config
 * (the account's custom fields become typed columns, and CAT compares whole
 * records), then `bin/main read` of every discovered stream in its first
 * supported sync mode, without state — and keeps the first N RECORDs of each stream in CAT's
 * expected-records format, one per line: {"stream": ..., "data": ..., "emitted_at": ...}.
 * CAT checks that every expected record is produced again (extra records are fine),
 * so a few stable records per stream are enough.
 *
 * Usage (after `npm run build`):
 *   node scripts/record-expected-records.js                  from your account: secrets/config.json
 *   node scripts/record-expected-records.js --config F       another config file
 *   node scripts/record-expected-records.js --sandbox        from the bundled sandbox (the committed copy)
 *   options: --out FILE (default test_files/expected_records.jsonl)
 *            --max-per-stream N (default 10; 0 keeps every record)
 *            --catalog FILE (default: the discovered catalog, as CAT's basic_read builds it)
 *
 * Regenerate it from the account CAT will use, right before running CAT: the
 * records must still be in the account, unchanged. A fixed start_date in the
 * config keeps the oldest records inside the window between now and the CAT run.
 */
const {spawn} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const opts = {
    config: path.join(ROOT, 'secrets', 'config.json'),
    out: path.join(ROOT, 'test_files', 'expected_records.jsonl'),
    catalog: undefined,
    maxPerStream: 10,
    sandbox: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--config') opts.config = path.resolve(value());
    else if (a === '--out') opts.out = path.resolve(value());
    else if (a === '--catalog') opts.catalog = path.resolve(value());
    else if (a === '--max-per-stream') opts.maxPerStream = Number(value());
    else if (a === '--sandbox') opts.sandbox = true;
    else if (a === '--help' || a === '-h') {
      console.error(fs.readFileSync(__filename, 'utf8').split('*/')[0]);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(opts.maxPerStream) || opts.maxPerStream < 0) throw new Error('--max-per-stream must be an integer >= 0');
  return opts;
}

function runMain(args) {
  return new Promise((resolve, reject) => {
    const env = {...process.env};
    delete env.WORKER_JOB_ID;
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'main'), ...args], {
      cwd: os.tmpdir(),
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buffer = '';
    const messages = [];
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) messages.push(JSON.parse(line));
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({code, messages}));
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) throw new Error('run `npm run build` first');
  let sandbox;
  let configFile = opts.config;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'closeio-expected-'));
  try {
    if (opts.sandbox) {
      const {startSandbox} = require('tsx/cjs/api').require(path.join(ROOT, 'sandbox'), __filename);
      sandbox = await startSandbox({scale: 20, seed: 1});
      configFile = path.join(tmp, 'config.json');
      fs.writeFileSync(configFile, JSON.stringify({api_key: sandbox.apiKey, api_url: sandbox.url}));
    } else if (!fs.existsSync(configFile)) {
      throw new Error(`${configFile} does not exist: put your Close API key there (see docs/acceptance-tests.md)`);
    }
    let catalogFile = opts.catalog;
    if (!catalogFile) {
      const discovered = await runMain(['discover', '--config', configFile]);
      const catalogs = discovered.messages.filter((m) => m.type === 'CATALOG');
      if (discovered.code !== 0 || catalogs.length !== 1) throw new Error(`bin/main discover failed (exit ${discovered.code})`);
      const streams = catalogs[0].catalog.streams.map((stream) => {
        const mode = stream.supported_sync_modes[0];
        const entry = {stream, sync_mode: mode, destination_sync_mode: mode === 'incremental' ? 'append' : 'overwrite'};
        if (mode === 'incremental') entry.cursor_field = stream.default_cursor_field;
        return entry;
      });
      catalogFile = path.join(tmp, 'catalog.json');
      fs.writeFileSync(catalogFile, JSON.stringify({streams}));
    }
    const {code, messages} = await runMain(['read', '--config', configFile, '--catalog', catalogFile]);
    const errors = messages.filter((m) => m.type === 'TRACE' && m.trace?.type === 'ERROR');
    if (code !== 0 || errors.length) {
      const why = errors.map((m) => m.trace.error.message).join('; ');
      throw new Error(`bin/main read failed (exit ${code})${why ? `: ${why}` : ''}`);
    }
    const streams = JSON.parse(fs.readFileSync(catalogFile, 'utf8')).streams.map((s) => s.stream.name);
    const kept = new Map(streams.map((s) => [s, []]));
    for (const m of messages) {
      if (m.type !== 'RECORD') continue;
      const list = kept.get(m.record.stream);
      if (list && (opts.maxPerStream === 0 || list.length < opts.maxPerStream)) {
        list.push({stream: m.record.stream, data: m.record.data, emitted_at: m.record.emitted_at});
      }
    }
    const lines = [...kept.values()].flat().map((r) => JSON.stringify(r));
    fs.writeFileSync(opts.out, lines.join('\n') + (lines.length ? '\n' : ''));
    for (const [stream, list] of kept) {
      console.error(`${stream}: ${list.length} expected record(s)${list.length ? '' : ' — empty: declare it in empty_streams or add data'}`);
    }
    console.error(`wrote ${lines.length} records to ${path.relative(process.cwd(), opts.out) || opts.out}`);
  } finally {
    if (sandbox) await sandbox.close();
    fs.rmSync(tmp, {recursive: true, force: true});
  }
}

main().catch((err) => {
  console.error(`record-expected-records: ${err.message}`);
  process.exit(1);
});
