import {SyncMode} from 'faros-airbyte-cdk';
import {apiErrorInfo} from '../client/close-errors';
import {configError} from '../errors';
import {readEvents} from '../readers/event-cursor-reader';
import {Micros, MICROS_PER_DAY, formatInstant, parseInstant} from '../time/instant';
import {CHILD_RESCAN, FULL_READ_KEY, FULL_READ_PERIOD, MAX_CHANGED} from './changed-children-limits';
import {ChildStream, batchesOf} from './child-stream';
import {cursorCeiling, parseCursorState} from './cursor';
import {EVENT_PAGE_SIZE, EVENT_RETENTION} from './event-log-limits';
import {streamClass} from './registry';
import {StreamItem, StreamState} from './stream-base';

/** The event actions that change a child without deleting it (deletions are deletions.ts's). */
const CHANGE_ACTIONS = ['created', 'updated'] as const;

/** The parent an event's object belongs to: by its id, or by a field of the parent record (for a parent read whole). */
export type ParentRef = {id: string} | {field: string; value: string};

/** How the event log names a child stream's objects and their parents. */
export interface ChildEvents {
  /** object_type names to walk (several where Close's name is a GUESS; one Close refuses with a 400 is skipped) */
  objectTypes: readonly string[];
  /** The parent the event's object belongs to; undefined when the event does not say (then every parent is read). */
  parentOf(event: Record<string, any>): ParentRef | undefined;
}

/** What one incremental sync reads: the parents to read and the children named by events. */
interface Changed {
  parents: Set<string>;
  children: Set<string>;
}

type Plan = {full: string} | {lower: Micros};

/**
 * A child stream in incremental mode: the children of the parents that
 * changed, not of every parent. The state is the position covered (the
 * sync's start less a second, committed once every child of the sync was
 * emitted; forward only) and when every parent was last read. On a sync with
 * state the parents read are the union of
 * - the parents changed since the position less CHILD_RESCAN: the parent
 *   stream's own incremental read, or, for a parent read whole, its records
 *   whose `parentChangedField` moved;
 * - the parents named by the event log's created/updated events of the
 *   child's object types since then (childEvents);
 * and the children emitted are those whose cursor is at or after that
 * instant, or whose id an event named (a change that did not move the
 * cursor), or with no cursor value. A child edit that moves neither its
 * parent nor an event Close logs under a name asked for is found by the full
 * read: every parent, every child, when the position is older than Close
 * keeps events, when the last one is FULL_READ_PERIOD old, and whenever the
 * event log cannot be trusted this sync (refused, an event naming no
 * parent, every object type name refused, more than MAX_CHANGED changes).
 * Deletions are the deletion walk's (deletions.ts), as for other streams.
 */
export abstract class ChangedChildrenStream extends ChildStream {
  protected abstract get childEvents(): ChildEvents;

  /** For a parent stream without an incremental read: its field that moves when the parent (or a child of it) changes. */
  protected get parentChangedField(): string | undefined {
    return undefined;
  }

