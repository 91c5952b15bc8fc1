#!/usr/bin/env bash
# Tracked-link redirect benchmark: is a click answered fast at 1,000 clicks/s, with its
# durable recording (group commit) on the way? For each database (SQLite, PostgreSQL), starts
# the release server, seeds a campaign of RECIPIENTS (default 2,000) whose recipients each have a
# code, then requests at RATE (default 1,000/s) for DURATION seconds (default 20), open loop
# (latency from each request's due time), over 64 connections (what Evolution's side of a busy
# shop looks like) and 256 (saturation):
#   * GET /healthz, the baseline (no database write);
#   * GET /l/{code} from a phone's address and user agent: a counted click, 302.
# Then checks that every click answered was counted. Prints p50/p99/max and the rate reached.
# PostgreSQL is skipped when FLOW_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432)
# does not answer. Usage: bench/links.sh   (env: RECIPIENTS, RATE, DURATION, DATABASES, NO_BUILD)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
RECIPIENTS="${RECIPIENTS:-2000}"
RATE="${RATE:-1000}"
DURATION="${DURATION:-20}"
PORT="${PORT:-3931}"
DATABASES="${DATABASES:-sqlite postgres}"
PG="${FLOW_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
base="http://127.0.0.1:$PORT"

echo "==> building the release server and the load generator"
[ -n "${NO_BUILD:-}" ] || cargo build --release -q -p server --bin server --example bench_clicks
gen="$CARGO_TARGET_DIR/release/examples/bench_clicks"

work=$(mktemp -d)
server_pid=
pg_db="flow_bench_links_$$"
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $pg_db" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

bench_on() { # database URL, count SQL command
  local db=$1 counted=$2 clicks=0
  echo "==> ${db%%:*}: $RECIPIENTS recipients, $RATE requests/s for ${DURATION}s"
  "$gen" seed "$db" "$RECIPIENTS" "$base" > "$work/codes"
  DATABASE_URL="$db" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT=target/site \
    FLOW_PUBLIC_URL="$base" FLOW_SENDER=off FLOW_LOG=warn \
    FLOW_SUPPRESSION_KEY=bench-suppression-key-0123456789abcdef \
    FLOW_SPOOL_DIR="$work/spool" "$CARGO_TARGET_DIR/release/server" &
  server_pid=$!
  for _ in $(seq 1 100); do curl -fs -o /dev/null "$base/healthz" && break; sleep 0.1; done
  for connections in 64 256; do
    printf '    %-34s' "GET /healthz, $connections conn."
    "$gen" load "$base/healthz" - "$RATE" "$connections" "$DURATION"
    printf '    %-34s' "GET /l/{code}, $connections conn."
    "$gen" load "$base/l/" "$work/codes" "$RATE" "$connections" "$DURATION"
    clicks=$((clicks + ${RATE%.*} * DURATION))
  done
  echo "    clicks answered: $clicks; counted: $(eval "$counted")"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

for db in $DATABASES; do
  case $db in
    sqlite)
      bench_on "sqlite://$work/links.db?mode=rwc" \
        "sqlite3 $work/links.db 'SELECT SUM(clicks) FROM link_code'" ;;
    postgres)
      if ! psql -q "$PG/postgres" -c "CREATE DATABASE $pg_db" 2>/dev/null; then
        echo "==> postgres: $PG does not answer, skipped"; continue
      fi
      bench_on "$PG/$pg_db" "psql -tA $PG/$pg_db -c 'SELECT SUM(clicks) FROM link_code'" ;;
  esac
done
