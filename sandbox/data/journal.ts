import { fmtTs } from '../dates';
import { StreamName } from '../types';

export type ChangeOp = 'create' | 'update' | 'delete';

export interface JournalEntry {
  /** position in the journal: changes are totally ordered, also within one millisecond */
  seq: number;
  stream: StreamName;
  id: string;
  op: ChangeOp;
  /** when (µs) */
  us: number;
}

/** A moment of the sandbox's history: the changes made before it, and the wall clock. */
export interface Marker {
  seq: number;
  us: number;
  iso: string;
}

/**
 * Every change made after the data set was generated, in order. Generated
 * records have no entry: they existed from the start. Only changes write
 * here, so a sandbox that stands still costs nothing.
 */
export class Journal {
  readonly entries: JournalEntry[] = [];

  note(stream: StreamName, id: string, op: ChangeOp, us: number): void {
    this.entries.push({ seq: this.entries.length + 1, stream, id, op, us });
  }

  mark(us: number): Marker {
    return { seq: this.entries.length, us, iso: fmtTs(us) };
  }

  /** Entries of a stream after `from` and up to `to` (default: now). */
  between(stream: StreamName, from: Marker, to?: Marker): JournalEntry[] {
    const end = to ? to.seq : this.entries.length;
    return this.entries.slice(from.seq, end).filter((e) => e.stream === stream);
  }

  /** Entries of a stream up to a marker. */
  upTo(stream: StreamName, m: Marker): JournalEntry[] {
    return this.entries.slice(0, m.seq).filter((e) => e.stream === stream);
  }
}
