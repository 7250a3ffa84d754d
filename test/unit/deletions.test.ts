import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {SyncMode} from 'faros-airbyte-cdk';
import {parseConfig} from '../../src/config/config';
import {failureTypeOf} from '../../src/errors';
import {HttpRequest, HttpResponse} from '../../src/client/transport';
import {DELETED_AT, DeletionQuery, DeletionWalk, deletionQueries} from '../../src/streams/deletions';
import {CustomFields} from '../../src/streams/full-scan-stream';
import {streamClass} from '../../src/streams/registry';
import {StreamItem} from '../../src/streams/stream-base';
import {MICROS_PER_DAY, MICROS_PER_MINUTE, MICROS_PER_SECOND, Micros, formatInstant, parseInstant} from '../../src/time/instant';
import {API_KEY, FakeClock, newClient, res} from './helpers/fakes';

const NOW = parseInstant('2024-06-01T12:00:00Z')!;
const UPPER = NOW - MICROS_PER_SECOND;
const ago = (minutes: number) => NOW - minutes * MICROS_PER_MINUTE;
const DAY_MINUTES = 24 * 60;

type Event = Record<string, any>;

function event(id: string, at: Micros, objectType: string, action: string, extra: Event = {}): Event {
  return {id, date_created: formatInstant(at), date_updated: formatInstant(at), object_type: objectType, object_id: extra.object_id ?? null, action, data: null, ...extra};
}
const deleted = (id: string, objectId: string, at: Micros, objectType = 'lead') => event(id, at, objectType, 'deleted', {object_id: objectId, lead_id: objectId});

/**
 * An in-memory GET /event/: newest date_updated first, cursor paging, the
 * object_type/action filters applied unless `ignoreFilters` (a Close that
 * sends more than it was asked). Records every request.
 */
function eventLog(events: Event[], o: {pageSize?: number; ignoreFilters?: boolean; answer?: (req: HttpRequest) => HttpResponse | undefined} = {}) {
  const sorted = [...events].sort((a, b) => parseInstant(b.date_updated)! - parseInstant(a.date_updated)!);
  const requests: HttpRequest[] = [];
  const transport = async (req: HttpRequest): Promise<HttpResponse> => {
    requests.push(req);
    const special = o.answer?.(req);
    if (special) return special;
    const p = req.params;
    let start = 0;
    let range = {gte: p.date_updated__gte, lte: p.date_updated__lte};
    if (p._cursor !== undefined) ({start, range} = JSON.parse(String(p._cursor)));
    const list = sorted.filter((e) => {
      const t = parseInstant(e.date_updated)!;
      if (range.gte !== undefined && t < parseInstant(range.gte)!) return false;
      if (range.lte !== undefined && t > parseInstant(range.lte)!) return false;
      if (o.ignoreFilters) return true;
      return (p.object_type === undefined || e.object_type === p.object_type) && (p.action === undefined || e.action === p.action);
    });
    const size = o.pageSize ?? Number(p._limit ?? 50);
    const data = list.slice(start, start + size);
    const more = start + size < list.length;
    return res(200, {data, cursor_next: more ? JSON.stringify({start: start + size, range}) : null, cursor_previous: null});
  };
  return {transport, requests};
}

function logger() {
  const lines: {level: string; message: string}[] = [];
  const at = (level: string) => (message: string) => void lines.push({level, message});
  return {lines, log: {info: at('INFO'), warn: at('WARN'), error: at('ERROR'), debug: at('DEBUG'), trace: at('TRACE')} as any};
}

async function walk(
  events: Event[],
  queries: DeletionQuery[],
  saved: Micros | undefined | 'first sync',
  o: Parameters<typeof eventLog>[1] & {startDate?: Micros} = {}
) {
  const log = eventLog(events, o);
  const {lines, log: l} = logger();
  const w = new DeletionWalk({
    client: newClient(log.transport, new FakeClock()),
    logger: l,
    stream: 'leads',
    cursorField: 'date_updated',
    queries,
    syncStartedAt: NOW,
    startDate: o.startDate ?? 0,
    saved,
  });
  const records: Record<string, any>[] = [];
  let error: Error | undefined;
  try {
    for await (const r of w.records()) records.push(r);
  } catch (err) {
    error = err as Error;
  }
  return {records, error, position: w.position(), carried: w.carried(), requests: log.requests, lines, walk: w};
}

