import {SyncMode} from 'faros-airbyte-cdk';
import {readAllPages} from '../readers/offset-reader';
import {CloseStream, StreamItem, StreamState} from './stream-base';

/**
 * A small configuration resource with no date to follow (statuses,
 * pipelines, templates, sequences): full refresh only, read whole every sync.
 */
export abstract class FullRefreshStream extends CloseStream {
  protected abstract get path(): string;
  protected get pageSize(): number {
    return 100;
  }

  async *readItems(_mode: SyncMode, _state: StreamState | undefined): AsyncGenerator<StreamItem> {
    const pages = readAllPages({
      client: this.ctx.client,
      path: this.path,
      stream: this.name,
      pageSize: this.pageSize,
      concurrency: this.ctx.config.requestsPerStream,
    });
    for await (const records of pages) {
      for (const record of records) yield this.shape(record);
    }
  }
}

function fullRefresh(name: string, path: string, pageSize = 100): new (...args: ConstructorParameters<typeof FullRefreshStream>) => FullRefreshStream {
  return class extends FullRefreshStream {
    get name(): string {
      return name;
    }
    protected get path(): string {
      return path;
    }
    protected override get pageSize(): number {
      return pageSize;
    }
  };
}

export const LeadStatuses = fullRefresh('lead_statuses', '/status/lead/');
export const OpportunityStatuses = fullRefresh('opportunity_statuses', '/status/opportunity/');
export const Pipelines = fullRefresh('pipelines', '/pipeline/');
export const EmailTemplates = fullRefresh('email_templates', '/email_template/');
export const Sequences = fullRefresh('sequences', '/sequence/', 1000);
