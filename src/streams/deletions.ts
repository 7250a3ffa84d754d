import {AirbyteLogger} from 'faros-airbyte-cdk';
import {CloseClient} from '../client/close-client';
import {apiErrorInfo} from '../client/close-errors';
import {configError} from '../errors';
import {readEvents} from '../readers/event-cursor-reader';
import {Micros, formatInstant, parseInstant} from '../time/instant';
import {cursorCeiling} from './cursor';
import {EVENT_PAGE_SIZE, EVENT_RESCAN, EVENT_RETENTION} from './event-log-limits';
import {StreamInfo} from './stream-info';

/**
 * Deletions from Close's event log, as records of the stream whose objects
 * were deleted (issue 13): `{id, <cursor>: t, _ab_cdc_deleted_at: t}`, t the
 * deletion event's date_updated. The cursor field set to the deletion time
 * makes the deletion the latest version of its row for Append + Deduped (the
 * row's own cursor value is never later than its deletion), and
 * `_ab_cdc_deleted_at` is the column Airbyte destinations drop deduped rows
 * by. Full refresh emits none: an overwrite leaves deleted rows out anyway.
 *
 * Each stream walks the log itself, one walk per object type it declares
 * (`eventObjectTypes`), filtered `object_type` + `action=deleted`: a
 * combination Close supports, unlike `action` alone
 * (https://developer.close.com/api/resources/events/list.md), so that a busy
 * account's creations and edits are never read for it. Leads add
 * `action=merged`: the merged-away lead (meta.merge_source_lead_id) is
 * deleted too. A quiet account costs one request per walk.
 */

/** The state key of the deletions' position, next to the stream's own cursor. */
export const DELETIONS_KEY = 'deletions';
/** The column Airbyte destinations honour in Append + Deduped. */
export const DELETED_AT = '_ab_cdc_deleted_at';

/** One filtered walk of the event log. */
export interface DeletionQuery {
  objectType: string;
  action: 'deleted' | 'merged';
}

/**
 * The walks a stream's deletions take, none where it has none: only
 * incremental streams keyed on `id` (the event's object_id) whose objects
 * Close logs.
 */
export function deletionQueries(info: StreamInfo): DeletionQuery[] {
  if (!info.cursor || !info.syncModes.includes('incremental') || info.primaryKey !== 'id') return [];
  const types = [...new Set(info.eventObjectTypes ?? [])];
  return types.flatMap((objectType): DeletionQuery[] =>
    objectType === 'lead' ? [{objectType, action: 'deleted'}, {objectType, action: 'merged'}] : [{objectType, action: 'deleted'}]
  );
}

/**
 * The id an event says is gone, or undefined for an event this walk did not
 * ask for (another object type or action: ignored, whatever Close sends).
 */
export function deletedIdOf(event: Record<string, any>, query: DeletionQuery): string | undefined {
  if (event?.object_type !== query.objectType || event?.action !== query.action) return undefined;
  const id = query.action === 'merged' ? event.meta?.merge_source_lead_id : event.object_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** A saved deletions position: `{"date_updated": "<ISO>"}`, the event log's date_updated read up to. */
export function parseDeletionPosition(stream: string, raw: unknown): {micros: Micros; text: string} | undefined {
  if (raw === undefined) return undefined;
  const value = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>).date_updated : undefined;
  const micros = parseInstant(value);
  if (micros === undefined) {
    throw configError(
      `Invalid state for stream ${stream}: ${DELETIONS_KEY} must be like {"date_updated": "2024-05-01T12:34:56.789000+00:00"}, got ${JSON.stringify(raw)}`
    );
  }
  return {micros, text: String(value)};
}

export interface DeletionWalkOptions {
  client: CloseClient;
  logger: AirbyteLogger;
  stream: string;
  /** The stream's cursor field: set to the deletion time. */
  cursorField: string;
  queries: readonly DeletionQuery[];
  syncStartedAt: Micros;
  startDate: Micros;
  /**
   * Where the last sync's walk ended; `undefined` for a state saved before
   * deletions existed (walk Close's whole 30 days); `'first sync'` when
   * there is no state at all (nothing to walk: see carried()).
   */
  saved: Micros | undefined | 'first sync';
}

/**
 * One sync's deletions of one stream. The position committed is the walk's
 * upper bound, reached only when every walk is done: events are newest
 * first, so a walk cut short proves nothing about older ones. The next walk
 * starts 5 minutes earlier (events may become visible late, as Close says);
 * a deletion read twice is the same row twice.
 */
