#!/usr/bin/env bash
# Helm without a helm binary or a cluster: helm-java (Helm's Go library with its linux-amd64 build, from
# Maven Central) run by the machine's Java, to lint and render deploy/helm/dmid in tests and CI.
#
#   deploy/helm/helm.sh fetch                 download the jars into the cache (once; skipped when present)
#   deploy/helm/helm.sh run <HelmTool args>   run tool/HelmTool.java (see its header): lint, template
#
# Environment (optional): HELM_JAVA_VERSION (default 0.0.21), HELM_JAVA_CACHE (default
# <repo>/.cache/helm-java/<version>). Maven keeps its own copy in ~/.m2, so a re-fetch is offline.
set -euo pipefail

readonly SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
readonly REPO="$(cd -- "$SCRIPT_DIR/../.." && pwd)"
readonly VERSION="${HELM_JAVA_VERSION:-0.0.21}"
readonly CACHE="${HELM_JAVA_CACHE:-$REPO/.cache/helm-java/$VERSION}"
readonly LIBS="$CACHE/libs"

log() { printf '[helm.sh] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

cmd_fetch() {
  mkdir -p "$CACHE"
  # Serialises concurrent fetches (two test files, a CI step).
  exec 9>"$CACHE/.lock"
  flock -w 300 9 || die "another helm.sh holds $CACHE/.lock for more than 300 s"
  if [[ -f "$LIBS/.complete" ]]; then
    log "helm-java $VERSION already in $LIBS"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found: install Maven 3 (and Java 17+) to fetch helm-java"
  command -v java >/dev/null || die "java not found: install a Java 17+ runtime"
  log "fetching com.marcnuri.helm-java:helm-java:$VERSION (+ linux-amd64) from Maven Central"
  local tmp="$CACHE/libs.tmp.$$"
  rm -rf "$tmp"
  mvn -q -B -Dstyle.color=never -f "$SCRIPT_DIR/tool/pom.xml" \
    dependency:copy-dependencies \
    -Dhelm-java.version="$VERSION" \
    -DincludeScope=runtime \
    -DoutputDirectory="$tmp" >"$CACHE/fetch.log" 2>&1 || {
    tail -n 30 "$CACHE/fetch.log" >&2
    die "mvn could not fetch helm-java (is Maven Central reachable?); full output in $CACHE/fetch.log"
  }
  compgen -G "$tmp/linux-amd64-$VERSION.jar" >/dev/null || die "linux-amd64-$VERSION.jar missing after fetch"
  printf '%s\n' "$VERSION" >"$tmp/.complete"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  log "fetched $(find "$LIBS" -name '*.jar' | wc -l) jars into $LIBS"
}

cmd_run() {
  [[ -f "$LIBS/.complete" ]] || cmd_fetch
  [[ "$(uname -sm)" == "Linux x86_64" ]] || die "helm-java's native build here is linux-amd64 only"
  # Helm writes its caches under $HOME; keep them out of the user's.
  export HELM_CACHE_HOME="$CACHE/helm-home/cache" HELM_CONFIG_HOME="$CACHE/helm-home/config"
  export HELM_DATA_HOME="$CACHE/helm-home/data"
  exec java -Xshare:auto -cp "$LIBS/*" "$SCRIPT_DIR/tool/HelmTool.java" "$@"
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  run)
    shift
    cmd_run "$@"
    ;;
  *) die "usage: helm.sh fetch | run <lint|template ...>" ;;
esac
