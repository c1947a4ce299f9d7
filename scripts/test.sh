#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests against a throwaway Postgres, then the
# Playwright tests in Chromium against the real server on a fresh database.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh" test
# The browser the Playwright tests will launch: fail now, not 22 times later.
CHROMIUM_PATH="${CHROMIUM_PATH:-$(type -P chromium || true)}"
[ -n "$CHROMIUM_PATH" ] && [ -x "$CHROMIUM_PATH" ] \
  || die "no Chromium to run the browser tests (set CHROMIUM_PATH or apt-get install chromium)"
export CHROMIUM_PATH

WORK=$(mktemp -d /tmp/iam-test.XXXXXX)
chmod 755 "$WORK"   # the postgres user must reach the cluster inside
SERVER_PID=""
IDP_PID=""
SAML_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  # Node ends on SIGTERM with status 143, which must not become the run's status.
  for pid in $IDP_PID $SAML_PID; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  "$ROOT/scripts/pg.sh" stop "$WORK/pg"
  rm -rf "$WORK"
}
trap cleanup EXIT

log "starting a throwaway Postgres"
DATABASE_URL=$("$ROOT/scripts/pg.sh" start "$WORK/pg" --throwaway)
# The admin commands the tests run must read the server's database and master key.
export DATABASE_URL IAM_MASTER_KEY_FILE="$WORK/master.key"

log "cargo tests (unit, and integration against Postgres)"
# One invocation for the server-side crates; the wasm crate is built on its own below.
cargo test --locked -p iam-core -p iam-policy -p iam-service -p app -p server 2>&1 | tee "$WORK/cargo.log"
log "the engine builds for the browser (wasm32)"
cargo build -q -p iam-core --target wasm32-unknown-unknown
cargo_passed=$(awk '/^test result:/ { n += $4 } END { print n + 0 }' "$WORK/cargo.log")

"$ROOT/scripts/build.sh" all

log "starting the server for the browser tests"
PORT=$(free_port)
BASE_URL="http://127.0.0.1:$PORT"
# A real OpenID provider at https://localhost (port 443: an issuer URL has no port), with a
# CA of its own that the server is told to trust, and private addresses allowed for it.
IDP_DIR="$WORK/idp"
end2end/idp/certs.sh "$IDP_DIR"
IDP_REDIRECT_URIS="https://client.example/cb,$BASE_URL/oidc/callback" node end2end/idp/oidc.mjs "$IDP_DIR" >"$WORK/idp.log" 2>&1 &
IDP_PID=$!
for _ in $(seq 50); do curl -sf --cacert "$IDP_DIR/ca.pem" https://localhost/jwks >/dev/null && break; sleep 0.2; done
curl -sf --cacert "$IDP_DIR/ca.pem" https://localhost/jwks >/dev/null \
  || { cat "$WORK/idp.log" >&2; die "the test OpenID provider did not start on https://localhost (is port 443 taken?)"; }
# A SAML identity provider that signs real responses, addressed to the server's /saml.
SAML_PORT=$(free_port)
SAML_IDP="http://127.0.0.1:$SAML_PORT"
SAML_IDP_PORT=$SAML_PORT SAML_ACS_URL="$BASE_URL/saml" node end2end/idp/saml.mjs "$IDP_DIR" >"$WORK/saml-idp.log" 2>&1 &
SAML_PID=$!
wait_for_http "$SAML_IDP/metadata" 30 || { cat "$WORK/saml-idp.log" >&2; die "the test SAML identity provider did not start"; }
# The workload credential endpoint (IMDSv2-compatible) the SDK test reads role credentials from.
METADATA_PORT=$(free_port)
# Alert emails go to this port, where the billing browser test starts an SMTP sink.
SMTP_SINK_PORT=$(free_port)
# A short lockout so the browser tests can see one begin and end; every browser test signs
# up from this one address.
IAM_LISTEN="127.0.0.1:$PORT" IAM_METADATA_LISTEN="127.0.0.1:$METADATA_PORT" IAM_SITE_ROOT="$SITE_ROOT" RUST_LOG=${RUST_LOG:-warn} \
  IAM_SIGNUPS_PER_HOUR=100000 IAM_LOCKOUT_MAX_FAILURES=5 IAM_LOCKOUT_WAIT_SECONDS=3 IAM_SMTP_RELAY="127.0.0.1:$SMTP_SINK_PORT" \
  IAM_FEDERATION_ALLOW_PRIVATE=true IAM_FEDERATION_CA_FILE="$IDP_DIR/ca.pem" \
  "$CARGO_TARGET_DIR/debug/server" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
wait_for_http "$BASE_URL/healthz" 60 || { cat "$WORK/server.log" >&2; die "the server did not start"; }

log "Playwright tests in Chromium"
set +e
(cd end2end && BASE_URL="$BASE_URL" SERVER_BIN="$CARGO_TARGET_DIR/debug/server" PSQL="$("$ROOT/scripts/pg.sh" psql)" AWS_CLI="$ROOT/.venv/bin/aws" \
  PYTHON="$ROOT/.venv/bin/python" SMTP_SINK_PORT="$SMTP_SINK_PORT" SAML_IDP="$SAML_IDP" \
  npx playwright test 2>&1) | tee "$WORK/e2e.log"
e2e_status=${PIPESTATUS[0]}
set -e
if [ "$e2e_status" != 0 ]; then
  echo "--- server log ---" >&2; tail -50 "$WORK/server.log" >&2
  die "browser tests failed"
fi
e2e_passed=$(grep -Eo '^ *[0-9]+ passed' "$WORK/e2e.log" | tail -1 | tr -dc 0-9)

log "the AWS CLI and boto3 against the API"
.venv/bin/python end2end/api/session.py \
  --base-url "$BASE_URL" --server-bin "$CARGO_TARGET_DIR/debug/server" \
  --metadata-url "http://127.0.0.1:$METADATA_PORT/" --idp-ca "$IDP_DIR/ca.pem" --saml-idp "$SAML_IDP" | tee "$WORK/api.log" \
  || { tail -50 "$WORK/server.log" >&2; die "API session failed"; }
api_passed=$(grep -Eo '^[0-9]+ api checks passed' "$WORK/api.log" | tr -dc 0-9)

# Last: it stops and restarts the database under the servers.
log "two server processes on one database, and the database restarted under load"
.venv/bin/python end2end/api/cluster.py --server-bin "$CARGO_TARGET_DIR/debug/server" \
  --pg-dir "$WORK/pg" --pg-script "$ROOT/scripts/pg.sh" --log "$WORK/cluster-servers.log" | tee "$WORK/cluster.log" \
  || { tail -50 "$WORK/cluster-servers.log" >&2; die "cluster checks failed"; }
cluster_passed=$(grep -Eo '^[0-9]+ cluster checks passed' "$WORK/cluster.log" | tr -dc 0-9)
total=$((cargo_passed + ${e2e_passed:-0} + ${api_passed:-0} + ${cluster_passed:-0}))
printf '\n%s passed, 0 failed\n' "$total"
