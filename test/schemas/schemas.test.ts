/**
 * Checks the stream JSON schemas in resources/schemas against the Airbyte/CAT rules (RULES.md D4-D7, R3)
 * and validates the recorded real Close responses (test_files/close-recorded) against them.
 *
 * Run: node --import tsx --test test/schemas/schemas.test.ts
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { TEXT_VALUE_PATHS, textValueConverter } from '../../src/streams/text-values';
import { STREAMS, STREAM_NAMES, infoOf } from '../helpers/streams';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: any };

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEMA_DIR = path.join(ROOT, 'resources', 'schemas');
const RECORDED_DIR = path.join(ROOT, 'test_files', 'close-recorded');

/** The streams the registry declares (src/streams/registry.ts): one schema each. */
const EXPECTED_STREAMS = STREAM_NAMES;

function loadSchema(stream: string): Schema {
  return JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${stream}.json`), 'utf8'));
}

const schemaFiles = fs
  .readdirSync(SCHEMA_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const schemas = new Map<string, Schema>(schemaFiles.map((f) => [path.basename(f, '.json'), loadSchema(path.basename(f, '.json'))]));

/** CAT-like validator: Draft-7, formats checked, integers must be integers. */
function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

/** The JSON types Airbyte maps to a column type (string formats date and date-time are checked elsewhere). */
const AIRBYTE_JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array']);

const ajvForRecords = newAjv;

function typesOf(s: Schema): string[] {
  if (s.type === undefined) return [];
  return Array.isArray(s.type) ? s.type : [s.type];
}

/** Visits every subschema (root, properties, items) with its JSON-pointer-ish path. */
function walkSchema(s: Schema, at: string, visit: (s: Schema, at: string, isProperty: boolean) => void, isProperty = false): void {
  visit(s, at, isProperty);
  if (s.properties && typeof s.properties === 'object') {
    for (const [k, sub] of Object.entries(s.properties)) walkSchema(sub as Schema, `${at}.${k}`, visit, true);
  }
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) walkSchema(s.items, `${at}[]`, visit, false);
}

/** Every key of every object in the schema document that is not a property name. */
function keywordKeys(node: unknown, at: string, out: Array<{ key: string; at: string; value: unknown }>, inPropertiesMap = false): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => keywordKeys(v, `${at}/${i}`, out));
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const [k, v] of Object.entries(node)) {
    if (!inPropertiesMap) out.push({ key: k, at, value: v });
    keywordKeys(v, `${at}/${k}`, out, !inPropertiesMap && k === 'properties');
  }
}

/**
 * Resolves a dotted path ("envelope.from[].email") in a schema; "x[]" steps into the items of array x.
 * Returns undefined when some step does not exist.
 */
function resolvePath(schema: Schema, dotted: string): Schema | undefined {
  let cur: Schema | undefined = schema;
  for (const seg of dotted.split('.')) {
    const isArray = seg.endsWith('[]');
    const name = isArray ? seg.slice(0, -2) : seg;
    cur = cur?.properties?.[name];
    if (!cur) return undefined;
    if (isArray) {
      if (!typesOf(cur).includes('array')) return undefined;
      cur = cur.items;
      if (!cur) return undefined;
    }
  }
  return cur;
}

/**
 * Parses the Stitch field-list notation of the brief: `a, b[c, d], e{f, g[h]}` where `[..]` is an array of
 * objects with those keys and `{..}` an object. Returns dotted paths for resolvePath.
 */
function parseFieldList(text: string, prefix = ''): string[] {
  const out: string[] = [];
  let i = 0;
  const readName = (): string => {
    const start = i;
    while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
    return text.slice(start, i);
  };
  const findClose = (open: string, close: string): number => {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      if (text[j] === open) depth++;
      else if (text[j] === close && --depth === 0) return j;
    }
    throw new Error(`unbalanced ${open} in field list`);
  };
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i])) i++;
    if (i >= text.length) break;
    const name = readName();
    if (!name) throw new Error(`bad field list near: ${text.slice(i, i + 20)}`);
    const p = prefix + name;
    if (text[i] === '[' || text[i] === '{') {
      const open = text[i];
      const end = findClose(open, open === '[' ? ']' : '}');
      const inner = text.slice(i + 1, end);
      const childPrefix = open === '[' ? `${p}[].` : `${p}.`;
      out.push(open === '[' ? `${p}[]` : p);
      out.push(...parseFieldList(inner, childPrefix));
      i = end + 1;
    } else {
      out.push(p);
    }
  }
  return out;
}

/** Stitch's Close.io table reference: every field must exist in our schema. */
const STITCH_FIELDS: Record<string, string> = {
  activities: `_type, attachments, bcc, body_html, body_html_quoted[expand, html], body_preview, body_text,
    body_text_quoted[expand, text], cc, contact_id, created_by, created_by_name, date_created, date_scheduled, date_sent,
    date_updated, dialer_id, direction, duration, email_account_id, envelope{bcc[email,name], cc[email,name], date,
    from[email,name], in_reply_to, is_autoreply, message_id, reply_to[email,name], sender[email,name], subject,
    to[email,name]}, id, import_id, in_reply_to_id, lead_id, local_phone, message_ids, need_smtp_credentials,
    new_status_id, new_status_label, new_status_type, note, old_status_id, old_status_label, old_status_type,
    opens[ip_address, opened_at, opened_by, user_agent], opens_summary, opportunity_confidence, opportunity_date_won,
    opportunity_id, opportunity_value, opportunity_value_currency, opportunity_value_formatted, opportunity_value_period,
    organization_id, phone, recording_url, references, remote_phone, send_attempts[date, error_class, error_message],
    sender, source, status, subject, task_assigned_to, task_assigned_to_name, task_id, task_text, template_id,
    template_name, thread_id, to, transferred_from, transferred_to, updated_by, updated_by_name, user_id, user_name,
    users, voicemail_duration, voicemail_url, activity_at`,
  custom_fields: `choices, created_by, date_created, date_updated, editable_with_roles, id, name, organization_id, type,
    updated_by, accepts_multiple_values, description`,
  event_log: `action, changed_fields, data, date_created, date_updated, id, lead_id, meta{request_method, request_path},
    object_id, object_type, organization_id, previous_data, request_id, user_id`,
  leads: `addresses[address_1, address_2, city, country, label, state, zipcode], contacts[created_by, date_created,
    date_updated, display_name, emails[email, type], id, integration_links, lead_id, name, organization_id,
    phones[phone, phone_formatted, type], title, updated_by, urls[type, url]], created_by, created_by_name,
    custom_fields[id, value], date_created, date_updated, description, display_name, html_url, id, integration_links,
    name, opportunities[confidence, contact_id, contact_name, created_by, created_by_name, date_created, date_lost,
    date_updated, date_won, id, integration_links, lead_id, lead_name, note, organization_id, status_id, status_label,
    status_type, updated_by, updated_by_name, user_id, user_name, value, value_currency, value_formatted, value_period],
    organization_id, status_id, status_label, tasks[_type, assigned_to, assigned_to_name, contact_id, contact_name,
    created_by, created_by_name, date, date_created, date_updated, due_date, id, is_complete, is_dateless, lead_id,
    lead_name, object_id, object_type, organization_id, text, updated_by, updated_by_name, view], updated_by,
    updated_by_name, url`,
  tasks: `_type, assigned_to, assigned_to_name, body_preview, contact_id, contact_name, created_by, created_by_name, date,
    date_created, date_updated, due_date, email_id, emails, id, is_complete, is_dateless, lead_id, lead_name,
    local_phone, object_id, object_type, opportunity_note, opportunity_value, opportunity_value_currency,
    opportunity_value_formatted, opportunity_value_period, organization_id, phone, phone_formatted,
    phone_number_description, recording_url, remote_phone, remote_phone_description, remote_phone_formatted, subject,
    text, updated_by, updated_by_name, view, voicemail_duration, voicemail_url`,
  users: `date_created, date_updated, email, first_name, id, image, last_name, last_used_timezone, organizations`,
};

/** Type expectations that matter to consumers (a few spot checks of the conventions). */
const TYPE_SPOT_CHECKS: Array<[string, string, string[], string?]> = [
  ['activities', 'duration', ['null', 'integer']],
  ['activities', 'voicemail_duration', ['null', 'integer']],
  ['activities', 'opportunity_value', ['null', 'integer']],
  ['activities', 'to[]', ['null', 'string']],
  ['activities', 'cc[]', ['null', 'string']],
  ['activities', 'bcc[]', ['null', 'string']],
  ['activities', 'envelope.date', ['null', 'string'], 'none'],
  ['activities', 'opens[].opened_at', ['null', 'string'], 'none'],
  ['activities', 'opportunity_date_won', ['null', 'string'], 'none'],
  ['activities', 'date_sent', ['null', 'string'], 'date-time'],
  ['tasks', 'emails[]', ['null', 'string']],
  ['tasks', 'cleared_followups[]', ['null', 'string']],
  ['activities', 'cost', ['null', 'string']],
  ['leads', 'custom_fields[].value', ['null', 'string']],
  ['contacts', 'custom_fields[].value', ['null', 'string']],
  ['opportunities', 'custom_fields[].value', ['null', 'string']],
  ['activities', 'activity_at', ['null', 'string'], 'date-time'],
  ['leads', 'opportunities[].date_won', ['null', 'string'], 'date'],
  ['leads', 'opportunities[].value', ['null', 'integer']],
  ['leads', 'tasks[].date', ['null', 'string'], 'none'],
  ['leads', 'tasks[].due_date', ['null', 'string'], 'none'],
  ['leads', 'custom_fields[].id', ['null', 'string']],
  ['leads', 'custom', ['null', 'object']],
  ['opportunities', 'date_won', ['null', 'string'], 'date'],
  ['opportunities', 'date_lost', ['null', 'string'], 'date'],
  ['opportunities', 'confidence', ['null', 'integer']],
  ['tasks', 'date', ['null', 'string'], 'none'],
  ['tasks', 'due_date', ['null', 'string'], 'none'],
  ['event_log', 'data', ['null', 'object']],
  ['event_log', 'previous_data', ['null', 'object']],
  ['event_log', 'changed_fields[]', ['null', 'string']],
  ['users', 'organizations[]', ['null', 'string']],
];

describe('stream schemas: structure (Airbyte D4-D7)', () => {
  it('has exactly the expected streams', () => {
    assert.deepEqual([...schemas.keys()].sort(), [...EXPECTED_STREAMS].sort());
    assert.ok(STREAMS.length >= 48);
  });

  for (const [stream, schema] of schemas) {
    describe(stream, () => {
      it('is a valid Draft-7 schema that ajv compiles', () => {
        assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
        assert.equal(schema.type, 'object');
        assert.equal(typeof schema.description, 'string');
        assert.match(schema.description, /\/api\/v1\//, 'description names the Close endpoint');
        const ajv = newAjv();
        assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
        assert.doesNotThrow(() => ajv.compile(schema));
      });

      it('has no $ref / allOf / anyOf / oneOf / not', () => {
        const keys: Array<{ key: string; at: string; value: unknown }> = [];
        keywordKeys(schema, '#', keys);
        const bad = keys.filter((k) => ['$ref', 'allOf', 'anyOf', 'oneOf', 'not'].includes(k.key));
        assert.deepEqual(bad.map((b) => `${b.at}/${b.key}`), []);
      });

      it('has additionalProperties: true everywhere (never false, never missing on objects)', () => {
        const keys: Array<{ key: string; at: string; value: unknown }> = [];
        keywordKeys(schema, '#', keys);
        const notTrue = keys.filter((k) => k.key === 'additionalProperties' && k.value !== true);
        assert.deepEqual(notTrue.map((b) => b.at), []);
        walkSchema(schema, stream, (s, at) => {
          if (typesOf(s).includes('object')) assert.equal(s.additionalProperties, true, `${at}: additionalProperties`);
        });
      });

      it('declares a type on every property, nullable except the primary key', () => {
        walkSchema(schema, stream, (s, at, isProperty) => {
          if (at === stream) return;
          const types = typesOf(s);
          assert.ok(types.length > 0, `${at}: no type`);
          if (at === `${stream}.${infoOf(stream).primaryKey}`) return;
          if (isProperty) assert.ok(types.includes('null'), `${at}: not nullable (${JSON.stringify(s.type)})`);
          // a pure array declares its items; the any-value union (array among scalars/objects) may leave them open
          if (types.includes('array') && types.every((t) => t === 'null' || t === 'array')) {
            assert.ok(s.items && !Array.isArray(s.items), `${at}: array without a single items schema`);
          }
          if (s.format !== undefined) {
            assert.ok(types.includes('string'), `${at}: format on a non-string`);
            assert.ok(['date-time', 'date'].includes(s.format), `${at}: unexpected format ${s.format}`);
          }
        });
      });

      const info = infoOf(stream);
      it(`has a string primary key \`${info.primaryKey}\` (not nullable, not object/array)`, () => {
        assert.deepEqual(schema.properties?.[info.primaryKey], { type: 'string' });
        assert.deepEqual(schema.required, [info.primaryKey]);
      });

      if (info.cursor) {
        it(`has cursor field ${info.cursor} as a date-time string`, () => {
          const c = schema.properties?.[info.cursor!];
          assert.ok(c, `${info.cursor} missing`);
          assert.ok(typesOf(c).includes('string'));
          assert.equal(c.format, 'date-time');
        });
      }

      it('declares its creation and update dates as date-times', () => {
        for (const name of ['date_created', 'date_updated', 'created_at', 'updated_at']) {
          const p = schema.properties?.[name];
          if (p) assert.equal(p.format, 'date-time', `${stream}.${name}`);
        }
      });

      it('declares no field the connector never emits, and its text fields as strings', () => {
        for (const f of info.omitFields ?? []) assert.equal(schema.properties?.[f], undefined, `${stream}.${f} is never emitted`);
        for (const p of info.textFields ?? []) {
          const s = resolvePath(schema, p);
          assert.ok(s, `${stream}.${p} is in the schema`);
          assert.deepEqual(typesOf(s!), ['null', 'string'], `${stream}.${p}`);
        }
      });

      if (STITCH_FIELDS[stream]) {
        it('declares every field of the Stitch table (nested too)', () => {
          const paths = parseFieldList(STITCH_FIELDS[stream]);
          assert.ok(paths.length > 5);
          const missing = paths.filter((p) => resolvePath(schema, p) === undefined);
          assert.deepEqual(missing, []);
        });
      }
    });
  }

  it('follows the type conventions (spot checks)', () => {
    for (const [stream, p, types, format] of TYPE_SPOT_CHECKS) {
      const s = resolvePath(schemas.get(stream)!, p);
      assert.ok(s, `${stream}.${p} missing`);
      assert.deepEqual(typesOf(s), types, `${stream}.${p} type`);
      if (format === 'none') assert.equal(s.format, undefined, `${stream}.${p} must have no format`);
      else if (format) assert.equal(s.format, format, `${stream}.${p} format`);
    }
  });

  it('every property, nested ones too, has exactly one Airbyte column type besides null', () => {
    // A union such as ["null","string","number"] maps to no column type: PyAirbyte's
    // airbyte/types.py _get_airbyte_type() keeps a type list only when one non-null type
    // is left, else prints "Could not determine airbyte type" and falls back to VARCHAR.
    const bad: string[] = [];
    for (const [stream, schema] of schemas) {
      walkSchema(schema, stream, (s, at) => {
        const nonNull = typesOf(s).filter((t) => t !== 'null');
        if (nonNull.length !== 1 || !AIRBYTE_JSON_TYPES.has(nonNull[0])) bad.push(`${at}: ${JSON.stringify(s.type)}`);
      });
    }
    assert.deepEqual(bad, []);
  });

  it('every path the connector converts to text (src/streams/text-values.ts) is a string in the schema', () => {
    assert.ok(Object.keys(TEXT_VALUE_PATHS).length > 0);
    for (const [stream, paths] of Object.entries(TEXT_VALUE_PATHS)) {
      for (const p of paths) {
        const s = resolvePath(schemas.get(stream)!, p);
        assert.ok(s, `${stream}.${p} is in the schema`);
        assert.deepEqual(typesOf(s!), ['null', 'string'], `${stream}.${p}`);
      }
    }
  });

  it('converts values Close sends with varying types to text without losing any', () => {
    const lead: any = {
      id: 'lead_1',
      custom_fields: [{id: 'cf_a', value: 12.5}, {id: 'cf_b', value: ['x', 'y']}, {id: 'cf_c', value: 'text'}, {id: 'cf_d', value: null}, {id: 'cf_e', value: true}],
      tasks: [{id: 't1', emails: ['acti_1', {id: 'acti_2'}], cleared_followups: [1, 'x']}, {id: 't2'}],
    };
    textValueConverter('leads')!(lead);
    assert.deepEqual(lead.custom_fields.map((f: any) => f.value), ['12.5', '["x","y"]', 'text', null, 'true']);
    assert.deepEqual(lead.tasks[0].emails, ['acti_1', '{"id":"acti_2"}']);
    assert.deepEqual(lead.tasks[0].cleared_followups, ['1', 'x']);
    assert.deepEqual(lead.tasks[1], {id: 't2'});
    const activity: any = {id: 'acti_1', cost: 0.0125};
    textValueConverter('activities')!(activity);
    assert.equal(activity.cost, '0.0125');
    assert.equal(JSON.parse(activity.cost), 0.0125, 'the number is recovered exactly');
    assert.equal(textValueConverter('users'), undefined, 'streams without such fields are left alone');
    const v = ajvForRecords().compile(schemas.get('leads')!);
    assert.ok(v(lead), JSON.stringify(v.errors));
  });

  it('parses the field-list notation', () => {
    assert.deepEqual(parseFieldList('a, b[c, d], e{f, g[h]}'), ['a', 'b[]', 'b[].c', 'b[].d', 'e', 'e.f', 'e.g[]', 'e.g[].h']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Recorded real responses
// ---------------------------------------------------------------------------------------------------------------

function recordedBody(file: string): any {
  const cassette = JSON.parse(fs.readFileSync(path.join(RECORDED_DIR, file), 'utf8'));
  const interactions = Array.isArray(cassette) ? cassette : [cassette];
  const ok = interactions.find((i: any) => i.response && Number(i.response.status_code ?? 200) === 200);
  assert.ok(ok, `${file}: no 200 response`);
  return JSON.parse(ok.response.body);
}

function recordedRecords(file: string): any[] {
  const body = recordedBody(file);
  return Array.isArray(body?.data) ? body.data : [body];
}

/** What the connector does with Close's `custom.cf_<id>` / `custom.lcf_<id>` keys. */
function withCustomFieldsArray(lead: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  const customFields: Json[] = [];
  for (const [k, v] of Object.entries(lead)) {
    const m = /^custom\.((?:l?cf)_.+)$/.exec(k);
    if (m) customFields.push({ id: m[1], value: v });
    else out[k] = v;
  }
  out.custom_fields = customFields;
  return out;
}

/** CAT's date-time check (RULES.md R3). */
const CAT_DATE_TIME = /^\d{4}-\d?\d-\d?\d(\s|T)\d?\d:\d?\d:\d?\d(.\d+)?.*$/;

function checkCatDateTimes(schema: Schema, value: any, at: string): void {
  if (value === null || value === undefined) return;
  if (schema.format === 'date-time' && typeof value === 'string') {
    assert.match(value, CAT_DATE_TIME, `${at}: ${value} is not a CAT date-time`);
    assert.ok(!Number.isNaN(Date.parse(value)), `${at}: ${value} does not parse`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => checkCatDateTimes(schema.items, v, `${at}[${i}]`));
  else if (typeof value === 'object' && !Array.isArray(value) && schema.properties) {
    for (const [k, sub] of Object.entries(schema.properties)) checkCatDateTimes(sub as Schema, value[k], `${at}.${k}`);
  }
}

const RECORDED: Array<[string, string[]]> = [
  ['users', ['get_users.json']],
  ['leads', ['find_leads.json']],
  ['activities', ['find_activities.json', 'find_call_activities.json']],
  ['opportunities', ['find_opportunities.json']],
  ['lead_statuses', ['get_lead_statuses.json']],
  ['opportunity_statuses', ['get_opportunity_statuses.json']],
  ['custom_fields', ['get_custom_field.json']],
  ['contact_custom_fields', ['get_custom_field.json']],
  ['opportunity_custom_fields', ['get_custom_field.json']],
  ['activity_custom_fields', ['get_custom_field.json']],
  ['shared_custom_fields', ['get_custom_field.json']],
];

describe('recorded Close responses validate against the schemas (CAT R3)', () => {
  const ajv = newAjv();

  for (const [stream, files] of RECORDED) {
    it(`${stream} <- ${files.join(', ')}`, () => {
      const schema = schemas.get(stream)!;
      const validate = ajv.compile(schema);
      const raw: any[] = files.flatMap(recordedRecords);
      assert.ok(raw.length > 0);
      // As the connector emits them: custom_fields listed, mixed-type values as text.
      const records: any[] = (stream === 'leads' ? raw.map(withCustomFieldsArray) : raw.map((r) => ({ ...r })));
      for (const rec of records) textValueConverter(stream)?.(rec);
      for (const rec of records) {
        const ok: boolean = validate(rec);
        assert.ok(ok, `${stream} ${rec.id}: ${ajv.errorsText(validate.errors)}`);
        checkCatDateTimes(schema, rec, `${stream}(${rec.id})`);
        // R4: each record shares at least one field with the schema
        assert.ok(Object.keys(rec).some((k) => k in schema.properties));
      }
      if (stream === 'leads') {
        // The raw Close shape (custom.* keys, no custom_fields) is accepted as well.
        for (const rec of raw) assert.ok(validate(rec), `raw lead ${rec.id}: ${ajv.errorsText(validate.errors)}`);
        const converted = records.find((r) => Array.isArray(r.custom_fields) && r.custom_fields.length > 0);
        assert.ok(converted, 'some lead has custom fields');
      }
    });
  }

  it('leads: embedded opportunities also validate as opportunities records', () => {
    const validate = ajv.compile(schemas.get('opportunities')!);
    const opps = recordedRecords('find_leads.json').flatMap((l: any) => l.opportunities ?? []);
    assert.ok(opps.length > 0);
    for (const o of opps) assert.ok(validate(o), ajv.errorsText(validate.errors));
  });

  it('rejects values of the wrong type (integers must be integers, formats are enforced)', () => {
    const acts = ajv.compile(schemas.get('activities')!);
    assert.equal(acts({ id: 'acti_1', duration: 1.5 }), false);
    assert.equal(acts({ id: 'acti_1', date_created: 'yesterday' }), false);
    assert.equal(acts({ id: 'acti_1', date_created: '2018-05-15T18:53:07+00:00', envelope: { date: 'Tue, 15 May 2018 18:53:07 +0000' } }), true);
    assert.equal(acts({ id: null }), false);
    const opps = ajv.compile(schemas.get('opportunities')!);
    assert.equal(opps({ id: 'oppo_1', date_won: '2017-09-18' }), true);
    assert.equal(opps({ id: 'oppo_1', date_won: '2017-09-18T00:00:00+00:00' }), false);
    const tasks = ajv.compile(schemas.get('tasks')!);
    assert.equal(tasks({ id: 'task_1', date: '2017-09-18', due_date: '2017-09-18T10:00:00+00:00' }), true);
    const leads = ajv.compile(schemas.get('leads')!);
    assert.equal(
      leads({
        id: 'lead_1',
        custom_fields: [
          { id: 'cf_a', value: 'x' },
          { id: 'cf_b', value: '3.5' },
          { id: 'cf_c', value: '["a","b"]' },
          { id: 'cf_d', value: null },
        ],
        'custom.cf_a': 'x',
      }),
      true,
    );
    // Not text: the connector converts these before it emits them (text-values.ts).
    for (const value of [3.5, ['a', 'b'], true, { nested: 1 }]) {
      assert.equal(leads({ id: 'lead_1', custom_fields: [{ id: 'cf_b', value }] }), false, JSON.stringify(value));
    }
  });
});
