#!/usr/bin/env bash
# A real three-broker Apache Kafka cluster (KRaft, three combined broker+controller nodes, a 3-voter
# quorum) on loopback, from the same Maven jars as deploy/local/kafka.sh, for the fault tests: a partition
# leader killed, brokers restarted one after the other with their data kept.
#
#   deploy/local/kafka-cluster.sh start                       start the nodes not running; storage is
#                                                             formatted once, kept until `stop`
#   deploy/local/kafka-cluster.sh stop                        stop the nodes this script started, wipe data
#   deploy/local/kafka-cluster.sh status                      exit 0 when all three answer
#   deploy/local/kafka-cluster.sh kill-leader TOPIC PARTITION SIGKILL the partition's leader; prints its N
#   deploy/local/kafka-cluster.sh kill-broker N               SIGKILL node N (1..3)
#   deploy/local/kafka-cluster.sh restart-broker N            stop node N (SIGTERM; nothing when it is
#                                                             down), start it with its data, wait until
#                                                             it answers and no partition is under-replicated
#   deploy/local/kafka-cluster.sh leader TOPIC PARTITION      print the partition's leader N
#
# `start` prints one word on stdout, `started` or `reused` (all three already answered), so a caller knows
# whether `stop` is its job; everything else goes to stderr.
#
# Environment (all optional):
#   DMID_KAFKA_VERSION, DMID_KAFKA_CACHE     as for kafka.sh (same jars, same cache)
#   DMID_CLUSTER_KAFKA_PORTS                 the three client ports (default "19092 19094 19096");
#                                            node N's controller listens on its client port + 1
#   DMID_CLUSTER_KAFKA_HEAP                  JVM heap flags per node (default "-Xms128m -Xmx384m")
#   DMID_KAFKA_START_TIMEOUT                 seconds to wait for the cluster to become usable (default 90)
set -euo pipefail

