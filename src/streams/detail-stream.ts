import {SyncMode} from 'faros-airbyte-cdk';
import {apiErrorInfo} from '../client/close-errors';
import {isTaskEnd, orderedConcurrent} from '../concurrency/ordered-concurrent';
import {systemError} from '../errors';
import {Declared, ListRequest, ListStream, endpointOf} from './list-stream';
import {StreamClass, StreamItem, StreamState} from './stream-base';
import {StreamInfo, syncModesFor} from './stream-info';

/**
 * A list whose items lack fields only the single object has (a group's
 * members: "list endpoint does not support retrieving members for all
 * groups. Use individual group endpoint instead"): each listed record is
 * fetched again from `<path><id>/`, several at once, in list order. A record
 * deleted in between answers 404 and is left out, as the next list would.
 */
export abstract class DetailStream extends ListStream {
  protected detailPath(id: string): string {
    return `${this.request.path}${encodeURIComponent(id)}/`;
  }

  private async *detail(record: Record<string, any>): AsyncGenerator<Record<string, any>> {
    const id = String(record[this.primaryKey]);
    try {
      const full = await this.ctx.client.get(this.detailPath(id), {}, {stream: this.name});
      if (typeof full !== 'object' || full === null || full[this.primaryKey] !== record[this.primaryKey]) {
        throw systemError(`GET ${this.detailPath(id)} (stream ${this.name}): Close answered ${JSON.stringify(full).slice(0, 200)} instead of the object`);
      }
      yield full;
    } catch (err) {
      if (apiErrorInfo(err).status !== 404) throw err;
      this.ctx.logger.debug(`Stream ${this.name}: ${this.detailPath(id)} answered 404 (deleted since it was listed)`);
    }
  }

  override async *readOwnItems(_mode: SyncMode, _state: StreamState | undefined): AsyncGenerator<StreamItem> {
    const concurrency = this.ctx.config.requestsPerStream;
    for await (const records of this.pages()) {
      let next = 0;
      const nextTask = () => {
        if (next >= records.length) return undefined;
        const record = records[next++];
        return {key: record, run: () => this.detail(record)};
      };
      for await (const item of orderedConcurrent(nextTask, {concurrency, budget: 4 * concurrency, weight: () => 1})) {
        if (!isTaskEnd(item)) yield this.shape(item);
      }
    }
  }
}

/** A detail stream: its schema, and one entry (the list path; the single object is at <path><id>/). */
export function detailStream(d: Declared<ListRequest>): StreamClass<DetailStream> {
  const {path, pageSize, params, ...rest} = d;
  const info: StreamInfo = {
    ...rest,
    kind: 'detail',
    syncModes: syncModesFor(undefined),
    endpoint: d.endpoint ?? `${endpointOf(path, params)}, then GET ${path}{id}/ per record`,
    primaryKey: d.primaryKey ?? 'id',
  };
  const request: ListRequest = {path, pageSize, params};
  return class extends DetailStream {
    static readonly info = info;
    protected get request(): ListRequest {
      return request;
    }
  };
}
