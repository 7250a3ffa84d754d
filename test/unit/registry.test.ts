import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'fs';
import path from 'path';
import {SyncMode} from 'faros-airbyte-cdk';
import {STREAM_CLASSES, allStreams, streamClass, streamInfo} from '../../src/streams/registry';
import {CloseStream, StreamContext} from '../../src/streams/stream-base';
import {DELETED_AT, deletionQueries} from '../../src/streams/deletions';
import {STREAM_NAMES as GENERATED} from '../../src/generated';
import {offlineContext} from './helpers/fakes';
import {SCHEMAS_DIR} from '../helpers/paths';

const ctx: StreamContext = offlineContext();

describe('the stream registry (src/streams/registry.ts)', () => {
  it("lists Stitch's six tables first, then the rest, each name once", () => {
    const names = streamInfo().map((s) => s.name);
    assert.deepEqual(names.slice(0, 6), ['activities', 'custom_fields', 'event_log', 'leads', 'tasks', 'users']);
    assert.deepEqual(streamInfo().filter((s) => s.stitch).map((s) => s.name), names.slice(0, 6));
    assert.equal(new Set(names).size, names.length);
  });

  it('has one schema per stream and one stream per schema, and the generated record types cover them', () => {
    const schemas = fs.readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.json')).map((f) => path.basename(f, '.json')).sort();
    assert.deepEqual([...streamInfo().map((s) => s.name)].sort(), schemas);
    assert.deepEqual([...GENERATED], schemas);
  });

  it('the catalog entry of every stream is what its declaration says (the CDK derives it from the class)', () => {
    for (const stream of allStreams(ctx)) {
      const info = stream.info;
      const entry = stream.asAirbyteStream();
      assert.equal(entry.name, info.name);
      assert.deepEqual(entry.supported_sync_modes, info.syncModes.map((m) => (m === 'incremental' ? SyncMode.INCREMENTAL : SyncMode.FULL_REFRESH)), info.name);
      assert.deepEqual(entry.default_cursor_field, info.cursor ? [info.cursor] : undefined, info.name);
      assert.deepEqual(entry.source_defined_primary_key, [[info.primaryKey]], info.name);
    }
  });

  it('declarations are complete: endpoint, notes, a parent that exists and is read before, incremental kinds with a cursor', () => {
    const names = streamInfo().map((s) => s.name);
    for (const s of streamInfo()) {
      assert.match(s.endpoint, /^(GET|POST) \//, `${s.name}: endpoint`);
      assert.ok(s.notes, `${s.name}: notes`);
      if (s.kind === 'child') {
        assert.ok(s.parent && names.includes(s.parent), `${s.name}: parent ${s.parent}`);
        assert.ok(names.indexOf(s.parent!) < names.indexOf(s.name), `${s.name}: its parent comes first`);
      }
      const incremental = s.syncModes.includes('incremental');
      assert.equal(incremental, Boolean(s.cursor), `${s.name}: a cursor exactly when incremental`);
      if (['created_windows', 'updated_windows', 'task_windows', 'search_windows', 'events', 'scan'].includes(s.kind)) assert.ok(incremental, `${s.name}: ${s.kind} is incremental`);
    }
    assert.equal(streamClass('comments').info.parent, 'comment_threads');
    assert.throws(() => streamClass('nope'), /no stream named nope/);
    assert.equal(STREAM_CLASSES.length, streamInfo().length);
  });

  it('no stream class overrides readItems (the deletions follow readOwnItems there, stream-base.ts)', () => {
    for (const C of STREAM_CLASSES) {
      for (let proto = C.prototype; proto && proto !== CloseStream.prototype; proto = Object.getPrototypeOf(proto)) {
        assert.ok(!Object.prototype.hasOwnProperty.call(proto, 'readItems'), `${C.info.name}: ${proto.constructor.name} overrides readItems`);
      }
    }
  });

  it('the streams whose deletions are delivered: the incremental ones Close logs, each declaring _ab_cdc_deleted_at, no other', () => {
    const withDeletions = streamInfo().filter((s) => deletionQueries(s).length > 0).map((s) => s.name);
    for (const s of streamInfo()) {
      const schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, `${s.name}.json`), 'utf8'));
      const declared = schema.properties[DELETED_AT];
      if (withDeletions.includes(s.name)) {
        assert.deepEqual({type: declared?.type, format: declared?.format}, {type: ['null', 'string'], format: 'date-time'}, s.name);
        assert.ok(s.syncModes.includes('incremental') && s.eventObjectTypes?.length, s.name);
      } else {
        assert.equal(declared, undefined, `${s.name} delivers no deletions`);
      }
    }
    for (const name of ['leads', 'contacts', 'opportunities', 'tasks', 'activities', 'custom_fields']) assert.ok(withDeletions.includes(name), name);
    // the merged-away lead: a walk of its own
    assert.deepEqual(deletionQueries(streamClass('leads').info), [
      {objectType: 'lead', action: 'deleted'},
      {objectType: 'lead', action: 'merged'},
    ]);
  });
});
