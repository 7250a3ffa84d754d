/**
 * Shared by the packaging tests (test/packaging/*.test.ts): repo paths, running
 * the built connector, and reading the Dockerfile. No Docker needed.
 */
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import YAML from 'yaml';
import {startSandbox} from '../../sandbox';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN_MAIN = path.join(ROOT, 'bin', 'main');
export const TEST_FILES = path.join(ROOT, 'test_files');
export const AIRBYTE_SCHEMAS = path.join(TEST_FILES, 'airbyte');

export function repoPath(rel: string): string {
  return path.join(ROOT, rel);
}

export function readJson<T = any>(rel: string): T {
  return JSON.parse(fs.readFileSync(repoPath(rel), 'utf8'));
}

export function readYaml<T = any>(rel: string): T {
  return YAML.parse(fs.readFileSync(repoPath(rel), 'utf8'));
}

export function packageJson(): {name: string; version: string; license: string; files: string[]} {
  return readJson('package.json');
}

export function metadata(): {metadataSpecVersion: string; data: Record<string, any>} {
  return readYaml('metadata.yaml');
}

export function requireBuilt(): void {
  if (!fs.existsSync(repoPath('lib/index.js'))) {
    throw new Error('lib/index.js is missing: run `npm run build` before the packaging tests');
  }
}

/** Every stdout line must be one JSON object; returns them parsed. */
export function parseMessages(stdout: string): any[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${l.slice(0, 200)}`);
      }
    });
}

/** Runs `bin/main <args>` of this repo synchronously from a neutral directory. */
export function runMain(args: string[]): any[] {
  const env = {...process.env};
  delete env.WORKER_JOB_ID;
  const out = execFileSync(process.execPath, [BIN_MAIN, ...args], {cwd: os.tmpdir(), encoding: 'utf8', env});
  return parseMessages(out);
}

let discovered: Promise<any[]> | undefined;

/** Runs `bin/main <args>` asynchronously (an in-process sandbox must keep answering); stdout parsed. */
export function runMainAsync(args: string[], cwd = os.tmpdir()): Promise<{code: number | null; messages: any[]; stderr: string}> {
  return new Promise((resolve, reject) => {
    const env = {...process.env};
    delete env.WORKER_JOB_ID;
    const child = spawn(process.execPath, [BIN_MAIN, ...args], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({code, messages: parseMessages(out), stderr: err});
      } catch (e) {
        reject(e);
      }
    });
  });
}

/**
 * The streams `bin/main discover` prints. Discover reads the account's custom
 * fields, so it runs against the sandbox; the account's custom field columns
 * (`custom.*`) are removed, as in the committed catalogs.
 */
export function discoverStreams(): Promise<any[]> {
  if (!discovered) {
    discovered = (async () => {
      requireBuilt();
      const sb = await startSandbox({scale: 1, seed: 1});
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closeio-pkg-'));
      try {
        const config = path.join(dir, 'config.json');
        fs.writeFileSync(config, JSON.stringify({api_key: sb.apiKey, api_url: sb.url}));
        const {code, messages} = await runMainAsync(['discover', '--config', config]);
        assert.equal(code, 0, 'discover exits 0');
        const catalogs = messages.filter((m) => m.type === 'CATALOG');
        assert.equal(catalogs.length, 1, 'discover prints one CATALOG');
        return (catalogs[0].catalog.streams as any[]).map(withoutCustomColumns);
      } finally {
        fs.rmSync(dir, {recursive: true, force: true});
        await sb.close();
      }
    })();
  }
  return discovered;
}

export function withoutCustomColumns(stream: any): any {
  const schema = stream.json_schema;
  const properties = Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([k]) => !k.startsWith('custom.')));
  return {...stream, json_schema: {...schema, properties}};
}

export async function incrementalStreams(): Promise<any[]> {
  return (await discoverStreams()).filter((s) => (s.supported_sync_modes ?? []).includes('incremental'));
}

export interface DockerInstruction {
  /** Upper-case instruction, e.g. COPY. */
  op: string;
  args: string;
  /** Index of the build stage (FROM) the instruction belongs to; -1 before the first FROM. */
  stage: number;
  line: number;
}

/** Parses a Dockerfile into instructions: joins `\` continuations, drops comments and parser directives. */
export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  const lines = text.split('\n');
  let stage = -1;
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*#/.test(line) || line.trim() === '') continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      const next = lines[i];
      if (/^\s*#/.test(next)) continue;
      line = line.replace(/\\\s*$/, ' ') + next;
    }
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot parse ${JSON.stringify(line)}`);
    const op = m[1].toUpperCase();
    if (op === 'FROM') stage++;
    out.push({op, args: m[2].trim(), stage, line: start + 1});
  }
  return out;
}

/** Splits `KEY=value KEY2="quoted value"` (ENV/LABEL syntax) into pairs. */
export function parseKeyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z0-9_.\-]+)=("(?:[^"\\]|\\.)*"|\S+)/g;
  let m: RegExpExecArray | null;
  let consumed = '';
  while ((m = re.exec(args))) {
    const raw = m[2];
    out[m[1]] = raw.startsWith('"') ? JSON.parse(raw) : raw;
    consumed += m[0];
  }
  if (Object.keys(out).length === 0) {
    // Legacy `ENV KEY value` form.
    const legacy = /^(\S+)\s+(.*)$/.exec(args);
    if (legacy) out[legacy[1]] = legacy[2];
  }
  return out;
}

export function dockerfile(): DockerInstruction[] {
  return parseDockerfile(fs.readFileSync(repoPath('Dockerfile'), 'utf8'));
}
