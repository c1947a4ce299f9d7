#!/usr/bin/env bash
# Load benchmarks against a release server on a throwaway Postgres:
#   scripts/bench.sh signin [--seconds 20] [--workers 8]   sign-in storm (bench_signin.py)
#   scripts/bench.sh users [--requests 200]                 users list at 100,000 users (bench_users.py)
#   scripts/bench.sh api [--seconds 10] [--workers 8]       signed GetUser/ListUsers vs moto_server, STS (bench_api.py)
#   scripts/bench.sh web [--runs 3]                         first load of console pages at 1.6 Mbit/s (end2end/web-load.mjs)
set -euo pipefail
WHICH=${1:?usage: scripts/bench.sh signin|users|api|web [options]}
shift
case "$WHICH" in signin|users|api|web) ;; *) echo "unknown benchmark \`$WHICH\`: signin, users, api or web" >&2; exit 2 ;; esac
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh" build
SERVER_PROFILE=release "$ROOT/scripts/build.sh" all
WORK=$(mktemp -d /tmp/iam-bench.XXXXXX)
chmod 755 "$WORK"
SERVER_PID=""
MOTO_PID=""
IDP_PID=""
cleanup() {
  if [ -n "$IDP_PID" ]; then kill "$IDP_PID" 2>/dev/null; wait "$IDP_PID" 2>/dev/null || true; fi
  [ -n "$MOTO_PID" ] && kill "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  "$ROOT/scripts/pg.sh" stop "$WORK/pg"
  rm -rf "$WORK"
}
trap cleanup EXIT
DATABASE_URL=$("$ROOT/scripts/pg.sh" start "$WORK/pg" --throwaway)
export DATABASE_URL IAM_MASTER_KEY_FILE="$WORK/master.key"
PORT=$(free_port)
# The api benchmark's AssumeRoleWithWebIdentity uses the tests' OpenID provider (https://localhost).
"$ROOT/end2end/idp/certs.sh" "$WORK/idp"
IAM_LISTEN="127.0.0.1:$PORT" IAM_SITE_ROOT="$SITE_ROOT" IAM_MASTER_KEY_FILE="$WORK/master.key" RUST_LOG=warn \
  IAM_FEDERATION_ALLOW_PRIVATE=true IAM_FEDERATION_CA_FILE="$WORK/idp/ca.pem" \
  "$CARGO_TARGET_DIR/release/server" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_for_http "http://127.0.0.1:$PORT/healthz" 60 || { cat "$WORK/server.log" >&2; die "the server did not start"; }
if [ "$WHICH" = api ]; then
  "$ROOT/scripts/setup.sh" test >/dev/null
  [ -x .venv/bin/moto_server ] || { log "installing moto_server into .venv"; .venv/bin/pip install -q 'moto[server]==5.2.5' >/dev/null; }
  MOTO_PORT=$(free_port)
  .venv/bin/moto_server -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
  MOTO_PID=$!
  wait_for_http "http://127.0.0.1:$MOTO_PORT/moto-api/" 60 || die "moto_server did not start"
  node end2end/idp/oidc.mjs "$WORK/idp" >"$WORK/idp.log" 2>&1 &
  IDP_PID=$!
  for _ in $(seq 50); do curl -sf --cacert "$WORK/idp/ca.pem" https://localhost/jwks >/dev/null && break; sleep 0.2; done
  ACCOUNT=$(echo "Bench-Lantern-$RANDOM-x" | "$CARGO_TARGET_DIR/release/server" account create --email "bench-$RANDOM@example.com" --password-stdin 2>/dev/null)
  KEY=$("$CARGO_TARGET_DIR/release/server" access-key create --account "$ACCOUNT" --root 2>/dev/null)
  .venv/bin/python "$ROOT/scripts/bench_api.py" --ours "http://127.0.0.1:$PORT" --moto "http://127.0.0.1:$MOTO_PORT" \
    --key "$(cut -f1 <<<"$KEY")" --secret "$(cut -f2 <<<"$KEY")" --load-client "$CARGO_TARGET_DIR/release/api_load" --idp-ca "$WORK/idp/ca.pem" "$@"
elif [ "$WHICH" = web ]; then
  "$ROOT/scripts/setup.sh" test >/dev/null
  EMAIL="bench-web-$RANDOM@example.com" PASSWORD="Bench-Lantern-$RANDOM-x"
  echo "$PASSWORD" | "$CARGO_TARGET_DIR/release/server" account create --email "$EMAIL" --password-stdin >/dev/null
  (cd end2end && node web-load.mjs --base-url "http://127.0.0.1:$PORT" --email "$EMAIL" --password "$PASSWORD" --throttle "$@")
elif [ "$WHICH" = users ]; then
  PSQL="$("$ROOT/scripts/pg.sh" psql)" python3 "$ROOT/scripts/bench_users.py" --base-url "http://127.0.0.1:$PORT" --database-url "$DATABASE_URL" "$@"
else
  python3 "$ROOT/scripts/bench_signin.py" --base-url "http://127.0.0.1:$PORT" "$@"
fi
