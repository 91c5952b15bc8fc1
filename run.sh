#!/usr/bin/env bash
# Sets up the build tools if needed, builds Flow and the Evolution simulator (the development
# build, each phase timed), and runs the demo: Flow on SQLite (./flow-demo.db) at
# http://127.0.0.1:3000 with a demo tenant whose campaign sends through the simulated Evolution
# API on 127.0.0.1:8081. Ctrl-C stops both.
# Override with LEPTOS_SITE_ADDR, DATABASE_URL, FLOW_ADMIN_TOKEN, SIM_ADDR.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

# The demo runs the development build, the one the browser tests run (`cargo leptos build
# --split`): unoptimised, it compiles in a fraction of the release build's time. Compiling needs
# none of the tools, so it starts at once, beside the installs, with the variables and flags
# cargo-leptos gives it (cargo-leptos then finds it built and only splits and binds the bundle):
# the server with the simulator (one build: they share their crates) first, and the browser
# bundle's WebAssembly (in a target directory of its own) at the lowest CPU priority, with the
# installs.
leptos_env() {
  export LEPTOS_OUTPUT_NAME=flow LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=app \
    LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=true \
    LEPTOS_HASH_FILE_NAME=hash.txt
}
step "compiling Flow's server with the Evolution simulator, then the browser bundle, beside the installs"
(
  leptos_env
  export RUSTFLAGS="--cfg erase_components"
  phase "compile server + simulator" cargo build -q -p server --bin server \
    -p evolution-sim --bin evolution-sim --no-default-features
) &
servers=$!
(
  leptos_env
  # --split: the lazily loaded pages are cut out of the linked module.
  export RUSTFLAGS="-Clink-args=--emit-relocs --cfg erase_components"
  phase "compile browser bundle" nice -n 19 cargo build -q --package=app --lib \
    --target-dir="$CARGO_TARGET_DIR/front" --target=wasm32-unknown-unknown \
    --no-default-features --features=hydrate
) &
bundle=$!

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

# Flow on the site under $1: `start_flow SITE_ROOT`.
start_flow() {
  LEPTOS_SITE_ROOT="$1" "$CARGO_TARGET_DIR/debug/server" &
  flow_pid=$!
}
# Says when the dashboard answers, and how long this run took to get there: `announce WHAT`.
announce() {
  (for _ in $(seq 1 600); do
    if curl -fsS -o /dev/null "http://$LEPTOS_SITE_ADDR/healthz" 2>/dev/null; then
      step "$1 at http://$LEPTOS_SITE_ADDR, $(elapsed) s after ./run.sh started"
      exit 0
    fi
    sleep 0.5
  done) &
}
flow_pid= sim_pid=
trap 'kill $flow_pid $sim_pid 2>/dev/null || true' EXIT

wait "$servers"
step "starting the Evolution simulator on $SIM_ADDR"
"$CARGO_TARGET_DIR/debug/evolution-sim" & sim_pid=$!
echo "operator token (POST /api/v1/tenants): $FLOW_ADMIN_TOKEN"

# On a fresh machine the server is ready long before the installs and the bundle: the demo
# starts at once with the stylesheet alone (every page works without JavaScript), and again
# with the bundle (live updates, the split pages) once it is built.
if tools_pending || kill -0 "$bundle" 2>/dev/null; then
  wait_for_npm_tools
  first_site="$CARGO_TARGET_DIR/site-first"
  rm -rf "$first_site" && mkdir -p "$first_site/pkg" && cp -r public/. "$first_site/"
  phase "stylesheet (Tailwind)" node_modules/.bin/tailwindcss --input style/tailwind.css \
    --output "$first_site/pkg/flow.css" --minify
  step "starting Flow on http://$LEPTOS_SITE_ADDR while the browser bundle builds (demo: admin@demo.flow / demo-password)"
  start_flow "$first_site"
  announce "demo live (pages without the browser bundle yet)"
fi

wait_for_tools
wait "$bundle"
step "building Flow's browser bundle"
phase "bundle: split, bind" cargo leptos build --split --frontend-only
# Whatever the early builds missed (nothing, when they ran as cargo-leptos would have).
phase "build Flow (cargo-leptos check)" cargo leptos build --split --server-only

if [ -n "$flow_pid" ]; then
  step "restarting Flow with the browser bundle"
  kill "$flow_pid" && wait "$flow_pid" || true
fi
step "starting Flow on http://$LEPTOS_SITE_ADDR (demo: admin@demo.flow / demo-password)"
start_flow "$LEPTOS_SITE_ROOT"
announce "demo live with the browser bundle"
wait "$flow_pid"
