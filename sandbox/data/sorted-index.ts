export interface Keyed {
  id: string;
}

export interface Range {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export function inRange(v: number, r: Range): boolean {
  if (r.gt !== undefined && !(v > r.gt)) return false;
  if (r.gte !== undefined && !(v >= r.gte)) return false;
  if (r.lt !== undefined && !(v < r.lt)) return false;
  if (r.lte !== undefined && !(v <= r.lte)) return false;
  return true;
}

export function isEmptyRange(r: Range): boolean {
  return r.gt === undefined && r.gte === undefined && r.lt === undefined && r.lte === undefined;
}

/**
 * Records kept ordered by (key, id) ascending so a page is a binary search plus a
 * slice; descending reads walk from the end. The id tiebreak makes order total.
 */
export class SortedIndex<T extends Keyed> {
  arr: T[] = [];

  constructor(readonly key: (r: T) => number) {}

  readonly cmp = (a: T, b: T): number => {
    const d = this.key(a) - this.key(b);
    if (d !== 0) return d;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };

  build(items: T[]): this {
    this.arr = fastSort(items, this.key) ?? items.slice().sort(this.cmp);
    return this;
  }

  /** First position whose (key, id) is >= (k, id). */
  posOf(k: number, id: string): number {
    let lo = 0;
    let hi = this.arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.arr[mid];
      const rk = this.key(r);
      if (rk < k || (rk === k && r.id < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position with key >= k (strict: key > k). */
  bound(k: number, strict: boolean): number {
    let lo = 0;
    let hi = this.arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const rk = this.key(this.arr[mid]);
      if (rk < k || (strict && rk === k)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  span(r: Range): [number, number] {
    let s = 0;
    let e = this.arr.length;
    if (r.gte !== undefined) s = Math.max(s, this.bound(r.gte, false));
    if (r.gt !== undefined) s = Math.max(s, this.bound(r.gt, true));
    if (r.lte !== undefined) e = Math.min(e, this.bound(r.lte, true));
    if (r.lt !== undefined) e = Math.min(e, this.bound(r.lt, false));
    return [s, Math.max(s, e)];
  }

  insert(r: T): void {
    const p = this.posOf(this.key(r), r.id);
    if (p === this.arr.length) this.arr.push(r);
    else this.arr.splice(p, 0, r);
  }

  /** Must be called before the record's key changes. */
  remove(r: T): void {
    const p = this.posOf(this.key(r), r.id);
    if (this.arr[p] === r) {
      this.arr.splice(p, 1);
      return;
    }
    const q = this.arr.indexOf(r);
    if (q >= 0) this.arr.splice(q, 1);
  }
}

export interface PageResult<T> {
  items: T[];
  hasMore: boolean;
  total: number;
}

/**
 * Pages over arr[s, e) in either direction. Without predicates it is O(page);
 * with predicates it scans, stopping early unless a total is wanted.
 */
export function pageOver<T>(
  arr: T[],
  s: number,
  e: number,
  desc: boolean,
  pred: ((r: T) => boolean) | null,
  skip: number,
  limit: number,
  wantTotal: boolean,
): PageResult<T> {
  const items: T[] = [];
  if (!pred) {
    const total = e - s;
    for (let i = skip; i < Math.min(total, skip + limit); i++) items.push(desc ? arr[e - 1 - i] : arr[s + i]);
    return { items, hasMore: skip + items.length < total, total };
  }
  let matched = 0;
  let hasMore = false;
  const n = e - s;
  for (let i = 0; i < n; i++) {
    const r = desc ? arr[e - 1 - i] : arr[s + i];
    if (!pred(r)) continue;
    if (matched >= skip && matched < skip + limit) items.push(r);
    matched++;
    if (matched > skip + limit) {
      hasMore = true;
      if (!wantTotal) break;
    }
  }
  return { items, hasMore, total: matched };
}

const IDX_BITS = 21;
const IDX_MASK = (1n << BigInt(IDX_BITS)) - 1n;

/**
 * Comparator sorts of ~10^6 records cost seconds; packing (millisecond key,
 * position) into a BigUint64Array lets V8 sort natively. Only valid for keys that
 * are whole milliseconds (as generated data is), otherwise returns null. Runs of
 * equal keys are then re-sorted by id to keep the (key, id) order.
 */
function fastSort<T extends Keyed>(items: T[], key: (r: T) => number): T[] | null {
  const n = items.length;
  if (n < 20000 || n >= 1 << IDX_BITS) return null;
  const keys = new Float64Array(n);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const k = key(items[i]);
    if (k % 1000 !== 0) return null;
    keys[i] = k;
    if (k < min) min = k;
    if (k > max) max = k;
  }
  if ((max - min) / 1000 >= 2 ** 42) return null;
  const packed = new BigUint64Array(n);
  for (let i = 0; i < n; i++) packed[i] = (BigInt((keys[i] - min) / 1000) << BigInt(IDX_BITS)) | BigInt(i);
  packed.sort();
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = items[Number(packed[i] & IDX_MASK)];
  for (let i = 0; i < n; ) {
    const k = key(out[i]);
    let j = i + 1;
    while (j < n && key(out[j]) === k) j++;
    if (j - i > 1) {
      const run = out.slice(i, j).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (let q = 0; q < run.length; q++) out[i + q] = run[q];
    }
    i = j;
  }
  return out;
}
