import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {streamClass} from '../../src/streams/registry';
import {FULL_READ_KEY} from '../../src/streams/changed-children-limits';
import {StreamContext} from '../../src/streams/stream-base';
import {offlineContext} from './helpers/fakes';

const ctx: StreamContext = offlineContext();
/** The stream's event → parent mapping (changed-children.ts), taken from a stream built for a sync. */
const parentOf = (stream: string, event: Record<string, any>) => (new (streamClass(stream))(ctx) as any).childEvents.parentOf(event);

describe('children of changed parents: what an event names, what a state holds', () => {
  it("custom objects: the event's lead_id, else the instance's (data, then previous_data); none: undefined (every lead is read)", () => {
    assert.deepEqual(parentOf('custom_objects', {lead_id: 'lead_1', data: {lead_id: 'lead_2'}}), {id: 'lead_1'});
    assert.deepEqual(parentOf('custom_objects', {lead_id: null, data: {lead_id: 'lead_2'}}), {id: 'lead_2'});
    assert.deepEqual(parentOf('custom_objects', {lead_id: '', previous_data: {lead_id: 'lead_3'}}), {id: 'lead_3'});
    assert.equal(parentOf('custom_objects', {lead_id: null}), undefined);
  });

  it("comments: the comment's thread_id; without data (non-admin keys after an hour) every thread of the event's lead; neither: undefined", () => {
    assert.deepEqual(parentOf('comments', {lead_id: 'lead_1', data: {thread_id: 'comthr_1'}}), {id: 'comthr_1'});
    assert.deepEqual(parentOf('comments', {lead_id: 'lead_1', previous_data: {thread_id: 'comthr_2'}}), {id: 'comthr_2'});
    assert.deepEqual(parentOf('comments', {lead_id: 'lead_1'}), {field: 'lead_id', value: 'lead_1'});
    assert.equal(parentOf('comments', {lead_id: null, data: null}), undefined);
  });

  it('a state keeps the position, the last full read and the deletions position; a malformed full read time is a config error', () => {
    const stream = new (streamClass('custom_objects'))(ctx);
    const state = {date_updated: '2024-05-01T00:00:00+00:00', [FULL_READ_KEY]: '2024-04-30T00:00:00+00:00', deletions: {date_updated: '2024-05-01T00:00:00+00:00'}};
    assert.deepEqual(stream.parseState(state), state);
    assert.throws(() => stream.parseState({date_updated: '2024-05-01T00:00:00+00:00', [FULL_READ_KEY]: 'yesterday'}), /last_full_read "yesterday" is not an ISO date-time/);
    assert.throws(() => stream.parseState({[FULL_READ_KEY]: '2024-04-30T00:00:00+00:00'}), /expected the cursor "date_updated"/);
    assert.equal(stream.parseState(undefined), undefined);
  });
});
