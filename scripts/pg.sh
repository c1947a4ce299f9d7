#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder of ours.
#   pg.sh start DIR [--throwaway]   init (first time) and start; prints the DATABASE_URL
#   pg.sh stop DIR
#   pg.sh psql                      prints the path of the matching psql client
# Postgres refuses to run as root, so as root the cluster runs as the `postgres` user.
# --throwaway: fsync off and no password (tests only); otherwise a random password is
# generated once into DIR/password (mode 0600) and loopback connections must use it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

pg_bindir() {
  local d
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  return 1
}

as_owner() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir=$1 mode=${2:-}
  local bin; bin=$(pg_bindir) || { apt_install postgresql; bin=$(pg_bindir); }
  if is_root && ! id postgres >/dev/null 2>&1; then apt_install postgresql; fi
  mkdir -p "$(dirname "$dir")"
  dir="$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")"
  # The postgres user must reach the folder; under a private home (e.g. /root) it cannot, so
  # the cluster then lives in /var/lib and the folder is a link to it.
  if is_root && [ ! -e "$dir" ] && ! runuser -u postgres -- test -x "$(dirname "$dir")"; then
    local real; real="/var/lib/iam-console-pg/$(printf '%s' "$dir" | sha1sum | cut -c1-16)"
    mkdir -p "$real"; chmod 755 /var/lib/iam-console-pg
    ln -s "$real" "$dir"
    log "postgres cannot reach $(dirname "$dir"); cluster kept in $real"
  fi
  mkdir -p "$dir"
  dir=$(readlink -f "$dir")
  if is_root; then chown postgres: "$dir"; fi
  chmod 700 "$dir"

  if [ ! -f "$dir/data/PG_VERSION" ]; then
    local auth=(--auth-local=trust --auth-host=trust)
    if [ "$mode" != --throwaway ]; then
      as_owner sh -c "umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > '$dir/password'"
      auth=(--auth-local=trust --auth-host=scram-sha-256 --pwfile="$dir/password")
    fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -E UTF8 --no-locale "${auth[@]}" >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi

  local port
  if [ -f "$dir/port" ]; then port=$(cat "$dir/port"); else port=$(free_port); echo "$port" > "$dir/port"; fi
  local opts="-p $port -k $dir -c listen_addresses=127.0.0.1"
  [ "$mode" = --throwaway ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 -o "$opts" start >/dev/null \
      || { tail -20 "$dir/log" >&2; die "postgres did not start (log: $dir/log)"; }
  fi
  # Local socket connections are trusted: only the cluster's owner can reach $dir.
  as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname = 'iam'" | grep -q 1 \
    || as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE iam" >/dev/null

  if [ -f "$dir/password" ]; then
    echo "postgres://postgres:$(cat "$dir/password")@127.0.0.1:$port/iam"
  else
    echo "postgres://postgres@127.0.0.1:$port/iam"
  fi
}

stop() {
  local dir bin
  dir=$(readlink -f "$1")
  bin=$(pg_bindir) || return 0
  [ -f "$dir/data/PG_VERSION" ] || return 0
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  psql) echo "$(pg_bindir)/psql" ;;
  *) die "usage: pg.sh start DIR [--throwaway] | pg.sh stop DIR" ;;
esac
