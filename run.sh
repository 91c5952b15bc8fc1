#!/usr/bin/env bash
# Sets up the build tools if needed, builds Flow and the Evolution simulator in release mode, and
# runs the demo: Flow on SQLite (./flow-demo.db) at http://127.0.0.1:3000 with a demo tenant whose
# campaign sends through the simulated Evolution API on 127.0.0.1:8081. Ctrl-C stops both.
# Override with LEPTOS_SITE_ADDR, DATABASE_URL, FLOW_ADMIN_TOKEN, SIM_ADDR.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

step "building Flow (release; the first build takes about 10 minutes)"
cargo leptos build --release --precompress --split
cargo build --release -q -p evolution-sim

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
"$CARGO_TARGET_DIR/release/server"
