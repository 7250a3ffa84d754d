import { US_PER_DAY, US_PER_SEC, fmtDay, fmtTs } from '../dates';
import { Rng } from '../random';
import type { Json } from './spec';

/** A custom field definition as the resource engine renders it (custom_object_custom_fields). */
export interface FieldDef {
  id: string;
  type: string;
  accepts_multiple_values?: boolean | null;
  choices?: unknown;
}

/** Choice labels: Close lists them as strings (leads) or {label, value}; the value is what records hold. */
function choiceValues(def: FieldDef): string[] {
  const raw = Array.isArray(def.choices) ? def.choices : [];
  const out = raw.map((c) => (typeof c === 'string' ? c : c && typeof c === 'object' ? String((c as Json).value ?? (c as Json).label ?? '') : '')).filter(Boolean);
  return out.length ? out : ['Option A', 'Option B', 'Option C'];
}

/**
 * A value as Close holds it for a field of this type: numbers, ISO dates,
 * date-times with an offset, user ids, choices; a list of them for fields
 * that accept several values. About 1 in 60 does not fit its type (a number
 * field holding "n/a"), as in real accounts.
 */
export function customFieldValue(def: FieldDef, r: Rng, users: readonly string[], now: number): unknown {
  if (def.accepts_multiple_values) {
    const n = 1 + r.int(3);
    return [...new Set(Array.from({ length: n }, () => customFieldValue({ ...def, accepts_multiple_values: false }, r, users, now)))];
  }
  const misfit = r.next() < 1 / 60;
  switch (def.type) {
    case 'number':
      return misfit ? 'n/a' : r.next() < 0.6 ? r.int(5000) : Math.round(r.next() * 1e6) / 100;
    case 'date':
      return misfit ? 'next week' : fmtDay(now - r.int(900) * US_PER_DAY);
    case 'datetime':
      return misfit ? 'soon' : fmtTs(now - r.int(900 * 86400) * US_PER_SEC);
    case 'choices':
      return r.pick(choiceValues(def));
    case 'user':
      return r.pick(users);
    default:
      return misfit ? r.int(100) : `${r.pick(['Blue', 'Green', 'Gold', 'Silver'])} ${r.int(1000)}`;
  }
}
