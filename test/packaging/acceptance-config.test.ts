/**
 * acceptance-test-config.yml is what CAT accepts (its own config model, vendored
 * as test_files/airbyte/cat_acceptance_config.schema.json) at high strictness,
 * and every file it names is committed and parses.
 */
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import {describe, test} from 'node:test';
import Ajv from 'ajv';
import {ROOT, discoverStreams, metadata, readJson, readYaml, repoPath} from './helpers';
import {keyOf} from '../helpers/streams';

const CONFIG = 'acceptance-test-config.yml';
const CORE_SUITES = ['spec', 'connection', 'discovery', 'basic_read', 'full_refresh', 'incremental'];

function catValidator() {
  // unicodeRegExp: false because CAT's (Python) version patterns escape '-' outside a class, which JS's u-mode refuses.
  const ajv = new Ajv({allErrors: true, strict: false, unicodeRegExp: false});
  // CAT's model types paths as format "path"; any string is one.
  ajv.addFormat('path', true);
  return ajv.compile(readJson('test_files/airbyte/cat_acceptance_config.schema.json'));
}

/** Every (key, value) pair of the config whose key names a file: *_path and expect_records.path. */
function namedFiles(node: any, trail = ''): {where: string; file: string}[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => namedFiles(n, `${trail}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => {
    const where = trail ? `${trail}.${k}` : k;
    if (typeof v === 'string' && (k.endsWith('_path') || (k === 'path' && trail.endsWith('expect_records')))) {
      return [{where, file: v}];
    }
    return namedFiles(v, where);
  });
}

const config = readYaml(CONFIG);

describe('acceptance-test-config.yml', () => {
  test('uses only keys CAT accepts (validates against CAT’s config schema)', () => {
    const validate = catValidator();
    assert.ok(validate(config), JSON.stringify(validate.errors, null, 2));
  });

  test('the CAT schema refuses unknown keys (the check is real)', () => {
    const validate = catValidator();
    assert.equal(validate({...config, tests: {}}), false);
    const bad = structuredClone(config);
    bad.acceptance_tests.basic_read.tests[0].expected_records_path = 'x';
    assert.equal(validate(bad), false);
  });

  test('is at high strictness in the current format, for the image metadata.yaml names', () => {
    assert.equal(config.test_strictness_level, 'high');
    assert.equal(config.connector_image, `${metadata().data.dockerRepository}:dev`);
    assert.ok(!('tests' in config), 'no legacy top-level tests: key');
    for (const suite of CORE_SUITES) {
      const s = config.acceptance_tests[suite];
      assert.ok(s, `suite ${suite} is configured`);
      assert.ok(!s.bypass_reason, `suite ${suite} is not bypassed`);
      assert.ok(Array.isArray(s.tests) && s.tests.length > 0, `suite ${suite} has tests`);
    }
  });

  test('spec, connection (succeed and failed), discovery use the committed files and secrets/config.json', () => {
    const t = config.acceptance_tests;
    assert.equal(t.spec.tests[0].spec_path, 'test_files/expected_spec.json');
    const statuses = t.connection.tests.map((x: any) => [x.status, x.config_path]);
    assert.deepEqual(statuses, [
      ['succeed', 'secrets/config.json'],
      ['failed', 'test_files/invalid_config.json'],
    ]);
    for (const suite of CORE_SUITES) {
      for (const x of t[suite].tests) {
        if (suite === 'connection' && x.status === 'failed') continue;
        assert.equal(x.config_path, 'secrets/config.json', `${suite} reads the real key`);
      }
    }
  });

  test('basic_read expects records (no bypass) and declares empty streams only with a reason', async () => {
    const [read] = config.acceptance_tests.basic_read.tests;
    assert.ok(read.expect_records?.path, 'expect_records.path is set');
    assert.ok(!read.expect_records.bypass_reason, 'high strictness wants real expected records');
    const names = new Set((await discoverStreams()).map((s) => s.name));
    for (const e of read.empty_streams ?? []) {
      assert.ok(names.has(e.name), `empty stream ${e.name} is a discovered stream`);
      assert.ok(typeof e.bypass_reason === 'string' && e.bypass_reason.length > 20, `empty stream ${e.name} says why`);
    }
  });

  test('incremental has a future_state file and a catalog', () => {
    const [inc] = config.acceptance_tests.incremental.tests;
    assert.equal(inc.future_state?.future_state_path, 'test_files/future_state.json');
    assert.ok(!inc.future_state.bypass_reason);
    assert.equal(inc.configured_catalog_path, 'test_files/configured_catalog.json');
    assert.equal(config.acceptance_tests.full_refresh.tests[0].configured_catalog_path, 'test_files/configured_catalog_full_refresh.json');
  });

  test('every file it names exists and parses (secrets/ excepted: git-ignored, user-provided)', () => {
    const files = namedFiles(config.acceptance_tests);
    assert.ok(files.length >= 8, `found ${files.length} file references`);
    for (const {where, file} of files) {
      if (file.startsWith('secrets/')) continue;
      const full = repoPath(file);
      assert.ok(fs.existsSync(full), `${where}: ${file} exists`);
      const text = fs.readFileSync(full, 'utf8');
      if (file.endsWith('.jsonl')) {
        const lines = text.split('\n').filter((l) => l.trim());
        assert.ok(lines.length > 0, `${file} is not empty`);
        lines.forEach((l, i) => assert.doesNotThrow(() => JSON.parse(l), `${file}:${i + 1} parses`));
      } else {
        assert.doesNotThrow(() => JSON.parse(text), `${file} parses`);
      }
    }
  });

  test('secrets/ is git-ignored, so secrets/config.json can never be committed', () => {
    const out = execFileSync('git', ['check-ignore', 'secrets/config.json'], {cwd: ROOT, encoding: 'utf8'});
    assert.equal(out.trim(), 'secrets/config.json');
    const tracked = execFileSync('git', ['ls-files', 'secrets'], {cwd: ROOT, encoding: 'utf8'});
    assert.equal(tracked.trim(), '', 'nothing under secrets/ is tracked');
  });

  test('the invalid config is a well-formed config with a wrong key (CAT expects status failed, not a crash)', () => {
    const invalid = readJson('test_files/invalid_config.json');
    assert.equal(typeof invalid.api_key, 'string');
    assert.ok(invalid.api_key.length > 0);
    assert.ok(!('api_url' in invalid), 'it goes to the real Close API, which answers 401');
  });

  test('expected records are in CAT’s format and name discovered streams only', async () => {
    const [read] = config.acceptance_tests.basic_read.tests;
    const names = new Set((await discoverStreams()).map((s) => s.name));
    const lines = fs.readFileSync(repoPath(read.expect_records.path), 'utf8').split('\n').filter((l) => l.trim());
    const seen = new Set<string>();
    for (const [i, line] of lines.entries()) {
      const r = JSON.parse(line);
      assert.deepEqual(Object.keys(r).sort(), ['data', 'emitted_at', 'stream'], `line ${i + 1} has exactly stream, data, emitted_at`);
      assert.ok(names.has(r.stream), `line ${i + 1}: ${r.stream} is a discovered stream`);
      assert.equal(typeof r.data, 'object');
      assert.ok(Number.isInteger(r.emitted_at));
      assert.ok(keyOf(r.stream, r.data), `line ${i + 1} has its primary key`);
      seen.add(r.stream);
    }
    assert.ok(seen.size > 0);
  });
});
