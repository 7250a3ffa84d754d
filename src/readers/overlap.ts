/**
 * What the paging readers share to notice that the account changed between
 * two of their pages: the records already read, each with the value that
 * fixes its place in Close's order (its key, or its date_updated), and the
 * order in which to step back when a page does not line up.
 */

/** Records already read, by id, with the value they were read with; optionally only the latest `capacity`. */
export class AnchorSet<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly capacity = Infinity) {}

  /** Whether this record was read before and has not changed since. */
  has(id: string, value: V): boolean {
    return this.values.has(id) && this.values.get(id) === value;
  }

  /** Whether this id was read before, whatever its value. */
  knows(id: string): boolean {
    return this.values.has(id);
  }

  add(id: string, value: V): void {
    this.values.delete(id); // re-inserted: the newest stay when the oldest are forgotten
    this.values.set(id, value);
    while (this.values.size > this.capacity) {
      this.values.delete(this.values.keys().next().value as string);
    }
  }

  clear(): void {
    this.values.clear();
  }

  get size(): number {
    return this.values.size;
  }
}

/**
 * The offsets to try when continuing at `skip`: `skip` itself, then 1, 2, 4 …
 * records further back, ending with 0 (the start of the list, always
 * sound). At most log2(skip) + 2 tries; just [0] when skip <= 0.
 */
export function* stepBackSkips(skip: number): Generator<number> {
  if (skip <= 0) {
    yield 0;
    return;
  }
  yield skip;
  for (let back = 1; ; back *= 2) {
    const next = Math.max(0, skip - back);
    yield next;
    if (next === 0) return;
  }
}
