# mailfront: `docker run -p 8080:8080 -p 2525:2525 <image>` is a test stand-in (demo data, admin API
# open until a token is given, self-signed HTTPS); see the README's "Container image" for production
# settings.
# Built by `npm run image` (podman or docker; a local base where registries are out of reach).
ARG NODE_IMAGE=node:20-bookworm-slim

# Every workspace's package.json and nothing else, whatever the workspaces are (a new provider
# needs no line here): the `npm ci` layer below is rebuilt only when one of them, or the lockfile,
# changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY apps apps
COPY packages packages
RUN find apps packages -type f ! -name package.json -delete \
 && find apps packages -type d -empty -delete

FROM ${NODE_IMAGE} AS build
# better-sqlite3 is compiled from source; node-gyp uses the base image's own Node headers.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local npm_config_update_notifier=false npm_config_fund=false
WORKDIR /app
# Dependencies first (one layer per lockfile): every workspace's package.json, then `npm ci`.
COPY package.json package-lock.json ./
COPY --from=manifests /app/ ./
COPY scripts/setup.mjs scripts/
# The server's dependencies and the root's tools, no lifecycle scripts; then the root's setup
# script compiles better-sqlite3, as `npm ci` does (the build follows below). A CA given as the
# secret `npm-ca` (a TLS proxy's, passed by scripts/image.sh) is trusted by npm.
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npm-ca \
    if [ -f /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi \
 && npm ci -w @mailfront/server --include-workspace-root --ignore-scripts --no-audit --no-fund \
 && node scripts/setup.mjs --native
COPY tsconfig.base.json tsconfig.emit.json ./
COPY apps/server apps/server
COPY packages packages
COPY scripts/healthcheck.mjs scripts/
# Build, then keep only what runs: production dependencies, dist/, bin/, ui/, demo data.
RUN npx tsc -b apps/server/tsconfig.build.json \
 && npm prune -w @mailfront/server --include-workspace-root --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf apps/*/src packages/*/src packages/*/test apps/*/test \
 && find . -name '*.tsbuildinfo' -delete

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    MAILFRONT_HOST=0.0.0.0 \
    MAILFRONT_DATA_DIR=/data \
    MAILFRONT_DEMO=on \
    MAILFRONT_ADMIN_DEFAULT=open
WORKDIR /app
COPY --from=build /app /app
# `mailfront` on PATH, for `docker exec <container> mailfront ca` and the other commands.
RUN mkdir -p /data && chown node:node /data \
 && ln -s /app/apps/server/bin/mailfront.js /usr/local/bin/mailfront
USER node
VOLUME /data
# HTTP/HTTPS and SMTP; the HTTPS proxy (MAILFRONT_PROXY_PORT) and the DNS responder
# (MAILFRONT_DNS_PORT, UDP and TCP) listen only when set: publish the ports you choose with -p.
EXPOSE 8080 2525
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/app/scripts/healthcheck.mjs"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/apps/server/bin/mailfront.js"]
CMD ["serve"]