readonly SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
readonly REPO="$(cd -- "$SCRIPT_DIR/../.." && pwd)"
readonly VERSION="${DMID_KAFKA_VERSION:-3.9.2}"
readonly CACHE="${DMID_KAFKA_CACHE:-$REPO/.cache/kafka/$VERSION}"
readonly LIBS="$CACHE/libs"
read -r -a PORTS <<<"$(tr ',' ' ' <<<"${DMID_CLUSTER_KAFKA_PORTS:-19092 19094 19096}")"
((${#PORTS[@]} == 3)) || {
  echo "[kafka-cluster.sh] error: DMID_CLUSTER_KAFKA_PORTS must list three ports" >&2
  exit 2
}
readonly PORTS
# One run directory per first port, so clusters on different ports never share data or pid files.
readonly RUN_DIR="$CACHE/cluster/${PORTS[0]}"
readonly START_TIMEOUT="${DMID_KAFKA_START_TIMEOUT:-90}"

log() { printf '[kafka-cluster.sh] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

port_of() { printf '%s\n' "${PORTS[$(($1 - 1))]}"; }
controller_port_of() { printf '%s\n' "$(($(port_of "$1") + 1))"; }
node_dir() { printf '%s\n' "$RUN_DIR/node$1"; }

# Serialises start/stop/restart between concurrent callers.
take_lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.cluster-${PORTS[0]}.lock"
  flock -w 300 9 || die "another kafka-cluster.sh holds the lock for more than 300 s"
}

# Sends one request to node $1 over /dev/tcp; prints the whole answer (size prefix included) as decimal
# bytes, one line. Pure bash + coreutils: no JVM start per probe. GNU head -c reads no more than it needs.
kafka_call() {
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "$2" >&3
    read -r -a s <<<"$(head -c 4 <&3 | od -An -tu1 -v)"
    ((${#s[@]} == 4)) || exit 1
    echo "${s[*]} $(head -c $((s[0] << 24 | s[1] << 16 | s[2] << 8 | s[3])) <&3 | od -An -tu1 -v | tr -s " \n" "  ")"
  ' _ "$(port_of "$1")" "$2" 2>/dev/null
}

# Node $1 serves: a Metadata v4 request (no topics) lists at least $2 brokers (default all three).
probe() {
  local -a b
  # size=19 | api_key=3 api_version=4 correlation_id=1 client_id="dmid" | topics=[] | auto_create=false
  read -r -a b <<<"$(kafka_call "$1" '\x00\x00\x00\x13\x00\x03\x00\x04\x00\x00\x00\x01\x00\x04dmid\x00\x00\x00\x00\x00')" ||
    return 1
  ((${#b[@]} >= 16)) && (((b[12] << 24 | b[13] << 16 | b[14] << 8 | b[15]) >= ${2:-3}))
}

# Consumer groups and idempotent producers work (see kafka.sh): FindCoordinator and InitProducerId
# answer error_code 0 once __consumer_offsets and the producer-id block are ready.
coordinator_ready() {
  local -a b
  read -r -a b <<<"$(kafka_call "$1" '\x00\x00\x00\x1c\x00\x0a\x00\x01\x00\x00\x00\x02\x00\x04dmid\x00\x0bdmid-warmup\x00')" ||
    return 1
  ((${#b[@]} >= 14)) && [[ "${b[12]}${b[13]}" == "00" ]]
}
producer_ids_ready() {
  local -a b
  read -r -a b <<<"$(kafka_call "$1" '\x00\x00\x00\x14\x00\x16\x00\x00\x00\x00\x00\x03\x00\x04dmid\xff\xff\x00\x00\xea\x60')" ||
    return 1
  ((${#b[@]} >= 14)) && [[ "${b[12]}${b[13]}" == "00" ]]
}

# --- Metadata v1 parsing: one line per partition, "topic partition leader replicas isr" ------------------
declare -a M=()
declare -i P=0
u8() { REPLY=$((M[P])); P+=1; }
i16() { REPLY=$(((M[P] << 8 | M[P + 1]) << 48 >> 48)); P+=2; }
i32() { REPLY=$(((M[P] << 24 | M[P + 1] << 16 | M[P + 2] << 8 | M[P + 3]) << 32 >> 32)); P+=4; }
str() {
  i16
  local n=$REPLY i esc='' oct
  ((n < 0)) && n=0
  for ((i = 0; i < n; i++)); do
    printf -v oct '%03o' "${M[P + i]}"
    esc+="\\$oct"
  done
  P+=n
  printf -v REPLY "$esc"
}

# Prints every partition of TOPIC (all topics when empty) as node $1 sees it. Metadata v1 answers with
# size correlation | brokers [id host port rack] | controller | topics [error name internal partitions
# [error index leader replicas[] isr[]]].
partitions() {
  local node="$1" topic="${2:-}" req size
  # api_key=3 api_version=1 correlation_id=4 client_id="dmid" | topics: [TOPIC] or null (all)
  req='\x00\x03\x00\x01\x00\x00\x00\x04\x00\x04dmid'
  if [[ -n "$topic" ]]; then
    req+="$(printf '\\x00\\x00\\x00\\x01\\x%02x\\x%02x' $((${#topic} >> 8)) $((${#topic} & 255)))$topic"
    size=$((20 + ${#topic}))
  else
    req+='\xff\xff\xff\xff'
    size=18
  fi
  req="$(printf '\\x00\\x00\\x%02x\\x%02x' $((size >> 8)) $((size & 255)))$req"
  read -r -a M <<<"$(kafka_call "$node" "$req")" || return 1
  ((${#M[@]} > 8)) || return 1
  P=8
  local i j k nb nt np name leader nr ni
  i32 && nb=$REPLY
  for ((i = 0; i < nb; i++)); do i32 && str && i32 && str; done
  i32 # controller id
  i32 && nt=$REPLY
  for ((i = 0; i < nt; i++)); do
    i16 && str && name=$REPLY && u8 && i32 && np=$REPLY
    for ((j = 0; j < np; j++)); do
      i16 && i32 && local index=$REPLY && i32 && leader=$REPLY
      i32 && nr=$REPLY && P+=$((4 * nr))
      i32 && ni=$REPLY && P+=$((4 * ni))
      printf '%s %s %s %s %s\n' "$name" "$index" "$leader" "$nr" "$ni"
    done
  done
}

# The first node that answers a Metadata request.
any_live_node() {
  local n
  for n in 1 2 3; do probe "$n" 1 && { printf '%s\n' "$n"; return 0; }; done
  return 1
}

# --- processes ------------------------------------------------------------------------------------------
# The pid of node N, only if that process is still the broker we started (pids get reused).
our_pid() {
  local file
  file="$(node_dir "$1")/kafka.pid"
  [[ -f "$file" ]] || return 1
  local pid
  pid="$(<"$file")"
  [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $(node_dir "$1")/server.properties" || return 1
  printf '%s\n' "$pid"
}

write_config() {
  local n="$1" dir voters=''
  dir="$(node_dir "$n")"
  for i in 1 2 3; do voters+="${voters:+,}$i@127.0.0.1:$(controller_port_of "$i")"; done
  cat >"$dir/server.properties" <<EOF
# Written by deploy/local/kafka-cluster.sh on every start of this node; edits are lost.
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$(port_of "$n"),CONTROLLER://127.0.0.1:$(controller_port_of "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(port_of "$n")
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=3
auto.create.topics.enable=false
delete.topic.enable=true
# What the fault tests rely on: every partition on all three nodes, a write acknowledged by two.
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
offsets.topic.num.partitions=6
transaction.state.log.num.partitions=6
# A killed node is fenced (and its partitions get new leaders) after 3 s, not 9; a lagging replica
# leaves the ISR after 10 s, not 30.
broker.session.timeout.ms=3000
broker.heartbeat.interval.ms=500
replica.lag.time.max.ms=10000
# Tests kill consumers and wait for the group to evict them: allow session timeouts down to 2 s.
group.min.session.timeout.ms=2000
group.initial.rebalance.delay.ms=0
# Sized for a 2-core machine running three of these.
num.network.threads=2
num.io.threads=2
num.replica.fetchers=1
background.threads=2
log.retention.hours=24
# Tests create and delete many topics: a metadata snapshot every 256 KB keeps a restarted node's replay short.
metadata.log.max.record.bytes.between.snapshots=262144
EOF
  cat >"$dir/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$dir/logs/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=1
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
EOF
}

jvm() {
  local dir
  dir="$(node_dir "$1")"
  # C1 only: three JVMs share two cores, and C2's compilations would take much of them at start-up
  # (a test cluster's throughput needs no peak code).
  JVM=(java ${DMID_CLUSTER_KAFKA_HEAP:--Xms128m -Xmx384m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
    -Dkafka.logs.dir="$dir/logs" -Dlog4j.configuration="file:$dir/log4j.properties" -cp "$LIBS/*")
}

random_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  printf '%s\n' "$id"
}

# Formats the three nodes' storage with one cluster id, once: a restarted node keeps its data.
format_once() {
  [[ -f "$RUN_DIR/cluster.id" ]] && return 0
  local id n pids=() dir
  id="$(random_cluster_id)"
  rm -rf "$RUN_DIR"
  for n in 1 2 3; do
    dir="$(node_dir "$n")"
    mkdir -p "$dir/data" "$dir/logs"
    write_config "$n"
    jvm "$n"
    "${JVM[@]}" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" \
      >"$dir/logs/format.log" 2>&1 9>&- &
    pids+=("$!")
  done
  for n in 1 2 3; do
    wait "${pids[$((n - 1))]}" || die "formatting node $n failed: $(tail -n 20 "$(node_dir "$n")/logs/format.log")"
  done
  printf '%s\n' "$id" >"$RUN_DIR/cluster.id"
}

launch() {
  local n="$1" dir
  dir="$(node_dir "$n")"
  mkdir -p "$dir/logs"
  write_config "$n"
  jvm "$n"
  # setsid: the node must not get the caller's Ctrl-C. fd 9 (the lock) closed for the node's life.
  (exec setsid "${JVM[@]}" kafka.Kafka "$dir/server.properties" </dev/null >"$dir/logs/stdout.log" 2>&1 9>&-) &
  printf '%s\n' "$!" >"$dir/kafka.pid"
  disown "$!"
}

port_open() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null; }

# No partition with fewer in-sync replicas than replicas (a restarted node has caught up).
fully_replicated() {
  local node lines
  node="$(any_live_node)" || return 1
  lines="$(partitions "$node")" || return 1
  ! awk '$5 < $4 { found = 1 } END { exit !found }' <<<"$lines"
}

fail_node() {
  local dir
  dir="$(node_dir "$1")"
  log "error: $2; last lines of $dir/logs/server.log:"
  tail -n 30 "$dir/logs/server.log" >&2 2>/dev/null || true
  tail -n 10 "$dir/logs/stdout.log" >&2 2>/dev/null || true
}

# Waits until every node in "$@" answers (another may be down: kill-leader), then until the cluster serves
# groups and producer ids (which, with replication factor 3, needs all three registered once).
wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT)) n pid
  for n in "$@"; do
    until probe "$n" 1; do
      pid="$(our_pid "$n")" || { fail_node "$n" "node $n exited during start-up"; return 1; }
      ((SECONDS < deadline)) || { fail_node "$n" "node $n not up within ${START_TIMEOUT} s"; return 1; }
      sleep 0.3
    done
  done
  until coordinator_ready "$1" && producer_ids_ready "$1"; do
    ((SECONDS < deadline)) || { fail_node "$1" "groups/producer ids not ready within ${START_TIMEOUT} s"; return 1; }
    sleep 0.3
  done
}

kill_nodes() {
  local n pid
  for n in "$@"; do
    if pid="$(our_pid "$n")"; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -f "$(node_dir "$n")/kafka.pid"
  done
}

cmd_start() {
  take_lock
  local n down=()
  for n in 1 2 3; do probe "$n" || down+=("$n"); done
  if ((${#down[@]} == 0)); then
    log "all three nodes answer on ${PORTS[*]}; using them"
    echo reused
    return 0
  fi
  [[ -f "$LIBS/.complete" ]] || die "Kafka jars missing in $LIBS: run 'deploy/local/kafka.sh fetch' first"
  command -v java >/dev/null || die "java not found: install a Java 17+ runtime"
  local started=$SECONDS
  [[ -f "$RUN_DIR/cluster.id" ]] || {
    for n in 1 2 3; do our_pid "$n" >/dev/null && die "node $n runs without formatted storage"; done
    for n in 1 2 3; do
      port_open "$(port_of "$n")" && die "port $(port_of "$n") is in use by something that is not our node"
      port_open "$(controller_port_of "$n")" && die "controller port $(controller_port_of "$n") is in use"
    done
    format_once
  }
  log "starting nodes ${down[*]} of the Kafka $VERSION cluster on ${PORTS[*]}, data in $RUN_DIR"
  trap 'log "interrupted during start-up"; kill_nodes "${down[@]}"; exit 130' INT TERM
  for n in "${down[@]}"; do our_pid "$n" >/dev/null || launch "$n"; done
  wait_ready "${down[@]}" || { kill_nodes "${down[@]}"; exit 1; }
  trap - INT TERM
  log "cluster ready on ${PORTS[*]} after $((SECONDS - started)) s"
  echo started
}

stop_node() {
  local n="$1" pid
  pid="$(our_pid "$n")" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "node $n did not exit within 30 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$(node_dir "$n")/kafka.pid"
}

cmd_stop() {
  take_lock
  local n pid any=0
  for n in 1 2 3; do
    if pid="$(our_pid "$n")"; then
      any=1
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  # Together: a controlled shutdown waits for a quorum, which the last node alone would not have.
  for n in 1 2 3; do stop_node "$n"; done
  rm -rf "$RUN_DIR"
  ((any == 1)) && log "cluster stopped, data removed" || log "no node started by this script; nothing to stop"
}

cmd_status() {
  local n ok=0
  for n in 1 2 3; do
    if probe "$n"; then log "node $n answers on 127.0.0.1:$(port_of "$n")"; ok=$((ok + 1)); else
      log "node $n does not answer on 127.0.0.1:$(port_of "$n")"
    fi
  done
  ((ok == 3))
}

node_arg() {
  [[ "${1:-}" =~ ^[123]$ ]] || die "a node number 1..3 is needed, got '${1:-}'"
}

cmd_leader() {
  local topic="${1:?TOPIC}" partition="${2:?PARTITION}" node leader
  node="$(any_live_node)" || die "no node answers"
  leader="$(partitions "$node" "$topic" | awk -v p="$partition" '$2 == p { print $3 }')" || true
  [[ "$leader" =~ ^[123]$ ]] || die "no leader for $topic/$partition (got '${leader:-nothing}')"
  printf '%s\n' "$leader"
}

cmd_kill_broker() {
  node_arg "$1"
  local pid
  pid="$(our_pid "$1")" || die "node $1 is not running (or not started by this script)"
  kill -KILL "$pid"
  rm -f "$(node_dir "$1")/kafka.pid"
  log "node $1 (pid $pid) killed with SIGKILL"
}

cmd_kill_leader() {
  local leader
  leader="$(cmd_leader "$@")"
  cmd_kill_broker "$leader"
  printf '%s\n' "$leader"
}

cmd_restart_broker() {
  node_arg "$1"
  take_lock
  [[ -f "$RUN_DIR/cluster.id" ]] || die "the cluster was never started: run '$0 start' first"
  local started=$SECONDS
  stop_node "$1"
  launch "$1"
  wait_ready "$1" || { kill_nodes "$1"; exit 1; }
  local deadline=$((SECONDS + START_TIMEOUT))
  until fully_replicated; do
    ((SECONDS < deadline)) || die "partitions still under-replicated ${START_TIMEOUT} s after restarting node $1"
    sleep 0.3
  done
  log "node $1 back on 127.0.0.1:$(port_of "$1"), in sync, after $((SECONDS - started)) s"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  leader) cmd_leader "${@:2}" ;;
  kill-leader) cmd_kill_leader "${@:2}" ;;
  kill-broker) cmd_kill_broker "${2:-}" ;;
  restart-broker) cmd_restart_broker "${2:-}" ;;
  *)
    printf 'usage: %s start|stop|status|leader T P|kill-leader T P|kill-broker N|restart-broker N\n' "$0" >&2
    exit 2
    ;;
esac
