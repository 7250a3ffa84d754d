import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {AdaptiveWindows, DEFAULT_SIZING, Window, WindowSizing} from '../../src/streams/windows';
import {
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_SECOND,
  formatInstant,
  formatMinute,
  fromDate,
  parseInstant,
} from '../../src/time/instant';
import {seededRandom} from './helpers/fakes';

function drain(w: AdaptiveWindows, records: (i: number) => number = () => 500): Window[] {
  const out: Window[] = [];
  for (let x = w.take(); x; x = w.take()) {
    out.push(x);
    w.feedback(x, records(out.length - 1));
    assert.ok(out.length < 100_000, 'runaway windows');
  }
  return out;
}

function assertCovers(ws: Window[], lo: number, hi: number) {
  assert.ok(ws.length > 0);
  assert.equal(ws[0].lo, lo);
  assert.equal(ws[ws.length - 1].hi, hi);
  for (let i = 0; i < ws.length; i++) {
    assert.ok(ws[i].lo < ws[i].hi, `empty window ${i}`);
    if (i > 0) assert.equal(ws[i].lo, ws[i - 1].hi, `gap/overlap at ${i}`);
  }
}

describe('AdaptiveWindows', () => {
  it('covers [lower, upper) exactly, whole-second boundaries', () => {
    const lower = parseInstant('2023-01-01T00:00:00Z')!;
    const upper = parseInstant('2024-06-15T13:14:15Z')!;
    const ws = drain(new AdaptiveWindows(lower, upper));
    assertCovers(ws, lower, upper);
    for (const w of ws) {
      assert.equal(w.lo % MICROS_PER_SECOND, 0);
      assert.equal(w.hi % MICROS_PER_SECOND, 0);
    }
  });

  it('a lower bound with a fraction starts at its whole second', () => {
    const lower = parseInstant('2023-01-01T00:00:07.654321Z')!;
    const upper = parseInstant('2023-03-01T00:00:00Z')!;
    const ws = drain(new AdaptiveWindows(lower, upper));
    assertCovers(ws, parseInstant('2023-01-01T00:00:07Z')!, upper);
  });

  it('lower >= upper → no window', () => {
    const t = parseInstant('2023-01-01T00:00:00Z')!;
    assert.equal(new AdaptiveWindows(t, t).take(), undefined);
    assert.equal(new AdaptiveWindows(t + MICROS_PER_DAY, t).take(), undefined);
  });

  it('sizes windows to hold targetRecords at the density just seen, shrinking fast, growing at most 2x, within min and max', () => {
    const sizing: WindowSizing = {initial: 8 * MICROS_PER_HOUR, min: MICROS_PER_HOUR, max: 4 * MICROS_PER_DAY, targetRecords: 100};
    const lower = parseInstant('2024-01-01T00:00:00Z')!;
    const w = new AdaptiveWindows(lower, lower + 365 * MICROS_PER_DAY, sizing);
    const sizes: number[] = [];
    const take = (records: number) => {
      const x = w.take()!;
      sizes.push(x.hi - x.lo);
      w.feedback(x, records);
    };
    take(400); // 4x the target: a quarter of the size
    take(1000); // 10x: shrinks by at most 8x, down to min
    take(100);
    assert.deepEqual(sizes, [8, 2, 1].map((h) => h * MICROS_PER_HOUR));
    sizes.length = 0;
    for (let i = 0; i < 9; i++) take(0); // empty: doubles, up to max
    assert.deepEqual(sizes, [1, 2, 4, 8, 16, 32, 64, 96, 96].map((h) => h * MICROS_PER_HOUR));
    sizes.length = 0;
    take(100); // on target: unchanged
    take(100);
    take(50); // half the target: doubles (capped at max)
    assert.deepEqual(sizes, [96, 96, 96].map((h) => h * MICROS_PER_HOUR));
  });

  it('random feedback still covers exactly, on whole seconds', () => {
    const rnd = seededRandom(5);
    const sizing: WindowSizing = {initial: 3 * MICROS_PER_HOUR + 7 * MICROS_PER_SECOND, min: 61 * MICROS_PER_SECOND, max: 9 * MICROS_PER_DAY, targetRecords: 600};
    for (let run = 0; run < 20; run++) {
      const lower = parseInstant('2022-02-02T02:02:02Z')! + Math.floor(rnd() * 1000) * MICROS_PER_SECOND;
      const upper = lower + Math.floor(rnd() * 60 * MICROS_PER_DAY / MICROS_PER_SECOND) * MICROS_PER_SECOND + MICROS_PER_SECOND;
      const ws = drain(new AdaptiveWindows(lower, upper, sizing), () => Math.floor(rnd() * 3000));
      assertCovers(ws, lower, upper);
      for (const w of ws) {
        assert.equal(w.lo % MICROS_PER_SECOND, 0);
        assert.equal(w.hi % MICROS_PER_SECOND, 0);
        assert.ok(w.hi - w.lo <= sizing.max);
      }
    }
  });

  it('spread: the end of the range is cut into as many windows as are read at once, not read in one last large window', () => {
    const S = 1_000_000;
    const sizing: WindowSizing = {...DEFAULT_SIZING, initial: 100 * S, min: S, targetRecords: 100, spread: 4};
    const w = new AdaptiveWindows(0, 1000 * S, sizing);
    const spans: number[] = [];
    for (let win = w.take(); win; win = w.take()) {
      spans.push((win.hi - win.lo) / S);
      w.feedback(win, 100); // every window held its target: the size stays
    }
    assert.equal(spans.reduce((a, b) => a + b, 0), 1000, 'covers the range exactly');
    // 100 s windows while more than 4 × 100 s are left; the last 400 s or less in 4 equal windows.
    const tail = spans.slice(-4);
    assert.ok(tail.every((s) => s === tail[0] && s <= 100), `tail ${tail}`);
    assert.ok(spans.slice(0, -4).every((s) => s === 100), `spans ${spans}`);
    // Without spread, the same range ends in whole windows.
    const plain = new AdaptiveWindows(0, 1000 * S, {...sizing, spread: undefined});
    let n = 0;
    for (let win = plain.take(); win; win = plain.take()) {
      n++;
      plain.feedback(win, 100);
    }
    assert.equal(n, 10);
  });

  it('spread: a range smaller than one window (a quiet incremental sync) stays one window', () => {
    const S = 1_000_000;
    const w = new AdaptiveWindows(0, 60 * S, {...DEFAULT_SIZING, initial: 100 * S, min: S, targetRecords: 100, spread: 4});
    const first = w.take();
    assert.deepEqual(first, {lo: 0, hi: 60 * S});
    assert.equal(w.take(), undefined);
  });

  it('default sizing is sane', () => {
    assert.ok(DEFAULT_SIZING.min <= DEFAULT_SIZING.initial && DEFAULT_SIZING.initial <= DEFAULT_SIZING.max);
  });
});

