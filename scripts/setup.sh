#!/usr/bin/env bash
# Installs what building Flow needs, skipping what is already there at the right version:
# the wasm32 target, cargo-leptos, wasm-bindgen-cli (must equal the wasm-bindgen in Cargo.lock),
# and the npm build tools (Tailwind CSS v4, binaryen's wasm-opt) that cargo-leptos finds in
# node_modules/.bin. Sourced by run.sh and test.sh.
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130

# Builds go to ./target unless CARGO_TARGET_DIR says otherwise (CI points it outside the clone
# so that a fresh clone reuses the last build).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on 2 cores, once)"
  # --ignore-rust-version: a dependency asks for a newer rustc than it needs.
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --ignore-rust-version
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes, once)"
  # No --locked: the registry mirror lacks one locked dependency version.
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ]; then
  step "installing the npm build tools (tailwindcss, binaryen)"
  npm ci --no-audit --no-fund
fi
