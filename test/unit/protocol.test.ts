import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {Writable} from 'node:stream';
import {SyncMode} from 'faros-airbyte-cdk';
import {parseConfiguredCatalog} from '../../src/protocol/catalog';
import {parseInputState} from '../../src/protocol/input-state';
import {Output} from '../../src/protocol/output';
import {serializeMessage} from '../../src/protocol/serialize';
import {streamState} from '../../src/protocol/messages';
import {redact, registerSecret} from '../../src/protocol/redact';
import {readJsonFile} from '../../src/cli/input-files';
import {failureTypeOf} from '../../src/errors';
import {settle} from './helpers/fakes';

function configErrorOf(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof Error);
    assert.equal(failureTypeOf(err), 'config_error', err.message);
    return err;
  }
  assert.fail('expected a config_error');
}

const SUPPORTED = new Map<string, SyncMode[]>([
  ['leads', [SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL]],
  ['users', [SyncMode.FULL_REFRESH, SyncMode.INCREMENTAL]],
  ['lead_statuses', [SyncMode.FULL_REFRESH]],
]);
const entry = (name: string, sync_mode: string) => ({
  stream: {name, json_schema: {}, supported_sync_modes: ['full_refresh']},
  sync_mode,
  destination_sync_mode: 'append',
});

describe('parseConfiguredCatalog', () => {
  it('accepts known streams with supported modes, in order', () => {
    const out = parseConfiguredCatalog({streams: [entry('users', 'incremental'), entry('lead_statuses', 'full_refresh')]}, SUPPORTED);
    assert.deepEqual(out, [
      {name: 'users', syncMode: SyncMode.INCREMENTAL},
      {name: 'lead_statuses', syncMode: SyncMode.FULL_REFRESH},
    ]);
  });
  it('unknown stream → config_error naming it', () => {
    assert.match(configErrorOf(() => parseConfiguredCatalog({streams: [entry('widgets', 'full_refresh')]}, SUPPORTED)).message, /widgets/);
  });
  it('sync_mode INVALID, missing or not a string → config_error', () => {
    assert.match(configErrorOf(() => parseConfiguredCatalog({streams: [entry('leads', 'INVALID')]}, SUPPORTED)).message, /INVALID/);
    assert.match(configErrorOf(() => parseConfiguredCatalog({streams: [entry('lead_statuses', 'INCREMENTAL')]}, SUPPORTED)).message, /lead_statuses/);
    configErrorOf(() => parseConfiguredCatalog({streams: [{stream: {name: 'leads'}}]}, SUPPORTED));
    configErrorOf(() => parseConfiguredCatalog({streams: [entry('lead_statuses', ['incremental'] as any)]}, SUPPORTED));
  });
  it('incremental on a full-refresh-only stream is read as a full refresh, as the Python CDK does (PyAirbyte asks for it)', () => {
    const out = parseConfiguredCatalog({streams: [entry('lead_statuses', 'incremental'), entry('leads', 'incremental')]}, SUPPORTED);
    assert.deepEqual(out, [
      {name: 'lead_statuses', syncMode: SyncMode.FULL_REFRESH, downgradedFrom: SyncMode.INCREMENTAL},
      {name: 'leads', syncMode: SyncMode.INCREMENTAL},
    ]);
  });
  it('full_refresh on an incremental-only stream is still refused (nothing to fall back to)', () => {
    const incrementalOnly = new Map([['events', [SyncMode.INCREMENTAL]]]);
    assert.match(configErrorOf(() => parseConfiguredCatalog({streams: [entry('events', 'full_refresh')]}, incrementalOnly)).message, /events/);
  });
  it('duplicate stream → config_error', () => {
    assert.match(
      configErrorOf(() => parseConfiguredCatalog({streams: [entry('leads', 'incremental'), entry('leads', 'full_refresh')]}, SUPPORTED)).message,
      /twice/
    );
  });
  it('empty or malformed catalog → config_error', () => {
    for (const raw of [{streams: []}, {}, null, [], 'x', {streams: {}}, {streams: [{}]}, {streams: [null]}]) {
      configErrorOf(() => parseConfiguredCatalog(raw, SUPPORTED));
    }
  });
});

