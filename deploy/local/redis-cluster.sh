#!/usr/bin/env bash
# A six-node Redis Cluster (3 masters, 3 replicas) on loopback for tests and measurements, from the
# machine's redis-server and redis-cli; about a second to start.
#
#   deploy/local/redis-cluster.sh start         use a cluster answering cluster_state:ok, else start one
#   deploy/local/redis-cluster.sh stop          stop the nodes this script started (pid files), forget the cluster
#   deploy/local/redis-cluster.sh kill-master [KEY]
#                                               SIGKILL the master serving KEY's slot (default: the first
#                                               master); prints its port on stdout. Its replica takes over
#                                               after cluster-node-timeout (2 s).
#   deploy/local/redis-cluster.sh restart-node PORT
#                                               start the node on PORT again (after kill-master): once a
#                                               replica has taken over, it rejoins as that one's replica
#   deploy/local/redis-cluster.sh status        exit 0 when the cluster answers cluster_state:ok
#
# `start` prints `started` or `reused` on stdout, and the node list for DMID_REDIS_CLUSTER_NODES on stderr.
#
# Environment (all optional):
#   DMID_LOCAL_REDIS_CLUSTER_PORT   first port; the nodes use it and the next five (default 17000)
#   DMID_REDIS_CACHE                directory for pid files, logs and node configs (default <repo>/.cache/redis)
set -euo pipefail

readonly SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
readonly REPO="$(cd -- "$SCRIPT_DIR/../.." && pwd)"
readonly BASE="${DMID_LOCAL_REDIS_CLUSTER_PORT:-17000}"
readonly CACHE="${DMID_REDIS_CACHE:-$REPO/.cache/redis}"
readonly RUN_DIR="$CACHE/cluster/$BASE"
readonly PORTS=("$BASE" "$((BASE + 1))" "$((BASE + 2))" "$((BASE + 3))" "$((BASE + 4))" "$((BASE + 5))")

