#!/usr/bin/env bash
# Where registries are out of reach: build compose.yaml's PostgreSQL and Redis from Debian packages,
# as localhost/postgres:15-bookworm and localhost/redis:7-bookworm, on the minbase root filesystem
# `npm run image` imported (run it first). Podman only (what these machines have).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${CONTAINERS_CONF:-}" ] && command -v runc >/dev/null 2>&1; then
  export CONTAINERS_CONF=$ROOT/scripts/containers.conf
fi
podman image exists localhost/bookworm-minbase || {
  echo "service-images: no localhost/bookworm-minbase: run MAILFRONT_LOCAL_BASE=1 npm run image first" >&2
  exit 2
}
podman build --network host -t localhost/postgres:15-bookworm -f "$ROOT/scripts/services/postgres.Containerfile" "$ROOT/scripts/services"
podman build --network host -t localhost/redis:7-bookworm -f "$ROOT/scripts/services/redis.Containerfile" "$ROOT/scripts/services"
