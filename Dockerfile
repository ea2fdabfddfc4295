# The production image: compiled JavaScript run by plain node, production dependencies only, a
# non-root user, a health check, and tini as PID 1. Build: docker build -t mqtt-chat .
# README "Operations" describes it; test/ops/dockerfile.test.ts keeps these rules.

# --- build: every dependency (tsc, esbuild, tsx), then `npm run build` into dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The workspace packages' manifests, so `npm ci` can link them (their sources come with COPY . . below).
COPY protocol/package.json protocol/
COPY sdk/package.json sdk/
RUN npm ci --no-audit --no-fund
COPY . .
# The workspaces' dist/, the web page, the server in dist/ with its migrations and page beside it.
RUN npm run build

# --- runtime: production dependencies and the compiled output, nothing else ---
FROM node:20-bookworm-slim AS runtime
# tini as PID 1: the kernel gives PID 1 no default signal actions, so a signal the platform has
# no handler for would be ignored, and nothing would reap orphaned children; tini forwards every
# signal to node (whose SIGTERM/SIGINT handler shuts down cleanly) and reaps.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY sdk/package.json sdk/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# @mqtt-chat/protocol at run time: its compiled dist/ and the generated protobuf code it imports.
COPY --from=build /app/protocol/dist ./protocol/dist
COPY --from=build /app/protocol/generated ./protocol/generated
RUN mkdir -p /data && chown node:node /data
# The node image's unprivileged user (uid 1000); it owns only /data.
USER node
ENV HOST=0.0.0.0 DATA_DIR=/data
EXPOSE 1883 8083 3000
# /healthz of the all-in-one platform on API_PORT (200 ok or degraded; 503 when the database or broker is down).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.API_PORT ?? 3000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/platform/main.js"]
