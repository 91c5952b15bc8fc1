#!/usr/bin/env bash
# Installs what building Flow needs, skipping what is already there at the right version:
# the wasm32 target, cargo-leptos, wasm-bindgen-cli (must equal the wasm-bindgen in Cargo.lock),
# and the npm build tools (Tailwind CSS v4, binaryen's wasm-opt) that cargo-leptos finds in
# node_modules/.bin. Sourced by run.sh and test.sh.
#
# On a fresh machine the missing installs run side by side, at the lowest CPU priority (what the
# caller builds meanwhile comes first: run.sh's server, test.sh's checks), and the two Rust
# tools are built mostly unoptimised (opt-level 0; the crates that do real work on our files,
# wasm parsing and compression, at opt-level 3): they orchestrate a build, their own speed
# hardly shows, and this takes minutes off the first `./run.sh` (see README, "A first demo in
# minutes").
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130

# Builds go to ./target unless CARGO_TARGET_DIR says otherwise (CI points it outside the clone
# so that a fresh clone reuses the last build).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export PATH="$HOME/.cargo/bin:$PATH"

# Seconds since the first script of this run started (run.sh and test.sh print phase times).
FLOW_STARTED_AT="${FLOW_STARTED_AT:-$(date +%s)}"
export FLOW_STARTED_AT
elapsed() { echo $(($(date +%s) - FLOW_STARTED_AT)); }
step() { printf '\033[1m==> [%4ss] %s\033[0m\n' "$(elapsed)" "$*"; }
# Runs a phase and prints how long it took: `phase NAME command...`.
phase() {
  local name="$1" start
  shift
  start=$(date +%s)
  "$@"
  printf '\033[1m    phase %-28s %5ss\033[0m\n' "$name" "$(($(date +%s) - start))"
}

# The tools' own release profile: no LTO, no debug info, opt-level 0 except where the tool
# crunches our files (wasm parsing, rewriting and splitting; brotli/gzip; CSS).
tool_install() {
  local opt=(--config profile.release.opt-level=0 --config profile.release.lto=false
    --config profile.release.codegen-units=256 --config profile.release.debug=false)
  local hot
  for hot in walrus wasmparser wasm-encoder wasm-bindgen-cli-support wasm-bindgen-wasm-interpreter \
    wasm-bindgen-wasm-conventions wasm-bindgen-multi-value-xform wasm-bindgen-threads-xform \
    wasm-split-cli-support brotli brotli-decompressor miniz_oxide flate2 crc32fast lightningcss \
    sha2 seahash; do
    opt+=(--config "profile.release.package.$hot.opt-level=3")
  done
  # cargo-leptos asks for a vendored OpenSSL (through cargo-generate), a C build of minutes:
  # the system's OpenSSL does as well when it is there (Debian's libssl-dev).
  local vendor=()
  if pkg-config --exists openssl 2>/dev/null; then vendor=(OPENSSL_NO_VENDOR=1); fi
  # Each install in a temporary directory of its own: in CARGO_TARGET_DIR it would wait for
  # the lock of whatever else builds there.
  env -u CARGO_TARGET_DIR "${vendor[@]}" nice -n 19 cargo "${opt[@]}" install "$@" 2>&1 |
    grep -v 'did not match any packages' || return "${PIPESTATUS[0]}"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

pids=()
npm_pid=
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (once; alongside the other installs)"
  # --ignore-rust-version: a dependency asks for a newer rustc than it needs.
  phase "install cargo-leptos" tool_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" \
    --locked --ignore-rust-version --quiet &
  pids+=($!)
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (once; alongside the other installs)"
  # No --locked: the registry mirror lacks one locked dependency version.
  phase "install wasm-bindgen-cli" tool_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --quiet &
  pids+=($!)
fi

if [ ! -x node_modules/.bin/tailwindcss ] || [ ! -x node_modules/.bin/wasm-opt ]; then
  step "installing the npm build tools (tailwindcss, binaryen)"
  phase "npm build tools" npm ci --no-audit --no-fund --loglevel=error &
  npm_pid=$!
fi

# While the tools install, a caller may start work that needs none of them (run.sh compiles
# Flow, test.sh runs its checks): it calls wait_for_tools before using cargo-leptos, or
# wait_for_npm_tools before using Tailwind alone.
wait_for_npm_tools() {
  [ -n "$npm_pid" ] || return 0
  wait "$npm_pid" || { echo "npm ci failed (see above)" >&2; return 1; }
  npm_pid=
}

# Whether an install is still running.
tools_pending() {
  local pid
  for pid in "${pids[@]}" $npm_pid; do
    if kill -0 "$pid" 2>/dev/null; then return 0; fi
  done
  return 1
}

wait_for_tools() {
  wait_for_npm_tools || return 1
  local pid
  for pid in "${pids[@]}"; do
    wait "$pid" || { echo "a tool install failed (see above)" >&2; return 1; }
  done
  pids=()
}
