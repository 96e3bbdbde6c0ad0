#!/usr/bin/env bash
# A real, single-node Apache Kafka (KRaft, broker+controller in one JVM) for development, tests and CI,
# from the official jars on Maven Central and the machine's Java: no Docker needed.
#
#   deploy/local/kafka.sh fetch    download the broker jars into the cache (once; skipped when present)
#   deploy/local/kafka.sh start    start a broker on 127.0.0.1 unless one already answers there
#   deploy/local/kafka.sh stop     stop the broker this script started (pid file), nothing else;
#                                  `stop --keep-data` keeps its storage, and the next `start` uses it
#   deploy/local/kafka.sh restart [S]  stop keeping the data, wait S seconds, start again with it
#   deploy/local/kafka.sh status   exit 0 when a usable broker answers on the port
#
# `start` prints one word on stdout, `started` or `reused`, so a caller knows whether `stop` is its job;
# everything else goes to stderr.
#
# Environment (all optional):
#   DMID_KAFKA_VERSION                 Kafka version (default 3.9.2, the latest 3.9.x)
#   DMID_KAFKA_CACHE                   directory holding libs/ and run/ (default <repo>/.cache/kafka/<version>)
#   DMID_LOCAL_KAFKA_PORT              client port (default 9092)
#   DMID_LOCAL_KAFKA_CONTROLLER_PORT   KRaft controller port (default client port + 1)
#   DMID_LOCAL_KAFKA_SASL_PORT         optional extra SASL_PLAINTEXT listener (SCRAM-SHA-256/512), with
#                                      user `dmid` and password DMID_LOCAL_KAFKA_SASL_PASSWORD (tests)
#   DMID_KAFKA_HEAP                    JVM heap flags (default "-Xms256m -Xmx768m")
#   DMID_KAFKA_START_TIMEOUT           seconds to wait for the broker to become usable (default 60)
set -euo pipefail

readonly SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
readonly REPO="$(cd -- "$SCRIPT_DIR/../.." && pwd)"
readonly VERSION="${DMID_KAFKA_VERSION:-3.9.2}"
readonly CACHE="${DMID_KAFKA_CACHE:-$REPO/.cache/kafka/$VERSION}"
readonly LIBS="$CACHE/libs"
readonly PORT="${DMID_LOCAL_KAFKA_PORT:-9092}"
readonly CONTROLLER_PORT="${DMID_LOCAL_KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
readonly SASL_PORT="${DMID_LOCAL_KAFKA_SASL_PORT:-}"
readonly SASL_PASSWORD="${DMID_LOCAL_KAFKA_SASL_PASSWORD:-dmid-local-secret}"
# One run directory per port, so brokers on different ports never share data or pid files.
readonly RUN_DIR="$CACHE/run/$PORT"
readonly PID_FILE="$RUN_DIR/kafka.pid"
readonly LOG_DIR="$RUN_DIR/logs"
readonly START_TIMEOUT="${DMID_KAFKA_START_TIMEOUT:-60}"

log() { printf '[kafka.sh] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Serialises fetch/start/stop between concurrent callers (two `npm test` runs, CI steps).
take_lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock -w 180 9 || die "another kafka.sh holds $CACHE/.lock for more than 180 s"
}

# Sends one request (printf escapes, size prefix included) to the broker over /dev/tcp and prints the first
# $2 bytes of the answer as decimal numbers. Pure bash + coreutils: no JVM start per probe.
kafka_call() {
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "$2" >&3
    head -c "$3" <&3 | od -An -tu1 -v
  ' _ "$PORT" "$1" "$2" 2>/dev/null
}

