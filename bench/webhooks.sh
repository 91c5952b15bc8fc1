#!/usr/bin/env bash
# Webhook ingestion benchmark, on SQLite and on PostgreSQL in the same run. For each database,
# ROUNDS times (default 3): starts the release server on a fresh database seeded with a campaign
# of CONTACTS (default 100,000) sent messages, then measures:
#   1. the bare endpoint GET /healthz at full speed (the ceiling on this machine),
#   2. durable messages.update webhooks at full speed (each acknowledged after its commit),
#   3. webhook latency at a fixed 1,000 requests/s: in the first round on the settled database
#      (the seed's writes checkpointed and on disk, before the full-speed run), in the last right
#      after the full-speed run (whose writes the database is still checkpointing),
# and prints the medians of 1 and 2 and their ratio, the latencies (p50/p99), and the server's
# peak RSS. Each round has fresh data because a full-speed run moves most messages to `read`, and
# repeats of a receipt cost less than the first; the medians because the ceiling alone moves by
# a third from one run to the next on a shared 2-core machine.
# With NODES=2 (PostgreSQL only) a second server on the same database takes half the load.
# PostgreSQL is skipped when FLOW_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432)
# does not answer.
# Usage: bench/webhooks.sh   (env: CONTACTS, DURATION seconds, CONNECTIONS, NODES, DATABASES,
#        ROUNDS)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
CONTACTS="${CONTACTS:-100000}"
DURATION="${DURATION:-15}"
CONNECTIONS="${CONNECTIONS:-256}"
PORT="${PORT:-3917}"
NODES="${NODES:-1}"
ROUNDS="${ROUNDS:-3}"
DATABASES="${DATABASES:-sqlite postgres}"
PG="${FLOW_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"

for tool in wrk sqlite3; do
  command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool"; }
done
echo "==> building release server and bench tools"
cargo build --release -q -p server --bin server --example bench_seed --example bench_rate

work=$(mktemp -d)
pids=()
pg_db="flow_bench_webhooks_$$"
pg_dbs=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  local db
  for db in "${pg_dbs[@]}"; do psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

run_wrk() { # label, then wrk args
  local label=$1; shift
  local out; out=$(wrk --latency -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$@")
  local rps p50 p99 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '    %-34s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$label" "$rps" "$p50" "$p99" "${non2xx:-0}" >&2
  echo "$rps"
}

# The seed's writes checkpointed into the database files and on disk: what is measured next
# does not pay for them.
settle() { # database URL
  case "$1" in
    sqlite*) local file=${1#sqlite://}; sqlite3 "${file%%\?*}" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null ;;
    postgres*) psql -q "$1" -c "CHECKPOINT" ;;
  esac
  sync
}

start_node() { # database URL, port
  DATABASE_URL="$1" FLOW_EVOLUTION_ALLOW_PRIVATE=true LEPTOS_SITE_ADDR="127.0.0.1:$2" FLOW_LOG=warn \
    "$CARGO_TARGET_DIR/release/server" & pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$2/healthz" >/dev/null && break; sleep 0.1; done
}

# Seeds a fresh database (a new SQLite file, or a new PostgreSQL database, dropped on exit) for
# one round; sets `db` to its URL and `seed` to the seed's answer (webhook path, message ids).
fresh_database() { # database (sqlite|postgres), round
  case "$1" in
    sqlite) db="sqlite://$work/bench-$2.db?mode=rwc" ;;
    postgres)
      psql -q "$PG/postgres" -c "CREATE DATABASE ${pg_db}_$2"
      pg_dbs+=("${pg_db}_$2")
      db="$PG/${pg_db}_$2" ;;
  esac
  seed=$("$CARGO_TARGET_DIR/release/examples/bench_seed" "$db" "$CONTACTS")
}

