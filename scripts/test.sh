#!/usr/bin/env bash
# The test suite: every test file in one node:test run, one file at a time
# (they start sandboxes and spawn the connector), and the secrets check last,
# because it reads what every earlier connector run printed.
set -euo pipefail
cd "$(dirname "$0")/.."
CLOSEIO_TEST_OUTPUT_LOG="$(mktemp -t closeio-test-output.XXXXXX)"
export CLOSEIO_TEST_OUTPUT_LOG
trap 'rm -f "$CLOSEIO_TEST_OUTPUT_LOG"' EXIT
mapfile -t files < <(find test -name '*.test.ts' ! -name 'secrets.test.ts' | sort)
exec node --import tsx --test --test-concurrency=1 "${files[@]}" test/secrets.test.ts
