import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {Cursor, cursorCeiling} from '../../src/streams/cursor';
import {MICROS_PER_MINUTE, MICROS_PER_SECOND, formatInstant, parseInstant} from '../../src/time/instant';

const T = parseInstant('2024-06-01T12:00:00Z')!;
const at = (s: number) => T + s * MICROS_PER_SECOND;

describe('Cursor: the committed value never passes the ceiling', () => {
  it('commits the largest value at or below the ceiling: a record value, the same whenever the sync ran', () => {
    const c = new Cursor('date_updated', undefined, [at(0)]);
    for (const v of [at(-50), at(-5), at(3), at(9)]) c.advance(v);
    assert.deepEqual(c.toState(), {date_updated: formatInstant(at(-5))});
  });

  it('commits the ceiling itself when every value seen is past it', () => {
    const c = new Cursor('date_updated', undefined, [at(0)]);
    c.advance(at(4));
    assert.deepEqual(c.toState(), {date_updated: formatInstant(at(0))});
  });

  it('never goes below the saved value (a far-future state stays)', () => {
    const future = parseInstant('2999-01-01T00:00:00Z')!;
    const c = new Cursor('date_updated', {micros: future}, [at(0)]);
    c.advance(at(-10));
    assert.deepEqual(c.toState(), {date_updated: formatInstant(future)});
    const d = new Cursor('date_updated', {micros: at(-20)}, [at(0)]);
    assert.deepEqual(d.toState(), {date_updated: formatInstant(at(-20))});
  });

  it('nothing seen, nothing saved: {}', () => {
    assert.deepEqual(new Cursor('date_updated', undefined, [at(0)]).toState(), {});
  });

  it('tracks every candidate ceiling, so that one chosen at the end commits what it allows', () => {
    const c = new Cursor('date_updated', undefined, [at(0), at(-60)]);
    for (const v of [at(-90), at(-30), at(-2)]) c.advance(v);
    assert.deepEqual(c.toState(at(0)), {date_updated: formatInstant(at(-2))});
    assert.deepEqual(c.toState(at(-60)), {date_updated: formatInstant(at(-90))});
    assert.throws(() => c.toState(at(-1)), /not tracked/);
  });

  it('cursorCeiling: one second before syncStartedAt (rounded up to the second), less the margin', () => {
    assert.equal(cursorCeiling(at(0), 0), at(-1));
    assert.equal(cursorCeiling(at(0), MICROS_PER_MINUTE), at(-61));
  });
});
