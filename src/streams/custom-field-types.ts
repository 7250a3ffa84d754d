import Ajv, {ValidateFunction} from 'ajv';
import addFormats from 'ajv-formats';
import {CloseClient} from '../client/close-client';
import {apiErrorInfo} from '../client/close-errors';
import {readAllPages} from '../readers/offset-reader';
import {RecordChange} from './stream-base';

/**
 * The streams whose records carry `custom.<field id>` values, and the
 * definitions that apply to each: `objectType` is the object_type of a shared
 * field's association that puts the field on the stream's records.
 *
 * Custom activity instances are listed in `activities` (`_type`
 * "CustomActivity", `custom_activity_type_id` naming the type): one column per
 * activity custom field of every type, as Stitch-like tables have one table
 * per object. A field belongs to one type (`custom_activity_type_id`), a
 * shared field may belong to several; either way its column has one type.
 *
 * `optional`: definitions of a plan feature (Custom Activities, Custom
 * Objects); an account without it may refuse the list, which must not fail
 * discover: those streams then get no typed columns (values stay in
 * `custom_fields`).
 */
export const CUSTOM_FIELD_OBJECTS: Record<string, {path: string; objectType: string; pageSize: number; optional?: boolean}> = {
  leads: {path: '/custom_field/lead/', objectType: 'lead', pageSize: 1000},
  contacts: {path: '/custom_field/contact/', objectType: 'contact', pageSize: 1000},
  opportunities: {path: '/custom_field/opportunity/', objectType: 'opportunity', pageSize: 1000},
  activities: {path: '/custom_field/activity/', objectType: 'custom_activity_type', pageSize: 1000, optional: true},
  // Close documents no maximum page size here; 100 as the custom_object_custom_fields stream reads it.
  custom_objects: {path: '/custom_field/custom_object_type/', objectType: 'custom_object_type', pageSize: 100, optional: true},
};

/** Statuses with which Close refuses a list the plan or the key does not include (response codes page: 402, 403, 404). */
const REFUSED = new Set([402, 403, 404]);

export const CUSTOM_PREFIX = 'custom.';

/** Property schemas per stream: `custom.cf_…` → JSON schema. */
export type CustomFieldSchemas = Map<string, Record<string, Record<string, any>>>;

/** Close's custom field type → a destination column type. */
export function schemaForDefinition(def: Record<string, any>): Record<string, any> {
  const description = typeof def.name === 'string' ? `Close custom field "${def.name}" (${def.type})` : undefined;
  let item: Record<string, any>;
  switch (def.type) {
    case 'number':
      item = {type: 'number'};
      break;
    case 'date':
      item = {type: 'string', format: 'date'};
      break;
    case 'datetime':
      item = {type: 'string', format: 'date-time'};
      break;
    default:
      // text, textarea, choices, user, contact, hidden, url …: Close sends strings (ids for user/contact).
      item = {type: 'string'};
  }
  const schema = def.accepts_multiple_values ? {type: ['null', 'array'], items: item} : {...item, type: ['null', item.type]};
  return description ? {...schema, description} : schema;
}

/**
 * Reads the account's custom field definitions, so that discover can give
 * each field its own typed column. Shared custom fields apply to the object
 * types listed in their associations.
 */
export async function fetchCustomFieldSchemas(client: CloseClient, logger?: {warn(message: string): void}): Promise<CustomFieldSchemas> {
  const out: CustomFieldSchemas = new Map(Object.keys(CUSTOM_FIELD_OBJECTS).map((s) => [s, {}]));
  const add = (stream: string, def: Record<string, any>) => {
    if (typeof def?.id !== 'string' || def.id === '') return;
    out.get(stream)![`${CUSTOM_PREFIX}${def.id}`] = schemaForDefinition(def);
  };
  const definitions = async function* (path: string, pageSize: number, optional: boolean): AsyncGenerator<Record<string, any>> {
    try {
      for await (const page of readAllPages({client, path, stream: 'discover', pageSize})) yield* page;
    } catch (err) {
      const status = apiErrorInfo(err).status;
      if (!optional || status === undefined || !REFUSED.has(status)) throw err;
      logger?.warn(`discover: Close refused GET ${path} (${status}: ${apiErrorInfo(err).closeMessage ?? 'no message'}); its fields get no typed columns`);
    }
  };
  for (const [stream, {path, pageSize, optional}] of Object.entries(CUSTOM_FIELD_OBJECTS)) {
    for await (const def of definitions(path, pageSize, !!optional)) add(stream, def);
  }
  for await (const def of definitions('/custom_field/shared/', 1000, false)) {
    for (const assoc of Array.isArray(def.associations) ? def.associations : []) {
      const stream = Object.keys(CUSTOM_FIELD_OBJECTS).find((s) => CUSTOM_FIELD_OBJECTS[s].objectType === assoc?.object_type);
      if (stream) add(stream, def);
    }
  }
  return out;
}

/** The `custom.*` properties of a (configured) stream schema. */
export function customPropertiesOf(schema: Record<string, any> | undefined): Record<string, Record<string, any>> {
  const out: Record<string, Record<string, any>> = {};
  for (const [k, v] of Object.entries<any>(schema?.properties ?? {})) if (k.startsWith(CUSTOM_PREFIX)) out[k] = v;
  return out;
}

const ajv = new Ajv({strict: false});
addFormats(ajv);

/**
 * Checks custom field values against the columns the catalog declared. A
 * value that does not fit (Close lets a number field hold "n/a") is nulled in
 * its column and reported in the record's meta.changes; the raw value stays
 * in custom_fields, so nothing is lost.
 */
export class CustomFieldTyper {
  private readonly validators: [string, ValidateFunction][];

  constructor(properties: Record<string, Record<string, any>>) {
    this.validators = Object.entries(properties).map(([k, schema]) => [k, ajv.compile(schema)]);
  }

  get size(): number {
    return this.validators.length;
  }

  apply(record: Record<string, any>): RecordChange[] {
    const changes: RecordChange[] = [];
    for (const [field, validate] of this.validators) {
      const value = record[field];
      if (value === undefined || value === null) continue;
      if (!validate(value)) {
        record[field] = null;
        changes.push({field, change: 'NULLED', reason: 'SOURCE_SERIALIZATION_ERROR'});
      }
    }
    return changes;
  }
}

/** Close's `custom.<id>` keys as Stitch's `custom_fields: [{id, value}]`, sorted by id. */
export function customFieldList(record: Record<string, any>): {id: string; value: unknown}[] {
  const list: {id: string; value: unknown}[] = [];
  for (const key of Object.keys(record)) {
    if (key.startsWith(CUSTOM_PREFIX)) list.push({id: key.slice(CUSTOM_PREFIX.length), value: record[key]});
  }
  return list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
