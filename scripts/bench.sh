#!/usr/bin/env bash
# Load benchmarks against a release server on a throwaway Postgres:
#   scripts/bench.sh signin [--seconds 20] [--workers 8]   sign-in storm (bench_signin.py)
#   scripts/bench.sh users [--requests 200]                 users list at 100,000 users (bench_users.py)
set -euo pipefail
WHICH=${1:?usage: scripts/bench.sh signin|users [options]}
shift
case "$WHICH" in signin|users) ;; *) echo "unknown benchmark \`$WHICH\`: signin or users" >&2; exit 2 ;; esac
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" build
SERVER_PROFILE=release "$ROOT/scripts/build.sh" all
WORK=$(mktemp -d /tmp/iam-bench.XXXXXX)
chmod 755 "$WORK"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  "$ROOT/scripts/pg.sh" stop "$WORK/pg"
  rm -rf "$WORK"
}
trap cleanup EXIT
DATABASE_URL=$("$ROOT/scripts/pg.sh" start "$WORK/pg" --throwaway)
export DATABASE_URL
PORT=$(free_port)
IAM_LISTEN="127.0.0.1:$PORT" IAM_SITE_ROOT="$SITE_ROOT" IAM_MASTER_KEY_FILE="$WORK/master.key" RUST_LOG=warn \
  "$CARGO_TARGET_DIR/release/server" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_for_http "http://127.0.0.1:$PORT/healthz" 60 || { cat "$WORK/server.log" >&2; die "the server did not start"; }
if [ "$WHICH" = users ]; then
  PSQL="$("$ROOT/scripts/pg.sh" psql)" python3 "$ROOT/scripts/bench_users.py" --base-url "http://127.0.0.1:$PORT" --database-url "$DATABASE_URL" "$@"
else
  python3 "$ROOT/scripts/bench_signin.py" --base-url "http://127.0.0.1:$PORT" "$@"
fi
