import {apiErrorInfo, isSkipCapMessage} from '../client/close-errors';
import {readAllPages} from '../readers/offset-reader';
import {readKeyset} from '../readers/keyset-reader';
import {Micros, MICROS_PER_MINUTE, formatMinute} from '../time/instant';
import {FullScanStream} from './full-scan-stream';
import {SEARCH_SETTLE_MARGIN} from './leads-query';
import {StreamInfo} from './stream-info';

/**
 * The `contacts` stream's fallback (see contacts.ts), used only when POST
 * /data/search/ is refused: GET /contact/. Close has no date filter or sort
 * here, so contacts are paged by offset — until Close's skip cap: past it, the rest comes from the lead
 * search, which embeds each lead's contacts and pages by date without
 * offsets. Contacts already printed are not printed again; that set of ids
 * exists only on this path and is bounded by the skip cap. Not in the
 * registry: its declaration describes the fallback only.
 */
export class ContactsScan extends FullScanStream {
  static readonly info: StreamInfo = {
    name: 'contacts',
    endpoint: 'GET /contact/ (past the skip cap: GET /lead/ with its contacts)',
    kind: 'scan',
    syncModes: ['full_refresh', 'incremental'],
    cursor: 'date_updated',
    primaryKey: 'id',
    notes: 'read whole, records ≥ cursor emitted; typed custom field columns',
    eventObjectTypes: ['contact'],
    airbyte: [{stream: 'contacts'}],
  };


  protected get path(): string {
    return '/contact/';
  }

  protected get pageSize(): number {
    return 100;
  }

  override get hasCustomFields(): boolean {
    return true;
  }

  private readThroughSearch = false;

  /** Past the skip cap contacts come from the lead search, which may lag (see SEARCH_SETTLE_MARGIN). */
  protected override get settleMargin(): Micros {
    return this.readThroughSearch ? SEARCH_SETTLE_MARGIN : 0;
  }

  protected override get settleMargins(): Micros[] {
    return [0, SEARCH_SETTLE_MARGIN];
  }

  protected override async *pages(): AsyncGenerator<Record<string, any>[]> {
    const seen = new Set<string>();
    try {
      for await (const page of readAllPages({
        client: this.ctx.client,
        path: this.path,
        stream: this.name,
        pageSize: this.pageSize,
        concurrency: this.ctx.config.requestsPerStream,
      })) {
        for (const contact of page) seen.add(contact.id);
        yield page;
      }
      return;
    } catch (err) {
      const info = apiErrorInfo(err);
      if (info.status !== 400 || !isSkipCapMessage(info.closeMessage)) throw err;
      this.ctx.logger.warn(
        `Stream ${this.name}: Close refused to page past ${seen.size} contacts (${info.closeMessage}); reading the rest through the leads that embed them`
      );
    }
    this.readThroughSearch = true;
    yield* this.contactsThroughLeads(seen);
  }

  /**
   * Every lead by date_created (which edits leave alone), with its contacts.
   * A contact created or moved to another lead (a merge) while this runs may
   * be missed here: its date_updated is then past the sync's start (a guess
   * for merges: Close does not say that moving a contact updates it), and the
   * committed cursor stays before the start, so the next sync prints it.
   */
  private async *contactsThroughLeads(seen: Set<string>): AsyncGenerator<Record<string, any>[]> {
    const pages = readKeyset({
      client: this.ctx.client,
      path: '/lead/',
      stream: this.name,
      pageSize: 200,
      key: 'date_created',
      direction: 'asc',
      quantum: MICROS_PER_MINUTE,
      upper: Math.ceil(this.ctx.syncStartedAt / MICROS_PER_MINUTE) * MICROS_PER_MINUTE,
      params: (b) => ({
        query: [b.gte === undefined ? undefined : `date_created>="${formatMinute(b.gte)}"`, `date_created<"${formatMinute(b.lt)}"`, 'sort:date_created']
          .filter(Boolean)
          .join(' '),
        _fields: 'id,date_created,contacts',
      }),
    });
    for await (const leads of pages) {
      const contacts: Record<string, any>[] = [];
      for (const lead of leads) {
        for (const contact of Array.isArray(lead.contacts) ? lead.contacts : []) {
          if (contact && typeof contact.id === 'string' && !seen.has(contact.id)) contacts.push(contact);
        }
      }
      if (contacts.length > 0) yield contacts;
    }
  }
}
