import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {Channel} from '../../src/concurrency/channel';
import {isTaskEnd, orderedConcurrent} from '../../src/concurrency/ordered-concurrent';
import {Budget} from '../../src/concurrency/budget';

const tick = () => new Promise((r) => setImmediate(r));

describe('orderedConcurrent', () => {
  it('yields every item in task order, each task followed by its end marker, whatever order tasks finish in', async () => {
    const delays = [30, 5, 20, 1, 10, 0, 15];
    let next = 0;
    const nextTask = () => {
      if (next >= delays.length) return undefined;
      const key = next++;
      return {
        key,
        run: async function* () {
          for (let i = 0; i < 3; i++) {
            await new Promise((r) => setTimeout(r, delays[key] / (i + 1)));
            yield `${key}.${i}`;
          }
        },
      };
    };
    const out: string[] = [];
    for await (const item of orderedConcurrent(nextTask, {concurrency: 3, budget: 4, weight: () => 1})) out.push(isTaskEnd<number>(item) ? `end ${item.taskEnd}` : (item as string));
    const expected = delays.flatMap((_, k) => [`${k}.0`, `${k}.1`, `${k}.2`, `end ${k}`]);
    assert.deepEqual(out, expected);
  });

  it('never runs more than `concurrency` producers nor holds more than 2 × concurrency tasks', async () => {
    let running = 0;
    let maxRunning = 0;
    let created = 0;
    let next = 0;
    const nextTask = () => {
      if (next >= 20) return undefined;
      const key = next++;
      created++;
      return {
        key,
        run: async function* () {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await tick();
          running--;
          yield key;
        },
      };
    };
    let consumed = 0;
    for await (const item of orderedConcurrent(nextTask, {concurrency: 4, budget: 8, weight: () => 1})) {
      if (isTaskEnd(item)) {
        consumed++;
        assert.ok(created - consumed <= 8, `${created - consumed} tasks alive`);
      }
      await tick();
    }
    assert.ok(maxRunning <= 4, `max running ${maxRunning}`);
    assert.equal(consumed, 20);
  });

  it('throws a task\'s error only after everything before it, and stops the rest', async () => {
    let started = 0;
    let next = 0;
    const nextTask = () => {
      if (next >= 100) return undefined;
      const key = next++;
      started++;
      return {
        key,
        run: async function* () {
          await tick();
          if (key === 2) throw new Error('window 2 failed');
          yield key;
        },
      };
    };
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const item of orderedConcurrent(nextTask, {concurrency: 3, budget: 3, weight: () => 1})) if (!isTaskEnd(item)) seen.push(item as number);
    }, /window 2 failed/);
    assert.deepEqual(seen, [0, 1]);
    await tick();
    assert.ok(started < 100, 'no more tasks start after the failure was reached');
  });
});

it('tasks behind the head hold at most `budget` weight; the head is never held back', async () => {
  let next = 0;
  let buffered = 0;
  let maxBehind = 0;
  const nextTask = () => {
    if (next >= 6) return undefined;
    const key = next++;
    return {
      key,
      run: async function* () {
        for (let i = 0; i < 10; i++) {
          buffered += 5;
          yield {key, size: 5};
        }
      },
    };
  };
  let head = 0;
  let count = 0;
  for await (const item of orderedConcurrent(nextTask, {concurrency: 4, budget: 12, weight: (x: {size: number}) => x.size})) {
    if (isTaskEnd<number>(item)) {
      head = item.taskEnd + 1;
      continue;
    }
    const it = item as {key: number; size: number};
    assert.equal(it.key, head, 'items come in task order');
    buffered -= it.size;
    count++;
    // What was produced and not yet printed, minus the head task's own share (at most 10 items of 5).
    maxBehind = Math.max(maxBehind, buffered - 50);
    await tick();
  }
  assert.equal(count, 60);
  // Each waiting producer also holds the one item it is waiting to buffer.
  assert.ok(maxBehind <= 12 + 4 * 5, `tasks behind the head held ${maxBehind}`);
});

