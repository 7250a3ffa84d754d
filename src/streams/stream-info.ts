/**
 * What is known about a stream without a Close client: everything the
 * connector's stream list, the tests, the benchmark, the acceptance-test
 * files and the docs tables are derived from (see registry.ts). Every stream
 * class carries one as `static info`.
 */

export type SyncModeName = 'full_refresh' | 'incremental';

/** How a stream reads Close, for the docs and for the tests that pick a check per kind. */
export type StreamKind =
  /** one list endpoint read whole (offset pages, or one answer where Close does not page) */
  | 'list'
  /** one list endpoint read whole; incremental by filtering on the cursor afterwards */
  | 'scan'
  /** one list per record of a parent stream */
  | 'child'
  /** a parent list, then one GET per record for the fields only the single object has */
  | 'detail'
  /** date_created windows with the attribution window (activities, per-type activity endpoints) */
  | 'created_windows'
  /** date_updated windows in date_updated order */
  | 'updated_windows'
  /** date_updated windows paged by date_created */
  | 'task_windows'
  /** date_updated windows through the Advanced Filtering API (POST /data/search/), with a fallback where Close refuses it */
  | 'search_windows'
  /** the event log's cursor walk */
  | 'events'
  /** another shape of request, described in the notes */
  | 'custom';

export interface AirbyteStreamMapping {
  /** Airbyte's stream name */
  stream: string;
  /** how its rows are selected from ours, e.g. `_type = 'Call'`; absent when the stream is the same */
  where?: string;
  /** what else differs */
  note?: string;
}

export interface StreamInfo {
  name: string;
  /** The request(s), for the docs: `GET /role/`. */
  endpoint: string;
  kind: StreamKind;
  syncModes: readonly SyncModeName[];
  /** The cursor field of incremental streams. */
  cursor?: string;
  /** The primary key; `id` unless Close gives the objects none. */
  primaryKey: string;
  /** The stream whose records this one is read per (child and detail streams). */
  parent?: string;
  /** One line for the docs tables. */
  notes: string;
  /** Why the stream is full refresh only (docs). */
  fullRefreshBecause?: string;
  /** Why a real account may have no records here: CAT's empty_streams bypass reason. */
  emptyBecause?: string;
  /**
   * The event log's object_type values of this stream's objects, where Close
   * logs them (for deletions). Several when Close's spelling is not settled.
   */
  eventObjectTypes?: readonly string[];
  /**
   * A plan feature or a permission Close may refuse this stream for (named
   * in the WARN of a skipped stream, see src/source/refusals.ts); a declared
   * feature also makes a 404 a refusal. `documented`: where Close says so
   * (absent: a GUESS, docs/close-api-behaviour.md).
   */
  requires?: {feature?: string; permission?: string; documented?: string};
  /** The streams of Airbyte's Close source this one replaces. */
  airbyte?: readonly AirbyteStreamMapping[];
  /** Fields Close sends that are never emitted (secrets). */
  omitFields?: readonly string[];
  /**
   * Fields whose JSON type Close does not document or varies: declared as
   * strings and emitted as text (see text-values.ts). Paths as there.
   */
  textFields?: readonly string[];
  /** One of Stitch's six tables. */
  stitch?: boolean;
}

const FULL: readonly SyncModeName[] = ['full_refresh'];
const BOTH: readonly SyncModeName[] = ['full_refresh', 'incremental'];

/** The sync modes of a stream with or without a cursor. */
export function syncModesFor(cursor: string | undefined): readonly SyncModeName[] {
  return cursor ? BOTH : FULL;
}
