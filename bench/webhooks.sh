#!/usr/bin/env bash
# Webhook ingestion benchmark. Starts the release server on a fresh SQLite file seeded with a
# campaign of CONTACTS (default 100,000) sent messages, then measures in the same run:
#   1. the bare endpoint GET /healthz at full speed (the ceiling on this machine),
#   2. durable messages.update webhooks at full speed (each acknowledged after its commit),
#   3. webhook latency at a fixed 1,000 requests/s,
# and prints webhooks/s, p50/p99, the ratio to the ceiling, and the server's peak RSS.
# Usage: bench/webhooks.sh   (env: CONTACTS, DURATION seconds, CONNECTIONS)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
CONTACTS="${CONTACTS:-100000}"
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-256}"
PORT="${PORT:-3917}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
echo "==> building release server and bench tools"
cargo build --release -q -p server --bin server --example bench_seed --example bench_rate

work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
db="sqlite://$work/bench.db?mode=rwc"
echo "==> seeding $CONTACTS campaign contacts"
seed=$("$CARGO_TARGET_DIR/release/examples/bench_seed" "$db" "$CONTACTS")
path=$(echo "$seed" | sed -E 's/.*"path":"([^"]+)".*/\1/')
first=$(echo "$seed" | sed -E 's/.*"first_id":([0-9]+).*/\1/')
last=$(echo "$seed" | sed -E 's/.*"last_id":([0-9]+).*/\1/')

DATABASE_URL="$db" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" FLOW_LOG=warn \
  "$CARGO_TARGET_DIR/release/server" & server_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

run_wrk() { # label, then wrk args
  local label=$1; shift
  local out; out=$(wrk --latency -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$@")
  local rps p50 p99 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '%-34s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$label" "$rps" "$p50" "$p99" "${non2xx:-0}" >&2
  echo "$rps"
}

echo "==> measuring (${DURATION}s each, $CONNECTIONS connections, 2 wrk threads)"
ceiling=$(run_wrk "GET /healthz (ceiling)" "http://127.0.0.1:$PORT/healthz")
hooks=$(FIRST_ID=$first LAST_ID=$last INSTANCE=bench-01 \
  run_wrk "POST webhook messages.update" -s bench/webhook.lua "http://127.0.0.1:$PORT$path")
fixed=$("$CARGO_TARGET_DIR/release/examples/bench_rate" "http://127.0.0.1:$PORT$path" bench-01 "$first" "$last" 1000 10)
rss=$(awk '/VmHWM/ {print $2, $3}' "/proc/$server_pid/status")
events=$(sqlite3 "$work/bench.db" 'SELECT COUNT(*) FROM webhook_event' 2>/dev/null || echo "?")

echo
echo "webhooks/s (durable):     $hooks"
echo "ceiling /healthz req/s:   $ceiling"
echo "ratio webhooks/ceiling:   $(awk -v a="$hooks" -v b="$ceiling" 'BEGIN {printf "%.2f", a/b}')"
echo "at 1,000/s:               $fixed"
echo "server peak RSS:          $rss"
echo "events stored:            $events"
