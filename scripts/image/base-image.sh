#!/usr/bin/env bash
# Makes (once per machine) a local base image equivalent to the official Node
# image, from the Debian archive alone: no Docker Hub here (FACTS.md). Prints
# its name on stdout. The image is cached under a tag derived from every input
# below and from this script, so a change to any of them builds a new one.
#
#   debootstrap --variant=minbase trixie + Debian's nodejs 20 (trixie's Node is
#   20.19.x; bookworm's is 18, too old for engines.node >= 20);
#   npm from the npm registry, unpacked where the official image keeps it
#   (/usr/local/lib/node_modules/npm, /usr/local/bin/npm and npx);
#   /usr/local/bin/node -> /usr/bin/node (the official image's path, used by the ENTRYPOINT);
#   user and group `node` at 1000:1000, as in the official image.
# Differences from the official image: Node is Debian's build (it trusts the
# system CA store), no yarn, no docker-entrypoint.sh.
set -euo pipefail

SUITE=trixie
MIRROR=http://deb.debian.org/debian
PACKAGES=ca-certificates,nodejs
NPM_VERSION=10.8.2
NAME=localhost/closeio-node-base

log() { printf '[base-image] %s\n' "$*" >&2; }

KEY=$( { echo "$SUITE $MIRROR $PACKAGES $NPM_VERSION $(uname -m)"; cat "$0"; } | sha256sum | cut -c1-16)
TAG="$NAME:20-$SUITE-$KEY"

if podman image exists "$TAG"; then
  log "cached: $TAG"
  echo "$TAG"
  exit 0
fi

WORK=$(mktemp -d /var/tmp/closeio-base.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOTFS="$WORK/rootfs"
started=$(date +%s)

log "debootstrap $SUITE ($PACKAGES) from $MIRROR"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
  tail -30 "$WORK/debootstrap.log" >&2
  exit 1
}

log "npm $NPM_VERSION"
(cd "$WORK" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$ROOTFS/usr/local/lib/node_modules/npm" "$ROOTFS/usr/local/bin"
tar -xzf "$WORK/npm-$NPM_VERSION.tgz" -C "$ROOTFS/usr/local/lib/node_modules/npm" --strip-components=1
ln -s /usr/bin/node "$ROOTFS/usr/local/bin/node"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

chroot "$ROOTFS" groupadd --gid 1000 node
chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
NODE_VERSION=$(chroot "$ROOTFS" /usr/local/bin/node --version)
chroot "$ROOTFS" /usr/local/bin/node /usr/local/bin/npm --version >/dev/null

# Nothing of this machine in the image (the apt source is the public mirror).
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/log/* "$ROOTFS"/tmp/*
rm -f "$ROOTFS/etc/resolv.conf" "$ROOTFS/etc/hostname"
[ -f "$ROOTFS/etc/machine-id" ] && : >"$ROOTFS/etc/machine-id"

log "import as $TAG (node $NODE_VERSION)"
tar -C "$ROOTFS" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
  --change 'CMD ["node"]' \
  - "$TAG" >/dev/null
# Older bases made from other inputs are of no further use.
for old in $(podman images --format '{{.Repository}}:{{.Tag}}' "$NAME" | grep -vxF "$TAG" || true); do
  podman rmi "$old" >/dev/null 2>&1 || true
done
log "built in $(( $(date +%s) - started )) s"
echo "$TAG"
