import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import {OUTPUT_LOG} from '../helpers/output-log';
import {ALL_TEST_KEYS, basicAuthForm} from '../helpers/keys';

/**
 * Runs last (scripts/test.sh): every connector run of the suite appended its
 * stdout and stderr to OUTPUT_LOG — successful syncs, failing requests,
 * faults, crashes, debug logging — and none of it may contain an API key.
 */
test('no API key, plain or in its Basic-auth form, appears in anything the connector printed', () => {
  assert.ok(fs.existsSync(OUTPUT_LOG), `no connector output was collected at ${OUTPUT_LOG}; run the suite through scripts/test.sh`);
  const output = fs.readFileSync(OUTPUT_LOG, 'utf8');
  assert.ok(output.length > 100_000, `expected the whole suite's connector output, got ${output.length} bytes`);
  for (const key of ALL_TEST_KEYS) {
    assert.ok(!output.includes(key), `the API key ${key.slice(0, 6)}… was printed`);
    assert.ok(!output.includes(basicAuthForm(key)), `the Basic-auth form of ${key.slice(0, 6)}… was printed`);
    assert.ok(!output.includes(encodeURIComponent(key)), `the URL-encoded key ${key.slice(0, 6)}… was printed`);
  }
});

/**
 * Pieces of a key count too (issue 11: a parse error quoted the first ten
 * characters of a config). Eight characters here, where a whole suite's
 * records could contain a shorter piece by chance; the malformed-input tests
 * (test/e2e/resilience-bad-input.test.ts) check every 6-character piece.
 */
test('no 8-character piece of an API key appears in anything the connector printed', () => {
  const output = fs.readFileSync(OUTPUT_LOG, 'utf8');
  for (const key of ALL_TEST_KEYS) {
    for (let i = 0; i + 8 <= key.length; i++) {
      const piece = key.slice(i, i + 8);
      assert.ok(!output.includes(piece), `a piece of the API key (${piece.slice(0, 3)}…, at ${i}) was printed`);
    }
  }
});