  override parseState(raw: unknown): StreamState | undefined {
    const state = super.parseState(raw);
    const value = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as StreamState)[FULL_READ_KEY] : undefined;
    if (value === undefined) return state;
    if (parseInstant(value) === undefined) {
      throw configError(`Invalid state for stream ${this.name}: ${FULL_READ_KEY} ${JSON.stringify(value)} is not an ISO date-time`);
    }
    return {...state, [FULL_READ_KEY]: String(value)};
  }

  override async *readOwnItems(mode: SyncMode, state: StreamState | undefined): AsyncGenerator<StreamItem> {
    if (mode !== SyncMode.INCREMENTAL) {
      yield* super.readOwnItems(mode, state);
      return;
    }
    const reached = cursorCeiling(this.ctx.syncStartedAt, 0);
    const saved = parseCursorState(this.name, this.cursorName, state)?.micros;
    const position = formatInstant(saved === undefined ? reached : Math.max(saved, reached));
    const lastFull = parseInstant(state?.[FULL_READ_KEY]);
    if (!(await this.anyChildren())) {
      yield {checkpoint: {[this.cursorName]: position, [FULL_READ_KEY]: formatInstant(reached)}};
      return;
    }
    const plan = this.plan(saved, lastFull);
    const changed = 'lower' in plan ? await this.changedSince(plan.lower) : plan;
    if ('full' in changed || !('lower' in plan)) {
      this.ctx.logger.info(`Stream ${this.name}: reading the children of every ${this.info.parent} record: ${'full' in changed ? changed.full : ''}`);
      for await (const record of this.childrenOf(this.parentBatches())) yield this.shape(record);
      yield {checkpoint: {[this.cursorName]: position, [FULL_READ_KEY]: formatInstant(reached)}};
      return;
    }
    const lower = plan.lower;
    this.ctx.logger.info(
      `Stream ${this.name}: ${changed.parents.size} ${this.info.parent} records changed or named by the event log since ${formatInstant(lower)}; reading their children only`
    );
    for await (const record of this.childrenOf(batchesOf(changed.parents))) {
      const at = parseInstant(record[this.cursorName]);
      if (at !== undefined && at < lower && !changed.children.has(String(record[this.primaryKey]))) continue;
      yield this.shape(record);
    }
    yield {checkpoint: {[this.cursorName]: position, [FULL_READ_KEY]: formatInstant(lastFull ?? saved!)}};
  }

  /** Whether this sync can read only what changed, from when; or why it reads every parent. */
  private plan(saved: Micros | undefined, lastFull: Micros | undefined): Plan {
    const start = this.ctx.syncStartedAt;
    if (saved === undefined) return {full: 'no saved position (first sync)'};
    const lower = saved - CHILD_RESCAN;
    if (lower < start - EVENT_RETENTION) {
      return {full: `the saved position ${formatInstant(saved)} is older than the 30 days of events Close keeps`};
    }
    // A state without the time of the last full read (written by hand, or a future state's cursor only) is
    // taken as one read in full up to its position: due once that is FULL_READ_PERIOD old.
    const full = lastFull ?? saved;
    if (full < start - FULL_READ_PERIOD) {
      return {full: `the last full read (${formatInstant(full)}${lastFull === undefined ? `, the position: the state has no ${FULL_READ_KEY}` : ''}) is more than ${FULL_READ_PERIOD / MICROS_PER_DAY} days old`};
    }
    return {lower};
  }

  /** The parents changed or named by events since `lower`, and the children named; or why every parent must be read. */
  private async changedSince(lower: Micros): Promise<Changed | {full: string}> {
    const byField = new Map<string, Set<string>>();
    const changed: Changed = {parents: new Set(), children: new Set()};
    const fromEvents = await this.namedByEvents(lower, changed, byField);
    if (fromEvents) return {full: fromEvents};
    const tooMany = {full: `more than ${MAX_CHANGED} changed ${this.info.parent} records or ${this.name}`};
    const Parent = streamClass(this.info.parent!);
    const parent = new Parent(this.ctx);
    const key = Parent.info.primaryKey;
    if (Parent.info.cursor && Parent.info.syncModes.includes('incremental')) {
      if (byField.size > 0) return {full: `events name ${this.info.parent} records by ${[...byField.keys()].join(', ')}, which its incremental read cannot select`};
      for await (const item of parent.readOwnItems(SyncMode.INCREMENTAL, {[Parent.info.cursor]: formatInstant(lower)})) {
        if (!('record' in item)) continue;
        changed.parents.add(String(item.record[key]));
        if (changed.parents.size > MAX_CHANGED) return tooMany;
      }
      return changed;
    }
    const field = this.parentChangedField;
    if (!field) throw new Error(`stream ${this.name}: its parent ${this.info.parent} has no incremental read and no parentChangedField is declared`);
    for await (const item of parent.readItems(SyncMode.FULL_REFRESH, undefined)) {
      if (!('record' in item)) continue;
      const r = item.record;
      const at = parseInstant(r[field]);
      const named = [...byField].some(([f, values]) => r[f] != null && values.has(String(r[f])));
      if (at === undefined || at >= lower || named) changed.parents.add(String(r[key]));
      if (changed.parents.size > MAX_CHANGED) return tooMany;
    }
    return changed;
  }

  /**
   * Walks the event log's created/updated events of the child's object
   * types since `lower`, adding their parents and objects; returns why the
   * events cannot be relied on, if they cannot.
   */
  private async namedByEvents(lower: Micros, changed: Changed, byField: Map<string, Set<string>>): Promise<string | undefined> {
    const {objectTypes, parentOf} = this.childEvents;
    let refused = 0;
    for (const objectType of objectTypes) {
      for (const action of CHANGE_ACTIONS) {
        try {
          for await (const page of readEvents({
            client: this.ctx.client,
            stream: this.name,
            pageSize: EVENT_PAGE_SIZE,
            lower,
            upper: this.ctx.syncStartedAt,
            filters: {object_type: objectType, action},
          })) {
            for (const event of page) {
              if (event?.object_type !== objectType || event?.action !== action) continue;
              const ref = parentOf(event);
              if (!ref) return `the event ${event.id} (${objectType} ${action}) names no ${this.info.parent} record`;
              if ('id' in ref) changed.parents.add(ref.id);
              else {
                const values = byField.get(ref.field) ?? new Set<string>();
                values.add(ref.value);
                byField.set(ref.field, values);
              }
              if (typeof event.object_id === 'string') changed.children.add(event.object_id);
              if (changed.parents.size + changed.children.size > MAX_CHANGED) return `more than ${MAX_CHANGED} ${objectType} events`;
            }
          }
        } catch (err) {
          const {status, closeMessage} = apiErrorInfo(err);
          const said = `${status}: ${closeMessage ?? 'no message'}`;
          if (status === 403 || status === 404) return `Close refused this API key the event log (GET /event/, ${said})`;
          if (status !== 400) throw err;
          refused++;
          this.ctx.logger.info(`Stream ${this.name}: Close refused the event log filter object_type=${objectType}&action=${action} (${said}); that name is skipped`);
        }
      }
    }
    if (refused === objectTypes.length * CHANGE_ACTIONS.length) return `Close refused every event log object type asked for (${objectTypes.join(', ')})`;
    return undefined;
  }
}
