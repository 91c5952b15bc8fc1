#!/usr/bin/env bash
# Sets up the build tools if needed, builds Flow and the Evolution simulator (the development
# build, each phase timed), and runs the demo: Flow on SQLite (./flow-demo.db) at
# http://127.0.0.1:3000 with a demo tenant whose campaign sends through the simulated Evolution
# API on 127.0.0.1:8081. Ctrl-C stops both.
# Override with LEPTOS_SITE_ADDR, DATABASE_URL, FLOW_ADMIN_TOKEN, SIM_ADDR.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

# The demo runs the development build (opt-level 0, no debug info; see Cargo.toml), the one
# `./test.sh` and `cargo leptos build` also use: the first demo comes up in minutes instead of
# waiting for an optimised build, and the tests that follow reuse what it compiled. The
# deployment build is `cargo leptos build --release` (see README, "A first demo in minutes").
#
# Compiling needs none of the tools: the server with the simulator (one build: they share their
# crates), and the browser bundle's WebAssembly (in a target directory of its own), start at
# once, beside the tool installs, with the variables and flags cargo-leptos gives them, so that
# cargo-leptos then finds them built and only splits and binds the bundle.
leptos_env() {
  export LEPTOS_OUTPUT_NAME=flow LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=app \
    LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=true \
    LEPTOS_HASH_FILE_NAME=hash.txt
}
step "compiling Flow's server with the Evolution simulator, and the browser bundle, beside the installs"
(
  leptos_env
  # cargo-leptos' development builds erase the components' types (leptos' `erase_components`),
  # which makes the big generic view code of the pages much quicker to compile.
  export RUSTFLAGS="--cfg erase_components"
  phase "compile server + simulator" cargo build -q -p server --bin server \
    -p evolution-sim --bin evolution-sim --no-default-features
) &
servers=$!
(
  leptos_env
  # --split: the lazily loaded pages are cut out of the linked module.
  export RUSTFLAGS="-Clink-args=--emit-relocs --cfg erase_components"
  phase "compile browser bundle" cargo build -q --package=app --lib \
    --target-dir="$CARGO_TARGET_DIR/front" --target=wasm32-unknown-unknown \
    --no-default-features --features=hydrate
) &
bundle=$!
wait_for_tools
wait "$bundle"
step "building Flow's browser bundle"
phase "bundle: split and bind" cargo leptos build --split --frontend-only
wait "$servers"
# Whatever the early builds missed (nothing, when they ran as cargo-leptos would have).
phase "build Flow (cargo-leptos check)" cargo leptos build --split --server-only

export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export DATABASE_URL="${DATABASE_URL:-sqlite://flow-demo.db?mode=rwc}"
export FLOW_ADMIN_TOKEN="${FLOW_ADMIN_TOKEN:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export SIM_ADDR="${SIM_ADDR:-127.0.0.1:8081}"
export SIM_V1_INSTANCES="loja-shopping"
# The demo's third instance starts disconnected: pair it by QR code on /instances.
export SIM_CLOSED_INSTANCES="loja-quiosque"
export FLOW_DEMO_EVOLUTION_URL="http://$SIM_ADDR"
# The simulated Evolution runs beside Flow, on loopback: allowed only because this says so.
export FLOW_EVOLUTION_ALLOW_PRIVATE="${FLOW_EVOLUTION_ALLOW_PRIVATE:-true}"
# The key of the suppression list's hashes of erased numbers lives outside the database: the
# demo keeps it in ./flow-demo.key, made once (back it up with the database).
if [ -z "${FLOW_SUPPRESSION_KEY:-}" ]; then
  [ -s flow-demo.key ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > flow-demo.key)
  FLOW_SUPPRESSION_KEY="$(cat flow-demo.key)"
  export FLOW_SUPPRESSION_KEY
fi

step "starting the Evolution simulator on $SIM_ADDR"
"$CARGO_TARGET_DIR/debug/evolution-sim" & sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT
step "starting Flow on http://$LEPTOS_SITE_ADDR (demo: admin@demo.flow / demo-password)"
echo "operator token (POST /api/v1/tenants): $FLOW_ADMIN_TOKEN"
# Says when the dashboard answers, and how long this run took to get there.
(for _ in $(seq 1 600); do
  if curl -fsS -o /dev/null "http://$LEPTOS_SITE_ADDR/healthz" 2>/dev/null; then
    step "demo live at http://$LEPTOS_SITE_ADDR, $(elapsed) s after ./run.sh started"
    exit 0
  fi
  sleep 0.5
done) &
"$CARGO_TARGET_DIR/debug/server"
