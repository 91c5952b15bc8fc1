#!/usr/bin/env bash
# Sets up the build tools if needed, builds Flow and the Evolution simulator (a quick release
# build, each phase timed), and runs the demo: Flow on SQLite (./flow-demo.db) at
# http://127.0.0.1:3000 with a demo tenant whose campaign sends through the simulated Evolution
# API on 127.0.0.1:8081. Ctrl-C stops both.
# Override with LEPTOS_SITE_ADDR, DATABASE_URL, FLOW_ADMIN_TOKEN, SIM_ADDR.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

# The demo's build: the server and the simulator at opt-level 1 and the browser bundle without
# link-time optimisation. Fast enough to show, and minutes quicker to build than the deployment
# profile (`cargo leptos build --release`; see README, "A first demo in minutes").
export CARGO_PROFILE_RELEASE_OPT_LEVEL=1
export CARGO_PROFILE_WASM_RELEASE_LTO=false CARGO_PROFILE_WASM_RELEASE_CODEGEN_UNITS=16

# Compiling needs none of the tools: the server with the simulator (one build: they share their
# crates), and the browser bundle's WebAssembly (in a target directory of its own), start at
# once, beside the tool installs, with the variables and flags cargo-leptos gives them, so that
# cargo-leptos then finds them built and only splits, binds and optimises the bundle.
leptos_env() {
  export LEPTOS_OUTPUT_NAME=flow LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=app \
    LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=true \
    LEPTOS_HASH_FILE_NAME=hash.txt
}
step "compiling Flow's server with the Evolution simulator, and the browser bundle, beside the installs"
(
  leptos_env
  phase "compile server + simulator" cargo build --release -q -p server --bin server \
    -p evolution-sim --bin evolution-sim --no-default-features
) &
servers=$!
(
  leptos_env
  # --split: the lazily loaded pages are cut out of the linked module.
  export RUSTFLAGS="-Clink-args=--emit-relocs"
  phase "compile browser bundle" cargo build -q --package=app --lib \
    --target-dir="$CARGO_TARGET_DIR/front" --target=wasm32-unknown-unknown \
    --no-default-features --features=hydrate --profile=wasm-release
) &
bundle=$!
wait_for_tools
wait "$bundle"
step "building Flow's browser bundle (release)"
phase "bundle: split, bind, optimise" cargo leptos build --release --precompress --split --frontend-only
wait "$servers"
# Whatever the early builds missed (nothing, when they ran as cargo-leptos would have).
phase "build Flow (cargo-leptos check)" cargo leptos build --release --split --server-only

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
"$CARGO_TARGET_DIR/release/evolution-sim" & sim_pid=$!
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
"$CARGO_TARGET_DIR/release/server"
