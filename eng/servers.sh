#!/usr/bin/env bash
# Real Postgres, RabbitMQ and Redis as plain processes on loopback: no systemd, no Docker.
#
#   eng/servers.sh start           install (apt-get) when missing, start all three, wait until ready
#   eng/servers.sh stop            stop only what this script started (pid files)
#   eng/servers.sh env             print export lines: ConnectionStrings__* and LOOPY_TEST_*
#   eng/servers.sh env --test      print only the LOOPY_TEST_* lines (what the test suite reads)
#   eng/servers.sh status          say which are running
#   eng/servers.sh stop-one NAME / start-one NAME   (postgres|rabbitmq|redis; used by failure tests)
#
# Data lives under $LOOPY_SERVERS_DIR (default: <repo>/.loopy/servers). Ports avoid the defaults of a
# system-wide install and can be moved with LOOPY_PG_PORT, LOOPY_RABBIT_PORT, LOOPY_REDIS_PORT.
# Start is idempotent (a running server is left alone); stop is safe to call twice.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${LOOPY_SERVERS_DIR:-$ROOT/.loopy/servers}
# The servers run as their own users, who must reach the data folder through every parent. A checkout
# under a private folder (e.g. /root) is not reachable: then the data goes under /var/tmp instead.
if [ -z "${LOOPY_SERVERS_DIR:-}" ] && [ "$(id -u)" -eq 0 ] && ! setpriv --reuid=nobody --regid=nogroup --clear-groups -- test -x "$ROOT" 2>/dev/null; then
  DIR=/var/tmp/loopy-servers-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)
fi
PG_PORT=${LOOPY_PG_PORT:-55432}
RABBIT_PORT=${LOOPY_RABBIT_PORT:-55672}
RABBIT_DIST_PORT=${LOOPY_RABBIT_DIST_PORT:-$((RABBIT_PORT + 10))}
EPMD_PORT=${LOOPY_EPMD_PORT:-54369}
REDIS_PORT=${LOOPY_REDIS_PORT:-56379}
PG_DB=loopy

