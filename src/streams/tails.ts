import {Micros} from '../time/instant';

/** At most this many tails per stream and sync: each reads what was edited while the one before ran. */
export const MAX_TAILS = 4;
/** Versions remembered to tell a re-read from a new record; bounded, see TailMemory. */
export const TAIL_MEMORY = 10_000;

/**
 * What a full refresh of a date_updated-keyed stream reads after its range.
 *
 * An edit moves a record to date_updated = now. The range ends at the sync's
 * start, so a record edited before the scan reached its old position is in
 * neither place the scan looks: that full refresh never delivers it, and an
 * overwritten destination table lacks it until the next sync. (Incremental
 * syncs do not need this: their committed cursor stays before the sync's
 * start, so the next sync reads such records.)
 *
 * So the scan stops at `firstFrom` (the sync's start less the stream's
 * settle margin, on the quantum before) and tails read on from there: tail
 * ranges [from, to), each ending at the next whole quantum after now, the
 * first starting where the scan stopped (no overlap: nothing to remember, a
 * bulk import in the margin is read once), each later one just before the
 * moment the previous tail started, less the margin. Every record edited
 * while the previous read ran has date_updated past that moment, so each tail
 * leaves only records edited while it ran; tails repeat while they bring
 * such records, at most MAX_TAILS times.
 *
 * A later tail overlaps its predecessor by up to one quantum plus the margin:
 * the versions (id, date_updated) emitted there are remembered and not
 * emitted again. The memory is bounded: once full, no further tail runs (it
 * could not tell a re-read from a new version). A tail that finds nothing
 * costs one request: on a quiet account, one per stream.
 */
export class TailPlan {
  private readonly memory = new TailMemory();
  private nextFrom: Micros;
  /** When the read before the next tail started: records keyed from there on were edited while it ran. */
  private readStart: Micros;
  /** When the read before the current tail started, on the quantum before: its records from there on were edited during that read. */
  private freshFrom = Infinity;
  private tails = 0;
  private fresh = false;

  constructor(
    /** The sync's start as Close's clock showed it (syncStartedAt is rounded up to the second). */
    readonly start: Micros,
    private readonly quantum: Micros,
    private readonly settleMargin: Micros
  ) {
    this.readStart = start;
    this.nextFrom = this.floor(start - settleMargin);
  }

  /** Where the scan ends (exclusive) and the first tail starts. */
  get firstFrom(): Micros {
    return this.nextFrom;
  }

  private floor(t: Micros): Micros {
    return Math.floor(t / this.quantum) * this.quantum;
  }

  /**
   * The next tail's range, given the time now. The first always runs; the
   * others only while the previous one brought records edited during the
   * read before it (and the memory could tell), at most MAX_TAILS in all.
   */
  next(now: Micros): {from: Micros; to: Micros} | undefined {
    if (this.tails >= MAX_TAILS || (this.tails > 0 && (!this.fresh || this.memory.full))) return undefined;
    this.tails++;
    this.fresh = false;
    const from = this.nextFrom;
    const to = Math.max(from + this.quantum, Math.ceil(now / this.quantum) * this.quantum);
    this.freshFrom = this.floor(this.readStart);
    this.readStart = now;
    this.nextFrom = this.floor(now - this.settleMargin);
    return {from, to};
  }

  /**
   * Whether a record a tail read is a version not emitted yet. Notes it if
   * the next tail may read it again, and whether it was edited while the
   * previous read ran (which is what makes another tail worth its request).
   */
  isNew(id: unknown, key: Micros | undefined): boolean {
    if (key === undefined) return true;
    if (this.memory.has(id, key)) return false;
    if (key >= this.nextFrom) this.memory.add(id, key);
    if (key >= this.freshFrom) this.fresh = true;
    return true;
  }

  /** Tails read so far. */
  get count(): number {
    return this.tails;
  }

  /** Whether the last tail brought records edited during the read before it (so records edited while it ran may be missing). */
  get endedBusy(): boolean {
    return this.fresh;
  }
}

/** A bounded set of (id, cursor value) pairs; `full` once it refused one. */
class TailMemory {
  private readonly keys = new Set<string>();
  full = false;

  private static key(id: unknown, micros: Micros): string {
    return `${String(id)}\u0000${micros}`;
  }

  add(id: unknown, micros: Micros): void {
    if (this.full) return;
    if (this.keys.size >= TAIL_MEMORY) {
      this.full = true;
      this.keys.clear();
      return;
    }
    this.keys.add(TailMemory.key(id, micros));
  }

  has(id: unknown, micros: Micros): boolean {
    return this.keys.has(TailMemory.key(id, micros));
  }
}
