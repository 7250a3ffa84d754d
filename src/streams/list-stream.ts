import {SyncMode} from 'faros-airbyte-cdk';
import {Params} from '../client/close-client';
import {readAllPages} from '../readers/offset-reader';
import {CloseStream, StreamClass, StreamItem, StreamState} from './stream-base';
import {StreamInfo, syncModesFor} from './stream-info';

/**
 * What a declaration says beyond StreamInfo's docs fields: where the list is
 * and how to page it. Fields left out of StreamInfo are filled in by the
 * declaring function (kind, sync modes, endpoint, primary key).
 */
export type Declared<Extra> = Omit<StreamInfo, 'kind' | 'syncModes' | 'endpoint' | 'primaryKey'> & {
  primaryKey?: string;
  /** for the docs, when the request is not simply `GET <path>` */
  endpoint?: string;
} & Extra;

export interface ListRequest {
  /** below /api/v1, with the trailing slash */
  path: string;
  /**
   * `_limit` per page. Where Close documents no paging, `_skip`/`_limit` are
   * still sent and `has_more` followed (an endpoint that ignores them answers
   * everything at once with has_more false).
   */
  pageSize?: number;
  /** query parameters every request carries */
  params?: Params;
}

/** Airbyte used 100 for these endpoints against the live API; Close's maxima are not documented. */
export const DEFAULT_PAGE_SIZE = 100;

export function endpointOf(path: string, params?: Params): string {
  const query = Object.entries(params ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return `GET ${path}${query ? `?${query}` : ''}`;
}

/**
 * A resource read whole every sync (statuses, templates, roles, bulk
 * actions …): Close cannot filter or order it by a date, so it is full
 * refresh only, which also drops deleted rows from an overwritten table.
 */
export abstract class ListStream extends CloseStream {
  protected abstract get request(): ListRequest;

  protected pages(request: ListRequest = this.request): AsyncGenerator<Record<string, any>[]> {
    return readAllPages({
      client: this.ctx.client,
      path: request.path,
      stream: this.name,
      pageSize: request.pageSize ?? DEFAULT_PAGE_SIZE,
      params: request.params,
      key: this.primaryKey,
      concurrency: this.ctx.config.requestsPerStream,
    });
  }

  async *readOwnItems(_mode: SyncMode, _state: StreamState | undefined): AsyncGenerator<StreamItem> {
    for await (const records of this.pages()) {
      for (const record of records) yield this.shape(record);
    }
  }
}

export type ListDeclaration = Declared<ListRequest>;

/** A plain list stream: its schema (resources/schemas/<name>.json) and this one entry. */
export function listStream(d: ListDeclaration): StreamClass<ListStream> {
  const {path, pageSize, params, ...rest} = d;
  const info: StreamInfo = {
    ...rest,
    kind: 'list',
    syncModes: syncModesFor(undefined),
    endpoint: d.endpoint ?? endpointOf(path, params),
    primaryKey: d.primaryKey ?? 'id',
  };
  const request: ListRequest = {path, pageSize, params};
  return class extends ListStream {
    static readonly info = info;
    protected get request(): ListRequest {
      return request;
    }
  };
}