# The broker is serving: a Metadata v4 request (no topics) lists at least one broker. v4 is valid from
# Kafka 1.0 to 4.x. Answer bytes: size(4) correlation_id(4) throttle_time_ms(4) broker_count(4).
probe() {
  local -a b
  # size=19 | api_key=3 api_version=4 correlation_id=1 client_id="dmid" | topics=[] | auto_create=false
  read -r -a b <<<"$(kafka_call '\x00\x00\x00\x13\x00\x03\x00\x04\x00\x00\x00\x01\x00\x04dmid\x00\x00\x00\x00\x00' 16)" ||
    return 1
  [[ ${#b[@]} -eq 16 && "${b[4]}${b[5]}${b[6]}${b[7]}" == "0001" ]] || return 1
  (((b[12] << 24 | b[13] << 16 | b[14] << 8 | b[15]) >= 1))
}

# Consumer groups work: FindCoordinator v1 for a group answers error_code 0. The first such request makes
# the broker create __consumer_offsets; until its partitions are loaded the answer is "not available",
# which clients would otherwise meet (and log) in the first test. Answer: size correlation throttle error.
coordinator_ready() {
  local -a b
  # size=28 | api_key=10 api_version=1 correlation_id=2 client_id="dmid" | key="dmid-warmup" key_type=0
  read -r -a b <<<"$(kafka_call '\x00\x00\x00\x1c\x00\x0a\x00\x01\x00\x00\x00\x02\x00\x04dmid\x00\x0bdmid-warmup\x00' 14)" ||
    return 1
  [[ ${#b[@]} -eq 14 && "${b[12]}${b[13]}" == "00" ]]
}

# Idempotent producers work: InitProducerId v0 without a transactional id answers error_code 0 (right after
# start-up it answers "coordinator loading"). Answer: size correlation throttle error.
producer_ids_ready() {
  local -a b
  # size=20 | api_key=22 api_version=0 correlation_id=3 client_id="dmid" | transactional_id=null timeout=60000
  read -r -a b <<<"$(kafka_call '\x00\x00\x00\x14\x00\x16\x00\x00\x00\x00\x00\x03\x00\x04dmid\xff\xff\x00\x00\xea\x60' 14)" ||
    return 1
  [[ ${#b[@]} -eq 14 && "${b[12]}${b[13]}" == "00" ]]
}

usable() { probe && coordinator_ready && producer_ids_ready; }

port_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null; }

# The pid in the pid file, only if that process is still the broker we started (pids get reused).
our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(<"$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $RUN_DIR/server.properties" || return 1
  printf '%s\n' "$pid"
}

cmd_fetch() {
  take_lock
  if [[ -f "$LIBS/.complete" ]]; then
    log "Kafka $VERSION jars already in $LIBS"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found: install Maven 3 (and Java 17+) to fetch the Kafka jars"
  command -v java >/dev/null || die "java not found: install a Java 17+ runtime"
  log "fetching org.apache.kafka:kafka_2.13:$VERSION and its runtime dependencies from Maven Central"
  local tmp="$CACHE/libs.tmp.$$"
  rm -rf "$tmp"
  mvn -q -B -Dstyle.color=never -f "$SCRIPT_DIR/kafka/pom.xml" \
    dependency:copy-dependencies \
    -Dkafka.version="$VERSION" \
    -DincludeScope=runtime \
    -DoutputDirectory="$tmp" >"$CACHE/fetch.log" 2>&1 || {
    tail -n 30 "$CACHE/fetch.log" >&2
    die "mvn could not fetch the Kafka jars (is Maven Central reachable?); full output in $CACHE/fetch.log"
  }
  compgen -G "$tmp/kafka_2.13-$VERSION.jar" >/dev/null || die "kafka_2.13-$VERSION.jar missing after fetch"
  printf '%s\n' "$VERSION" >"$tmp/.complete"
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  log "fetched $(find "$LIBS" -name '*.jar' | wc -l) jars into $LIBS"
}

# The SASL listener's settings (none without DMID_LOCAL_KAFKA_SASL_PORT); its credentials are created by
# the storage format (--add-scram), as KRaft has no ZooKeeper to hold them.
sasl_config() {
  [ -n "$SASL_PORT" ] || return 0
  local module='org.apache.kafka.common.security.scram.ScramLoginModule required;'
  printf '%s\n' 'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512' \
    "listener.name.sasl.scram-sha-256.sasl.jaas.config=$module" \
    "listener.name.sasl.scram-sha-512.sasl.jaas.config=$module"
}

write_config() {
  local data_dir="$1"
  cat >"$RUN_DIR/server.properties" <<EOF
# Written by deploy/local/kafka.sh on every start; edits are lost.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT${SASL_PORT:+,SASL://127.0.0.1:$SASL_PORT}
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT${SASL_PORT:+,SASL://127.0.0.1:$SASL_PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL:SASL_PLAINTEXT
log.dirs=$data_dir
num.partitions=12
# Topics are created on purpose (ensureTopics), never by a typo in a producer.
auto.create.topics.enable=false
delete.topic.enable=true
# One node: internal topics cannot have more replicas than that.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Fewer internal partitions than the default 50: the first consumer group waits for them to be created.
offsets.topic.num.partitions=12
transaction.state.log.num.partitions=12
# Tests start and stop many groups; the default 3 s delay would be paid by each of them.
group.initial.rebalance.delay.ms=0
# Sized for a 2-core machine.
num.network.threads=2
num.io.threads=4
log.retention.hours=24
$(sasl_config)
EOF
  cat >"$RUN_DIR/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$LOG_DIR/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
EOF
}

# Kafka cluster ids are 16 random bytes in URL-safe base64 without padding. One not starting with '-'
# so the storage tool does not read it as an option.
random_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  printf '%s\n' "$id"
}

launch() {
  local data_dir="$RUN_DIR/data" keep=0
  # Storage left by `stop --keep-data` (formatted: it has meta.properties) is started again as it is.
  [[ -f "$data_dir/meta.properties" ]] && keep=1
  if ((keep)); then
    log "keeping the storage of the last run (stopped with --keep-data)"
  else
    rm -rf "$data_dir" "$LOG_DIR"
  fi
  mkdir -p "$data_dir" "$LOG_DIR"
  write_config "$data_dir"
  local -a jvm=(java ${DMID_KAFKA_HEAP:--Xms256m -Xmx768m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR"
    -Dlog4j.configuration="file:$RUN_DIR/log4j.properties" -cp "$LIBS/*")
  local -a scram=()
  [ -n "$SASL_PORT" ] && scram=(--add-scram "SCRAM-SHA-256=[name=dmid,password=$SASL_PASSWORD]"
    --add-scram "SCRAM-SHA-512=[name=dmid,password=$SASL_PASSWORD]")
  if ((!keep)); then
    "${jvm[@]}" kafka.tools.StorageTool format -t "$(random_cluster_id)" \
      -c "$RUN_DIR/server.properties" "${scram[@]}" >"$LOG_DIR/format.log" 2>&1 9>&- ||
      die "formatting KRaft storage failed: $(tail -n 20 "$LOG_DIR/format.log")"
  fi
  # setsid: the broker must not get the caller's Ctrl-C; only `stop` ends it. All output goes to files,
  # so a caller reading our stdout through a pipe is not held open by the JVM.
  # fd 9 is the lock: closed so the broker does not hold it for its whole life.
  (exec setsid "${jvm[@]}" kafka.Kafka "$RUN_DIR/server.properties" \
    </dev/null >"$LOG_DIR/stdout.log" 2>&1 9>&-) &
  printf '%s\n' "$!" >"$PID_FILE"
  disown "$!" # not our job any more: no "Killed" notice from bash when stop or a failed start ends it
}

# A broker that did not come up is killed: nobody would know to stop it, and it holds the ports.
kill_launched() {
  local pid
  if pid="$(our_pid)"; then
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
  fi
}

fail_start() {
  log "error: $1; last lines of $LOG_DIR/server.log:"
  tail -n 40 "$LOG_DIR/server.log" >&2 2>/dev/null || true
  tail -n 20 "$LOG_DIR/stdout.log" >&2 2>/dev/null || true
  kill_launched
  exit 1
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT)) next_note=$((SECONDS + 5))
  until usable; do
    kill -0 "$pid" 2>/dev/null || fail_start "the broker (pid $pid) exited during start-up"
    ((SECONDS < deadline)) || fail_start "the broker did not become usable within ${START_TIMEOUT} s"
    if ((SECONDS >= next_note)); then
      log "waiting for the broker on 127.0.0.1:$PORT ($((deadline - SECONDS)) s left)"
      next_note=$((SECONDS + 5))
    fi
    sleep 0.5
  done
}

cmd_start() {
  if probe; then
    log "a Kafka broker already answers on 127.0.0.1:$PORT; using it"
    echo reused
    return 0
  fi
  take_lock
  # A concurrent caller may have brought one up while we waited for the lock.
  if probe; then
    log "a Kafka broker now answers on 127.0.0.1:$PORT; using it"
    echo reused
    return 0
  fi
  local pid
  if pid="$(our_pid)"; then
    # Started by a concurrent caller and still coming up: wait for it rather than start a second one.
    log "broker pid $pid (started earlier) is not ready yet; waiting"
    wait_ready "$pid"
    echo reused
    return 0
  fi
  port_open "$PORT" && die "port $PORT is in use by something that is not a usable Kafka broker"
  port_open "$CONTROLLER_PORT" && die "controller port $CONTROLLER_PORT is already in use"
  [[ -f "$LIBS/.complete" ]] || die "Kafka jars missing in $LIBS: run '$0 fetch' first"
  command -v java >/dev/null || die "java not found: install a Java 17+ runtime"
  mkdir -p "$RUN_DIR"
  local started=$SECONDS
  log "starting Kafka $VERSION (KRaft) on 127.0.0.1:$PORT, controller :$CONTROLLER_PORT, logs in $LOG_DIR"
  trap 'log "interrupted during start-up"; kill_launched; exit 130' INT TERM
  launch
  pid="$(<"$PID_FILE")"
  wait_ready "$pid"
  trap - INT TERM
  log "broker ready on 127.0.0.1:$PORT (pid $pid) after $((SECONDS - started)) s"
  echo started
}

cmd_stop() {
  take_lock
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    log "no broker started by this script on port $PORT; nothing to stop"
    return 0
  fi
  log "stopping broker pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.3; done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker did not exit within 30 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$PID_FILE"
  if [[ "${1:-}" == "--keep-data" ]]; then
    log "broker stopped; storage kept for the next start"
    return 0
  fi
  # A start formats fresh storage unless it was kept, so the old data is of no further use.
  rm -rf "$RUN_DIR/data"
  log "broker stopped"
}

cmd_status() {
  if probe; then
    log "a Kafka broker answers on 127.0.0.1:$PORT"
    return 0
  fi
  log "no usable Kafka broker on 127.0.0.1:$PORT"
  return 1
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop "${2:-}" ;;
  restart)
    # The broker down and up again with its data: what a broker restart is in production.
    cmd_stop --keep-data
    exec 9>&-
    sleep "${2:-0}"
    cmd_start
    ;;
  status) cmd_status ;;
  *)
    printf 'usage: %s fetch|start|stop [--keep-data]|restart [PAUSE_SECONDS]|status\n' "$0" >&2
    exit 2
    ;;
esac
