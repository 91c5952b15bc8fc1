#!/usr/bin/env bash
# Erasure versus intake: on SQLite and on PostgreSQL, a tenant with CONTACTS (default 100,000)
# sent messages and EVENTS (default 1,000,000) stored webhook bodies naming their numbers (30
# days of a busy shop). Webhooks are posted at a fixed 1,000/s for 10 s twice: once alone (the
# baseline), once while a person is erased through the API (LGPD art. 18), whose search of the
# stored bodies used to hold SQLite's only writer. Prints p50/p99 of both runs and how long the
# erasure took.
# Usage: bench/erasure.sh   (env: CONTACTS, EVENTS, DATABASES)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
CONTACTS="${CONTACTS:-100000}"
EVENTS="${EVENTS:-1000000}"
PORT="${PORT:-3919}"
DATABASES="${DATABASES:-sqlite postgres}"
PG="${FLOW_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"

command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3; }
echo "==> building release server and bench tools"
cargo build --release -q -p server --bin server --example bench_seed --example bench_rate

work=$(mktemp -d)
server_pid=
pg_db="flow_bench_erasure_$$"
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $pg_db" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

json_field() { echo "$1" | sed -E "s/.*\"$2\":\"?([^\",}]+)\"?.*/\1/"; }

bench_on() { # database URL
  local db=$1 seed token tenant path first last base id
  echo "==> ${db%%:*}: seeding $CONTACTS sent messages"
  seed=$("$CARGO_TARGET_DIR/release/examples/bench_seed" "$db" "$CONTACTS")
  token=$(json_field "$seed" token); tenant=$(json_field "$seed" tenant_id)
  path=$(json_field "$seed" path); first=$(json_field "$seed" first_id); last=$(json_field "$seed" last_id)
  echo "==> ${db%%:*}: storing $EVENTS processed webhook bodies"
  local body="'{\"event\":\"messages.update\",\"data\":{\"keyId\":\"X\",\"remoteJid\":\"' || (5511900000000 + (i % $CONTACTS)) || '@s.whatsapp.net\",\"fromMe\":true,\"status\":\"READ\"}}'"
  local instance="(SELECT MIN(id) FROM whatsapp_instance WHERE tenant_id = $tenant)"
  case "$db" in
    sqlite*)
      sqlite3 "$work/bench.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $EVENTS)
        INSERT INTO webhook_event (tenant_id, instance_id, event, body, received_at, processed_at, outcome, attempts)
        SELECT $tenant, $instance, 'messages.update', $body, datetime('now', '-1 day'), datetime('now', '-1 day'), 'applied', 1 FROM n;" ;;
    *)
      psql -q "$db" -c "INSERT INTO webhook_event (tenant_id, instance_id, event, body, received_at, processed_at, outcome, attempts)
        SELECT $tenant, $instance, 'messages.update', $body, now() - interval '1 day', now() - interval '1 day', 'applied', 1
        FROM generate_series(1, $EVENTS) AS i; ANALYZE webhook_event;" ;;
  esac
  DATABASE_URL="$db" FLOW_EVOLUTION_ALLOW_PRIVATE=true LEPTOS_SITE_ADDR="127.0.0.1:$PORT" FLOW_LOG=warn FLOW_SENDER=off \
    "$CARGO_TARGET_DIR/release/server" & server_pid=$!
  base="http://127.0.0.1:$PORT"
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
  id=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/contacts?limit=1" | sed -E 's/^\[\{"id":([0-9]+).*/\1/')

  echo "==> ${db%%:*}: webhooks at 1,000/s for 10 s, alone"
  echo "    alone:          $("$CARGO_TARGET_DIR/release/examples/bench_rate" "$base$path" bench-01 "$first" "$last" 1000 10)"
  echo "==> ${db%%:*}: the same while contact $id is erased"
  ( sleep 2
    start=$(date +%s.%N)
    curl -fs -o /dev/null -X DELETE -H "Authorization: Bearer $token" "$base/api/v1/contacts/$id"
    echo "    erasure took $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}') s" ) &
  local eraser=$!
  echo "    during erasure: $("$CARGO_TARGET_DIR/release/examples/bench_rate" "$base$path" bench-01 "$first" "$last" 1000 10)"
  wait "$eraser"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

for database in $DATABASES; do
  case "$database" in
    sqlite) bench_on "sqlite://$work/bench.db?mode=rwc" ;;
    postgres)
      if psql -q "$PG/postgres" -c "CREATE DATABASE $pg_db" 2>/dev/null; then
        bench_on "$PG/$pg_db"
      else
        echo "==> PostgreSQL at $PG does not answer: skipped"
      fi ;;
  esac
done
