# syntax=docker/dockerfile:1
# Close (Close.io) source for Airbyte.
#   docker build -t closeio-source/source-closeio:dev .
# The image holds only the compiled connector (bin/, lib/ without source maps,
# resources/, package.json) and its production dependencies, installed from
# package-lock.json, all owned by root and read-only for the user it runs as.
# Keep io.airbyte.name/version equal to metadata.yaml (dockerRepository/dockerImageTag)
# and package.json "version": test/packaging/dockerfile.test.ts checks it, and
# `npm run image:test` builds and runs the image (docs/docker.md).

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: compile TypeScript with the full (dev) dependency tree ----------
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/generate-types.js ./scripts/
COPY resources ./resources
COPY src ./src
COPY bin ./bin
# No source maps in the image: they map to TypeScript sources it does not hold.
RUN npm run build -- --sourceMap false

# ---- prod-deps: production dependencies only, same lock file ----------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /deps
COPY package.json package-lock.json ./
# The dependencies' TypeScript sources and declarations, source maps and docs
# are never loaded at run time; licences stay.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && find node_modules -type f \( -name '*.ts' -o -name '*.cts' -o -name '*.mts' -o -name '*.map' -o -iname '*.md' \) \
      ! -iname 'licen[cs]e*' ! -iname 'notice*' -delete \
 && npm cache clean --force

# ---- runtime ----------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# A sync holds little live data (every buffer is bounded: about 4 MiB of
# Close's answers read ahead, 256 KiB queued for stdout), but V8 sizes its heap
# for throughput and lets garbage pile up to gigabytes on a big node. The old
# space cap keeps memory flat whatever the account's size; small semi-spaces
# (2 MiB instead of 16–32) keep the young generation, which every parsed page
# passes through, from holding tens of MB of garbage between scavenges. The
# benchmark runs with the same setting; override NODE_OPTIONS to change it.
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=2"
# The user is airbyte with UID and GID 1000, as in Airbyte's own connector base
# images (airbyte-ci base_images: USER "airbyte", USER_ID 1000), whatever the
# base image: the official Node image has its `node` user at 1000, which goes.
RUN if getent passwd 1000 >/dev/null; then userdel --remove "$(getent passwd 1000 | cut -d: -f1)"; fi \
 && if getent group 1000 >/dev/null; then groupdel "$(getent group 1000 | cut -d: -f1)"; fi \
 && groupadd --gid 1000 airbyte \
 && useradd --uid 1000 --gid 1000 --home-dir /airbyte --no-create-home --shell /usr/sbin/nologin airbyte \
 && mkdir -p /airbyte/integration_code \
 && chown airbyte:airbyte /airbyte
# The code belongs to root: the connector cannot change itself at run time.
WORKDIR /airbyte/integration_code
COPY --from=prod-deps --chown=root:root /deps/node_modules ./node_modules
COPY --from=build --chown=root:root /build/package.json ./package.json
COPY --from=build --chown=root:root /build/bin ./bin
COPY --from=build --chown=root:root /build/lib ./lib
COPY --from=build --chown=root:root /build/resources ./resources
WORKDIR /airbyte

# The platform runs `eval "$AIRBYTE_ENTRYPOINT <command> ..."` from another
# directory: absolute paths, and exactly the ENTRYPOINT joined by spaces.
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/node /airbyte/integration_code/bin/main"
ENTRYPOINT ["/usr/local/bin/node", "/airbyte/integration_code/bin/main"]

LABEL io.airbyte.name=closeio-source/source-closeio
LABEL io.airbyte.version=0.1.0

USER airbyte
