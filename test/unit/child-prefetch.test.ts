import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {SyncMode} from 'faros-airbyte-cdk';
import {parseConfig} from '../../src/config/config';
import '../../src/streams/registry'; // loads the stream modules in their order (child-stream imports the registry)
import {ChildStream} from '../../src/streams/child-stream';
import {ListRequest} from '../../src/streams/list-stream';
import {StreamContext} from '../../src/streams/stream-base';
import {StreamInfo} from '../../src/streams/stream-info';
import {silentLogger} from './helpers/fakes';

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** A child stream over two batches of parents, whose children say when the parent list was read on. */
class Probe extends ChildStream {
  static readonly info: StreamInfo = {name: 'comments', endpoint: 'GET /probe/', kind: 'child', syncModes: ['full_refresh'], primaryKey: 'id', parent: 'none', notes: ''};
  readonly events: string[] = [];
  failSecondBatch = false;
  protected get request(): ListRequest {
    return {path: '/probe/'};
  }
  protected get parentParam(): string {
    return 'parent_id';
  }
  protected override async *parentBatches(): AsyncGenerator<string[]> {
    this.events.push('batch 1 read');
    yield ['a', 'b'];
    this.events.push('batch 2 asked');
    if (this.failSecondBatch) throw new Error('the parent list failed');
    yield ['c'];
  }
  protected override async *childPages(parentId: string): AsyncGenerator<Record<string, any>[]> {
    await turns(5);
    this.events.push(`children of ${parentId}`);
    yield [{id: `child_${parentId}`, parent_id: parentId}];
  }
}

function ctx(): StreamContext {
  return {client: {} as any, config: parseConfig({api_key: 'k'.repeat(40)}), syncStartedAt: 0, now: () => 0, logger: silentLogger as any};
}

describe('child streams read the next parents while the children of the current ones are read', () => {
  it('asks for the second batch of parents before the first batch\'s children are done, and prints in parent order', async () => {
    const s = new Probe(ctx());
    const ids: string[] = [];
    for await (const item of s.readOwnItems(SyncMode.FULL_REFRESH, undefined)) if ('record' in item) ids.push(item.record.id);
    assert.deepEqual(ids, ['child_a', 'child_b', 'child_c']);
    assert.ok(s.events.indexOf('batch 2 asked') < s.events.indexOf('children of a'), s.events.join(', '));
  });

  it('a parent list that fails while children are read fails the stream after the children read before it', async () => {
    const s = new Probe(ctx());
    s.failSecondBatch = true;
    const ids: string[] = [];
    await assert.rejects(async () => {
      for await (const item of s.readOwnItems(SyncMode.FULL_REFRESH, undefined)) if ('record' in item) ids.push(item.record.id);
    }, /the parent list failed/);
    assert.deepEqual(ids, ['child_a', 'child_b']);
  });
});
