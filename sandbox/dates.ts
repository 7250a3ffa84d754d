// All instants are held as integer microseconds since the epoch: Close reports
// microseconds, and clients compare at that precision. 2^53 µs covers ~285 years.
export const US_PER_SEC = 1_000_000;
export const US_PER_DAY = 86_400 * US_PER_SEC;

export function fmtTs(us: number): string {
  const frac = ((us % US_PER_SEC) + US_PER_SEC) % US_PER_SEC;
  const base = new Date((us - frac) / 1000).toISOString().slice(0, 19);
  // Python's isoformat() drops the fraction when it is zero, and so does Close.
  return frac === 0 ? base + '+00:00' : base + '.' + String(frac).padStart(6, '0') + '+00:00';
}

export function fmtDay(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(0, 10);
}

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses the date forms Close accepts in filters; null when unparseable. */
export function parseDate(input: string): number | null {
  const m = DATE_RE.exec(input.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const ms = Date.UTC(+y, +mo - 1, +d, h ? +h : 0, mi ? +mi : 0, s ? +s : 0);
  if (Number.isNaN(ms) || +mo < 1 || +mo > 12 || +d < 1 || +d > 31) return null;
  let us = ms * 1000;
  if (frac) us += +frac.slice(0, 6).padEnd(6, '0');
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const offMin = +digits.slice(0, 2) * 60 + (digits.length > 2 ? +digits.slice(2, 4) : 0);
    us -= sign * offMin * 60 * US_PER_SEC;
  }
  return us;
}

let lastClock = 0;
/**
 * The wall clock for changes, in µs at Close's millisecond precision, never
 * going back: changes in the same millisecond share their timestamp, as
 * records written together do in Close (ties are real there too).
 */
export function clockUs(): number {
  const t = Date.now() * 1000;
  if (t > lastClock) lastClock = t;
  return lastClock;
}
