import {SyncMode} from 'faros-airbyte-cdk';
import {apiErrorInfo} from '../client/close-errors';
import {SearchObjectType, ceilSecond, floorSecond, searchBody} from '../readers/search-body';
import {readSearch} from '../readers/search-reader';
import {Micros, MICROS_PER_MINUTE, parseInstant} from '../time/instant';
import {CloseStream, StreamItem, StreamState, loadStreamSchema} from './stream-base';
import {DEFAULT_SIZING, Window, WindowSizing} from './windows';
import {RangeProbe, WindowedStream} from './windowed-stream';

export const SEARCH_PATH = '/data/search/';
/** Records per search page: the largest `_limit` public clients use (a 400 naming a lower maximum lowers it, see search-reader.ts). */
export const SEARCH_PAGE_SIZE = 200;
/**
 * How far behind the sync's start the committed cursor stays for streams read
 * through POST /data/search/. A GUESS: Close documents no lag for its search
 * index (only that recent events may become visible out of order, for which it
 * advises re-scanning five minutes); the search is fed asynchronously, so an
 * edit may be found only some time after its date_updated. Five minutes, as
 * Close's advice for events: the next sync re-reads the records edited in the
 * five minutes before this one started (a page or two on a busy account).
 */
export const DATA_SEARCH_SETTLE_MARGIN = 5 * MICROS_PER_MINUTE;

/** Statuses that say the search is not available to this key or account (as opposed to a failure of one request). */
const REFUSALS = new Set([400, 403, 404, 405, 410, 422, 501]);

/**
 * A stream of leads or contacts read through Close's Advanced Filtering API
 * (POST /data/search/), in both sync modes: date_updated windows (several at
 * once, printed in order, a checkpoint when a window is complete), each read
 * by search-reader.ts (keyset by whole seconds, Close's cursor only inside a
 * second, records whole: a record the answer lacks fields of is read by id).
 * A full refresh reads on past its start (tails), as other date_updated
 * streams do.
 *
 * Close may refuse the search (plan, permission, a body shape it does not
 * take: its body is partly a GUESS): a refusal of the first search request
 * of the sync, before anything was read, switches the stream to its
 * fallback (`fallback()`), with a warning naming Close's answer. A refusal
 * after the search answered once fails the stream, as any error does.
 */
export abstract class SearchStream extends WindowedStream {
  protected abstract get objectType(): SearchObjectType;
  /** The stream as it was read before the search: used when Close refuses the search. */
  protected abstract fallback(): CloseStream;
  /** Fields asked for beyond the schema's (Close sends them on the list endpoints too). */
  protected get extraFields(): readonly string[] {
    return [];
  }

  private searchAnswered = false;
  private catalogColumns: Record<string, Record<string, any>> | undefined;

  override get cursorField(): string {
    return 'date_updated';
  }

  override get hasCustomFields(): boolean {
    return true;
  }

  protected override get settleMargin(): Micros {
    return DATA_SEARCH_SETTLE_MARGIN;
  }

  protected override get windowSizing(): WindowSizing {
    return {...DEFAULT_SIZING, targetRecords: 3 * SEARCH_PAGE_SIZE};
  }

  override setCustomColumns(columns: Record<string, Record<string, any>>): void {
    super.setCustomColumns(columns);
    this.catalogColumns = columns;
  }

  /**
   * The fields asked for: every field the stream's schema declares (except the
   * connector's own `custom_fields` and Close's deprecated `custom` dict),
   * and `custom` (every custom field as `custom.cf_…`, added by the reader).
   * A record must come with all of them, else it is read whole by id.
   */
  protected get searchFields(): string[] {
    const declared = Object.keys(loadStreamSchema(this.name).properties ?? {});
    return declared.filter((f) => f !== 'custom_fields' && f !== 'custom' && !f.startsWith('_ab_'));
  }

  override async *readOwnItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem> {
    let emitted = false;
    try {
      for await (const item of super.readOwnItems(mode, state)) {
        if (!('estimate' in item)) emitted = true;
        yield item;
      }
    } catch (err) {
      const info = apiErrorInfo(err);
      const fallback = this.fallback();
      if (emitted || this.searchAnswered || info.status === undefined || !REFUSALS.has(info.status)) throw err;
      this.ctx.logger.warn(
        `Stream ${this.name}: Close refused POST ${SEARCH_PATH} (${info.status}${info.closeMessage ? `: ${info.closeMessage}` : ''}); ` +
          `reading ${this.name} as before the search: ${fallback.info.endpoint}`
      );
      if (this.catalogColumns) fallback.setCustomColumns(this.catalogColumns);
      yield* fallback.readOwnItems(mode, state);
    }
  }

  /** One search for one record, with Close's count of the range (a GUESS: `include_counts`, see search-body.ts). */
  protected override async probeRange(lower: Micros, upper: Micros): Promise<RangeProbe> {
    const body = searchBody({
      objectType: this.objectType,
      ranges: [{field: 'date_updated', gte: floorSecond(lower), lt: ceilSecond(upper)}],
      sortBy: 'date_updated',
      fields: ['id', 'date_updated'],
      limit: 1,
      includeCounts: true,
    });
    const page = await this.ctx.client.post(SEARCH_PATH, body, {stream: this.name});
    this.searchAnswered = true;
    const total = typeof page?.count?.total === 'number' ? page.count.total : undefined;
    const first = Array.isArray(page?.data) ? page.data[0] : undefined;
    if (!first) return {total, earliest: null};
    return {total, earliest: parseInstant(first.date_updated)};
  }

  protected async *readWindow(window: Window): AsyncGenerator<Record<string, any>[]> {
    const pages = readSearch({
      client: this.ctx.client,
      stream: this.name,
      objectType: this.objectType,
      fields: [...this.searchFields, ...this.extraFields],
      required: this.searchFields,
      lower: window.lo,
      upper: window.hi,
      pageSize: SEARCH_PAGE_SIZE,
      fetchConcurrency: this.ctx.config.requestsPerStream,
      logger: this.ctx.logger,
    });
    for await (const page of pages) {
      this.searchAnswered = true;
      yield page.records;
    }
  }
}
