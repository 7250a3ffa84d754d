import fs from 'fs';
import os from 'os';
import path from 'path';

/**
 * Everything any connector run printed during the test suite is appended to
 * one file, so that a final test can assert the API key never appeared in
 * any of it (stdout and stderr, including failures and crashes).
 */
export const OUTPUT_LOG = process.env.CLOSEIO_TEST_OUTPUT_LOG ?? path.join(os.tmpdir(), `closeio-test-output-${process.ppid}.log`);

export function recordOutput(text: string): void {
  fs.appendFileSync(OUTPUT_LOG, text);
}
