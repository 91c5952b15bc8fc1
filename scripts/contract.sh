#!/usr/bin/env bash
# The contract, checked as a stranger would: schemathesis (a pinned version, a fixed seed, a
# short budget) generates requests from /api/v1/openapi.json against a debug server on a fresh
# SQLite database and fails on any answer the document does not describe: a 5xx, a dropped
# connection, an undocumented status, a body or content type that does not fit its schema.
# Usage: bash scripts/contract.sh   (env: CARGO_TARGET_DIR; SCHEMATHESIS_EXAMPLES, default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMATHESIS_VERSION=4.32.5
target="${CARGO_TARGET_DIR:-$PWD/target}"

if ! schemathesis --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
cargo build -q -p server --bin server

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
admin="contract-operator-token-0123456789"
DATABASE_URL="sqlite://$work/contract.db?mode=rwc" LEPTOS_SITE_ADDR="127.0.0.1:$port" \
  FLOW_ADMIN_TOKEN="$admin" FLOW_SENDER=off FLOW_LOG=error FLOW_SPOOL_DIR="$work/spool" \
  "$target/debug/server" & server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
token=$(curl -fs "$base/api/v1/tenants" -H "Authorization: Bearer $admin" \
  -H 'content-type: application/json' -d '{"name":"Contrato"}' | sed -E 's/.*"api_token":"([^"]+)".*/\1/')

schemathesis run "$base/api/v1/openapi.json" --url "$base" \
  -H "Authorization: Bearer $token" \
  --seed 20261206 --generation-deterministic --max-examples "${SCHEMATHESIS_EXAMPLES:-10}" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --workers 1 --request-timeout 10 --no-shrink
