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

# The bundles of app::Bundle: bundles/<area> is served as /pkg/iam-<area>.{js,wasm}.
AREAS=(signin dashboard people access policies billing)

# wasm-bindgen's glue for one built crate: bindgen CRATE NAME, into $staging as NAME.{js,wasm}.
bindgen() {
  local wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$(profile_dir "$WASM_PROFILE")/$1.wasm"
  local strip=(); [ "$WASM_PROFILE" != dev ] && strip=(--remove-name-section --remove-producers-section)
  wasm-bindgen --target web --no-typescript "${strip[@]}" --out-dir "$staging" --out-name "$2" "$wasm"
  # Leptos' hydration script loads NAME.wasm (as cargo-leptos names it). No wasm-opt: measured
  # here, binaryen 132's -Oz cut the raw size by a sixth but made the compressed bundle, what
  # is sent, 14 % larger (and took 2.5 minutes).
  mv "$staging/${2}_bg.wasm" "$staging/$2.wasm"
}

build_site() {
  log "building the front end (wasm bundles, profile $WASM_PROFILE)"
  local pkg="$SITE_ROOT/pkg" staging="$SITE_ROOT/pkg.new" area crates=()
  rm -rf "$staging"; mkdir -p "$staging"
  for area in "${AREAS[@]}"; do crates+=(-p "bundle-$area"); done
  # One cargo run, so the bundles' link steps (single-threaded each) share the cores. Never
  # with the server: a workspace-wide build would merge the app's `ssr` and `hydrate` features.
  # The console's own bundle (frontend/, every page) is for cargo-leptos: no page needs it here.
  cargo build -q "${crates[@]}" --target wasm32-unknown-unknown --profile "$WASM_PROFILE"
  for area in "${AREAS[@]}"; do bindgen "bundle_$area" "iam-$area"; done
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
  for area in "${AREAS[@]}"; do
    printf 'iam-%s.wasm: %s bytes raw, %s bytes gzip, %s bytes brotli\n' "$area" \
      "$(stat -c %s "$pkg/iam-$area.wasm")" "$(stat -c %s "$pkg/iam-$area.wasm.gz")" \
      "$(stat -c %s "$pkg/iam-$area.wasm.br" 2>/dev/null || echo no)" >&2
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
