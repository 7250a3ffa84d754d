import {serializeMessage} from './serialize';

/**
 * The connector's stdout. Everything the connector prints goes through one
 * Output, so the order on stdout is the order of emit() calls: a STATE is
 * never printed before the records it covers.
 *
 * Records are batched into chunks to save syscalls; any other message flushes
 * the batch so that logs and states appear promptly. When the pipe is full
 * (the platform reads slower than we produce), emit() waits for 'drain'
 * instead of buffering without bound.
 */
export class Output {
  private chunks: string[] = [];
  private bufferedBytes = 0;
  private draining: Promise<void> | undefined;

  constructor(
    private readonly sink: NodeJS.WritableStream = process.stdout,
    private readonly batchBytes = 64 * 1024
  ) {}

  async emit(msg: object): Promise<void> {
    const line = serializeMessage(msg) + '\n';
    this.chunks.push(line);
    this.bufferedBytes += line.length;
    const isRecord = (msg as {type?: string}).type === 'RECORD';
    if (!isRecord || this.bufferedBytes >= this.batchBytes) {
      await this.flush();
    }
  }

  /** Queues a message without waiting; for synchronous callers such as the CDK logger. */
  emitNow(msg: object): void {
    this.chunks.push(serializeMessage(msg) + '\n');
    this.bufferedBytes = 0;
    const data = this.chunks.join('');
    this.chunks = [];
    this.sink.write(data);
  }

  async flush(): Promise<void> {
    if (this.draining) await this.draining;
    if (this.chunks.length === 0) return;
    const data = this.chunks.join('');
    this.chunks = [];
    this.bufferedBytes = 0;
    if (!this.sink.write(data)) {
      this.draining = new Promise<void>((resolve) => this.sink.once('drain', resolve)).finally(() => {
        this.draining = undefined;
      });
      await this.draining;
    }
  }

  /** Resolves once everything emitted so far has been handed to the OS. */
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve) => this.sink.write('', () => resolve()));
  }
}

let stdout: Output | undefined;

export function stdoutOutput(): Output {
  if (!stdout) stdout = new Output(process.stdout);
  return stdout;
}
