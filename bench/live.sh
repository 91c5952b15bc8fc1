#!/usr/bin/env bash
# Webhook → screen latency of the live dashboard: builds the site and the server (debug, as the
# browser tests run them), then runs end2end/tests/live_latency.test.mjs, which posts 80
# `messages.update` receipts at 20/s to a campaign open in headless Chromium and prints the p50,
# p99 and max from each POST to the moment the page shows it (it fails when the p99 is 250 ms or
# more). Needs Chromium (`apt-get install chromium`) and `npm ci` in end2end/.
# Usage: bench/live.sh   (env: CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
echo "==> building the site and the server (debug)"
cargo leptos build --split >/dev/null 2>&1
cargo build -q -p evolution-sim
[ -d end2end/node_modules ] || (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
echo "==> webhook → screen"
cd end2end
node --test --test-concurrency=1 tests/live_latency.test.mjs 2>&1 | grep -E "webhook to screen|^# (pass|fail)"