describe('instant', () => {
  it('parses Close spellings to microseconds', () => {
    const base = Date.UTC(2017, 8, 27, 10, 44, 27) * 1000;
    assert.equal(parseInstant('2017-09-27T10:44:27.875000+00:00'), base + 875_000);
    assert.equal(parseInstant('2017-09-27T10:44:27.875123+00:00'), base + 875_123);
    assert.equal(parseInstant('2017-09-27T10:44:27+00:00'), base);
    assert.equal(parseInstant('2017-09-27T10:44:27Z'), base);
    assert.equal(parseInstant('2017-09-27T10:44:27'), base, 'no offset = UTC');
    assert.equal(parseInstant('2017-09-27 10:44:27'), base);
    assert.equal(parseInstant('2017-09-27T10:44'), base - 27_000_000);
    assert.equal(parseInstant('2017-09-27T10:44:27.8Z'), base + 800_000);
    assert.equal(parseInstant('2017-09-27T10:44:27.123456789Z'), base + 123_456, 'nanoseconds truncated');
  });

  it('honours offsets', () => {
    const utc = parseInstant('2024-01-01T12:00:00Z')!;
    assert.equal(parseInstant('2024-01-01T14:00:00+02:00'), utc);
    assert.equal(parseInstant('2024-01-01T07:30:00-04:30'), utc);
    assert.equal(parseInstant('2024-01-01T14:00:00+0200'), utc);
    assert.equal(parseInstant('2024-01-01T00:30:00.5-11:30'), utc + 500_000);
  });

  it('date-only is midnight UTC', () => {
    assert.equal(parseInstant('2017-09-18'), Date.UTC(2017, 8, 18) * 1000);
    assert.equal(parseInstant('2024-02-29'), Date.UTC(2024, 1, 29) * 1000);
  });

  it('rejects invalid dates and non-strings', () => {
    for (const bad of ['2024-02-31', '2023-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-01-01T24:00:00Z', '2024-01-01T12:60:00Z',
      'yesterday', '', '2024-1-1', '20240101', '2024-01-01T', '2024-01-01T12:00:00+2', 'T12:00:00']) {
      assert.equal(parseInstant(bad), undefined, bad);
    }
    for (const bad of [null, undefined, 12345, {}, new Date()]) assert.equal(parseInstant(bad), undefined);
    for (const bad of ['2024-01-01T00:00:00+24:00', '2024-01-01T00:00:00+99:99', '2024-01-01T00:00:00-05:60']) {
      assert.equal(parseInstant(bad), undefined, `offset out of range: ${bad}`);
    }
    assert.equal(parseInstant('2024-01-01T00:00:00+14:00'), parseInstant('2023-12-31T10:00:00Z'));
  });

  it('format/parse round trips with microseconds', () => {
    const rnd = seededRandom(9);
    for (let i = 0; i < 500; i++) {
      const micros = Math.floor(rnd() * 4_000_000_000) * 1_000_000 + Math.floor(rnd() * 1_000_000);
      const text = formatInstant(micros);
      assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
      assert.equal(parseInstant(text), micros, text);
    }
    for (const s of ['2017-09-27T10:44:27.875000+00:00', '1970-01-01T00:00:00.000000+00:00', '2099-12-31T23:59:59.999999+00:00']) {
      assert.equal(formatInstant(parseInstant(s)!), s);
    }
  });

  it('formats pre-epoch instants', () => {
    const s = '1969-12-31T23:59:59.250000+00:00';
    assert.equal(formatInstant(parseInstant(s)!), s);
  });

  it('minute helpers', () => {
    const t = parseInstant('2024-05-01T12:34:56.789Z')!;
    assert.equal(formatMinute(t), '2024-05-01T12:34');
    assert.equal(fromDate(new Date('2024-05-01T00:00:00.123Z')), parseInstant('2024-05-01T00:00:00.123Z'));
  });
});
