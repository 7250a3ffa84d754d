import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {SyncMode} from 'faros-airbyte-cdk';
import {parseConfig} from '../../src/config/config';
import {Users} from '../../src/streams/full-scan-stream';
import {LeadsQuery as Leads} from '../../src/streams/leads-query';
import {CloseStream, StreamContext} from '../../src/streams/stream-base';
import {parseInstant} from '../../src/time/instant';
import {API_KEY, FakeClock, ROOT, loadCassette, newClient, replayTransport, replayTransportWith, silentLogger, sortDataBy} from './helpers/fakes';

/** find_leads.json answered `query=Minogue OR Princess`; the stream asks `sort:date_updated`, so Close would send them in that order. */
const leadsReplay = () => replayTransportWith({mapBody: sortDataBy('date_updated')}, 'find_leads');

function validator(stream: string) {
  const ajv = new Ajv({strict: false, allErrors: true});
  addFormats(ajv);
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'resources', 'schemas', `${stream}.json`), 'utf8'));
  return ajv.compile(schema);
}

function context(transport: ReturnType<typeof replayTransport>): StreamContext {
  return {
    client: newClient(transport, new FakeClock()),
    config: parseConfig({api_key: API_KEY, start_date: '2010-01-01'}),
    syncStartedAt: parseInstant('2024-06-01T00:00:00Z')!,
    now: () => parseInstant('2024-06-01T00:00:00Z')!,
    logger: silentLogger as any,
  };
}

async function items(stream: CloseStream, mode: SyncMode, state?: Record<string, unknown>) {
  const records: Record<string, any>[] = [];
  const checkpoints: Record<string, unknown>[] = [];
  for await (const item of stream.readItems(mode, state)) {
    if ('record' in item) records.push(item.record);
    else if ('checkpoint' in item) checkpoints.push(item.checkpoint);
  }
  return {records, checkpoints};
}

function recordedData(name: string): Record<string, any>[] {
  return loadCassette(name).flatMap((c) => JSON.parse(c.response.body).data ?? []);
}

describe('streams over recorded Close responses', () => {
  it('users (get_users.json): every record, valid against schemas/users.json', async () => {
    const want = recordedData('get_users');
    assert.ok(want.length > 10);
    const t = replayTransport('get_users');
    const {records, checkpoints} = await items(new Users(context(t)), SyncMode.INCREMENTAL);
    assert.deepEqual(records.map((r) => r.id), want.map((r) => r.id));
    assert.equal(t.requests.length, 1);
    assert.equal(t.requests[0].params._skip, 0);
    const validate = validator('users');
    for (const r of records) assert.ok(validate(r), `${r.id}: ${JSON.stringify(validate.errors)}`);
    // the checkpoint holds the newest date_updated
    const newest = want.map((r) => r.date_updated).sort((a, b) => parseInstant(a)! - parseInstant(b)!).pop();
    assert.deepEqual(checkpoints[checkpoints.length - 1], {date_updated: newest});
  });

  it('users incremental from a saved cursor emits only records updated at or after it', async () => {
    const want = recordedData('get_users');
    const times = want.map((r) => parseInstant(r.date_updated)!).sort((a, b) => a - b);
    const mid = want.find((r) => parseInstant(r.date_updated) === times[Math.floor(times.length / 2)])!;
    const {records} = await items(new Users(context(replayTransport('get_users'))), SyncMode.INCREMENTAL, {date_updated: mid.date_updated});
    const expected = want.filter((r) => parseInstant(r.date_updated)! >= parseInstant(mid.date_updated)!).map((r) => r.id);
    assert.deepEqual(records.map((r) => r.id), expected);
  });

  it('leads (find_leads.json): every record, custom.* → custom_fields [{id, value}], valid against schemas/leads.json', async () => {
    const want = recordedData('find_leads');
    assert.equal(want.length, 2);
    const t = leadsReplay();
    const {records, checkpoints} = await items(new Leads(context(t)), SyncMode.INCREMENTAL);
    assert.deepEqual(records.map((r) => r.id).sort(), want.map((r) => r.id).sort());
    for (const r of records) {
      const original = want.find((w) => w.id === r.id)!;
      const customKeys = Object.keys(original).filter((k) => k.startsWith('custom.'));
      assert.ok(Array.isArray(r.custom_fields));
      assert.deepEqual(
        [...r.custom_fields].sort((a: any, b: any) => (a.id < b.id ? -1 : 1)),
        customKeys.map((k) => ({id: k.slice('custom.'.length), value: original[k]})).sort((a, b) => (a.id < b.id ? -1 : 1))
      );
      for (const k of customKeys) assert.deepEqual(r[k], original[k], 'the custom.* keys are kept');
    }
    assert.ok(records.some((r) => r.custom_fields.length > 0), 'the recording has custom fields');
    const validate = validator('leads');
    for (const r of records) assert.ok(validate(r), `${r.id}: ${JSON.stringify(validate.errors)}`);
    // the query filters and sorts by date_updated, to the minute
    const q = String(t.requests[0].params.query);
    assert.match(q, /date_updated>="2010-01-01T00:00"/);
    assert.match(q, /date_updated<"2024-06-01T00:00"/);
    assert.match(q, /sort:date_updated/);
    assert.ok(checkpoints.length >= 1);
  });

  it('leads over the recording in its original (relevance) order are refused, not guessed', async () => {
    const err = await items(new Leads(context(replayTransport('find_leads'))), SyncMode.FULL_REFRESH).then(
      () => undefined,
      (e: Error) => e
    );
    assert.ok(err);
    assert.match(err.message, /out of date_updated order/);
  });

  it('leads full refresh emits no checkpoints', async () => {
    const {records, checkpoints} = await items(new Leads(context(leadsReplay())), SyncMode.FULL_REFRESH);
    assert.equal(records.length, 2);
    assert.equal(checkpoints.length, 0);
  });

  it('readRecords (the CDK path) yields the same leads', async () => {
    const stream = new Leads(context(leadsReplay()));
    const out: Record<string, any>[] = [];
    for await (const r of stream.readRecords(SyncMode.FULL_REFRESH)) out.push(r);
    assert.equal(out.length, 2);
    assert.ok(out.every((r) => Array.isArray(r.custom_fields)));
  });
});