log() { printf '[servers] %s\n' "$*" >&2; }
die() { printf '[servers] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=eng/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

as_user() { # as_user USER CMD...: run as an unprivileged user (the servers refuse root or should not have it)
  local user=$1; shift
  if [ "$(id -u)" -eq 0 ]; then
    setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
  else
    "$@"
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_until() { # wait_until SECONDS DESCRIPTION CMD...
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@"; do
    [ $SECONDS -lt $deadline ] || die "$what not ready after ${deadline}s"
    sleep 0.2
  done
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_missing() {
  local need=()
  [ -n "$(pg_bin)" ] || need+=(postgresql)
  command -v redis-server >/dev/null || need+=(redis-server)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
  apt_install "${need[@]}"
}

prepare_dir() { # a directory the service user owns, reachable through every parent
  local d=$1 user=$2
  mkdir -p "$d"
  [ "$(id -u)" -eq 0 ] && chown -R "$user:$user" "$d"
  if ! as_user "$user" test -w "$d"; then
    die "$user cannot reach $d (a parent directory is not traversable); set LOOPY_SERVERS_DIR to e.g. /var/tmp/loopy-servers"
  fi
}

# ---------------------------------------------------------------- Postgres
pg_start() {
  local bin data=$DIR/postgres/data sock=$DIR/postgres/sock
  bin=$(pg_bin)
  if [ -f "$data/postmaster.pid" ] && as_user postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "postgres already running on $PG_PORT"; return 0
  fi
  port_open "$PG_PORT" && die "port $PG_PORT is taken by another process (not the postgres under $DIR); set LOOPY_PG_PORT or LOOPY_SERVERS_DIR"
  prepare_dir "$DIR/postgres" postgres
  if [ ! -f "$data/PG_VERSION" ]; then
    as_user postgres "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    mkdir -p "$sock"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$sock"
    cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$sock'
max_connections = 300
EOF
  fi
  as_user postgres "$bin/pg_ctl" -D "$data" -l "$DIR/postgres/postgres.log" -w -t 60 start >/dev/null
  if ! as_user postgres "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$PG_DB'" | grep -q 1; then
    as_user postgres "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE $PG_DB" >/dev/null
  fi
  log "postgres ready on 127.0.0.1:$PG_PORT"
}

pg_stop() {
  local bin data=$DIR/postgres/data mode=${1:-fast}
  bin=$(pg_bin)
  [ -n "$bin" ] && [ -f "$data/postmaster.pid" ] || return 0
  as_user postgres "$bin/pg_ctl" -D "$data" -m "$mode" -w -t 60 stop >/dev/null 2>&1 || true
  log "postgres stopped"
}

# ---------------------------------------------------------------- Redis
redis_start() {
  local d=$DIR/redis
  if pid_alive "$d/redis.pid" && port_open "$REDIS_PORT"; then log "redis already running on $REDIS_PORT"; return 0; fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by another process (not the redis under $DIR); set LOOPY_REDIS_PORT or LOOPY_SERVERS_DIR"
  prepare_dir "$d" redis
  cat >"$d/redis.conf" <<EOF
bind 127.0.0.1
port $REDIS_PORT
dir $d
daemonize no
appendonly yes
appendfsync always
save ""
protected-mode yes
logfile $d/redis.log
pidfile $d/redis.pid
EOF
  [ "$(id -u)" -eq 0 ] && chown redis:redis "$d/redis.conf"
  rm -f "$d/redis.pid"
  as_user redis redis-server "$d/redis.conf" </dev/null >/dev/null 2>&1 &
  wait_until 30 redis sh -c "[ -s '$d/redis.pid' ] && redis-cli -h 127.0.0.1 -p $REDIS_PORT ping 2>/dev/null | grep -q PONG"
  log "redis ready on 127.0.0.1:$REDIS_PORT"
}

redis_stop() {
  local d=$DIR/redis
  if pid_alive "$d/redis.pid"; then
    kill "$(cat "$d/redis.pid")" 2>/dev/null || true
    wait_until 30 "redis stop" sh -c "! kill -0 $(cat "$d/redis.pid") 2>/dev/null"
    log "redis stopped"
  fi
  rm -f "$d/redis.pid"
}

# ---------------------------------------------------------------- RabbitMQ
rabbit_env() {
  local d=$DIR/rabbitmq
  export HOME=$d/home
  export RABBITMQ_NODENAME=loopy@localhost
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$RABBIT_PORT
  export RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT
  export RABBITMQ_MNESIA_BASE=$d/mnesia
  export RABBITMQ_LOG_BASE=$d/log
  export RABBITMQ_PID_FILE=$d/rabbitmq.pid
  export RABBITMQ_CONFIG_FILE=$d/rabbitmq.conf
  export RABBITMQ_ENABLED_PLUGINS_FILE=$d/enabled_plugins
  export RABBITMQ_CONF_ENV_FILE=$d/rabbitmq-env.conf
  export ERL_EPMD_PORT=$EPMD_PORT
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rabbit_start() {
  local d=$DIR/rabbitmq
  if pid_alive "$d/rabbitmq.pid" && port_open "$RABBIT_PORT"; then log "rabbitmq already running on $RABBIT_PORT"; return 0; fi
  port_open "$RABBIT_PORT" && die "port $RABBIT_PORT is taken by another process (not the rabbitmq under $DIR); set LOOPY_RABBIT_PORT or LOOPY_SERVERS_DIR"
  prepare_dir "$d" rabbitmq
  mkdir -p "$d/home" "$d/mnesia" "$d/log"
  # A disk alarm would block publishers on a nearly full disk; tests care about durability, not disk headroom.
  printf 'listeners.tcp.default = %s\ndisk_free_limit.absolute = 50MB\nloopback_users = none\n' "$RABBIT_PORT" >"$d/rabbitmq.conf"
  printf '[].\n' >"$d/enabled_plugins"
  : >"$d/rabbitmq-env.conf"
  [ "$(id -u)" -eq 0 ] && chown -R rabbitmq:rabbitmq "$d"
  (
    rabbit_env
    if ! port_open "$EPMD_PORT"; then
      as_user rabbitmq epmd -port "$EPMD_PORT" -address 127.0.0.1 -daemon
    fi
    as_user rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server </dev/null >"$d/log/console.log" 2>&1 &
    echo $! >"$d/launcher.pid"
  )
  wait_until 120 rabbitmq rabbit_up_or_dead
  log "rabbitmq ready on 127.0.0.1:$RABBIT_PORT"
}

rabbit_up_or_dead() { # true once the AMQP port answers; fails the script at once if the node died
  if ! pid_alive "$DIR/rabbitmq/launcher.pid"; then
    tail -n 20 "$DIR/rabbitmq/log/console.log" >&2 || true
    die "rabbitmq exited during start (log: $DIR/rabbitmq/log/console.log)"
  fi
  port_open "$RABBIT_PORT"
}

rabbit_stop() {
  local d=$DIR/rabbitmq pid
  if pid_alive "$d/rabbitmq.pid"; then
    pid=$(cat "$d/rabbitmq.pid")
    kill "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 60))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
    log "rabbitmq stopped"
  fi
  if pid_alive "$d/launcher.pid"; then kill "$(cat "$d/launcher.pid")" 2>/dev/null || true; fi
  rm -f "$d/rabbitmq.pid" "$d/launcher.pid"
  # epmd was started for this node only, on its own port.
  if command -v epmd >/dev/null && port_open "$EPMD_PORT"; then
    ERL_EPMD_PORT=$EPMD_PORT epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
  fi
}

print_env() {
  local pg="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$PG_DB"
  local rabbit="amqp://guest:guest@127.0.0.1:$RABBIT_PORT/"
  local redis="127.0.0.1:$REDIS_PORT"
  if [ "${1:-}" != "--test" ]; then
    printf "export ConnectionStrings__postgres='%s'\n" "$pg"
    printf "export ConnectionStrings__rabbitmq='%s'\n" "$rabbit"
    printf "export ConnectionStrings__redis='%s'\n" "$redis"
  fi
  printf "export LOOPY_TEST_POSTGRES='%s'\n" "$pg"
  printf "export LOOPY_TEST_RABBITMQ='%s'\n" "$rabbit"
  printf "export LOOPY_TEST_REDIS='%s'\n" "$redis"
  printf "export LOOPY_SERVERS_SCRIPT='%s'\n" "$ROOT/eng/servers.sh"
}

one() { # one start|stop NAME
  case "$2" in
    postgres) "pg_$1" ;;
    redis) "redis_$1" ;;
    rabbitmq) "rabbit_$1" ;;
    *) die "unknown server '$2' (postgres|rabbitmq|redis)" ;;
  esac
}

case "${1:-}" in
  start)
    started=$SECONDS
    install_missing
    mkdir -p "$DIR"
    pg_start; redis_start; rabbit_start
    log "all servers ready in $((SECONDS - started))s"
    ;;
  stop) rabbit_stop; redis_stop; pg_stop ;;
  env) print_env "${2:-}" ;;
  start-one) [ -n "${2:-}" ] || die "start-one needs a name"; one start "$2" ;;
  stop-one) [ -n "${2:-}" ] || die "stop-one needs a name"; one stop "$2" ;;
  status)
    echo "data: $DIR"
    port_open "$PG_PORT" && echo "postgres: up ($PG_PORT)" || echo "postgres: down"
    port_open "$RABBIT_PORT" && echo "rabbitmq: up ($RABBIT_PORT)" || echo "rabbitmq: down"
    port_open "$REDIS_PORT" && echo "redis: up ($REDIS_PORT)" || echo "redis: down"
    ;;
  *) echo "usage: $0 start|stop|env [--test]|status|start-one NAME|stop-one NAME" >&2; exit 2 ;;
esac
