# syntax=docker/dockerfile:1
#
# movie-recs GraphQL service.
#
#   docker build -t movie-recs .
#   docker run --init -p 4000:4000 --env-file .env -v movie-recs-data:/var/lib/movie-recs movie-recs
#
# The image runs with NODE_ENV=production, where the service refuses to start with
# writes open to anyone: .env holds AUTH_JWT_SECRET (or AUTH_JWKS_URL, or
# ALLOW_ANONYMOUS_WRITES=true); see .env.example. /metrics is on port 4000 unless
# METRICS_PORT is set (docker-compose.yml sets 9464 and does not publish it).
#
# Three stages: `build` compiles TypeScript with the dev dependencies, `prod-deps`
# installs only the runtime dependencies, and `runtime` keeps just what the server
# needs. All production dependencies are pure JavaScript (no node-gyp, no .node
# files), so no compiler toolchain is needed in any stage.
# RUN --mount needs BuildKit, the default builder since Docker Engine 23.

# Node 24 LTS, the line package.json's engines asks for.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---------------------------------------------------------------- build
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/tmp/npm-cache \
    npm_config_cache=/tmp/npm-cache npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
# the server (dist/) and the page it serves at / (web/dist/)
RUN npm run build && npm run build:web

# ---------------------------------------------------------------- prod-deps
# A clean `npm ci --omit=dev` rather than `npm prune` in the build stage: it runs
# in parallel with the build and never carries dev-only leftovers.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/tmp/npm-cache \
    npm_config_cache=/tmp/npm-cache npm ci --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------- runtime
FROM ${NODE_IMAGE} AS runtime

# NODE_ENV: production mode for express/apollo; the rest configure the server.
# DATA_DIR is the writable state directory (a volume); the bundled data set is read
# from /app/data/<DATASET>, found from the package.json next to dist/.
ENV NODE_ENV=production \
    PORT=4000 \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/movie-recs \
    DATASET=ml-latest-small

WORKDIR /app

# Application files stay owned by root, so the unprivileged server cannot modify
# its own code; only DATA_DIR is writable by it.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY package.json schema.graphql ./
# The MovieLens licence requires its README.txt to travel with the data.
COPY data/ml-latest-small ./data/ml-latest-small

# Create DATA_DIR owned by the image's unprivileged `node` user (uid 1000) before
# declaring it a volume: a new named volume is initialised from this directory,
# ownership included, so the server can write to it.
RUN mkdir -p "${DATA_DIR}" && chown node:node "${DATA_DIR}"
VOLUME ["/var/lib/movie-recs"]

USER node

EXPOSE 4000

# Docker's default, stated explicitly: `docker stop` sends SIGTERM, then SIGKILL after
# the grace period (10 s by default). CMD is in exec form, so node receives SIGTERM
# directly. Node as PID 1 gets no default signal dispositions from the kernel, so the
# server must install its own SIGTERM/SIGINT handlers; run with `docker run --init`
# (compose: `init: true`) to have tini as PID 1 forward signals and reap zombies.
STOPSIGNAL SIGTERM

# No curl in the slim image: node's built-in fetch probes GET /healthz. The check
# runs inside the container, so 127.0.0.1 works when HOST is 0.0.0.0 (or 127.0.0.1).
# start-period leaves time to load the data set and build the model.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

CMD ["node", "dist/cli/serve.js"]
