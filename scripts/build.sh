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

build_site() {
  log "building the front end (wasm, profile $WASM_PROFILE)"
  # Alone, not workspace-wide: that would merge the app's `ssr` and `hydrate` features.
  cargo build -q -p frontend --target wasm32-unknown-unknown --profile "$WASM_PROFILE"
  local wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$(profile_dir "$WASM_PROFILE")/frontend.wasm"
  local pkg="$SITE_ROOT/pkg" staging="$SITE_ROOT/pkg.new"
  rm -rf "$staging"; mkdir -p "$staging"
  local strip=(); [ "$WASM_PROFILE" != dev ] && strip=(--remove-name-section --remove-producers-section)
  wasm-bindgen --target web --no-typescript "${strip[@]}" --out-dir "$staging" --out-name "$APP_NAME" "$wasm"
  # Leptos' hydration script loads NAME.wasm (as cargo-leptos names it).
  mv "$staging/${APP_NAME}_bg.wasm" "$staging/$APP_NAME.wasm"
  cp style/main.css "$staging/$APP_NAME.css"
  # Served pre-compressed when the browser accepts gzip.
  gzip -k -9 -f "$staging/$APP_NAME.wasm" "$staging/$APP_NAME.js" "$staging/$APP_NAME.css"
  rm -rf "$pkg"; mv "$staging" "$pkg"
  printf 'wasm: %s bytes raw, %s bytes gzip\n' \
    "$(stat -c %s "$pkg/$APP_NAME.wasm")" "$(stat -c %s "$pkg/$APP_NAME.wasm.gz")" >&2
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
