# Kilowatch server (and the simulator, which uses the same image).
# The server runs TypeScript directly through tsx (a runtime dependency), so there is no compile
# step for it; only the dashboard is built (vite -> web/dist).

# --- toolchain: better-sqlite3 builds from source when no prebuilt binary matches ---
FROM node:20-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

# --- build: all dependencies, then the dashboard bundle ---
FROM toolchain AS build
RUN npm ci
COPY . .
RUN npm run build:web

# --- prod-deps: runtime dependencies only, native modules built against this same base image ---
FROM toolchain AS prod-deps
RUN npm ci --omit=dev

# --- runtime: no compilers, no dev dependencies, not root ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
# Code stays root-owned and read-only to the `node` user; only /data is writable.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY server ./server
COPY simulators ./simulators
COPY --from=build /app/web/dist ./web/dist
# A named volume mounted at /data starts as a copy of this directory, ownership included: without
# it the non-root server could not create its spool there.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
CMD ["npm", "start"]
