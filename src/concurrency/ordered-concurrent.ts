import {Channel} from './channel';

/** Marks the end of one task's items in the ordered output. */
export interface TaskEnd<K> {
  taskEnd: K;
}

export interface OrderedTask<K, T> {
  key: K;
  run(): AsyncGenerator<T>;
}

/**
 * Runs up to `concurrency` tasks at once and yields their items in task
 * order: all items of the first task, its TaskEnd, then the second's, and so
 * on. Later tasks work ahead into bounded buffers (`capacity` items each), so
 * while the first window of a stream is being printed the next ones are
 * already being fetched. A task that finished early waits in its buffer and
 * frees its slot for the next task; at most 2 × concurrency tasks are alive,
 * so at most 2 × concurrency × capacity items are held.
 *
 * Tasks are created lazily by nextTask(), so a task can be shaped by how the
 * earlier ones went (adaptive window sizes). A task's error is thrown when
 * the output reaches it: everything before it is delivered first.
 */
export async function* orderedConcurrent<K, T>(
  nextTask: () => OrderedTask<K, T> | undefined,
  concurrency: number,
  capacity: number
): AsyncGenerator<T | TaskEnd<K>> {
  const active: {key: K; channel: Channel<T>}[] = [];
  const width = Math.max(1, concurrency);
  let exhausted = false;
  let producing = 0;
  let stopped = false;
  const fill = () => {
    while (!stopped && !exhausted && producing < width && active.length < 2 * width) {
      const task = nextTask();
      if (!task) {
        exhausted = true;
        return;
      }
      const channel = new Channel<T>(capacity);
      active.push({key: task.key, channel});
      producing++;
      void (async () => {
        try {
          for await (const item of task.run()) {
            if (!(await channel.push(item))) return;
          }
          channel.close();
        } catch (err) {
          channel.close(err);
        } finally {
          producing--;
          fill();
        }
      })();
    }
  };
  try {
    fill();
    while (active.length > 0) {
      const head = active[0];
      for (;;) {
        const r = await head.channel.next();
        if (r.done) break;
        yield r.value;
      }
      active.shift();
      yield {taskEnd: head.key};
      fill();
    }
  } finally {
    stopped = true;
    for (const {channel} of active) channel.cancel();
  }
}

export function isTaskEnd<K>(item: unknown): item is TaskEnd<K> {
  return typeof item === 'object' && item !== null && 'taskEnd' in item;
}
