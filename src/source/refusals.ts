import {apiErrorInfo} from '../client/close-errors';
import {configError, errorMessage} from '../errors';
import {StreamInfo} from '../streams/stream-info';

/**
 * A key that may not read everything. Close answers 402 when "a limit of
 * your current plan was reached" and 403 when "an operation was not allowed"
 * (https://developer.close.com/api/overview/http-response-codes); a feature
 * the account lacks may also answer 404 (undocumented: GUESS). A stream
 * Close refuses before it gave a single record is one this key or plan
 * cannot read at all: the sync skips it with a warning instead of failing,
 * as Airbyte's Python CDK did for a 403 at a stream's first record
 * (HttpAvailabilityStrategy). A refusal after records is not a plan limit
 * (the key lost a permission mid-sync, or Close changed its mind) and fails
 * the stream as any error does. Stitch's six tables are never skipped: a key
 * that cannot read them is the wrong key.
 */

/** What Close refused, and what the key or plan would need. */
export interface Refusal {
  stream: string;
  status: number;
  endpoint: string;
  closeMessage: string;
  /** the permission or plan feature, in words for a log line */
  need: string;
}

/** The statuses that mean "this key or plan may not read this endpoint". */
export function isRefusalStatus(status: number | undefined, info: StreamInfo): status is number {
  if (status === 402 || status === 403) return true;
  // A 404 on a list endpoint is a refusal only where the stream depends on a plan feature; elsewhere it
  // means a moved endpoint or a wrong api_url, which must not pass silently as "nothing to read".
  return status === 404 && info.requires?.feature !== undefined;
}

/** What the stream needs, from its declaration (registry `requires`). */
export function needOf(info: StreamInfo): string {
  const parts: string[] = [];
  if (info.requires?.permission) parts.push(`the permission ${info.requires.permission}`);
  if (info.requires?.feature) parts.push(`the plan feature ${info.requires.feature}`);
  if (parts.length === 0) return 'a permission or plan feature Close does not document for this endpoint';
  return parts.join(' and ');
}

/** The refusal an error is, for this stream, if it is one. */
export function refusalOf(err: unknown, info: StreamInfo): Refusal | undefined {
  const {status, endpoint, closeMessage} = apiErrorInfo(err);
  if (!isRefusalStatus(status, info)) return undefined;
  return {stream: info.name, status, endpoint: endpoint ?? '?', closeMessage: closeMessage ?? errorMessage(err), need: needOf(info)};
}

export function describeRefusal(r: Refusal): string {
  return `Close refuses this key or plan: ${r.endpoint} answered ${r.status} (${r.closeMessage}); it needs ${r.need}`;
}

/** What the read loop does with a stream's error. */
export type RefusalOutcome =
  /** skip the stream: this WARN line, state unchanged, STREAM_STATUS COMPLETE */
  | {skip: string}
  /** fail the stream with this error instead (a refused core stream: config_error naming the need) */
  | {fail: Error};

/**
 * Whether a stream's error is a refusal to skip or to fail with a clearer
 * error; undefined when it is neither (the error stands as it is). Only a
 * refusal before the stream's first record counts.
 */
export function refusalOutcome(err: unknown, info: StreamInfo, recordsSoFar: number): RefusalOutcome | undefined {
  if (recordsSoFar > 0) return undefined;
  const r = refusalOf(err, info);
  if (!r) return undefined;
  if (info.stitch) {
    return {
      fail: configError(
        // VError appends the cause's message: the endpoint, the status and Close's words.
        `Stream ${r.stream} is one of Stitch's six core tables, so a refusal fails it instead of skipping it (it needs ${r.need}; use the API key of a user whose role and plan can read it)`,
        err instanceof Error ? err : undefined
      ),
    };
  }
  return {
    skip: `Stream ${r.stream} skipped: ${describeRefusal(r)}. Its state is kept; it is read again by the first sync Close allows it in.`,
  };
}
