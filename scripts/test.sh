#!/usr/bin/env bash
# The test suite: every test file in one node:test run, one file at a time
# (they start sandboxes and spawn the connector). Node runs the files in
# path order, so test/zz-after-all/ runs last: its secrets check reads what
# every earlier connector run printed.
set -euo pipefail
cd "$(dirname "$0")/.."
CLOSEIO_TEST_OUTPUT_LOG="$(mktemp -t closeio-test-output.XXXXXX)"
export CLOSEIO_TEST_OUTPUT_LOG
trap 'rm -f "$CLOSEIO_TEST_OUTPUT_LOG"' EXIT
mapfile -t files < <(find test -name '*.test.ts' | LC_ALL=C sort)
node --import tsx --test --test-concurrency=1 "${files[@]}"