const LEADS = deletionQueries(streamClass('leads').info);

describe('deletion walks of the event log (src/streams/deletions.ts)', () => {
  it('one walk per object type and action, filtered as Close supports (object_type + action), resent with every cursor', async () => {
    const events = [...Array(7)].map((_, i) => deleted(`ev_${i}`, `lead_${i}`, ago(10 + i)));
    const {records, requests, position} = await walk(events, LEADS, ago(60), {pageSize: 3});
    assert.deepEqual(records.map((r) => r.id), [...Array(7)].map((_, i) => `lead_${i}`));
    // the record: its primary key, its cursor and _ab_cdc_deleted_at at the deletion, nothing else
    assert.deepEqual(records[0], {id: 'lead_0', date_updated: formatInstant(ago(10)), [DELETED_AT]: formatInstant(ago(10))});
    assert.ok(requests.length >= 2);
    for (const r of requests) {
      assert.equal(r.params.object_type, 'lead');
      assert.ok(['deleted', 'merged'].includes(String(r.params.action)));
      assert.equal(r.params._skip, undefined);
    }
    assert.ok(requests.some((r) => r.params._cursor !== undefined && r.params.action === 'deleted'), 'cursor requests carry the filters');
    assert.equal(position, UPPER, 'the position is the walk’s end, a second before the sync started');
  });

  it('starts 5 minutes before the saved position (events become visible late) and reads nothing after the sync started', async () => {
    const late = deleted('ev_late', 'lead_late', ago(62)); // dated before the saved position, visible only now
    const tooNew = deleted('ev_new', 'lead_new', NOW);
    const tooOld = deleted('ev_old', 'lead_old', ago(70));
    const {records, requests} = await walk([late, tooNew, tooOld], LEADS, ago(60));
    assert.deepEqual(records.map((r) => r.id), ['lead_late']);
    assert.equal(parseInstant(requests[0].params.date_updated__gte), ago(65));
    assert.ok(parseInstant(requests[0].params.date_updated__lte)! <= NOW);
  });

  it('merged-away leads count as deleted: the merged event names them in meta.merge_source_lead_id', async () => {
    const meta = {merge_source_lead_id: 'lead_src', merge_destination_lead_id: 'lead_dst'};
    const events = [
      // Close: "lead_id and data contain the … destination lead", the source gets its own deleted event
      event('ev_m', ago(5), 'lead', 'merged', {object_id: 'lead_dst', lead_id: 'lead_dst', meta}),
      event('ev_d', ago(5), 'lead', 'deleted', {object_id: 'lead_src', lead_id: 'lead_src', meta}),
      event('ev_u', ago(5), 'lead', 'updated', {object_id: 'lead_dst', lead_id: 'lead_dst', meta}),
      // a merged event without meta names no lead
      event('ev_m2', ago(4), 'lead', 'merged', {object_id: 'lead_x', lead_id: 'lead_x'}),
    ];
    const {records} = await walk(events, LEADS, ago(60));
    // once from the deleted event, once from the merged one: the same row, deduplicated by the destination
    assert.deepEqual(records.map((r) => r.id).sort(), ['lead_src', 'lead_src']);
    assert.ok(!records.some((r) => r.id === 'lead_dst'), 'the destination lead stays');
  });

  it('ignores what it did not ask for: other object types (nested spellings), other actions, events without an id', async () => {
    const events = [
      deleted('ev_1', 'lead_1', ago(3)),
      deleted('ev_2', 'acti_1', ago(3), 'activity.note'),
      deleted('ev_3', 'task_1', ago(3), 'task.lead'),
      event('ev_4', ago(3), 'lead', 'updated', {object_id: 'lead_2'}),
      event('ev_5', ago(3), 'lead', 'created', {object_id: 'lead_3'}),
      event('ev_6', ago(3), 'lead', 'deleted', {object_id: null}),
      event('ev_7', ago(3), 'lead.something_new', 'deleted', {object_id: 'lead_4'}),
    ];
    const {records, error} = await walk(events, LEADS, ago(60), {ignoreFilters: true});
    assert.equal(error, undefined);
    assert.deepEqual(records.map((r) => r.id), ['lead_1']);
  });

  it('events out of order between pages (a cursor that jumps back to newer events): starts again by date, nothing lost', async () => {
    const events = [...Array(12)].map((_, i) => deleted(`ev_${i}`, `lead_${i}`, ago(20 + i)));
    let jumped = false;
    const {records, error} = await walk(events, [{objectType: 'lead', action: 'deleted'}], ago(60), {
      pageSize: 4,
      answer: (req) => {
        // the second cursor page: the newest events again, as a cursor whose event moved would give
        if (req.params._cursor !== undefined && !jumped) {
          jumped = true;
          return res(200, {data: events.slice(0, 4).map((e) => ({...e})), cursor_next: JSON.stringify({start: 8, range: {}}), cursor_previous: null});
        }
        return undefined;
      },
    });
    assert.equal(error, undefined);
    assert.ok(jumped);
    const ids = new Set(records.map((r) => r.id));
    assert.deepEqual([...ids].sort(), events.map((e) => e.object_id).sort());
  });

  it('events out of date order inside a page: the stream fails loudly (system_error), the position is not advanced', async () => {
    const events = [deleted('ev_a', 'lead_a', ago(30)), deleted('ev_b', 'lead_b', ago(10))];
    const {error, walk: w} = await walk(events, [{objectType: 'lead', action: 'deleted'}], ago(60), {
      answer: () => res(200, {data: events, cursor_next: null, cursor_previous: null}),
    });
    assert.ok(error);
    assert.equal(failureTypeOf(error), 'system_error');
    assert.match(error!.message, /out of date_updated order/);
    assert.match(error!.message, /object_type=lead&action=deleted/, 'the error names the walk');
    // the stream never commits position() after a failed walk: carried() is what its checkpoints hold
    assert.equal(w.carried(), ago(60));
  });

  it('the 30-day limit: a position older than 30 days warns and starts at what Close still keeps', async () => {
    const {requests, lines, position} = await walk([], LEADS, NOW - 40 * MICROS_PER_DAY);
    assert.equal(parseInstant(requests[0].params.date_updated__gte), NOW - 30 * MICROS_PER_DAY);
    const warn = lines.find((l) => l.level === 'WARN');
    assert.ok(warn, 'a WARN');
    assert.match(warn!.message, /more than 30 days ago/);
    assert.match(warn!.message, /full refresh/);
    assert.equal(position, UPPER);
    // within the limit: no warning
    const recent = await walk([], LEADS, NOW - 29 * MICROS_PER_DAY);
    assert.equal(recent.lines.filter((l) => l.level === 'WARN').length, 0);
  });

  it('a state saved before deletions existed: reads Close’s whole 30 days (not before start_date), says so', async () => {
    const old = deleted('ev_old', 'lead_old', NOW - 29 * MICROS_PER_DAY);
    const {records, requests, lines, carried, position} = await walk([old], LEADS, undefined);
    assert.deepEqual(records.map((r) => r.id), ['lead_old']);
    assert.equal(parseInstant(requests[0].params.date_updated__gte), NOW - 30 * MICROS_PER_DAY);
    assert.ok(lines.some((l) => l.level === 'INFO' && /no deletions position/.test(l.message)));
    assert.equal(carried, undefined, 'until the walk is done, checkpoints carry no position');
    assert.equal(position, UPPER);
    const later = await walk([old], LEADS, undefined, {startDate: NOW - DAY_MINUTES * MICROS_PER_MINUTE});
    assert.deepEqual(later.records, []);
    assert.equal(parseInstant(later.requests[0].params.date_updated__gte), NOW - MICROS_PER_DAY);
  });

  it('a first sync walks nothing: what was deleted before it is not among its records', async () => {
    const {records, requests, carried, position} = await walk([deleted('ev_1', 'lead_1', ago(5))], LEADS, 'first sync');
    assert.deepEqual(records, []);
    assert.equal(requests.length, 0);
    assert.equal(carried, UPPER);
    assert.equal(position, UPPER);
  });

  it('a key Close refuses the event log (403): WARN naming it, no deletions, the position kept; the walk does not fail', async () => {
    const {records, error, lines, position} = await walk([deleted('ev_1', 'lead_1', ago(5))], LEADS, ago(60), {
      answer: () => res(403, {error: 'You do not have permission to view the event log.'}),
    });
    assert.equal(error, undefined);
    assert.deepEqual(records, []);
    assert.equal(position, ago(60));
    const warn = lines.find((l) => l.level === 'WARN');
    assert.match(warn!.message, /refused this API key the event log.*403.*permission/);
    assert.doesNotMatch(warn!.message, new RegExp(API_KEY));
  });

  it('a 400 for one walk (an object type Close does not take): WARN, the other walks go on, the position advances', async () => {
    const queries: DeletionQuery[] = [
      {objectType: 'lead_merge', action: 'deleted'},
      {objectType: 'activity.note', action: 'deleted'},
    ];
    const {records, error, lines, position} = await walk([deleted('ev_1', 'acti_1', ago(5), 'activity.note')], queries, ago(60), {
      answer: (req) => (req.params.object_type === 'lead_merge' ? res(400, {error: 'Invalid object_type.'}) : undefined),
    });
    assert.equal(error, undefined);
    assert.deepEqual(records.map((r) => r.id), ['acti_1']);
    assert.match(lines.find((l) => l.level === 'WARN')!.message, /object_type=lead_merge&action=deleted.*400/);
    assert.equal(position, UPPER);
  });

  it('a server error after retries fails the walk (transient failures are not silently skipped)', async () => {
    const {error} = await walk([], LEADS, ago(60), {answer: () => res(500, {error: 'boom'})});
    assert.ok(error);
  });
});

