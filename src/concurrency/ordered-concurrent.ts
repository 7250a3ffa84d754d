import {Channel} from './channel';

/** Marks the end of one task's items in the ordered output. */
export interface TaskEnd<K> {
  taskEnd: K;
}

export interface OrderedTask<K, T> {
  key: K;
  run(): AsyncGenerator<T>;
}

export interface OrderedOptions<T> {
  /** Tasks running at once. */
  concurrency: number;
  /**
   * How much the tasks behind the one being printed may hold, in `weight`
   * units (records): the memory bound of working ahead.
   */
  budget: number;
  weight(item: T): number;
}

/**
 * Runs up to `concurrency` tasks at once and yields their items in task
 * order: all items of the first task, its TaskEnd, then the second's, and so
 * on. While the first task's items are being printed, the later tasks work
 * ahead into buffers that together hold at most `budget` (the first task is
 * never held back, so the output always moves). A task that finished early
 * frees its slot for the next one.
 *
 * Tasks are created lazily by nextTask(), so a task can be shaped by how the
 * earlier ones went (adaptive window sizes). A task's error is thrown when
 * the output reaches it: everything before it is delivered first.
 */
export async function* orderedConcurrent<K, T>(
  nextTask: () => OrderedTask<K, T> | undefined,
  opts: OrderedOptions<T>
): AsyncGenerator<T | TaskEnd<K>> {
  type Slot = {key: K; channel: Channel<T>};
  const active: Slot[] = [];
  const width = Math.max(1, opts.concurrency);
  let exhausted = false;
  let producing = 0;
  let stopped = false;
  let buffered = 0;
  let waiters: (() => void)[] = [];
  const wakeAll = () => {
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  };
  /** Waits until this slot may buffer another item: it is at the head, or the budget has room. */
  const admit = async (slot: Slot, weight: number) => {
    while (!stopped && active[0] !== slot && buffered + weight > opts.budget && buffered > 0) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const fill = () => {
    while (!stopped && !exhausted && producing < width && active.length < 2 * width) {
      const task = nextTask();
      if (!task) {
        exhausted = true;
        return;
      }
      const slot: Slot = {key: task.key, channel: new Channel<T>(Number.MAX_SAFE_INTEGER)};
      active.push(slot);
      producing++;
      void (async () => {
        try {
          for await (const item of task.run()) {
            const weight = opts.weight(item);
            await admit(slot, weight);
            if (stopped) return;
            buffered += weight;
            if (!(await slot.channel.push(item))) return;
          }
          slot.channel.close();
        } catch (err) {
          slot.channel.close(err);
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
      wakeAll(); // a new head may push freely
      for (;;) {
        const r = await head.channel.next();
        if (r.done) break;
        buffered -= opts.weight(r.value);
        wakeAll();
        yield r.value;
      }
      active.shift();
      yield {taskEnd: head.key};
      fill();
    }
  } finally {
    stopped = true;
    for (const {channel} of active) channel.cancel();
    wakeAll();
  }
}

export function isTaskEnd<K>(item: unknown): item is TaskEnd<K> {
  return typeof item === 'object' && item !== null && 'taskEnd' in item;
}
