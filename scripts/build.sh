#!/usr/bin/env bash
# Builds the front end into target/site/pkg and the server binary.
#   WASM_PROFILE   cargo profile of the browser bundle (default wasm-release; `dev` is quicker)
#   SERVER_PROFILE cargo profile of the server (default dev)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

WASM_PROFILE=${WASM_PROFILE:-wasm-release}
SERVER_PROFILE=${SERVER_PROFILE:-dev}
profile_dir() { if [ "$1" = dev ]; then echo debug; else echo "$1"; fi; }

# One bundle: build_bundle NAME [cargo args]; into $staging as NAME.js and NAME.wasm.
build_bundle() {
  local name=$1; shift
  # Alone, not workspace-wide: that would merge the app's `ssr` and `hydrate` features.
  cargo build -q -p frontend --target wasm32-unknown-unknown --profile "$WASM_PROFILE" "$@"
  local wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$(profile_dir "$WASM_PROFILE")/frontend.wasm"
  local strip=(); [ "$WASM_PROFILE" != dev ] && strip=(--remove-name-section --remove-producers-section)
  wasm-bindgen --target web --no-typescript "${strip[@]}" --out-dir "$staging" --out-name "$name" "$wasm"
  # Leptos' hydration script loads NAME.wasm (as cargo-leptos names it). No wasm-opt: measured
  # here, binaryen 132's -Oz cut the raw size by a sixth but made the compressed bundle, what
  # is sent, 14 % larger (and took 2.5 minutes).
  mv "$staging/${name}_bg.wasm" "$staging/$name.wasm"
}

build_site() {
  log "building the front end (wasm, profile $WASM_PROFILE)"
  local pkg="$SITE_ROOT/pkg" staging="$SITE_ROOT/pkg.new"
  rm -rf "$staging"; mkdir -p "$staging"
  # app::Bundle: the console's, and the first pages' own (sign-in, the dashboard).
  build_bundle "$APP_NAME"
  build_bundle iam-signin --features signin
  build_bundle iam-dashboard --features dashboard
  cp style/main.css "$staging/$APP_NAME.css"
  # Served pre-compressed: brotli where the browser accepts it, else gzip.
  local files=("$staging"/*.wasm "$staging"/*.js "$staging/$APP_NAME.css")
  gzip -k -9 -f "${files[@]}"
  if command -v node >/dev/null; then
    node "$ROOT/scripts/brotli.mjs" "${files[@]}"
  else
    log "node is missing: the bundles are served with gzip only (a third larger than brotli)"
  fi
  rm -rf "$pkg"; mv "$staging" "$pkg"
  for name in "$APP_NAME" iam-signin iam-dashboard; do
    printf '%s.wasm: %s bytes raw, %s bytes gzip, %s bytes brotli\n' "$name" \
      "$(stat -c %s "$pkg/$name.wasm")" "$(stat -c %s "$pkg/$name.wasm.gz")" \
      "$(stat -c %s "$pkg/$name.wasm.br" 2>/dev/null || echo no)" >&2
  done
}

build_server() {
  log "building the server (profile $SERVER_PROFILE)"
  cargo build -q -p server --profile "$SERVER_PROFILE"
}

case "${1:-all}" in
  site) build_site ;;
  server) build_server ;;
  all) build_site; build_server ;;
  *) die "usage: build.sh [site|server|all]" ;;
esac
