import assert from 'node:assert/strict';
import {Micros, formatInstant, parseInstant} from '../../../src/time/instant';
import {LiveClose, Rec} from './live-close';

/**
 * The invariant every reader keeps while Close changes under it, checked
 * against a LiveClose:
 * - complete: every record present from the start to the end of the read and
 *   never changed, with its key in [lower, upper), was emitted;
 * - no checkpoint passes an unemitted record: at the moment a checkpoint c is
 *   taken, every record unchanged since the start with lower <= key < c was
 *   emitted already (a sync stopped there and resumed from c finds the rest).
 */
export interface Range {
  key: string;
  lower?: Micros;
  upper: Micros;
}

export class Oracle {
  readonly emitted = new Map<string, Rec[]>();
  readonly violations: string[] = [];
  checkpoints = 0;

  constructor(private readonly close: LiveClose, private readonly path: string, private readonly range: Range) {}

  private inRange(k: Micros): boolean {
    return (this.range.lower === undefined || k >= this.range.lower) && k < this.range.upper;
  }

  emit(records: Rec[]): void {
    for (const r of records) this.emitted.set(r.id, [...(this.emitted.get(r.id) ?? []), r]);
  }

  /** A checkpoint at c (undefined: none yet) is taken now. */
  checkpoint(c: Micros | undefined): void {
    this.checkpoints++;
    if (c === undefined) return;
    for (const r of this.close.stable(this.path)) {
      const k = parseInstant(r[this.range.key])!;
      if (this.inRange(k) && k < c && !this.emitted.has(r.id)) {
        this.violations.push(`checkpoint ${formatInstant(c)} passes unemitted ${r.id} (${r[this.range.key]})`);
      }
    }
  }

  /** Records that existed throughout, unchanged, in range, and were not emitted. */
  missing(): Rec[] {
    return this.close.stable(this.path).filter((r) => this.inRange(parseInstant(r[this.range.key])!) && !this.emitted.has(r.id));
  }

  assertSound(label = ''): void {
    const missing = this.missing();
    assert.deepEqual(
      missing.map((r) => `${r.id} (${r[this.range.key]})`),
      [],
      `${label}: ${missing.length} unchanged records were never emitted`
    );
    assert.deepEqual(this.violations.slice(0, 5), [], `${label}: ${this.violations.length} checkpoints passed unemitted records`);
  }

  /** Records emitted more than once (allowed, but worth bounding in quiet runs). */
  duplicates(): number {
    let n = 0;
    for (const copies of this.emitted.values()) n += copies.length - 1;
    return n;
  }
}

/** Runs a reader to its end, feeding the oracle; a checkpoint at the largest key emitted follows every page when asked. */
export async function drain(
  pages: AsyncGenerator<Record<string, any>[]>,
  oracle: Oracle,
  o: {key: string; checkpointEveryPage: boolean}
): Promise<{pages: number; error?: Error}> {
  let n = 0;
  let max: Micros | undefined;
  try {
    for await (const page of pages) {
      n++;
      assert.ok(page.length > 0, 'no empty pages are yielded');
      oracle.emit(page as Rec[]);
      for (const r of page) {
        const k = parseInstant(r[o.key])!;
        if (max === undefined || k > max) max = k;
      }
      if (o.checkpointEveryPage) oracle.checkpoint(max);
    }
  } catch (err) {
    return {pages: n, error: err as Error};
  }
  return {pages: n};
}
