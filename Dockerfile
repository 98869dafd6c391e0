# syntax=docker/dockerfile:1
# psn-party-bridge: build once, run with production dependencies only.
#   docker build -t psn-party-bridge .
#   docker compose up -d          (reads .env; see compose.yaml)
# test/deploy/container.test.ts replays this file's steps: keep it to the
# instructions that test understands (FROM, ARG, ENV, WORKDIR, COPY, RUN, USER,
# VOLUME, EXPOSE, HEALTHCHECK, ENTRYPOINT, CMD).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: the production node_modules, the only ones the image runs with ----------
FROM ${NODE_IMAGE} AS deps
# better-sqlite3 compiles itself when no prebuilt binary matches the platform.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- build: compile TypeScript with the compiler alone --------------------------------
# A full `npm ci` would also install the test tooling (Stryker, Chromium, playwright-core,
# vitest, biome): hundreds of megabytes the build never runs. The production packages
# carry every type the sources need (@types/node comes with discord.js), so the build
# adds only the compiler, at the version the lockfile pins. TypeScript has no
# dependencies of its own, so its folder moves into node_modules as it is.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
RUN npm install --prefix .compiler --no-save --no-package-lock --no-audit --no-fund "typescript@$(node -p "require('./package-lock.json').packages['node_modules/typescript'].version")" && mv .compiler/node_modules/typescript node_modules/ && rm -rf .compiler
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# --- runtime: node, the production node_modules, dist/ and the migrations -------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to node and reaps zombies: `docker stop` is a clean stop.
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    DATABASE_PATH=/data/bot.sqlite \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
# The application files stay root's and read-only; only /data is the bot's.
# 1000:1000 is the image's `node` user, numeric so a runtime can verify it is not root.
RUN mkdir -p /data && chown 1000:1000 /data
USER 1000:1000
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "dist/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "dist/main.js"]
