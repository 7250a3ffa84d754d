import VError from 'verror';
import {FailureType} from '../errors';

export interface ApiErrorInfo {
  failureType: FailureType;
  endpoint: string;
  status?: number;
  closeMessage?: string;
  stream?: string;
}

/** Close's own words from an error body, whichever of its shapes it uses. */
export function closeMessageOf(body: string, contentType?: string): string {
  const trimmed = body.trim();
  if (!trimmed) return '(empty body)';
  try {
    const parsed = JSON.parse(trimmed);
    if (typeof parsed?.error === 'string') return parsed.error;
    if (typeof parsed?.error?.message === 'string') return parsed.error.message;
    if (typeof parsed?.message === 'string') return parsed.message;
    if (parsed?.['field-errors'] || parsed?.errors) {
      return JSON.stringify({errors: parsed.errors, 'field-errors': parsed['field-errors']});
    }
    return trimmed.slice(0, 300);
  } catch {
    if ((contentType ?? '').includes('html') || /^<(!doctype|html)/i.test(trimmed)) {
      const title = /<title>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
      return `an HTML page${title ? ` ("${title}")` : ''} instead of JSON`;
    }
    return trimmed.slice(0, 300);
  }
}

export function apiError(message: string, info: ApiErrorInfo, cause?: Error): VError {
  return new VError({name: 'CloseApiError', cause, info}, '%s', message);
}

export function apiErrorInfo(err: unknown): Partial<ApiErrorInfo> {
  return err instanceof Error ? (VError.info(err) as Partial<ApiErrorInfo>) : {};
}

/**
 * Close refuses `_skip` beyond a per-resource cap with a 400 that says so.
 * The one wording on record: "The skip you set is larger than the maximum
 * skip for this resource (max_skip = 250000). Please refine your search
 * query." (https://github.com/airbytehq/airbyte/issues/20959). Close's docs
 * give none (https://developer.close.com/topics/pagination/: "a maximum
 * `_skip` limit which varies per resource"), and a newer validator-style
 * wording ("_skip … must be less than or equal to N") is reported but not on
 * record: any message that names the skip and a maximum counts, in whichever
 * of Close's error shapes it comes (a field-errors body about `_skip`
 * included), so that a rewording does not silently turn the contacts
 * fallback off.
 */
export function isSkipCapMessage(message: string | undefined): boolean {
  if (!message) return false;
  if (/max_skip|maximum\s+skip/i.test(message)) return true;
  return /skip/i.test(message) && /less\s+than\s+or\s+equal|larger\s+than|greater\s+than|exceed|maximum|at\s+most/i.test(message);
}
