import fs from 'fs';
import path from 'path';
import {configError} from '../errors';
import {registerSecret} from '../protocol/redact';

/**
 * Reads a JSON file given on the command line. Any path and file name work
 * (the platform uses /source/connectorConfig.json, CAT /airbyte/data/…, users
 * anything): the file is read and parsed as JSON, never require()d.
 *
 * A config holds the API key, and a file passed as the wrong argument may
 * hold one too: the key of a config is registered for masking as soon as the
 * file is read (before anything can fail), and no error ever quotes a file's
 * text — V8's parse errors do ("Unexpected token 'a', "api_4Fq9Zs"... is not
 * valid JSON"), so only the place and the kind of the problem are told.
 */
export function readJsonFile(file: string, what: 'config' | 'catalog' | 'state', opts: {emptyIs?: unknown} = {}): unknown {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (err: any) {
    throw configError(`Cannot read the ${what} file ${file}: ${err?.code === 'ENOENT' ? 'no such file' : err?.message}`);
  }
  registerKeysIn(text);
  if (text.trim() === '' && 'emptyIs' in opts) return opts.emptyIs;
  const body = text.replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err: any) {
    throw configError(`The ${what} file ${file} is not valid JSON: ${describeJsonError(String(err?.message ?? ''), body)}`);
  }
  if (parsed && typeof parsed === 'object' && typeof (parsed as any).api_key === 'string') registerSecret((parsed as any).api_key.trim());
  return parsed;
}

/**
 * Whatever stands where a key would, in any file, complete or cut short:
 * `"api_key": "…"` in JSON or a near miss (single quotes, no quotes, `=`).
 * Registered for masking whether or not the file parses.
 */
function registerKeysIn(text: string): void {
  const pattern = /["']?api_key["']?\s*[:=]\s*["']?([^"'\s,}\]]+)/gi;
  for (const m of text.matchAll(pattern)) registerSecret(m[1]);
}

/** The kind and place of a JSON syntax error, in our words: never a quote of the text. */
export function describeJsonError(v8Message: string, text: string): string {
  const kind = /unterminated string/i.test(v8Message)
    ? 'a string is not closed'
    : /end of (json )?input/i.test(v8Message)
      ? 'the text ends before the JSON value is complete'
      : /after json/i.test(v8Message)
        ? 'something follows the JSON value'
        : /property name/i.test(v8Message)
          ? 'a property name is not in double quotes'
          : /expected ','/i.test(v8Message)
            ? "a ',' or closing bracket is missing"
            : 'an unexpected character';
  const at = /position (\d+)/.exec(v8Message);
  const lineCol = /line (\d+) column (\d+)/.exec(v8Message);
  if (lineCol) return `${kind} at line ${lineCol[1]}, column ${lineCol[2]}`;
  if (at) {
    const pos = Math.min(Number(at[1]), text.length);
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    return `${kind} at line ${line}, column ${column}`;
  }
  if (/unexpected end/i.test(v8Message) || text.trim() === '') return 'the text ends before the JSON value is complete';
  // "Unexpected token 'x', "…" is not valid JSON" names no place: the first character that is not JSON's.
  return /^\s*[^\s{["\-0-9tfn]/.test(text) ? 'it does not start like a JSON value (at line 1)' : kind;
}
