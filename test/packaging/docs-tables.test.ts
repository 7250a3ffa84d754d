/**
 * The streams tables of the README and the docs, the migration table from
 * Airbyte's source and acceptance-test-config.yml's empty_streams are
 * generated from the stream declarations (scripts/docs/tables.ts): stale
 * copies fail here (fix: npm run docs).
 */
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {AIRBYTE_STREAMS, airbyteMapping, emptyStreamsYaml} from '../../scripts/docs/tables';
import {staleFiles} from '../../scripts/update-docs';
import {STREAMS} from '../helpers/streams';
import {readYaml} from './helpers';

/** Airbyte streams no stream of this connector reads yet, each with the reason (none left). */
const NOT_YET_MAPPED = new Map<string, string>();

describe('generated docs', () => {
  test('README.md, docs/streams.md, docs/integrations/sources/close.md and acceptance-test-config.yml are current (npm run docs)', () => {
    assert.deepEqual(staleFiles(false), []);
  });

  test('every stream of Airbyte’s Close source maps to a stream here', () => {
    assert.equal(AIRBYTE_STREAMS.length, 45);
    const mapping = airbyteMapping();
    for (const a of AIRBYTE_STREAMS) {
      if (mapping.has(a)) continue;
      assert.ok(NOT_YET_MAPPED.has(a), `Airbyte's ${a} is mapped by no declaration (add it to the stream's airbyte field)`);
    }
    for (const name of mapping.keys()) assert.ok((AIRBYTE_STREAMS as readonly string[]).includes(name), `${name} is not one of Airbyte's streams`);
  });

  test('every stream has a docs note, and every full-refresh stream says why', () => {
    for (const s of STREAMS) {
      assert.ok(s.notes.length > 5, `${s.name}: notes`);
      if (!s.cursor) assert.ok(s.fullRefreshBecause, `${s.name}: why it is full refresh only`);
    }
  });

  test('CAT’s empty_streams are exactly the declarations’ emptyBecause, each with a reason', () => {
    const [read] = readYaml('acceptance-test-config.yml').acceptance_tests.basic_read.tests;
    const declared = STREAMS.filter((s) => s.emptyBecause).map((s) => s.name);
    assert.deepEqual(read.empty_streams.map((e: any) => e.name), declared);
    for (const e of read.empty_streams) assert.equal(e.bypass_reason, STREAMS.find((s) => s.name === e.name)!.emptyBecause);
    assert.match(emptyStreamsYaml(), /^ {8}empty_streams:\n/);
  });
});
