#!/usr/bin/env bash
# Runs every check of Flow: formatting, clippy, all Rust tests (unit; API, webhook, sender and
# crash tests on SQLite and on PostgreSQL), the API contract (schemathesis) and the browser
# tests in headless Chromium.
# PostgreSQL is expected at FLOW_TEST_PG_URL (default
# postgres://postgres@127.0.0.1:5432, trust auth); it is started if it is local and down.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh

export FLOW_TEST_PG_URL="${FLOW_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432}"
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
  step "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (SQLite and PostgreSQL)"
cargo test --workspace

step "API contract (schemathesis against the OpenAPI document)"
bash scripts/contract.sh

step "browser tests (headless Chromium)"
# cargo-leptos and wasm-bindgen may still be installing (a fresh machine): the checks above
# needed neither.
wait_for_tools
bash end2end/run.sh