export class DeletionWalk {
  /** Exclusive upper bound of the walks: the sync's start (rounded up to the second). */
  readonly upper: Micros;
  /**
   * The position a complete walk commits: a second before the sync's start,
   * as the streams' own cursors (cursor.ts): an event written while the walk
   * runs may be missed, and is dated at least this late.
   */
  private readonly reached: Micros;
  /** Inclusive lower bound, or undefined when there is nothing to walk. */
  readonly lower: Micros | undefined;
  /** Set when Close refused the event log to this key: the position then stays where it was. */
  private refused = false;

  constructor(private readonly o: DeletionWalkOptions) {
    this.upper = o.syncStartedAt;
    this.reached = cursorCeiling(o.syncStartedAt, 0);
    const oldestInClose = o.syncStartedAt - EVENT_RETENTION;
    if (o.saved === 'first sync') {
      // The sync's reads start after its position: an object deleted before
      // it is not among its records, one deleted later is the next walk's.
      this.lower = undefined;
    } else if (o.saved === undefined) {
      this.lower = Math.max(oldestInClose, o.startDate);
      o.logger.info(
        `Stream ${o.stream}: no deletions position in the saved state (saved before deletions were read); reading deletions from ${formatInstant(this.lower)}, as far back as Close keeps them`
      );
    } else {
      if (o.saved < oldestInClose) {
        o.logger.warn(
          `Stream ${o.stream}: deletions were last read up to ${formatInstant(o.saved)}, more than 30 days ago; Close keeps deletions for 30 days, so rows deleted between then and ${formatInstant(oldestInClose)} stay in the destination (a full refresh of the stream removes them)`
        );
      }
      this.lower = Math.max(o.saved - EVENT_RESCAN, oldestInClose, o.startDate);
    }
  }

  /** The position the stream's own checkpoints carry until the walk is done. */
  carried(): Micros | undefined {
    if (this.o.saved === 'first sync') return this.reached;
    return this.o.saved;
  }

  /** The position to commit once every record of records() was emitted. */
  position(): Micros | undefined {
    if (this.refused || this.lower === undefined) return this.carried();
    const saved = this.o.saved;
    return typeof saved === 'number' ? Math.max(this.reached, saved) : this.reached;
  }

  /** The deletion records, walk after walk. */
  async *records(): AsyncGenerator<Record<string, any>> {
    if (this.lower === undefined || this.lower >= this.upper) return;
    for (const query of this.o.queries) {
      try {
        for await (const page of readEvents({
          client: this.o.client,
          stream: this.o.stream,
          pageSize: EVENT_PAGE_SIZE,
          lower: this.lower,
          upper: this.upper,
          filters: {object_type: query.objectType, action: query.action},
        })) {
          for (const event of page) {
            const id = deletedIdOf(event, query);
            const at = parseInstant(event.date_updated);
            if (id === undefined || at === undefined) continue;
            const time = formatInstant(at);
            yield {id, [this.o.cursorField]: time, [DELETED_AT]: time};
          }
        }
      } catch (err) {
        if (!this.skippable(err, query)) throw err;
        if (this.refused) return;
      }
    }
  }

  /**
   * What a failed walk means for users. A key Close refuses the event log
   * (403, or 404 where the plan lacks it; whether non-admin keys see deleted
   * events is undocumented) must not fail the stream's records: warn, skip
   * the deletions, keep the position (they arrive once the key may read
   * them, within 30 days). A 400 for one walk (Close refusing a filter value
   * such as an object type it does not know) is the same on every sync:
   * warn and go on without it. Anything else fails the stream, after its
   * records and their checkpoint.
   */
  private skippable(err: unknown, query: DeletionQuery): boolean {
    const {status, closeMessage} = apiErrorInfo(err);
    const said = `${status}: ${closeMessage ?? 'no message'}`;
    if (status === 403 || status === 404) {
      this.refused = true;
      this.o.logger.warn(
        `Stream ${this.o.stream}: Close refused this API key the event log (GET /event/, ${said}); deletions are not delivered this sync and will be read once the key may read the event log (an admin key can), for up to 30 days after they happened`
      );
      return true;
    }
    if (status === 400) {
      this.o.logger.warn(
        `Stream ${this.o.stream}: Close refused the event log filter object_type=${query.objectType}&action=${query.action} (${said}); deletions of ${query.objectType} objects are not delivered`
      );
      return true;
    }
    return false;
  }
}