describe('Channel', () => {
  it('makes producers wait while full and keeps each producer\'s order', async () => {
    const ch = new Channel<string>(2);
    const pushed: string[] = [];
    const producer = (name: string) =>
      (async () => {
        for (let i = 0; i < 5; i++) {
          await ch.push(`${name}${i}`);
          pushed.push(`${name}${i}`);
        }
      })();
    const done = Promise.all([producer('a'), producer('b')]).then(() => ch.close());
    await tick();
    assert.ok(pushed.length <= 2, `pushed ${pushed.length} into a channel of 2`);
    const got: string[] = [];
    for (let r = await ch.next(); !r.done; r = await ch.next()) got.push(r.value);
    await done;
    assert.equal(got.length, 10);
    for (const name of ['a', 'b']) {
      assert.deepEqual(got.filter((x) => x.startsWith(name)), [0, 1, 2, 3, 4].map((i) => `${name}${i}`));
    }
  });

  it('cancel() releases a waiting producer with false', async () => {
    const ch = new Channel<number>(1);
    await ch.push(1);
    const blocked = ch.push(2);
    ch.cancel();
    assert.equal(await blocked, false);
  });
});

describe('orderedConcurrent: every buffer bounded, the head included (issue 11)', () => {
  /** Tasks of `items` items each of weight `size`; counts what was produced and not yet consumed, per task. */
  function tasks(count: number, items: number, size = 1) {
    let next = 0;
    const unconsumed = new Map<number, number>();
    const nextTask = () => {
      if (next >= count) return undefined;
      const key = next++;
      unconsumed.set(key, 0);
      return {
        key,
        run: async function* () {
          for (let i = 0; i < items; i++) {
            unconsumed.set(key, unconsumed.get(key)! + size);
            yield {key, size};
          }
        },
      };
    };
    return {nextTask, unconsumed};
  }

  it('a slow consumer: the head holds at most headBudget, the others at most budget, however large the head task', async () => {
    // One huge task first (a bulk import inside one window), then ordinary ones.
    const {nextTask, unconsumed} = tasks(5, 2000);
    let maxFirst = 0;
    let maxTotal = 0;
    let maxBehind = 0;
    let head = 0;
    let count = 0;
    const items = orderedConcurrent(nextTask, {concurrency: 4, budget: 40, headBudget: 25, weight: (x: {size: number}) => x.size});
    for await (const item of items) {
      if (isTaskEnd<number>(item)) {
        head = item.taskEnd + 1;
        continue;
      }
      unconsumed.set(head, unconsumed.get(head)! - 1);
      count++;
      // Let every producer run as far as it may before the next item is taken: the slowest possible consumer.
      for (let i = 0; i < 5; i++) await tick();
      if (head === 0) maxFirst = Math.max(maxFirst, unconsumed.get(0)!);
      let behind = 0;
      for (const [k, n] of unconsumed) if (k > head) behind += n;
      maxBehind = Math.max(maxBehind, behind);
      maxTotal = Math.max(maxTotal, behind + (unconsumed.get(head) ?? 0));
    }
    assert.equal(count, 10_000);
    // Each producer also holds the one item it waits to buffer.
    assert.ok(maxFirst <= 25 + 1, `the head task ran ${maxFirst} items ahead of the output (head budget 25)`);
    assert.ok(maxBehind <= 40 + 4, `the tasks behind the head held ${maxBehind} (budget 40)`);
    // A task that becomes the head keeps what it read ahead, and prints it before it reads more.
    assert.ok(maxTotal <= 25 + 40 + 4, `${maxTotal} items produced and not printed in all`);
  });

  it('an item larger than the whole budget still passes (nothing else held): no deadlock', async () => {
    const {nextTask} = tasks(4, 3, 100);
    let count = 0;
    for await (const item of orderedConcurrent(nextTask, {concurrency: 3, budget: 10, headBudget: 10, weight: (x: {size: number}) => x.size})) {
      if (!isTaskEnd(item)) count++;
    }
    assert.equal(count, 12);
  });

  it('pools sharing one ahead budget hold at most that together, and all finish', async () => {
    const shared = new Budget(30);
    let maxShared = 0;
    const a = tasks(6, 50);
    const b = tasks(6, 50);
    const drain = async (nextTask: typeof a.nextTask) => {
      let n = 0;
      for await (const item of orderedConcurrent(nextTask, {concurrency: 3, budget: 0, headBudget: 5, shared, weight: (x: {size: number}) => x.size})) {
        if (isTaskEnd(item)) continue;
        n++;
        await tick();
        maxShared = Math.max(maxShared, shared.used);
      }
      return n;
    };
    const [na, nb] = await Promise.all([drain(a.nextTask), drain(b.nextTask)]);
    assert.equal(na + nb, 600);
    assert.ok(maxShared <= 30, `shared budget held ${maxShared}`);
    assert.equal(shared.used, 0, 'everything given back at the end');
  });

  it('a task behind the head fetches its next item only when the budget has room for it (no fetched item waits uncounted)', async () => {
    // Tasks 1–3 start together and fetch their first item before any size is known: 3 items of 5 in a budget of 20.
    // Then only one more fits. Without the reservation, each task would fetch an item and hold it waiting: 7 behind.
    const shared = new Budget(20);
    const {nextTask, unconsumed} = tasks(4, 10, 5);
    const items = orderedConcurrent(nextTask, {concurrency: 4, budget: 0, headBudget: 5, shared, weight: (x: {size: number}) => x.size})[Symbol.asyncIterator]();
    const first = await items.next();
    assert.deepEqual(first.value, {key: 0, size: 5});
    for (let i = 0; i < 50; i++) await tick(); // the consumer stalls: every producer goes as far as it may
    const behind = [1, 2, 3].reduce((sum, k) => sum + unconsumed.get(k)!, 0);
    assert.equal(behind, 20, `the tasks behind the head fetched ${behind} (budget 20)`);
    assert.equal(shared.used, 20);
    // Everything still arrives, in order, and the budget is all given back.
    const keys: number[] = [0];
    for (let r = await items.next(); !r.done; r = await items.next()) if (!isTaskEnd(r.value)) keys.push((r.value as unknown as {key: number}).key);
    assert.deepEqual(keys, [0, 1, 2, 3].flatMap((k) => Array(10).fill(k)));
    assert.equal(shared.used, 0);
  });

  it('a reservation is given back when its task becomes the head, and when everything stops', async () => {
    const shared = new Budget(10);
    const {nextTask} = tasks(8, 20, 5);
    let n = 0;
    for await (const item of orderedConcurrent(nextTask, {concurrency: 4, budget: 0, headBudget: 5, shared, weight: (x: {size: number}) => x.size})) {
      if (isTaskEnd(item)) continue;
      await tick();
      // Never more than the budget behind the head, reservations included (all items weigh the same: no estimate is off).
      assert.ok(shared.used <= 10, `shared budget held ${shared.used}`);
      if (++n === 70) break; // in the fourth task: the ones behind it hold reservations
    }
    for (let i = 0; i < 5; i++) await tick();
    assert.equal(shared.used, 0);
  });

  it('stopping early gives the shared budget back', async () => {
    const shared = new Budget(20);
    const {nextTask} = tasks(6, 50);
    let n = 0;
    for await (const item of orderedConcurrent(nextTask, {concurrency: 4, budget: 0, shared, weight: (x: {size: number}) => x.size})) {
      if (!isTaskEnd(item) && ++n === 10) break;
      await tick();
    }
    for (let i = 0; i < 5; i++) await tick();
    assert.equal(shared.used, 0);
  });
});

describe('Channel bounded in weight', () => {
  it('holds at most `weightCapacity` (one item at least), as well as at most `capacity` items', async () => {
    const ch = new Channel<number>(100, {capacity: 10, weight: (n) => n});
    const pushed: number[] = [];
    void (async () => {
      for (const n of [4, 4, 4, 30, 1]) {
        await ch.push(n);
        pushed.push(n);
      }
      ch.close();
    })();
    await tick();
    assert.deepEqual(pushed, [4, 4], 'a third 4 would exceed 10');
    assert.equal((await ch.next()).value, 4);
    await tick();
    assert.deepEqual(pushed, [4, 4, 4]);
    await ch.next();
    await ch.next();
    await tick();
    assert.deepEqual(pushed, [4, 4, 4, 30], 'an item larger than the capacity passes when the channel is empty');
    await ch.next();
    await tick();
    assert.equal((await ch.next()).value, 1);
    assert.equal((await ch.next()).done, true);
  });
});