describe('a stream with deletions (custom_fields through stream-base.ts)', () => {
  const FIELD = {id: 'cf_keep', name: 'Keep', type: 'text', date_created: formatInstant(ago(500)), date_updated: formatInstant(ago(30))};

  async function sync(state: unknown, events: Event[], o: {answer?: (req: HttpRequest) => HttpResponse | undefined} = {}) {
    const log = eventLog(events, {answer: o.answer});
    const transport = async (req: HttpRequest) =>
      new URL(req.url).pathname.endsWith('/event/') ? log.transport(req) : res(200, {has_more: false, data: [FIELD]});
    const stream = new CustomFields({
      client: newClient(transport, new FakeClock()),
      config: parseConfig({api_key: API_KEY, start_date: '2020-01-01T00:00:00Z'}),
      syncStartedAt: NOW,
      now: () => NOW,
      logger: logger().log,
    });
    const parsed = stream.parseState(state);
    const items: StreamItem[] = [];
    for await (const item of stream.readItems(SyncMode.INCREMENTAL, parsed)) items.push(item);
    return {items, requests: log.requests, stream, parsed};
  }
  const kinds = (items: StreamItem[]) => items.map((i) => ('record' in i ? (DELETED_AT in i.record ? 'deletion' : 'record') : 'checkpoint' in i ? 'checkpoint' : 'estimate'));

  it('own records, their checkpoint with the saved position, then the deletions, then the new position', async () => {
    const saved = {date_updated: formatInstant(ago(120)), deletions: {date_updated: formatInstant(ago(60))}};
    const {items, requests} = await sync(saved, [deleted('ev_1', 'cf_gone', ago(20), 'custom_fields.lead')]);
    assert.deepEqual(kinds(items), ['record', 'checkpoint', 'deletion', 'checkpoint']);
    const [, own, deletion, last] = items as any[];
    assert.deepEqual(own.checkpoint.deletions, {date_updated: formatInstant(ago(60))}, 'the saved position until the deletions are out');
    assert.deepEqual(deletion.record, {id: 'cf_gone', date_updated: formatInstant(ago(20)), [DELETED_AT]: formatInstant(ago(20))});
    assert.deepEqual(last.checkpoint, {date_updated: own.checkpoint.date_updated, deletions: {date_updated: formatInstant(UPPER)}});
    assert.deepEqual(requests.map((r) => r.params.object_type), ['custom_fields.lead']);
  });

  it('a state saved before deletions existed is accepted and gains the key; a malformed position is a config_error', async () => {
    const {items, parsed} = await sync({date_updated: formatInstant(ago(120))}, [deleted('ev_1', 'cf_gone', NOW - 20 * MICROS_PER_DAY, 'custom_fields.lead')]);
    assert.deepEqual(parsed, {date_updated: formatInstant(ago(120))});
    assert.deepEqual(kinds(items), ['record', 'checkpoint', 'deletion', 'checkpoint']);
    assert.equal((items[1] as any).checkpoint.deletions, undefined);
    assert.deepEqual((items[3] as any).checkpoint.deletions, {date_updated: formatInstant(UPPER)});
    const stream = new CustomFields({client: newClient(async () => res(500)), config: parseConfig({api_key: API_KEY}), syncStartedAt: NOW, now: () => NOW, logger: logger().log});
    for (const bad of [{date_updated: formatInstant(ago(1)), deletions: 'yesterday'}, {deletions: {date_updated: 'soon'}}, {deletions: null}]) {
      assert.throws(() => stream.parseState(bad), (err: Error) => failureTypeOf(err) === 'config_error' && /deletions/.test(err.message), JSON.stringify(bad));
    }
    // a stream that never emitted a record still keeps its position
    assert.deepEqual(stream.parseState({deletions: {date_updated: formatInstant(ago(1))}}), {deletions: {date_updated: formatInstant(ago(1))}});
  });

  it('a first sync: no event log request, the position starts at the sync', async () => {
    const {items, requests} = await sync(undefined, [deleted('ev_1', 'cf_gone', ago(20), 'custom_fields.lead')]);
    assert.equal(requests.length, 0);
    assert.deepEqual(kinds(items), ['record', 'checkpoint', 'checkpoint']);
    assert.deepEqual((items[1] as any).checkpoint.deletions, {date_updated: formatInstant(UPPER)});
  });

  it('full refresh: no deletions, no event log request, no state key', async () => {
    const log = eventLog([deleted('ev_1', 'cf_gone', ago(20), 'custom_fields.lead')]);
    const stream = new CustomFields({
      client: newClient(async (req) => (new URL(req.url).pathname.endsWith('/event/') ? log.transport(req) : res(200, {has_more: false, data: [FIELD]}))),
      config: parseConfig({api_key: API_KEY}),
      syncStartedAt: NOW,
      now: () => NOW,
      logger: logger().log,
    });
    const items: StreamItem[] = [];
    for await (const item of stream.readItems(SyncMode.FULL_REFRESH, undefined)) items.push(item);
    assert.deepEqual(kinds(items), ['record']);
    assert.equal(log.requests.length, 0);
  });

  it('a refused event log keeps the stream’s records and its saved position; the stream completes', async () => {
    const saved = {date_updated: formatInstant(ago(120)), deletions: {date_updated: formatInstant(ago(60))}};
    const {items} = await sync(saved, [], {answer: () => res(403, {error: 'Forbidden'})});
    assert.deepEqual(kinds(items), ['record', 'checkpoint', 'checkpoint']);
    assert.deepEqual((items[2] as any).checkpoint.deletions, {date_updated: formatInstant(ago(60))});
  });
});