bench_on() { # database (sqlite|postgres), nodes
  local database=$1 nodes=$2 db seed path first last round
  local ceilings=() rates=() settled fixed rss
  echo "==> $database, $nodes node(s): $ROUNDS rounds on a fresh database of $CONTACTS campaign contacts each (${DURATION}s runs, $CONNECTIONS connections, 2 wrk threads)"
  for round in $(seq 1 "$ROUNDS"); do
    fresh_database "$database" "$round"
    path=$(echo "$seed" | sed -E 's/.*"path":"([^"]+)".*/\1/')
    first=$(echo "$seed" | sed -E 's/.*"first_id":([0-9]+).*/\1/')
    last=$(echo "$seed" | sed -E 's/.*"last_id":([0-9]+).*/\1/')
    pids=()
    start_node "$db" "$PORT"
    if [ "$nodes" = 2 ]; then start_node "$db" $((PORT + 1)); fi
    settle "$db"
    if [ "$round" = 1 ]; then settled=$(at_1000_per_s "$first" "$last" "$path"); fi
    ceilings+=("$(run_wrk "GET /healthz (ceiling) #$round" "http://127.0.0.1:$PORT/healthz")")
    rates+=("$(hooks_at_full_speed "$round" "$nodes" "$first" "$last" "$path")")
    if [ "$round" = "$ROUNDS" ]; then
      fixed=$(at_1000_per_s "$first" "$last" "$path")
      rss=$(awk '/VmHWM/ {print $2, $3}' "/proc/${pids[0]}/status")
    fi
    for pid in "${pids[@]}"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done
    pids=()
    rm -f "$work"/bench-*.db*
  done
  local ceiling hooks
  ceiling=$(median "${ceilings[@]}")
  hooks=$(median "${rates[@]}")
  echo "    webhooks/s (durable):     $hooks   (median of ${rates[*]})"
  echo "    ceiling /healthz req/s:   $ceiling   (median of ${ceilings[*]})"
  echo "    ratio webhooks/ceiling:   $(awk -v a="$hooks" -v b="$ceiling" 'BEGIN {printf "%.2f", a/b}')"
  echo "    at 1,000/s, settled:      $settled"
  echo "    at 1,000/s, after burst:  $fixed"
  echo "    server peak RSS:          $rss"
}

# The median of the numbers given.
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# Webhook latency at a fixed 1,000/s for 10 s on the first node.
at_1000_per_s() { # first id, last id, path
  "$CARGO_TARGET_DIR/release/examples/bench_rate" "http://127.0.0.1:$PORT$3" bench-01 "$1" "$2" 1000 10
}

# Durable webhooks/s at full speed on the running node(s).
hooks_at_full_speed() { # round, nodes, first id, last id, path
  local round=$1 nodes=$2 first=$3 last=$4 path=$5
  if [ "$nodes" = 2 ]; then
    # One wrk per node (wrk talks to one address), half the connections each, at once.
    local half=$((CONNECTIONS / 2)) a b
    a=$(CONNECTIONS=$half FIRST_ID=$first LAST_ID=$last INSTANCE=bench-01 \
      run_wrk "POST webhook, node 1" -s bench/webhook.lua "http://127.0.0.1:$PORT$path" &
      CONNECTIONS=$half FIRST_ID=$first LAST_ID=$last INSTANCE=bench-01 \
      run_wrk "POST webhook, node 2" -s bench/webhook.lua "http://127.0.0.1:$((PORT + 1))$path" >"$work/b"; wait)
    b=$(cat "$work/b")
    awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f\n", a + b}'
  else
    FIRST_ID=$first LAST_ID=$last INSTANCE=bench-01 \
      run_wrk "POST webhook messages.update #$round" -s bench/webhook.lua "http://127.0.0.1:$PORT$path"
  fi
}

for database in $DATABASES; do
  case "$database" in
    sqlite) if [ "$NODES" = 1 ]; then bench_on sqlite 1; fi ;;
    postgres)
      if psql -q "$PG/postgres" -c "SELECT 1" >/dev/null 2>&1; then
        bench_on postgres "$NODES"
      else
        echo "==> PostgreSQL at $PG does not answer: skipped"
      fi ;;
  esac
done