const st = (name: string, stream_state: unknown) => ({type: 'STREAM', stream: {stream_descriptor: {name}, stream_state}});

describe('parseInputState', () => {
  it('an array of STREAM states', () => {
    const m = parseInputState([st('leads', {date_updated: '2024-01-01T00:00:00+00:00'}), st('users', {})]);
    assert.deepEqual([...m.entries()], [
      ['leads', {date_updated: '2024-01-01T00:00:00+00:00'}],
      ['users', {}],
    ]);
  });
  it('null stream_state means no state', () => {
    const m = parseInputState([st('leads', null)]);
    assert.equal(m.get('leads'), undefined);
    assert.ok(m.has('leads'));
  });
  it('[], {}, null and undefined mean a first sync', () => {
    for (const raw of [[], {}, null, undefined]) assert.equal(parseInputState(raw).size, 0);
  });
  it('LEGACY and GLOBAL states are refused', () => {
    assert.match(configErrorOf(() => parseInputState([{type: 'GLOBAL', global: {shared_state: {}, stream_states: []}}])).message, /GLOBAL/);
    assert.match(configErrorOf(() => parseInputState([{type: 'LEGACY', data: {leads: {}}}])).message, /LEGACY/);
    assert.match(configErrorOf(() => parseInputState([{data: {leads: {}}}])).message, /LEGACY/);
    // a legacy bare state object
    configErrorOf(() => parseInputState({leads: {date_updated: '2024-01-01'}}));
  });
  it('wrong shapes are refused', () => {
    for (const raw of ['x', 42, true, [null], [1], ['STREAM'], [{type: 'STREAM'}], [{type: 'STREAM', stream: {stream_descriptor: {name: ''}}}],
      [st('leads', [1, 2])], [st('leads', 'x')], [st('leads', 5)]]) {
      configErrorOf(() => parseInputState(raw));
    }
  });
});

describe('readJsonFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closeio-unit-'));
  it('missing file → config_error', () => {
    const err = configErrorOf(() => readJsonFile(path.join(dir, 'nope.json'), 'config'));
    assert.match(err.message, /no such file/);
    assert.match(err.message, /config/);
  });
  it('non-JSON → config_error', () => {
    const f = path.join(dir, 'bad.json');
    fs.writeFileSync(f, '{"api_key": ');
    assert.match(configErrorOf(() => readJsonFile(f, 'catalog')).message, /not valid JSON/);
  });
  it('any file name works, with or without .json, BOM tolerated, never require()d', () => {
    for (const name of ['connectorConfig', 'state.txt', 'weird name', 'noext.json.bak']) {
      const f = path.join(dir, name);
      fs.writeFileSync(f, '\uFEFF{"a": [1, 2]}');
      assert.deepEqual(readJsonFile(f, 'config'), {a: [1, 2]});
    }
    const js = path.join(dir, 'evil.js');
    fs.writeFileSync(js, 'module.exports = {x: 1}');
    configErrorOf(() => readJsonFile(js, 'config'));
  });
  it('empty file → emptyIs when given, else config_error', () => {
    const f = path.join(dir, 'empty');
    fs.writeFileSync(f, '  \n');
    assert.deepEqual(readJsonFile(f, 'state', {emptyIs: []}), []);
    configErrorOf(() => readJsonFile(f, 'config'));
  });
  it('a directory → config_error', () => {
    configErrorOf(() => readJsonFile(dir, 'config'));
  });
});

describe('serializeMessage', () => {
  it('recordCount is written as "N.0" and stays valid JSON', () => {
    for (const n of [0, 1, 12, 123456]) {
      const line = serializeMessage(streamState('leads', {date_updated: '2024-01-01T00:00:00+00:00'}, n));
      assert.ok(line.includes(`"sourceStats":{"recordCount":${n}.0}`), line);
      assert.equal(JSON.parse(line).state.sourceStats.recordCount, n);
      assert.ok(!line.includes('\n'));
    }
  });
  it('other messages are plain JSON', () => {
    const msg = {type: 'RECORD', record: {stream: 'x', data: {sourceStats: {recordCount: 3}}, emitted_at: 1}};
    assert.equal(serializeMessage(msg), JSON.stringify(msg));
  });
});

