import {spawn} from 'child_process';
import fs from 'fs';
import {performance} from 'perf_hooks';
import {OutputTally} from './output-tally';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS_PER_S = 100;
const POLL_MS = 25;
const STDERR_TAIL = 8192;

export interface RunResult {
  wallMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  tally: OutputTally;
  /** VmHWM (the kernel's RSS high-water mark) at the last poll, bytes; undefined without /proc */
  peakRssBytes?: number;
  /** user + system CPU time of the process at the last poll, ms (misses at most the last POLL_MS) */
  cpuMs?: number;
  stderrTail: string;
  /** killed after opts.timeoutMs */
  timedOut: boolean;
  /** Date.now() at spawn: the clock of emitted_at */
  spawnedAt: number;
}

interface ProcSample {
  hwm?: number;
  cpuMs?: number;
}

function sample(pid: number): ProcSample | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const hwm = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    // fields after the command name (which may hold spaces) start at ") "
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return {hwm: hwm ? Number(hwm[1]) * 1024 : undefined, cpuMs: Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_S : undefined};
  } catch {
    return undefined; // gone, or no /proc
  }
}

/**
 * Spawns a child asynchronously (the sandbox it talks to lives in this
 * process, so the event loop must stay free), counts its stdout as it
 * arrives, and samples its peak RSS and CPU time from /proc every 25 ms.
 */
export function runProcess(
  cmd: string,
  args: string[],
  opts: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    keepMessages?: boolean;
    timeoutMs?: number;
    /** A slow destination: stdout is read at this many bytes/s (paused between chunks), the child's writes wait. */
    readBytesPerSecond?: number;
  }
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const tally = new OutputTally({keepMessages: opts.keepMessages});
    let stderr = '';
    let peak: number | undefined;
    let cpuMs: number | undefined;
    const started = performance.now();
    const spawnedAt = Date.now();
    const child = spawn(cmd, args, {cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']});
    const poll = (): void => {
      if (child.pid === undefined) return;
      const s = sample(child.pid);
      if (!s) return;
      if (s.hwm !== undefined) peak = Math.max(peak ?? 0, s.hwm);
      if (s.cpuMs !== undefined) cpuMs = s.cpuMs;
    };
    poll();
    const timer = setInterval(poll, POLL_MS);
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    const deadline =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
            killer = setTimeout(() => child.kill('SIGKILL'), 5000);
          }, opts.timeoutMs);
    const stopTimers = (): void => {
      clearInterval(timer);
      if (readPause) clearTimeout(readPause);
      if (deadline) clearTimeout(deadline);
      if (killer) clearTimeout(killer);
    };
    let readPause: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      tally.push(chunk);
      const rate = opts.readBytesPerSecond;
      if (rate && rate > 0) {
        child.stdout.pause();
        readPause = setTimeout(() => child.stdout.resume(), (1000 * chunk.length) / rate);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.on('error', (err) => {
      stopTimers();
      reject(err);
    });
    child.on('close', (exitCode, signal) => {
      const wallMs = performance.now() - started;
      stopTimers();
      tally.end();
      resolve({wallMs, exitCode, signal, tally, peakRssBytes: peak, cpuMs, stderrTail: stderr, timedOut, spawnedAt});
    });
  });
}
