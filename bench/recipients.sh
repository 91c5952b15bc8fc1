#!/usr/bin/env bash
# Recipient-list benchmark at 1M recipients, on SQLite and on PostgreSQL in the same run.
# For each database: seeds one campaign of RECIPIENTS (default 1,000,000) sent messages with a
# log line for every tenth (bench_seed), starts the release server and measures, REPS times
# each (p50/p99), beside the bare GET /healthz (the baseline):
#   - the recipients API: first page, a keyset page at 90% (cursor), the same depth by offset
#     (the old way, for comparison), a status-filtered keyset page at 90%,
#   - the log API: first page and a keyset page deep in the log,
#   - the server-rendered campaign page /campaigns/{id}, first and at 90% (the dashboard).
# PostgreSQL is skipped when FLOW_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432)
# does not answer. Usage: bench/recipients.sh   (env: RECIPIENTS, REPS, FLOW_BENCH_PG_URL)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
RECIPIENTS="${RECIPIENTS:-1000000}"
REPS="${REPS:-30}"
PORT="${PORT:-3919}"
PG="${FLOW_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
base="http://127.0.0.1:$PORT"

echo "==> building the release server and the seeder"
cargo build --release -q -p server --bin server --example bench_seed

work=$(mktemp -d)
server_pid=
pg_db="flow_bench_recipients_$$"
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $pg_db" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

field() { echo "$1" | sed -E "s/.*\"$2\":\"?([^\",}]+)\"?.*/\1/"; }

bench_on() { # database URL
  local db=$1 start seed
  echo "==> ${db%%:*}: seeding a campaign of $RECIPIENTS recipients"
  start=$(date +%s.%N)
  seed=$("$CARGO_TARGET_DIR/release/examples/bench_seed" "$db" "$RECIPIENTS")
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "    seeded in %.0f s\n", e - s}'
  local tenant_id token campaign first last
  tenant_id=$(field "$seed" tenant_id); token=$(field "$seed" token)
  campaign=$(field "$seed" campaign_id); first=$(field "$seed" first_id); last=$(field "$seed" last_id)

  DATABASE_URL="$db" FLOW_EVOLUTION_ALLOW_PRIVATE=true LEPTOS_SITE_ADDR="127.0.0.1:$PORT" FLOW_LOG=warn FLOW_SENDER=off \
    FLOW_SPOOL_DIR="$work/spool" "$CARGO_TARGET_DIR/release/server" & server_pid=$!
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
  local cookie
  cookie=$(bench_admin "$db" "$tenant_id" "$base")

  local deep=$((first + (last - first) * 9 / 10)) depth=$(((last - first) * 9 / 10))
  local logs_deep=$((RECIPIENTS / 10 * 9 / 10))
  local auth="Authorization: Bearer $token" api="$base/api/v1/campaigns/$campaign"
  echo "==> ${db%%:*}: latency at $RECIPIENTS recipients ($REPS requests each)"
  measure "GET /healthz (baseline)" "$base/healthz"
  measure "API recipients, first page (50)" -H "$auth" "$api/contacts?limit=50"
  measure "API recipients, keyset page at 90%" -H "$auth" "$api/contacts?limit=50&cursor=$deep"
  measure "API recipients, offset $depth (old way)" -H "$auth" "$api/contacts?limit=50&offset=$depth"
  measure "API recipients, status=sent, keyset at 90%" -H "$auth" "$api/contacts?limit=50&status=sent&cursor=$deep"
  measure "API log, first page (50)" -H "$auth" "$api/logs?limit=50"
  local log_cursor
  log_cursor=$(curl -fs -H "$auth" "$api/logs?limit=1&offset=$logs_deep" | sed -E 's/^\[\{"id":([0-9]+).*/\1/')
  measure "API log, keyset page at 90%" -H "$auth" "$api/logs?limit=50&cursor=$log_cursor"
  measure "page /campaigns/{id} (server-rendered)" -H "Cookie: $cookie" "$base/campaigns/$campaign"
  measure "page /campaigns/{id}, recipients at 90%" -H "Cookie: $cookie" "$base/campaigns/$campaign?after=$deep&at=$depth"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

bench_on "sqlite://$work/bench.db?mode=rwc"
if psql -q "$PG/postgres" -c "CREATE DATABASE $pg_db" 2>/dev/null; then
  bench_on "$PG/$pg_db"
else
  echo "==> PostgreSQL at $PG does not answer: skipped"
fi
