# DevHub image: `docker build -t devhub .` then
#   docker run -p 3000:3000 -v devhub-data:/app/data -e SESSION_SECRET=... -e ENCRYPTION_KEY=... devhub
# The worker is the same image with another command: `node dist/src/worker.js` (see README, Deploy).
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency, the TypeScript build, then production dependencies only ----------
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles its native module when no prebuilt binary can be downloaded
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
# the CLI is an npm workspace: its manifest keeps `npm ci` in step with the lock file (the image runs the server only)
COPY cli/package.json ./cli/package.json
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY migrations ./migrations
# After the build: production dependencies only, without what nothing loads at run time: source maps,
# type declarations, better-sqlite3's sources and objects (its compiled addon stays), and TypeScript
# (an optional peer of @nestjs/swagger, for its compile-time plugin only).
RUN npm run build:server \
  && npm prune --omit=dev --no-audit --no-fund \
  && find node_modules -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete \
  && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver \
  && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
    node_modules/better-sqlite3/build/Release/obj node_modules/better-sqlite3/build/Release/obj.target \
    node_modules/better-sqlite3/build/Release/.deps node_modules/better-sqlite3/build/deps \
    node_modules/better-sqlite3/build/Release/test_extension.node node_modules/better-sqlite3/build/Release/sqlite3.a \
  && find dist -name '*.map' -delete \
  && npm cache clean --force

# ---- runtime: compiled code, views, static files, production dependencies; no compilers --------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
  HOST=0.0.0.0 \
  PORT=3000 \
  DATABASE_URL=sqlite:/app/data/devhub.db
WORKDIR /app
RUN groupadd --system --gid 10001 devhub \
  && useradd --system --uid 10001 --gid devhub --home-dir /app --shell /usr/sbin/nologin devhub \
  && mkdir -p /app/data && chown devhub:devhub /app/data
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY views ./views
COPY public ./public
USER devhub
VOLUME ["/app/data"]
EXPOSE 3000
# node's own fetch: slim images have no curl
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# the server closes its listener and database on SIGTERM; node is PID 1 here, so no npm in between
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
