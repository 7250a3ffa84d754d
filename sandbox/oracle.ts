import { fmtTs } from './dates';
import { JournalEntry, Marker } from './data/journal';
import { Store } from './data/store';
import { StreamName, TruthRecord } from './types';

export interface Deletion {
  id: string;
  at: string;
}

/**
 * What a live test checks a sync against: which records existed at a moment,
 * which were created, edited or deleted between two moments, and the latest
 * version of every record. Answers come from the journal of changes (every
 * change after generation) plus the records themselves.
 */
export class Oracle {
  constructor(private readonly s: Store) {}

  /** Now, as a moment later questions can refer to. */
  mark(): Marker {
    return this.s.mark();
  }

  /** Ids of the records the stream held at the moment. */
  existedAt(stream: StreamName, m: Marker): Set<string> {
    const out = this.s.everIds(stream);
    // Walk the journal backwards from now to the moment: undo creations and deletions made since.
    const since = this.s.journal.entries.slice(m.seq);
    const createdSince = new Set(since.filter((e) => e.stream === stream && e.op === 'create').map((e) => e.id));
    const deletedBefore = new Set(this.s.journal.upTo(stream, m).filter((e) => e.op === 'delete').map((e) => e.id));
    for (const id of createdSince) out.delete(id);
    for (const id of deletedBefore) out.delete(id);
    return out;
  }

  createdBetween(stream: StreamName, from: Marker, to?: Marker): Set<string> {
    return this.ids(this.s.journal.between(stream, from, to), 'create');
  }

  /** Edited (not created) between the moments. */
  updatedBetween(stream: StreamName, from: Marker, to?: Marker): Set<string> {
    return this.ids(this.s.journal.between(stream, from, to), 'update');
  }

  deletedBetween(stream: StreamName, from: Marker, to?: Marker): Deletion[] {
    return this.s.journal
      .between(stream, from, to)
      .filter((e) => e.op === 'delete')
      .map((e) => ({ id: e.id, at: fmtTs(e.us) }));
  }

  /** Every record the stream holds now, by id, with its latest date_updated and version. */
  latest(stream: StreamName): Map<string, TruthRecord> {
    return new Map(this.s.truth(stream).map((t) => [t.id, t]));
  }

  /** Every id the stream ever held, deleted ones included. */
  everExisted(stream: StreamName): Set<string> {
    return this.s.everIds(stream);
  }

  /** The changes made to one record, oldest first. */
  history(stream: StreamName, id: string): JournalEntry[] {
    return this.s.journal.entries.filter((e) => e.stream === stream && e.id === id);
  }

  private ids(entries: JournalEntry[], op: JournalEntry['op']): Set<string> {
    return new Set(entries.filter((e) => e.op === op).map((e) => e.id));
  }
}
