# syntax=docker/dockerfile:1
# Close (Close.io) source for Airbyte.
#   docker build -t closeio-source/source-closeio:dev .
# The image holds only the compiled connector (bin/, lib/, resources/, package.json)
# and its production dependencies, installed from package-lock.json.
# Keep io.airbyte.name/version equal to metadata.yaml (dockerRepository/dockerImageTag)
# and package.json "version": test/packaging/dockerfile.test.ts checks it.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: compile TypeScript with the full (dev) dependency tree ----------
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY resources ./resources
COPY src ./src
COPY bin ./bin
RUN npm run build

# ---- prod-deps: production dependencies only, same lock file ----------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- runtime ----------------------------------------------------------------
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# A sync holds little live data (bounded buffers, ~100 MB at most), but V8
# sizes its heap for throughput and lets garbage pile up to gigabytes on a big
# node. The cap keeps memory flat whatever the account's size (the benchmark
# runs with the same setting); override NODE_OPTIONS to change it.
ENV NODE_OPTIONS="--max-old-space-size=256"
RUN groupadd --system airbyte \
 && useradd --system --gid airbyte --home-dir /airbyte --shell /usr/sbin/nologin airbyte \
 && mkdir -p /airbyte/integration_code \
 && chown -R airbyte:airbyte /airbyte
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
