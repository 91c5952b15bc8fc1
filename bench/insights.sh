#!/usr/bin/env bash
# What-the-campaigns-teach benchmark at 1M receipts, on SQLite and on PostgreSQL in the same run.
# For each database: seeds one campaign of RECEIPTS (default 1,000,000) sent messages (bench_seed)
# and spreads them over four weeks and fourteen hours a day, two in three read up to four hours
# later, one in twenty answered, and presence for one contact in ten; then starts the release
# server and measures, REPS times each (p50/p99), beside the bare GET /healthz (the baseline):
#   - GET /api/v1/insights/best-hours (the whole team: every receipt),
#   - the same for one campaign and for one list,
#   - GET /api/v1/campaigns/{id} (counters plus time to deliver and to read over 1M rows),
#   - the server-rendered /insights page.
# PostgreSQL is skipped when FLOW_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432)
# does not answer. Usage: bench/insights.sh   (env: RECEIPTS, REPS, DATABASES, FLOW_BENCH_PG_URL)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
RECEIPTS="${RECEIPTS:-1000000}"
REPS="${REPS:-20}"
PORT="${PORT:-3919}"
DATABASES="${DATABASES:-sqlite postgres}"
PG="${FLOW_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
base="http://127.0.0.1:$PORT"

command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3; }
echo "==> building the release server and the seeder"
cargo build --release -q -p server --bin server --example bench_seed

work=$(mktemp -d)
server_pid=
pg_db="flow_bench_insights_$$"
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $pg_db" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

field() { echo "$1" | sed -E "s/.*\"$2\":\"?([^\",}]+)\"?.*/\1/"; }

bench_on() { # database URL
  local db=$1 start seed
  echo "==> ${db%%:*}: seeding $RECEIPTS receipts"
  start=$(date +%s.%N)
  seed=$("$CARGO_TARGET_DIR/release/examples/bench_seed" "$db" "$RECEIPTS")
  local tenant_id token campaign
  tenant_id=$(field "$seed" tenant_id); token=$(field "$seed" token); campaign=$(field "$seed" campaign_id)
  case "$db" in
    sqlite*)
      sqlite3 "$work/bench.db" "
        UPDATE campaign_contact SET sent_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '-' || (id % 28) || ' days',
          'start of day', '+' || (11 + id % 14) || ' hours', '+' || (id % 60) || ' minutes') WHERE campaign_id = $campaign;
        UPDATE campaign_contact SET status = 'read',
          delivered_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', sent_at, '+' || (id % 50) || ' seconds'),
          read_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', sent_at, '+' || (id % 240) || ' minutes'),
          replied_at = CASE WHEN id % 20 = 0 THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', sent_at, '+' || (id % 240 + 3) || ' minutes') END
          WHERE campaign_id = $campaign AND id % 3 <> 0;
        INSERT INTO list (tenant_id, name, created_at, updated_at) VALUES ($tenant_id, 'Bench', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
        INSERT INTO list_contact (list_id, contact_id, added_at)
          SELECT (SELECT MAX(id) FROM list), id, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM contact WHERE tenant_id = $tenant_id AND id % 10 = 0;
        INSERT INTO presence_hour (tenant_id, contact_id, weekday, hour, seen, last_at)
          SELECT $tenant_id, id, 1 + id % 7, 8 + id % 14, 1 + id % 5, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM contact WHERE tenant_id = $tenant_id AND id % 10 = 0;
        ANALYZE;" ;;
    *)
      psql -q "$db" -c "
        UPDATE campaign_contact SET sent_at = date_trunc('day', now()) - (id % 28) * interval '1 day'
          + (11 + id % 14) * interval '1 hour' + (id % 60) * interval '1 minute' WHERE campaign_id = $campaign;
        UPDATE campaign_contact SET status = 'read', delivered_at = sent_at + (id % 50) * interval '1 second',
          read_at = sent_at + (id % 240) * interval '1 minute',
          replied_at = CASE WHEN id % 20 = 0 THEN sent_at + (id % 240 + 3) * interval '1 minute' END
          WHERE campaign_id = $campaign AND id % 3 <> 0;
        INSERT INTO list (tenant_id, name, created_at, updated_at) VALUES ($tenant_id, 'Bench', now(), now());
        INSERT INTO list_contact (list_id, contact_id, added_at)
          SELECT (SELECT MAX(id) FROM list), id, now() FROM contact WHERE tenant_id = $tenant_id AND id % 10 = 0;
        INSERT INTO presence_hour (tenant_id, contact_id, weekday, hour, seen, last_at)
          SELECT $tenant_id, id, 1 + id % 7, 8 + id % 14, 1 + id % 5, now() FROM contact WHERE tenant_id = $tenant_id AND id % 10 = 0;
        ANALYZE;" ;;
  esac
  awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "    seeded in %.0f s\n", e - s}'
  local list
  case "$db" in
    sqlite*) list=$(sqlite3 "$work/bench.db" "SELECT MAX(id) FROM list") ;;
    *) list=$(psql -qtA "$db" -c "SELECT MAX(id) FROM list") ;;
  esac

  DATABASE_URL="$db" FLOW_EVOLUTION_ALLOW_PRIVATE=true LEPTOS_SITE_ADDR="127.0.0.1:$PORT" FLOW_LOG=warn FLOW_SENDER=off \
    FLOW_SPOOL_DIR="$work/spool" "$CARGO_TARGET_DIR/release/server" & server_pid=$!
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done
  local cookie auth="Authorization: Bearer $token"
  cookie=$(bench_admin "$db" "$tenant_id" "$base")
  echo "==> ${db%%:*}: latency at $RECEIPTS receipts ($REPS requests each)"
  measure "GET /healthz (baseline)" "$base/healthz"
  measure "API best-hours, the whole team" -H "$auth" "$base/api/v1/insights/best-hours"
  measure "API best-hours, one campaign" -H "$auth" "$base/api/v1/insights/best-hours?campaign_id=$campaign"
  measure "API best-hours, one list (1 in 10 people)" -H "$auth" "$base/api/v1/insights/best-hours?list_ids=$list"
  measure "API campaign with timing (p50/p90, histogram)" -H "$auth" "$base/api/v1/campaigns/$campaign"
  measure "page /insights (server-rendered)" -H "Cookie: $cookie" "$base/insights"
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
