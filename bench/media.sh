#!/usr/bin/env bash
# Media campaign benchmark: is the server's memory flat while Evolution downloads a photo once
# per recipient? For each database (SQLite, PostgreSQL), starts the release simulator and the
# release server (sender on), uploads a PHOTO_MB photo (default 3 MB), then runs two campaigns of
# RECIPIENTS (default 1,000) over one instance with no pause between sends: first text only (the
# baseline), then the photo with a caption. For each it prints the time, sends per second, the
# bytes the simulator downloaded and hashed, and the server's RSS before, at peak (sampled every
# 100 ms) and after.
# PostgreSQL is skipped when FLOW_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432)
# does not answer. Usage: bench/media.sh   (env: RECIPIENTS, PHOTO_MB, DATABASES)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
RECIPIENTS="${RECIPIENTS:-1000}"
PHOTO_MB="${PHOTO_MB:-3}"
PORT="${PORT:-3921}"
SIM_PORT="${SIM_PORT:-3922}"
DATABASES="${DATABASES:-sqlite postgres}"
PG="${FLOW_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
ADMIN_TOKEN=bench-operator-token-0123456789abcdef
base="http://127.0.0.1:$PORT"

echo "==> building the release server and simulator"
[ -n "${NO_BUILD:-}" ] || cargo build --release -q -p server --bin server
[ -n "${NO_BUILD:-}" ] || cargo build --release -q -p evolution-sim

work=$(mktemp -d)
server_pid= sim_pid=
pg_db="flow_bench_media_$$"
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $pg_db" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A PNG signature and PHOTO_MB of bytes that do not compress.
{ printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR'; head -c $((PHOTO_MB * 1024 * 1024)) /dev/urandom; } > "$work/photo.png"

api() { # METHOD PATH TOKEN [BODY]
  curl -fsS -X "$1" "$base$2" -H "authorization: Bearer $3" -H 'content-type: application/json' ${4:+-d "$4"}
}
field() { echo "$1" | sed -E "s/.*\"$2\":\"?([^\",}]+)\"?.*/\1/"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0; }

# run_campaign LABEL TOKEN BODY: creates and starts a campaign, samples the server's RSS until it
# completes, prints the figures.
run_campaign() {
  local label=$1 token=$2 body=$3 id start end before peak=0 rss status view downloaded_before downloaded
  downloaded_before=$(curl -fs "http://127.0.0.1:$SIM_PORT/sim/truth" | python3 -c 'import json,sys; print(sum(m.get("media_bytes") or 0 for m in json.load(sys.stdin)["messages"]))')
  id=$(field "$(api POST /api/v1/campaigns "$token" "$body")" id)
  before=$(rss_kb)
  start=$(date +%s.%N)
  api POST "/api/v1/campaigns/$id/start" "$token" '{}' >/dev/null
  while :; do
    rss=$(rss_kb); [ "$rss" -gt "$peak" ] && peak=$rss
    view=$(api GET "/api/v1/campaigns/$id" "$token")
    status=$(field "$view" status)
    [ "$status" = completed ] && break
    case "$status" in paused|cancelled) echo "    $label: campaign $status ($(field "$view" pause_reason))"; return 1;; esac
    sleep 0.1
  done
  end=$(date +%s.%N)
  downloaded=$(curl -fs "http://127.0.0.1:$SIM_PORT/sim/truth" | python3 -c 'import json,sys; print(sum(m.get("media_bytes") or 0 for m in json.load(sys.stdin)["messages"]))')
  awk -v l="$label" -v s="$start" -v e="$end" -v n="$RECIPIENTS" -v b="$before" -v p="$peak" -v a="$(rss_kb)" \
      -v d="$((downloaded - downloaded_before))" 'BEGIN {
    printf "    %-28s %6.1f s  %7.1f sends/s  %8.1f MB downloaded  RSS %6.1f → peak %6.1f → %6.1f MB\n",
      l, e - s, n / (e - s), d / 1048576, b / 1024, p / 1024, a / 1024 }'
}

bench_on() { # database URL
  local db=$1
  echo "==> ${db%%:*}: $RECIPIENTS recipients, a ${PHOTO_MB} MB photo"
  SIM_ADDR="127.0.0.1:$SIM_PORT" SIM_PACE_MS=20 SIM_LOG=warn "$CARGO_TARGET_DIR/release/evolution-sim" &
  sim_pid=$!
  DATABASE_URL="$db" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT=target/site \
    FLOW_ADMIN_TOKEN=$ADMIN_TOKEN FLOW_PUBLIC_URL="$base" FLOW_EVOLUTION_ALLOW_PRIVATE=true \
    FLOW_SUPPRESSION_KEY=bench-suppression-key-0123456789abcdef FLOW_LOG=warn \
    FLOW_SPOOL_DIR="$work/spool" "$CARGO_TARGET_DIR/release/server" &
  server_pid=$!
  for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  local tenant token instance media contacts
  tenant=$(curl -fsS "$base/api/v1/tenants" -H "authorization: Bearer $ADMIN_TOKEN" \
    -H 'content-type: application/json' -d '{"name": "Bench"}')
  token=$(field "$tenant" api_token)
  instance=$(field "$(api POST /api/v1/instances "$token" \
    "{\"instance_name\": \"bench-01\", \"api_url\": \"http://127.0.0.1:$SIM_PORT\", \"api_key\": \"sim-api-key\", \"api_version\": \"v2\"}")" id)
  api POST "/api/v1/instances/$instance/refresh" "$token" '{}' >/dev/null
  # The simulator's opt-outs (1 %) come in bursts that trip the default 3 % pause now and then:
  # the bench measures sending, not that safety net.
  api PUT /api/v1/settings "$token" "$(api GET /api/v1/settings "$token" \
    | python3 -c 'import json, sys; s = json.load(sys.stdin); s["optout_pause_percent"] = 50; print(json.dumps(s))')" >/dev/null
  api POST "/api/v1/instances/$instance/webhook" "$token" '{}' >/dev/null
  python3 -c "import json; print(json.dumps([{'name': f'Pessoa {i}', 'phone': f'+55 11 9{81000001 + i:08d}'} for i in range($RECIPIENTS)]))" > "$work/contacts.json"
  curl -fsS "$base/api/v1/contacts" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    --data-binary "@$work/contacts.json" >/dev/null
  media=$(field "$(curl -fsS "$base/api/v1/media" -H "authorization: Bearer $token" -F "file=@$work/photo.png")" id)
  local common="\"instance_ids\": [$instance], \"all_contacts\": true, \"settings\": {\"min_delay_ms\": 0, \"max_delay_ms\": 0}"
  run_campaign "text (baseline)" "$token" "{\"name\": \"Texto\", \"message\": \"Oi {{first_name}}!\", $common}"
  run_campaign "photo with caption" "$token" \
    "{\"name\": \"Foto\", \"message\": \"Oi {{first_name}}, *oferta*!\", \"media\": {\"kind\": \"image\", \"media_id\": $media}, $common}"
  kill "$server_pid" "$sim_pid"; wait "$server_pid" "$sim_pid" 2>/dev/null || true
  server_pid= sim_pid=
}

for database in $DATABASES; do
  case "$database" in
    sqlite) bench_on "sqlite://$work/bench.db?mode=rwc" ;;
    postgres)
      if psql -q "$PG/postgres" -c "CREATE DATABASE $pg_db" 2>/dev/null; then
        bench_on "$PG/$pg_db"
      else
        echo "==> postgres: skipped ($PG does not answer)"
      fi ;;
  esac
done
