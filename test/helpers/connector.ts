import {spawn} from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import {BIN_MAIN} from './paths';
import {AirbyteMessage, parseOutput} from './protocol';
import {recordOutput} from './output-log';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  messages: AirbyteMessage[];
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Kill the process with SIGKILL once this returns true for the stdout so far. */
  killWhen?: (stdout: string) => boolean;
  /** Don't validate stdout (for runs killed mid-line). */
  raw?: boolean;
  timeoutMs?: number;
}

/** A temporary directory for config/catalog/state files, removed by the caller or left for the OS. */
export function tempDir(prefix = 'closeio-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

/** Runs the built connector as a user would: `bin/main <args>` in a subprocess. */
export function runConnector(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN_MAIN, ...args], {
      cwd: opts.cwd ?? os.tmpdir(),
      env: {...process.env, WORKER_JOB_ID: undefined, LOG_LEVEL: undefined, ...opts.env} as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bin/main ${args[0]} did not finish within ${opts.timeoutMs ?? 120_000} ms`));
    }, opts.timeoutMs ?? 120_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (!killed && opts.killWhen?.(stdout)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      recordOutput(stdout + stderr);
      try {
        const complete = killed ? stdout.slice(0, stdout.lastIndexOf('\n') + 1) : stdout;
        const messages = opts.raw ? [] : parseOutput(complete);
        resolve({code, signal, stdout, stderr, messages});
      } catch (err) {
        reject(err);
      }
    });
  });
}