/** A Writable whose writes complete only when the test says so. */
class SlowSink extends Writable {
  readonly lines: string[] = [];
  private held: (() => void)[] = [];
  constructor(highWaterMark: number, private auto = false) {
    super({highWaterMark, decodeStrings: false});
  }
  override _write(chunk: any, _enc: string, cb: (err?: Error | null) => void): void {
    this.lines.push(...String(chunk).split('\n').filter(Boolean));
    if (this.auto) cb();
    else this.held.push(() => cb());
  }
  release(): void {
    const h = this.held;
    this.held = [];
    h.forEach((f) => f());
  }
  get pending(): number {
    return this.held.length;
  }
}

const rec = (i: number) => ({type: 'RECORD', record: {stream: 'leads', data: {id: `lead_${i}`}, emitted_at: 1}});

describe('Output', () => {
  it('keeps emit order; batches records until a non-record message', async () => {
    const sink = new SlowSink(1 << 20, true);
    const out = new Output(sink, 1 << 20);
    await out.emit(rec(1));
    await out.emit(rec(2));
    assert.equal(sink.lines.length, 0, 'records are batched');
    await out.emit(streamState('leads', {date_updated: 'x'}, 2));
    await out.emit(rec(3));
    out.emitNow({type: 'LOG', log: {level: 'INFO', message: 'hi'}});
    await out.close();
    const types = sink.lines.map((l) => JSON.parse(l).type);
    assert.deepEqual(types, ['RECORD', 'RECORD', 'STATE', 'RECORD', 'LOG']);
    assert.deepEqual(
      sink.lines.filter((l) => l.includes('RECORD')).map((l) => JSON.parse(l).record.data.id),
      ['lead_1', 'lead_2', 'lead_3']
    );
    assert.ok(sink.lines[2].includes('"recordCount":2.0'));
  });

  it('flushes records once the batch is full', async () => {
    const sink = new SlowSink(1 << 20, true);
    const out = new Output(sink, 200);
    for (let i = 0; i < 10; i++) await out.emit(rec(i));
    assert.ok(sink.lines.length >= 5, `${sink.lines.length}`);
    await out.close();
    assert.equal(sink.lines.length, 10);
  });

  it("waits for 'drain' when the sink's write returns false", async () => {
    const sink = new SlowSink(8);
    const out = new Output(sink, 1);
    let done = false;
    const p = out.emit(rec(1)).then(() => (done = true));
    await settle();
    assert.equal(done, false, 'emit waits while the pipe is full');
    assert.equal(sink.lines.length, 1);
    let second = false;
    const p2 = out.emit(rec(2)).then(() => (second = true));
    await settle();
    assert.equal(second, false);
    assert.equal(sink.lines.length, 1, 'nothing more is written before drain');
    sink.release();
    await p;
    await settle();
    sink.release();
    await settle();
    sink.release();
    await p2;
    assert.equal(second, true);
    const closing = out.close();
    await settle();
    sink.release();
    await closing;
    assert.deepEqual(sink.lines.map((l) => JSON.parse(l).record.data.id), ['lead_1', 'lead_2']);
  });

  it('close() flushes buffered records and resolves after the sink took them', async () => {
    const sink = new SlowSink(1 << 20, true);
    const out = new Output(sink, 1 << 20);
    await out.emit(rec(1));
    await out.emit(rec(2));
    assert.equal(sink.lines.length, 0);
    await out.close();
    assert.equal(sink.lines.length, 2);
  });
});

describe('redact', () => {
  it('masks a registered key, its Basic form and its URL-encoding', () => {
    const key = 'api_unit+test/key==';
    registerSecret(key);
    const basic = Buffer.from(`${key}:`).toString('base64');
    const text = `key ${key} basic ${basic} url ${encodeURIComponent(key)}`;
    const out = redact(text);
    assert.ok(!out.includes(key) && !out.includes(basic) && !out.includes(encodeURIComponent(key)), out);
    assert.equal(redact('nothing here'), 'nothing here');
  });
});
