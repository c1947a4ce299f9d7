#!/usr/bin/env bash
# Installs what building and testing need, when missing. Safe to run again: it only adds.
#   setup.sh build   the wasm target and wasm-bindgen (for `make run`)
#   setup.sh test    the above, plus Chromium, the Playwright packages, the AWS CLI and boto3
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

wasm_target() {
  local libdir
  libdir="$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown/lib"
  [ -d "$libdir" ] && return 0
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >/dev/null \
    || die "cannot add the wasm32 target; see ../shared/toolchain.md for the Debian fallback"
}

# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_cli() {
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  [ -n "$want" ] || die "wasm-bindgen is not in Cargo.lock"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  [ "$have" = "$want" ] && return 0
  log "installing wasm-bindgen-cli $want (a few minutes, once)"
  # Not --locked: its lockfile pins a crate version the registry no longer serves. --force:
  # cargo skips a package it has on record even when this binary of it was deleted.
  cargo install -q --force wasm-bindgen-cli --version "$want" >/dev/null
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  [ "$have" = "$want" ] || die "wasm-bindgen $want is still missing after cargo install (found: ${have:-none})"
}

# Named so that it does not shadow the `chromium` command it looks for.
install_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    [ -x "$CHROMIUM_PATH" ] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file"
    return 0
  fi
  [ -x "$(type -P chromium || true)" ] && return 0
  apt_install chromium
  [ -x "$(type -P chromium || true)" ] || die "chromium is still missing after apt-get install chromium"
}

node_packages() {
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -d end2end/node_modules/@playwright/test ] \
     || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "installing the Playwright test runner (npm ci)"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# The official AWS CLI and SDK, pinned, in a virtualenv of the repo's own (.venv).
python_tools() {
  local want="end2end/api/requirements.txt"
  if [ ! -x .venv/bin/aws ] || [ "$want" -nt .venv/.installed ]; then
    log "installing the AWS CLI and boto3 into .venv"
    python3 -m venv .venv 2>/dev/null || { apt_install python3-venv; python3 -m venv .venv; }
    .venv/bin/pip install -q --disable-pip-version-check -r "$want" >/dev/null
    touch .venv/.installed
  fi
}

command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup"
command -v curl >/dev/null || apt_install curl
command -v python3 >/dev/null || apt_install python3
wasm_target
wasm_bindgen_cli
if [ "${1:-build}" = test ]; then
  # The tests' identity providers get their certificates from openssl.
  command -v openssl >/dev/null || apt_install openssl
  install_chromium
  node_packages
  python_tools
fi