log() { printf '[redis-cluster.sh] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

cli() { timeout 5 redis-cli -h 127.0.0.1 "$@"; }

# A node that answers: after kill-master the first port may be the dead one.
any_node() {
  local port
  for port in "${PORTS[@]}"; do
    cli -p "$port" ping >/dev/null 2>&1 && { echo "$port"; return 0; }
  done
  die "no node of the cluster answers"
}

cluster_ok() { cli -p "${1:-$BASE}" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; }

# The pid of our node on a port, only if it is still that redis-server (pids get reused).
node_pid() {
  local file="$RUN_DIR/$1.pid" pid
  [[ -f "$file" ]] || return 1
  pid="$(<"$file")"
  [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "127.0.0.1:$1" || return 1
  printf '%s\n' "$pid"
}

nodes_list() {
  local IFS=,
  local list=()
  for port in "${PORTS[@]}"; do list+=("127.0.0.1:$port"); done
  printf '%s' "${list[*]}"
}

# No persistence: the replicas are the copies; cluster-node-timeout 2000 makes failover take ~2 s.
start_node() {
  redis-server --daemonize yes --bind 127.0.0.1 --port "$1" --cluster-enabled yes \
    --cluster-config-file "nodes-$1.conf" --cluster-node-timeout 2000 --save "" --appendonly no \
    --pidfile "$RUN_DIR/$1.pid" --logfile "$RUN_DIR/$1.log" --dir "$RUN_DIR" >&2 ||
    die "redis-server failed on $1; see $RUN_DIR/$1.log"
}

# A node that lost its data (no persistence) must come back only once its replica took over: as a master
# it would claim its slots again, empty.
cmd_restart_node() {
  local port="$1"
  [[ " ${PORTS[*]} " == *" $port "* ]] || die "$port is not a node of this cluster"
  node_pid "$port" >/dev/null && die "the node on $port is running"
  local deadline=$((SECONDS + 20)) live
  live="$(any_node)"
  # Its line in CLUSTER NODES lists no slots any more (fields 9.. are slot ranges).
  until cli -p "$live" cluster nodes 2>/dev/null | awk -v a="127.0.0.1:$port@" '
      index($2, a) == 1 { found = 1; ok = (NF == 8) } END { exit (found && ok) ? 0 : 1 }'; do
    ((SECONDS < deadline)) || die "no replica took over from $port within 20 s"
    sleep 0.1
  done
  start_node "$port"
  deadline=$((SECONDS + 20))
  until cli -p "$port" info replication 2>/dev/null | grep -q 'master_link_status:up'; do
    ((SECONDS < deadline)) || die "the node on $port did not sync as a replica within 20 s"
    sleep 0.1
  done
  log "node on $port back as a replica"
}

cmd_start() {
  if cluster_ok; then
    log "a cluster already answers on 127.0.0.1:$BASE; using it (DMID_REDIS_CLUSTER_NODES=$(nodes_list))"
    echo reused
    return 0
  fi
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
    die "redis-server and redis-cli are needed (Debian: apt-get install redis-server)"
  mkdir -p "$RUN_DIR"
  for port in "${PORTS[@]}"; do
    node_pid "$port" >/dev/null && die "a node of an unfinished cluster runs on $port: run stop first"
    rm -f "$RUN_DIR/nodes-$port.conf"
    start_node "$port"
  done
  local deadline=$((SECONDS + 15)) port
  for port in "${PORTS[@]}"; do
    until cli -p "$port" ping >/dev/null 2>&1; do
      ((SECONDS < deadline)) || die "node $port did not answer PING within 15 s"
      sleep 0.1
    done
  done
  local addresses=()
  for port in "${PORTS[@]}"; do addresses+=("127.0.0.1:$port"); done
  redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$RUN_DIR/create.log" 2>&1 ||
    die "redis-cli --cluster create failed; see $RUN_DIR/create.log"
  deadline=$((SECONDS + 20))
  for port in "${PORTS[@]}"; do
    until cluster_ok "$port"; do
      ((SECONDS < deadline)) || die "node $port did not reach cluster_state:ok within 20 s"
      sleep 0.1
    done
  done
  log "cluster up: DMID_REDIS_CLUSTER_NODES=$(nodes_list)"
  echo started
}

cmd_stop() {
  local port pid stopped=0
  for port in "${PORTS[@]}"; do
    pid="$(node_pid "$port")" || continue
    kill -TERM "$pid" 2>/dev/null || true
    stopped=$((stopped + 1))
  done
  sleep 0.3
  for port in "${PORTS[@]}"; do
    pid="$(node_pid "$port")" || continue
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$RUN_DIR"/*.pid "$RUN_DIR"/nodes-*.conf
  log "$stopped node(s) stopped"
}

cmd_kill_master() {
  local key="${1:-}" port live
  live="$(any_node)"
  if [[ -n "$key" ]]; then
    local slot
    slot="$(cli -p "$live" cluster keyslot "$key")"
    # CLUSTER SHARDS would be cleaner, but CLUSTER NODES is there since Redis 3.
    port="$(cli -p "$live" cluster nodes | awk -v s="$slot" '$3 ~ /master/ && $3 !~ /fail/ {
      for (i = 9; i <= NF; i++) { split($i, r, "-"); if (s >= r[1] && s <= (r[2] == "" ? r[1] : r[2])) { split($2, a, "[:@]"); print a[2] } } }' | head -n 1)"
  else
    port="$(cli -p "$live" cluster nodes | awk '$3 ~ /master/ && $3 !~ /fail/ { split($2, a, "[:@]"); print a[2] }' | sort -n | head -n 1)"
  fi
  [[ -n "$port" ]] || die "no live master found"
  local pid
  pid="$(node_pid "$port")" || die "the master on $port was not started by this script"
  kill -KILL "$pid"
  log "master on $port (pid $pid) killed with SIGKILL"
  echo "$port"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  kill-master) cmd_kill_master "${2:-}" ;;
  restart-node) cmd_restart_node "${2:?usage: restart-node PORT}" ;;
  status)
    if cluster_ok; then
      log "cluster_state:ok on 127.0.0.1:$BASE"
    else
      log "no cluster answering on 127.0.0.1:$BASE"
      exit 1
    fi
    ;;
  *)
    printf 'usage: %s start|stop|kill-master [KEY]|status\n' "$0" >&2
    exit 2
    ;;
esac
