#!/usr/bin/env bash
# Redis for development, tests and CI without Docker: uses the one already answering on the port, or
# starts the machine's redis-server (no persistence) and later stops only what it started.
#
#   deploy/local/redis.sh start    use a Redis answering PING on 127.0.0.1:<port>, else start one
#   deploy/local/redis.sh start-replicated
#                                  a primary on <port> with AOF (appendfsync everysec) and a replica of it
#                                  on <replica port>, as in production (docs/operations.md)
#   deploy/local/redis.sh stop     stop the redis-servers this script started (pid files), nothing else
#   deploy/local/redis.sh status   exit 0 when something answers PING with PONG
#
# `start` prints one word on stdout, `started` or `reused`; everything else goes to stderr.
#
# Environment (all optional):
#   DMID_LOCAL_REDIS_PORT   port on 127.0.0.1 (default 6379)
#   DMID_LOCAL_REDIS_REPLICA_PORT  port of the replica of start-replicated (default <port> + 1)
#   DMID_REDIS_CACHE        directory for pid file, log and working dir (default <repo>/.cache/redis)
set -euo pipefail

readonly SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
readonly REPO="$(cd -- "$SCRIPT_DIR/../.." && pwd)"
PORT="${DMID_LOCAL_REDIS_PORT:-6379}"
readonly REPLICA_PORT="${DMID_LOCAL_REDIS_REPLICA_PORT:-$((PORT + 1))}"
readonly CACHE="${DMID_REDIS_CACHE:-$REPO/.cache/redis}"
RUN_DIR="$CACHE/run/$PORT"
PID_FILE="$RUN_DIR/redis.pid"

# Points the functions below at another port (the replica's).
use_port() {
  PORT="$1"
  RUN_DIR="$CACHE/run/$PORT"
  PID_FILE="$RUN_DIR/redis.pid"
}

log() { printf '[redis.sh] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

take_lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock -w 60 9 || die "another redis.sh holds $CACHE/.lock for more than 60 s"
}

# PONG from redis-cli when installed; otherwise the inline command over /dev/tcp, which any Redis accepts.
ping() {
  local reply
  if command -v redis-cli >/dev/null; then
    reply="$(timeout 3 redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" || return 1
    [[ "$reply" == "PONG" ]]
  else
    reply="$(
      timeout 3 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "PING\r\n" >&3
        IFS= read -r line <&3 && printf "%s" "$line"
      ' _ "$PORT" 2>/dev/null
    )" || return 1
    [[ "$reply" == $'+PONG\r' ]]
  fi
}

port_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$PORT" 2>/dev/null; }

# The pid in the pid file, only if it is still our redis-server on our port (pids get reused).
our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(<"$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "redis-server 127.0.0.1:$PORT" || return 1
  printf '%s\n' "$pid"
}

cmd_start() {
  local persistence=(--save "" --appendonly no)
  [[ "${1:-}" == "aof" ]] && persistence=(--save "" --appendonly yes --appendfsync everysec)
  shift || true
  if ping; then
    log "Redis already answers on 127.0.0.1:$PORT; using it"
    echo reused
    return 0
  fi
  take_lock
  port_open && die "port $PORT is in use by something that does not answer Redis PING"
  command -v redis-server >/dev/null || die "redis-server not found (Debian: apt-get install redis-server)"
  mkdir -p "$RUN_DIR"
  # No persistence: test data is disposable and a dump on shutdown would only cost time.
  # fd 9 (the lock) is closed so the daemon does not hold it.
  redis-server --daemonize yes --bind 127.0.0.1 --port "$PORT" "${persistence[@]}" "$@" \
    --pidfile "$PID_FILE" --logfile "$RUN_DIR/redis.log" --dir "$RUN_DIR" 9>&- >&2 ||
    die "redis-server failed to start; see $RUN_DIR/redis.log"
  local deadline=$((SECONDS + 15))
  until ping; do
    ((SECONDS < deadline)) || {
      tail -n 20 "$RUN_DIR/redis.log" >&2 || true
      die "redis-server did not answer PING within 15 s"
    }
    sleep 0.2
  done
  log "redis-server started on 127.0.0.1:$PORT (pid $(<"$PID_FILE"))"
  echo started
}

cmd_stop() {
  take_lock
  local pid
  if ! pid="$(our_pid)"; then
    log "no redis-server started by this script on port $PORT; nothing to stop"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "redis-server did not exit within 15 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  log "redis-server (pid $pid) stopped"
}

cmd_status() {
  if ping; then
    log "Redis answers on 127.0.0.1:$PORT"
    return 0
  fi
  log "no Redis answering on 127.0.0.1:$PORT"
  return 1
}

# The primary with AOF, then its replica; waits until the replica reports the link up.
cmd_start_replicated() {
  cmd_start aof
  use_port "$REPLICA_PORT"
  cmd_start aof --replicaof 127.0.0.1 "${DMID_LOCAL_REDIS_PORT:-6379}"
  local deadline=$((SECONDS + 15))
  until timeout 3 redis-cli -p "$REPLICA_PORT" info replication 2>/dev/null | grep -q 'master_link_status:up'; do
    ((SECONDS < deadline)) || die "the replica on $REPLICA_PORT did not sync within 15 s"
    sleep 0.2
  done
  log "replica on 127.0.0.1:$REPLICA_PORT in sync"
}

case "${1:-}" in
  start) cmd_start ;;
  start-replicated) cmd_start_replicated ;;
  stop)
    cmd_stop
    use_port "$REPLICA_PORT"
    if our_pid >/dev/null; then cmd_stop; fi
    ;;
  status) cmd_status ;;
  *)
    printf 'usage: %s start|start-replicated|stop|status\n' "$0" >&2
    exit 2
    ;;
esac
