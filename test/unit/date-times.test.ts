import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {SyncMode} from 'faros-airbyte-cdk';
import {parseConfig} from '../../src/config/config';
import {dateTimeNormaliser, withUtcOffset} from '../../src/streams/date-times';
import {Users} from '../../src/streams/full-scan-stream';
import {Opportunities} from '../../src/streams/opportunities';
import {StreamContext, loadStreamSchema} from '../../src/streams/stream-base';
import {parseInstant} from '../../src/time/instant';
import {API_KEY, FakeClock, newClient, res, silentLogger} from './helpers/fakes';
import {HttpRequest} from '../../src/client/transport';

describe('date-times without a UTC offset', () => {
  it('get +00:00 (Close stores UTC); values with an offset, dates, other text and non-strings stay', () => {
    assert.equal(withUtcOffset('2024-05-01T12:34:56.789000'), '2024-05-01T12:34:56.789000+00:00');
    assert.equal(withUtcOffset('2024-05-01T12:34:56'), '2024-05-01T12:34:56+00:00');
    assert.equal(withUtcOffset('2024-05-01 12:34:56'), '2024-05-01T12:34:56+00:00');
    assert.equal(withUtcOffset('2024-05-01T12:34'), '2024-05-01T12:34:00+00:00');
    for (const same of ['2024-05-01T12:34:56+00:00', '2024-05-01T12:34:56.1-05:00', '2024-05-01T12:34:56Z', '2024-05-01', 'soon', '', 12, null]) {
      assert.equal(withUtcOffset(same), same);
    }
  });

  it('are found where the schema declares date-time: top level, nested objects, arrays of objects and of values, dotted names', () => {
    const schema = {
      type: 'object',
      properties: {
        at: {type: ['null', 'string'], format: 'date-time'},
        day: {type: ['null', 'string'], format: 'date'},
        note: {type: ['null', 'string']},
        inner: {type: ['null', 'object'], properties: {when: {type: 'string', format: 'date-time'}, label: {type: 'string'}}},
        steps: {type: ['null', 'array'], items: {type: 'object', properties: {date: {type: 'string', format: 'date-time'}}}},
        'custom.cf_when': {type: ['null', 'array'], items: {type: 'string', format: 'date-time'}},
        either: {anyOf: [{type: 'string', format: 'date-time'}, {type: 'null'}]},
      },
    };
    const fix = dateTimeNormaliser(schema)!;
    const record: Record<string, any> = {
      at: '2024-05-01T10:00:00',
      day: '2024-05-01',
      note: '2024-05-01T10:00:00',
      inner: {when: '2024-05-01T10:00:00.5', label: '2024-05-01T10:00:00'},
      steps: [{date: '2024-05-01T10:00:00'}, {date: null}, 'not an object', {date: '2024-05-01T10:00:00+02:00'}],
      'custom.cf_when': ['2024-05-01T10:00:00', null],
      either: '2024-05-01T10:00:00',
      extra: '2024-05-01T10:00:00',
    };
    fix(record);
    assert.deepEqual(record, {
      at: '2024-05-01T10:00:00+00:00',
      day: '2024-05-01',
      note: '2024-05-01T10:00:00',
      inner: {when: '2024-05-01T10:00:00.5+00:00', label: '2024-05-01T10:00:00'},
      steps: [{date: '2024-05-01T10:00:00+00:00'}, {date: null}, 'not an object', {date: '2024-05-01T10:00:00+02:00'}],
      'custom.cf_when': ['2024-05-01T10:00:00+00:00', null],
      either: '2024-05-01T10:00:00+00:00',
      extra: '2024-05-01T10:00:00',
    });
    assert.equal(dateTimeNormaliser({type: 'object', properties: {a: {type: 'string'}}}), undefined, 'nothing to do: no normaliser');
  });

  it('every shipped schema: a record with every declared date-time naive validates with strict date-time formats once normalised', () => {
    const ajv = new Ajv({strict: false, allErrors: true});
    addFormats(ajv);
    for (const stream of ['activities', 'leads', 'users', 'sequences', 'tasks', 'email_threads']) {
      const schema = loadStreamSchema(stream);
      const record = naiveRecord(schema) as Record<string, any>;
      // Only the formats matter here: the record holds nothing but date-times.
      const validate = ajv.compile(JSON.parse(JSON.stringify(schema, (k, v) => (k === 'required' ? undefined : v))));
      assert.equal(validate(record), false, `${stream}: naive values fail the check`);
      dateTimeNormaliser(schema)!(record);
      assert.ok(validate(record), `${stream}: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
    }
  });
});

/** A value for every date-time of a schema (naive), objects and one-item arrays around them. */
function naiveRecord(schema: Record<string, any>): unknown {
  if (schema.format === 'date-time') return '2024-05-01T10:00:00.123000';
  if (schema.properties) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries<any>(schema.properties)) {
      const value = naiveRecord(v);
      if (value !== undefined) out[k] = value;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (schema.items && typeof schema.items === 'object') {
    const item = naiveRecord(schema.items);
    return item === undefined ? undefined : [item];
  }
  return undefined;
}

describe('streams emit date-times with an offset', () => {
  function context(body: (req: HttpRequest) => unknown): StreamContext {
    const now = parseInstant('2024-06-01T00:00:00Z')!;
    return {
      client: newClient(async (req) => res(200, body(req)), new FakeClock()),
      config: parseConfig({api_key: API_KEY, start_date: '2024-01-01'}),
      syncStartedAt: now,
      now: () => now,
      logger: silentLogger as any,
    };
  }

  it('users: email_verified_at and the dates; the cursor reads naive values as UTC', async () => {
    const user = {id: 'user_1', date_created: '2024-02-01T10:00:00', date_updated: '2024-03-01T10:00:00.250000', email_verified_at: '2024-02-02T08:00:00'};
    const items = [];
    for await (const item of new Users(context(() => ({has_more: false, data: [user]}))).readItems(SyncMode.INCREMENTAL, undefined)) items.push(item);
    assert.deepEqual(items[0], {
      record: {id: 'user_1', date_created: '2024-02-01T10:00:00+00:00', date_updated: '2024-03-01T10:00:00.250000+00:00', email_verified_at: '2024-02-02T08:00:00+00:00'},
    });
    assert.deepEqual(items.at(-1), {checkpoint: {date_updated: '2024-03-01T10:00:00.250000+00:00'}});
  });

  it('opportunities: a naive custom datetime fills its typed column instead of being nulled; custom_fields keeps Close\'s text', async () => {
    const opp = {id: 'oppo_1', date_created: '2024-02-01T10:00:00+00:00', date_updated: '2024-02-01T10:00:00+00:00', 'custom.cf_when': '2024-02-03T09:30:00'};
    const stream = new Opportunities(context(() => ({has_more: false, total_results: 1, data: [opp]})));
    stream.setCustomColumns({'custom.cf_when': {type: ['null', 'string'], format: 'date-time'}});
    const records = [];
    for await (const item of stream.readItems(SyncMode.INCREMENTAL, undefined)) if ('record' in item) records.push(item);
    assert.equal(records[0].record['custom.cf_when'], '2024-02-03T09:30:00+00:00');
    assert.equal(records[0].changes, undefined);
    assert.deepEqual(records[0].record.custom_fields, [{id: 'cf_when', value: '2024-02-03T09:30:00'}]);
  });
});
