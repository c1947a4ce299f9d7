#!/usr/bin/env bash
# Runs the console: installs what is missing, builds, starts a private Postgres under .data/
# when DATABASE_URL is unset (kept between runs), and serves until Ctrl-C.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh" build
"$ROOT/scripts/build.sh" all

OWN_PG=""
SERVER_PID=""
stop() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$OWN_PG" ]; then log "stopping Postgres"; "$ROOT/scripts/pg.sh" stop "$OWN_PG"; fi
}
trap stop EXIT
trap 'exit 130' INT TERM

if [ -z "${DATABASE_URL:-}" ]; then
  OWN_PG="$ROOT/.data/pg"
  log "starting the console's Postgres in .data/pg"
  DATABASE_URL=$("$ROOT/scripts/pg.sh" start "$OWN_PG")
  export DATABASE_URL
fi

export IAM_SITE_ROOT="${IAM_SITE_ROOT:-$SITE_ROOT}"
"$CARGO_TARGET_DIR/debug/server" "$@" &
SERVER_PID=$!
wait "$SERVER_PID"
