/**
 * Counts an Airbyte message stream as it arrives, without keeping it: RECORD
 * lines are recognised by their prefix and only their stream name is read;
 * every other line (STATE, TRACE, LOG: few of them) is parsed.
 */

const RECORD_PREFIX = Buffer.from('{"type":"RECORD","record":{"stream":"');
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const KEEP_LOGS = 20;

export interface StreamTally {
  records: number;
  /** emitted_at of STREAM_STATUS STARTED and of COMPLETE/INCOMPLETE (connector's clock, ms) */
  startedAt?: number;
  endedAt?: number;
  status?: string;
  states: number;
}

export class OutputTally {
  bytes = 0;
  lines = 0;
  records = 0;
  /** RECORD lines not in the connector's usual key order: parsed in full */
  slowRecords = 0;
  readonly streams = new Map<string, StreamTally>();
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  readonly badLines: string[] = [];
  badLineCount = 0;
  /** every non-RECORD message, when asked for (discover, check) */
  readonly kept: any[] | null;
  /** the unfinished last line of earlier chunks */
  private carry: Buffer[] = [];

  constructor(opts: {keepMessages?: boolean} = {}) {
    this.kept = opts.keepMessages ? [] : null;
  }

  stream(name: string): StreamTally {
    let t = this.streams.get(name);
    if (!t) {
      t = {records: 0, states: 0};
      this.streams.set(name, t);
    }
    return t;
  }

  /** Works on bytes: RECORD lines are never decoded, only their stream name is. */
  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let start = 0;
    let nl = chunk.indexOf(NEWLINE, start);
    if (nl >= 0 && this.carry.length > 0) {
      this.carry.push(chunk.subarray(0, nl));
      const line = Buffer.concat(this.carry);
      this.carry = [];
      if (line.length > 0) this.line(line, 0, line.length);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    while (nl >= 0) {
      if (nl > start) this.line(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.carry.push(chunk.subarray(start));
  }

  end(): void {
    const line = Buffer.concat(this.carry);
    this.carry = [];
    if (line.toString('utf8').trim()) this.line(line, 0, line.length);
  }

  private line(buf: Buffer, start: number, end: number): void {
    this.lines++;
    const from = start + RECORD_PREFIX.length;
    if (from < end && buf.compare(RECORD_PREFIX, 0, RECORD_PREFIX.length, start, from) === 0) {
      const quote = buf.indexOf(QUOTE, from);
      if (quote > from && quote < end) {
        this.stream(buf.toString('utf8', from, quote)).records++;
        this.records++;
        return;
      }
    }
    const raw = buf.toString('utf8', start, end);
    let msg: any;
    try {
      msg = JSON.parse(raw);
    } catch {
      this.badLineCount++;
      if (this.badLines.length < 5) this.badLines.push(raw.slice(0, 200));
      return;
    }
    this.message(msg);
  }

  private message(msg: any): void {
    switch (msg?.type) {
      case 'RECORD':
        this.slowRecords++;
        this.records++;
        this.stream(String(msg.record?.stream)).records++;
        return;
      case 'STATE': {
        const name = msg.state?.stream?.stream_descriptor?.name;
        if (typeof name === 'string') this.stream(name).states++;
        break;
      }
      case 'TRACE': {
        const trace = msg.trace ?? {};
        if (trace.type === 'ERROR') {
          this.errors.push(String(trace.error?.message ?? JSON.stringify(trace.error)));
        } else if (trace.type === 'STREAM_STATUS') {
          const name = trace.stream_status?.stream_descriptor?.name;
          const status = trace.stream_status?.status;
          if (typeof name === 'string') {
            const t = this.stream(name);
            t.status = status;
            if (status === 'STARTED') t.startedAt = trace.emitted_at;
            if (status === 'COMPLETE' || status === 'INCOMPLETE') t.endedAt = trace.emitted_at;
          }
        }
        break;
      }
      case 'LOG': {
        const level = String(msg.log?.level ?? '');
        if (/^(WARN|ERROR|FATAL)/.test(level) && this.warnings.length < KEEP_LOGS) {
          this.warnings.push(`${level}: ${String(msg.log?.message).slice(0, 300)}`);
        }
        break;
      }
    }
    if (this.kept) this.kept.push(msg);
  }

  recordsOf(name: string): number {
    return this.streams.get(name)?.records ?? 0;
  }
}
