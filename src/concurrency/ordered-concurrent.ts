import {Budget} from './budget';
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
   * How much the tasks behind the one being printed may hold together, in
   * `weight` units (bytes or records): the memory bound of working ahead.
   * Ignored when `shared` is given.
   */
  budget: number;
  /**
   * How much the task being printed may hold that was not printed yet (its
   * own bound, so that it never waits for the others). Defaults to `budget`.
   */
  headBudget?: number;
  /** A budget shared with other pools for the tasks behind the head (instead of `budget`). */
  shared?: Budget;
  weight(item: T): number;
}

/**
 * Runs up to `concurrency` tasks at once and yields their items in task
 * order: all items of the first task, its TaskEnd, then the second's, and so
 * on. Every item waits for room before it is buffered: the task being
 * printed (the head) in a budget of its own (headBudget), the tasks behind it
 * in one they share (budget, or `shared` across pools). So memory is bounded
 * however slowly the output is consumed and however large a task turns out,
 * and the head never waits for the others: the output always moves. A task
 * that finished early frees its slot for the next one.
 *
 * Tasks are created lazily by nextTask(), so a task can be shaped by how the
 * earlier ones went (adaptive window sizes). A task's error is thrown when
 * the output reaches it: everything before it is delivered first.
 */
export async function* orderedConcurrent<K, T>(
  nextTask: () => OrderedTask<K, T> | undefined,
  opts: OrderedOptions<T>
): AsyncGenerator<T | TaskEnd<K>> {
  /**
   * `held`: the weight of this slot's items not printed yet; `ahead`: whether that weight is in the ahead budget;
   * `reserved`: weight taken from the ahead budget for the item this slot is fetching (see reserve()).
   */
  type Slot = {key: K; channel: Channel<{item: T; weight: number}>; held: number; ahead: boolean; reserved: number; wake?: () => void};
  const active: Slot[] = [];
  const width = Math.max(1, opts.concurrency);
  const headBudget = Math.max(1, opts.headBudget ?? opts.budget);
  const ahead = opts.shared ?? new Budget(Math.max(1, opts.budget));
  let exhausted = false;
  let producing = 0;
  let stopped = false;
  /** The weight of the item admitted last, by any task: what the next one will probably weigh. */
  let typical = 0;

  /**
   * A task behind the head takes room for its next item before fetching it:
   * an item fetched while the budget is full would wait in memory, uncounted,
   * for room (a page of Close's answer per waiting task). Resolves false once
   * stopped; the head reserves nothing (its own budget never waits on others).
   */
  const reserve = async (slot: Slot): Promise<boolean> => {
    const amount = typical;
    if (amount === 0 || active[0] === slot) return !stopped;
    if (await ahead.take(amount, () => stopped || active[0] === slot)) slot.reserved = amount;
    return !stopped;
  };
  /** Gives back a reservation (its item came, or the slot became the head, or everything stops). */
  const unreserve = (slot: Slot): void => {
    if (slot.reserved === 0) return;
    ahead.give(slot.reserved);
    slot.reserved = 0;
  };

  /** The head buffers in its own budget; the others in the ahead budget. Resolves false once stopped. */
  const admit = async (slot: Slot, weight: number): Promise<boolean> => {
    typical = weight;
    if (slot.reserved > 0 && active[0] !== slot) {
      // Fetched on a reservation: the item is in memory already, so it is counted as it is, even past the limit.
      ahead.give(slot.reserved);
      ahead.force(weight);
      slot.reserved = 0;
      slot.held += weight;
      slot.ahead = true;
      return !stopped;
    }
    unreserve(slot);
    for (;;) {
      if (stopped) return false;
      if (active[0] === slot) {
        if (slot.held === 0 || slot.held + weight <= headBudget) {
          slot.held += weight;
          return true;
        }
        await new Promise<void>((resolve) => (slot.wake = resolve));
        continue;
      }
      // Behind the head; gives up waiting when stopped or when this slot became the head (ahead.wake()).
      if (await ahead.take(weight, () => stopped || active[0] === slot)) {
        slot.held += weight;
        slot.ahead = true;
        return true;
      }
    }
  };
  const fill = () => {
    while (!stopped && !exhausted && producing < width && active.length < 2 * width) {
      const task = nextTask();
      if (!task) {
        exhausted = true;
        return;
      }
      const slot: Slot = {key: task.key, channel: new Channel(Number.MAX_SAFE_INTEGER), held: 0, ahead: false, reserved: 0};
      active.push(slot);
      producing++;
      void (async () => {
        const items = task.run();
        let finished = false;
        try {
          for (;;) {
            if (!(await reserve(slot))) return;
            const r = await items.next();
            if (r.done) break;
            const weight = opts.weight(r.value);
            if (!(await admit(slot, weight))) return;
            if (!(await slot.channel.push({item: r.value, weight}))) return;
          }
          finished = true;
          slot.channel.close();
        } catch (err) {
          finished = true;
          slot.channel.close(err);
        } finally {
          unreserve(slot);
          producing--;
          // Stopped early: let the task's generator clean up, as for-await would.
          if (!finished) await items.return?.(undefined)?.catch(() => undefined);
          fill();
        }
      })();
    }
  };
  const release = (slot: Slot, weight: number) => {
    slot.held = Math.max(0, slot.held - weight);
    const w = slot.wake;
    slot.wake = undefined;
    w?.();
  };
  try {
    fill();
    while (active.length > 0) {
      const head = active[0];
      if (head.ahead) {
        // The new head's buffered items leave the shared budget: the others may work ahead again.
        head.ahead = false;
        ahead.give(head.held);
      }
      unreserve(head);
      release(head, 0);
      ahead.wake();
      for (;;) {
        const r = await head.channel.next();
        if (r.done) break;
        release(head, r.value.weight);
        yield r.value.item;
      }
      active.shift();
      yield {taskEnd: head.key};
      fill();
    }
  } finally {
    stopped = true;
    for (const slot of active) {
      slot.channel.cancel();
      if (slot.ahead) ahead.give(slot.held);
      unreserve(slot);
      slot.held = 0;
      slot.ahead = false;
      release(slot, 0);
    }
    ahead.wake();
  }
}

export function isTaskEnd<K>(item: unknown): item is TaskEnd<K> {
  return typeof item === 'object' && item !== null && 'taskEnd' in item;
}
