import fs from 'fs';
import path from 'path';
import Ajv, {ValidateFunction} from 'ajv';
import addFormats from 'ajv-formats';
import {SCHEMAS_DIR} from './paths';

/** CAT's record check: Draft-7, strict integers, date-time formats that parse (R3). */
const ajv = new Ajv({strict: false, allErrors: true});
addFormats(ajv);
const cache = new Map<string, ValidateFunction>();

export function schemaValidator(schema: object, key: string): ValidateFunction {
  let v = cache.get(key);
  if (!v) {
    v = ajv.compile(schema);
    cache.set(key, v);
  }
  return v;
}

export function streamSchema(stream: string): object {
  return JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, `${stream}.json`), 'utf8'));
}

export function assertRecordMatchesSchema(stream: string, schema: object, record: object): void {
  const validate = schemaValidator(schema, `${stream}:${JSON.stringify(schema).length}`);
  if (!validate(record)) {
    throw new Error(`record of ${stream} does not match its schema: ${JSON.stringify(validate.errors?.slice(0, 3))}\n${JSON.stringify(record).slice(0, 400)}`);
  }
}
