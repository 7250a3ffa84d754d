import {SyncMode} from 'faros-airbyte-cdk';
import {apiErrorInfo} from '../client/close-errors';
import {orderedConcurrent, isTaskEnd} from '../concurrency/ordered-concurrent';
import {readAllPages} from '../readers/offset-reader';
import {DEFAULT_PAGE_SIZE, Declared, ListRequest, endpointOf} from './list-stream';
import {streamClass} from './registry';
import {CloseStream, StreamClass, StreamItem, StreamState} from './stream-base';
import {StreamInfo, syncModesFor} from './stream-info';

/**
 * Parent ids taken at a time: the children of one batch are read while the
 * next batch of parents is, so the child requests wait on the parent list
 * only at the start. Ids only (tens of bytes each), so a batch stays small.
 */
const PARENT_BATCH = 1000;

/**
 * A resource Close lists only per parent (comments per thread, subscriptions
 * per sequence): the parent stream is read as it reads itself, and for each
 * parent record one list, several parents at once (max_requests_per_stream),
 * printed in parent order. The parent ids held are bounded by PARENT_BATCH,
 * the children read ahead by a budget of pages.
 *
 * A parent deleted between the two reads answers 404 or an empty list (which
 * one Close does is not documented): either way it has no children to print.
 */
export abstract class ChildStream extends CloseStream {
  protected abstract get request(): ListRequest;
  /** the query parameter that names the parent */
  protected abstract get parentParam(): string;

  /** The parent stream's records, one batch of ids at a time. */
  protected parentBatches(): AsyncGenerator<string[]> {
    const parentName = this.info.parent;
    if (!parentName) throw new Error(`stream ${this.name} declares no parent`);
    const Parent = streamClass(parentName);
    const parent = new Parent(this.ctx);
    const key = Parent.info.primaryKey;
    return batchesOf(
      (async function* () {
        for await (const item of parent.readItems(SyncMode.FULL_REFRESH, undefined)) if ('record' in item) yield String(item.record[key]);
      })()
    );
  }

  /** One parent's records, page by page. */
  protected async *childPages(parentId: string): AsyncGenerator<Record<string, any>[]> {
    const {path, pageSize, params} = this.request;
    try {
      yield* readAllPages({
        client: this.ctx.client,
        path,
        stream: this.name,
        pageSize: pageSize ?? DEFAULT_PAGE_SIZE,
        params: {...params, [this.parentParam]: parentId},
        key: this.primaryKey,
      });
    } catch (err) {
      if (apiErrorInfo(err).status !== 404) throw err;
      this.ctx.logger.debug(`Stream ${this.name}: ${path}?${this.parentParam}=${parentId} answered 404 (the parent is gone)`);
    }
  }

  /**
   * Whether any parent can have children: false skips every parent (an
   * account without the plan feature the children need).
   */
  protected async anyChildren(): Promise<boolean> {
    return true;
  }

  /** The children of the parents in `batches`, read several parents at once and printed in parent order. */
  protected async *childrenOf(batches: AsyncIterable<string[]>): AsyncGenerator<Record<string, any>> {
    const concurrency = this.ctx.config.requestsPerStream;
    const budget = 2 * concurrency * (this.request.pageSize ?? DEFAULT_PAGE_SIZE);
    const iterator = batches[Symbol.asyncIterator]();
    let pending = iterator.next();
    try {
      for (let batch = await pending; !batch.done; batch = await pending) {
        const ids = batch.value;
        pending = iterator.next();
        // Awaited at the top of the loop; until then a failure must not count as unhandled.
        pending.catch(() => undefined);
        yield* this.batchChildren(ids, concurrency, budget);
      }
    } finally {
      await iterator.return?.(undefined);
    }
  }

  /** The children of one batch of parents, several parents at once, in parent order. */
  private async *batchChildren(ids: string[], concurrency: number, budget: number): AsyncGenerator<Record<string, any>> {
    let next = 0;
    const nextTask = () => {
      if (next >= ids.length) return undefined;
      const id = ids[next++];
      return {key: id, run: () => this.childPages(id)};
    };
    for await (const item of orderedConcurrent(nextTask, {concurrency, budget, weight: (page: Record<string, any>[]) => page.length})) {
      if (isTaskEnd(item)) continue;
      yield* item;
    }
  }

  async *readOwnItems(_mode: SyncMode, _state: StreamState | undefined): AsyncGenerator<StreamItem> {
    if (!(await this.anyChildren())) return;
    for await (const record of this.childrenOf(this.parentBatches())) yield this.shape(record);
  }
}

/** Ids in batches of PARENT_BATCH. */
export async function* batchesOf(ids: Iterable<string> | AsyncIterable<string>): AsyncGenerator<string[]> {
  let batch: string[] = [];
  for await (const id of ids) {
    batch.push(id);
    if (batch.length >= PARENT_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

export type ChildDeclaration = Declared<ListRequest & {parent: string; parentParam: string}>;

/** A child stream: its schema, and one entry naming the parent stream and the query parameter. */
export function childStream(d: ChildDeclaration): StreamClass<ChildStream> {
  const {path, pageSize, params, parentParam, ...rest} = d;
  const info: StreamInfo = {
    ...rest,
    kind: 'child',
    syncModes: syncModesFor(undefined),
    endpoint: d.endpoint ?? `${endpointOf(path, params)}${params ? '&' : '?'}${parentParam}=<${d.parent} id>`,
    primaryKey: d.primaryKey ?? 'id',
  };
  const request: ListRequest = {path, pageSize, params};
  return class extends ChildStream {
    static readonly info = info;
    protected get request(): ListRequest {
      return request;
    }
    protected get parentParam(): string {
      return parentParam;
    }
  };
}
