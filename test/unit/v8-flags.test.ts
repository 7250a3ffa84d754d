import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {MEMORY_FLAGS, memoryFlagsFor} from '../../src/cli/v8-flags';

describe('the V8 flags the entry point sets', () => {
  it('sets optimize-for-size when the command line says nothing of it', () => {
    assert.ok(MEMORY_FLAGS.includes('--optimize-for-size'));
    assert.deepEqual(memoryFlagsFor([]), ['--optimize-for-size']);
    assert.deepEqual(memoryFlagsFor(['--max-old-space-size=256', '--stack-trace-limit=50']), ['--optimize-for-size']);
  });

  it('leaves it to the command line, whether that sets or unsets it, in either spelling', () => {
    for (const argv of [['--no-optimize-for-size'], ['--optimize-for-size'], ['--optimize_for_size'], ['--no-optimize_for_size']]) {
      assert.deepEqual(memoryFlagsFor(argv), [], argv.join(' '));
    }
  });
});
