import fs from 'fs';
import path from 'path';
import {configError} from '../errors';

/**
 * Reads a JSON file given on the command line. Any path and file name work
 * (the platform uses /source/connectorConfig.json, CAT /airbyte/data/…, users
 * anything): the file is read and parsed as JSON, never require()d.
 */
export function readJsonFile(file: string, what: 'config' | 'catalog' | 'state', opts: {emptyIs?: unknown} = {}): unknown {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (err: any) {
    throw configError(`Cannot read the ${what} file ${file}: ${err?.code === 'ENOENT' ? 'no such file' : err?.message}`);
  }
  if (text.trim() === '' && 'emptyIs' in opts) return opts.emptyIs;
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err: any) {
    throw configError(`The ${what} file ${file} is not valid JSON: ${err?.message}`);
  }
}
