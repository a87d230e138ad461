#!/usr/bin/env bash
# A throw-away 3-node MariaDB Galera cluster on 127.0.0.1 for the Galera test suite:
#
#   scripts/galera.sh start          # nodes on 127.0.0.1:3311-3313 (root, no password); prints TEST_GALERA_URLS
#   scripts/galera.sh stop           # stops every node and deletes the data
#   scripts/galera.sh kill N         # SIGKILLs node N (1-3), as a crash would
#   scripts/galera.sh restart N...   # starts killed nodes again (they rejoin by IST)
#   scripts/galera.sh status
#
# Data lives under $GALERA_DIR (default /tmp/nest-auth-galera); nothing touches the
# standalone server on :3306, /var/lib/mysql or /etc/mysql. Needs root (nodes run as OS
# user mysql: the joiners' rsync SST does not work as root).
set -euo pipefail

DIR=${GALERA_DIR:-/tmp/nest-auth-galera}
PROVIDER=/usr/lib/galera/libgalera_smm.so
NODES=(1 2 3)

sql_port() { echo $((3310 + $1)); }
# Galera's own ports: group communication on B, IST on B+1, SST on B+2.
base_port() { echo $((4561 + 10 * $1)); }
cluster_address() {
  local list=() i
  for i in "${NODES[@]}"; do list+=("127.0.0.1:$(base_port "$i")"); done
  (IFS=,; echo "gcomm://${list[*]}")
}
# Always TCP and no option files: root has an empty password on :3306 too, so a wrong
# port would silently reach the standalone server.
client() { local n=$1; shift; mariadb --no-defaults --protocol=TCP -h127.0.0.1 -P"$(sql_port "$n")" -uroot "$@"; }

ensure_packages() {
  if [ -f "$PROVIDER" ] && command -v rsync >/dev/null; then return; fi
  apt-get install -y galera-4 rsync >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y galera-4 rsync >/dev/null; }
}

write_config() {
  local n=$1 b
  b=$(base_port "$n")
  mkdir -p "$DIR/node$n/data"
  cat >"$DIR/node$n/my.cnf" <<EOF
[mysqld]
user=mysql
datadir=$DIR/node$n/data
socket=$DIR/node$n/mysqld.sock
pid-file=$DIR/node$n/mysqld.pid
log-error=$DIR/node$n/error.log
port=$(sql_port "$n")
bind-address=127.0.0.1
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
default_storage_engine=InnoDB
innodb_buffer_pool_size=64M
innodb_autoinc_lock_mode=2
binlog_format=ROW
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=nest-auth-test
wsrep_cluster_address=$(cluster_address)
wsrep_node_name=node$n
wsrep_data_home_dir=$DIR/node$n/data
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$((b + 2))
# A lost node is declared gone after ~3 s instead of ~6 s, so the survivors' writes stall less.
wsrep_provider_options="base_port=$b;gmcast.listen_addr=tcp://127.0.0.1:$b;ist.recv_addr=127.0.0.1:$((b + 1));gcache.size=32M;evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT3S;evs.install_timeout=PT3S"
EOF
}

# The server's pid comes from $!, not the pid file, which appears late.
launch() {
  local n=$1; shift
  setsid mariadbd --defaults-file="$DIR/node$n/my.cnf" "$@" >>"$DIR/node$n/stdout.log" 2>&1 </dev/null &
  echo $! >"$DIR/node$n/server.pid"
}

alive() {
  local pid state
  pid=$(cat "$DIR/node$1/server.pid" 2>/dev/null) || return 1
  # PID 1 of a container may reap late: a zombie counts as gone.
  state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [[ -n $state && $state != Z* ]]
}

# Ready means Primary and Synced, not an open port.
wait_synced() {
  local n=$1 deadline=$((SECONDS + ${2:-120})) out
  while ((SECONDS < deadline)); do
    if ! alive "$n"; then
      echo "node $n exited; its log:" >&2
      tail -30 "$DIR/node$n/error.log" >&2 || true
      return 1
    fi
    out=$(client "$n" -N -e "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_status','wsrep_local_state_comment')" 2>/dev/null || true)
    if grep -q 'Primary' <<<"$out" && grep -q 'Synced' <<<"$out"; then return 0; fi
    sleep 0.5
  done
  echo "node $n is not Synced after ${2:-120} s" >&2
  return 1
}

urls() {
  local list=() i
  for i in "${NODES[@]}"; do list+=("mysql://root@127.0.0.1:$(sql_port "$i")"); done
  (IFS=,; echo "${list[*]}")
}

start() {
  ensure_packages
  if alive 1 || alive 2 || alive 3; then
    echo "a cluster already runs in $DIR (scripts/galera.sh stop first)" >&2
    exit 1
  fi
  rm -rf "$DIR"
  local n
  for n in "${NODES[@]}"; do write_config "$n"; done
  chown -R mysql:mysql "$DIR"
  mariadb-install-db --defaults-file="$DIR/node1/my.cnf" --auth-root-authentication-method=normal \
    --skip-test-db >"$DIR/node1/install.log" 2>&1
  launch 1 --wsrep-new-cluster
  wait_synced 1
  # Joiners start empty and receive everything (mysql.user included) by SST, one at a time.
  for n in 2 3; do
    launch "$n"
    wait_synced "$n"
  done
  echo "TEST_GALERA_URLS=$(urls)"
}

stop() {
  local n pid
  for n in "${NODES[@]}"; do
    pid=$(cat "$DIR/node$n/server.pid" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null || true
  done
  for n in "${NODES[@]}"; do
    for _ in $(seq 1 60); do alive "$n" || break; sleep 0.5; done
    if alive "$n"; then kill -9 "$(cat "$DIR/node$n/server.pid")" 2>/dev/null || true; fi
  done
  rm -rf "$DIR"
}

kill_node() {
  local n=$1
  alive "$n" && kill -9 "$(cat "$DIR/node$n/server.pid")"
  for _ in $(seq 1 20); do alive "$n" || return 0; sleep 0.25; done
}

# A crashed node rejoins by IST from its recovered position (a full SST otherwise).
restart() {
  local n position
  for n in "$@"; do
    alive "$n" && continue
    rm -f "$DIR/node$n/recover.log"
    mariadbd --defaults-file="$DIR/node$n/my.cnf" --wsrep-recover --log-error="$DIR/node$n/recover.log" >/dev/null 2>&1 || true
    position=$(grep -o 'Recovered position: [^ ]*' "$DIR/node$n/recover.log" 2>/dev/null | tail -1 | cut -d' ' -f3 || true)
    if [ -n "$position" ]; then launch "$n" --wsrep-start-position="$position"; else launch "$n"; fi
  done
  for n in "$@"; do wait_synced "$n"; done
}

status() {
  local n
  for n in "${NODES[@]}"; do
    if alive "$n"; then
      echo "node $n :$(sql_port "$n") $(client "$n" -N -e "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_status','wsrep_local_state_comment','wsrep_cluster_size')" 2>/dev/null | awk '{printf "%s=%s ", $1, $2}')"
    else
      echo "node $n :$(sql_port "$n") down"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  kill) kill_node "${2:?node number}" ;;
  restart) shift; restart "$@" ;;
  status) status ;;
  urls) urls ;;
  *) echo "usage: $0 start|stop|kill N|restart N...|status|urls" >&2; exit 2 ;;
esac
