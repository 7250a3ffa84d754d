/**
 * Close timestamps carry microseconds (`2017-09-27T10:44:27.875123+00:00`) and
 * sometimes no fraction at all. A JS Date keeps only milliseconds and string
 * comparison breaks between the two spellings, so cursors are compared as
 * integer microseconds since the epoch (exact in a double until year 2255).
 */
export type Micros = number;

export const MICROS_PER_MS = 1000;
export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses an ISO date or date-time; date-only and offset-less values are UTC. */
export function parseInstant(value: unknown): Micros | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', tz] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day) return undefined; // e.g. 2024-02-31
  let offsetMinutes = 0;
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = Number(digits.slice(2, 4));
    if (offsetHours > 23 || offsetMins > 59) return undefined; // e.g. +99:99
    offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  }
  const micros = Number((frac + '000000').slice(0, 6));
  return (ms - offsetMinutes * 60_000) * MICROS_PER_MS + micros;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Formats like Close does: `2024-05-01T12:34:56.789000+00:00`. */
export function formatInstant(micros: Micros): string {
  const ms = Math.floor(micros / MICROS_PER_MS);
  const d = new Date(ms);
  const frac = micros - Math.floor(micros / MICROS_PER_SECOND) * MICROS_PER_SECOND;
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
    `.${pad(frac, 6)}+00:00`
  );
}

/** Close's legacy lead `query` language works to the minute: `2024-05-01T12:34`. */
export function formatMinute(micros: Micros): string {
  return formatInstant(micros).slice(0, 16);
}

export function fromDate(date: Date): Micros {
  return date.getTime() * MICROS_PER_MS;
}
