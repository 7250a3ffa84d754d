#!/usr/bin/env bash
# npm run image:test — builds the Dockerfile and runs the image as Airbyte does
# (test/image/image.e2e.ts), with nothing but the Debian and npm registries:
#   1. installs buildah, podman, runc and debootstrap from Debian if missing;
#   2. makes the local Node base image (scripts/image/base-image.sh; cached per machine);
#   3. builds the Dockerfile with --build-arg NODE_IMAGE=<that base>;
#   4. runs spec/check/discover/read in the image against the sandbox.
# Needs root (CI runs as root), like the tools it drives without a Docker engine.
set -euo pipefail
cd "$(dirname "$0")/../.."

IMAGE=${CLOSEIO_IMAGE:-localhost/closeio-source/source-closeio:image-test}
t0=$(date +%s)
phase_start=$t0
declare -a timings=()
phase() {
  local now
  now=$(date +%s)
  timings+=("$1=$((now - phase_start))s")
  phase_start=$now
}
log() { printf '[image:test] %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then
  log "needs root (buildah/podman/debootstrap without a Docker engine); CI runs .ci/run as root"
  exit 1
fi

missing=()
for tool in buildah podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends buildah podman runc debootstrap ca-certificates >/dev/null
fi
phase tools

BASE=$(bash scripts/image/base-image.sh)
phase base

# The machine's network presents its own certificate authority: npm ci inside
# the build needs the host's bundle (Debian's Node trusts the system store).
log "building $IMAGE from $BASE"
buildah bud --quiet --isolation chroot --network host --layers \
  --volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
  --build-arg NODE_IMAGE="$BASE" -t "$IMAGE" . >/dev/null
phase build

# The test compares the image with the connector built here (spec, discover).
[ -f lib/index.js ] || npm run build --silent
output_log=$(mktemp -t closeio-image-output.XXXXXX)
trap 'rm -f "$output_log"' EXIT
CLOSEIO_TEST_OUTPUT_LOG="$output_log" CLOSEIO_IMAGE="$IMAGE" CLOSEIO_BASE_IMAGE="$BASE" node --import tsx --test --test-reporter=spec test/image/image.e2e.ts
phase run

size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE")
# Layers of builds older than a week; this build's layer cache and the base stay.
podman image prune -f --filter until=168h >/dev/null 2>&1 || true
log "image $IMAGE: $((size / 1000000)) MB ($((base_size / 1000000)) MB base + $(((size - base_size) / 1000000)) MB connector)"
log "took $(( $(date +%s) - t0 )) s (${timings[*]})"
