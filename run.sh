#!/usr/bin/env bash
# Sets up the build tools if needed, builds Flow in release mode and runs it on SQLite at
# http://127.0.0.1:3000 (override with LEPTOS_SITE_ADDR / DATABASE_URL / FLOW_ADMIN_TOKEN).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

step "building Flow (release; the first build takes about 10 minutes)"
cargo leptos build --release

export FLOW_ADMIN_TOKEN="${FLOW_ADMIN_TOKEN:-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
mkdir -p target/site
# cargo-leptos writes the site into ./target/site even when CARGO_TARGET_DIR is elsewhere.
step "starting Flow on ${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
echo "admin token (for POST /api/v1/tenants): $FLOW_ADMIN_TOKEN"
exec "$CARGO_TARGET_DIR/release/server"
