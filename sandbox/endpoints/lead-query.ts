import { parseDate } from '../dates';
import { Range } from '../data/sorted-index';
import { badRequest } from './common';

export type DateField = 'date_updated' | 'date_created';

export interface LeadQuery {
  ranges: Record<DateField, Range>;
  sort: { field: DateField; desc: boolean };
}

const TERM_RE = /^(date_updated|date_created)\s*(>=|<=|>|<)\s*(?:"([^"]*)"|([^\s"]+))/;
const SORT_RE = /^sort:\s*(-?)(date_updated|date_created)(?=\s|$)/;
const OP: Record<string, keyof Range> = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' };

/**
 * The subset of Close's legacy lead search language connectors use: date
 * comparisons joined by whitespace (AND) and one sort clause. Anything else is
 * rejected rather than silently ignored, so a client relying on more notices.
 */
export function parseLeadQuery(q: string | null): LeadQuery {
  const out: LeadQuery = {
    ranges: { date_updated: {}, date_created: {} },
    sort: { field: 'date_updated', desc: true },
  };
  let rest = (q ?? '').trim();
  while (rest.length > 0) {
    let m = SORT_RE.exec(rest);
    if (m) {
      out.sort = { field: m[2] as DateField, desc: m[1] === '-' };
    } else if ((m = TERM_RE.exec(rest))) {
      const raw = m[3] ?? m[4];
      const v = parseDate(raw);
      if (v === null) throw badRequest(`Invalid query: cannot parse date "${raw}"`);
      const range = out.ranges[m[1] as DateField];
      const op = OP[m[2]];
      const cur = range[op];
      range[op] = cur === undefined ? v : op === 'gt' || op === 'gte' ? Math.max(cur, v) : Math.min(cur, v);
    } else {
      throw badRequest(`Invalid query: unsupported syntax near "${rest.slice(0, 40)}"`);
    }
    rest = rest.slice(m[0].length).trimStart();
  }
  return out;
}
