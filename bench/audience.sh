#!/usr/bin/env bash
# Audience benchmark at 1M contacts. Starts the release server on a fresh database (SQLite by
# default, or DATABASE_URL=postgres://… for PostgreSQL), then measures in the same run:
#   0. what parsing phone numbers costs (bench_phones: phone::parse beside keeping digits),
#   1. importing a CONTACTS-row (default 1,000,000) CSV, numbers written the Brazilian way
#      (`(11) 9…`, `011 9…`, `+55 11 9…`), through the import job (upload → done),
#   2. the contacts page and API at that size: a name search, a phone search in another
#      formatting, a deep keyset page, a list filter, the server-rendered /contacts page,
#      each REPS times (p50/p99), beside the bare GET /healthz in the same run (the baseline),
#   3. the streamed CSV export of every contact (time, size) and the server's peak RSS (after
#      the import, and at the end).
# Usage: bench/audience.sh   (env: CONTACTS, REPS, DATABASE_URL)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
CONTACTS="${CONTACTS:-1000000}"
REPS="${REPS:-30}"
PORT="${PORT:-3918}"
ADMIN_TOKEN="bench-operator-token-0123456789"

echo "==> building the release server"
cargo build --release -q -p server --bin server --example bench_phones

echo "==> parsing 1,000,000 phone numbers (four Brazilian spellings)"
"$CARGO_TARGET_DIR/release/examples/bench_phones" 1000000

work=$(mktemp -d)
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
db="${DATABASE_URL:-sqlite://$work/bench.db?mode=rwc}"
base="http://127.0.0.1:$PORT"

echo "==> writing a $CONTACTS-row CSV"
awk -v n="$CONTACTS" 'BEGIN {
  print "nome;telefone;cidade";
  split("São Paulo,Rio de Janeiro,Belo Horizonte,Curitiba,Recife", cities, ",");
  for (i = 0; i < n; i++) {
    d = 10000000 + i; a = int(d / 10000); b = d % 10000;
    if (i % 3 == 0) phone = sprintf("(11) 9%04d-%04d", a, b);
    else if (i % 3 == 1) phone = sprintf("011 9%04d %04d", a, b);
    else phone = sprintf("+55 11 9%04d-%04d", a, b);
    printf "Pessoa %d;%s;%s\n", i, phone, cities[i % 5 + 1];
  }
}' > "$work/contacts.csv"
ls -l "$work/contacts.csv" | awk '{printf "    %.1f MB\n", $5 / 1e6}'

DATABASE_URL="$db" FLOW_EVOLUTION_ALLOW_PRIVATE=true LEPTOS_SITE_ADDR="127.0.0.1:$PORT" FLOW_LOG=warn FLOW_SENDER=off \
  FLOW_ADMIN_TOKEN="$ADMIN_TOKEN" FLOW_SPOOL_DIR="$work/spool" \
  "$CARGO_TARGET_DIR/release/server" & server_pid=$!
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

tenant=$(curl -fs "$base/api/v1/tenants" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'content-type: application/json' -d '{"name":"Bench"}')
tenant_id=$(echo "$tenant" | sed -E 's/.*"id":([0-9]+).*/\1/')
token=$(echo "$tenant" | sed -E 's/.*"api_token":"([^"]+)".*/\1/')
cookie=$(bench_admin "$db" "$tenant_id" "$base")
api() { curl -fs -H "Authorization: Bearer $token" "$@"; }
list_id=$(api "$base/api/v1/lists" -H 'content-type: application/json' -d '{"name":"Metade"}' \
  | sed -E 's/.*"id":([0-9]+).*/\1/')

echo "==> importing $CONTACTS contacts (upload → job done)"
start=$(date +%s.%N)
job=$(api "$base/api/v1/contacts/import" -H 'content-type: text/csv' --data-binary "@$work/contacts.csv" \
  | sed -E 's/^\{"id":([0-9]+).*/\1/')
while :; do
  state=$(api "$base/api/v1/contacts/imports/$job")
  case "$state" in *'"status":"done"'*|*'"status":"failed"'*) break ;; esac
  sleep 0.5
done
import_secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
created=$(echo "$state" | sed -E 's/.*"created":([0-9]+).*/\1/')
echo "    $created created in $import_secs s ($(awk -v n="$created" -v s="$import_secs" 'BEGIN {printf "%d", n / s}') rows/s)"
import_rss=$(awk '/VmHWM/ {print $2, $3}' "/proc/$server_pid/status")
echo "    server peak RSS after the import: $import_rss"

echo "==> putting every contact of one city on a list (a search → a list)"
start=$(date +%s.%N)
api "$base/api/v1/lists/$list_id/contacts" -H 'content-type: application/json' \
  -d '{"search":{"q":"Pessoa 1"}}' >/dev/null
list_secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}')

deep=$((CONTACTS * 9 / 10))
echo "==> latency at $CONTACTS contacts ($REPS requests each)"
measure "GET /healthz (baseline)" "$base/healthz"
measure "API first page (50)" -H "Authorization: Bearer $token" "$base/api/v1/contacts?limit=50"
measure "API keyset page at 90%" -H "Authorization: Bearer $token" "$base/api/v1/contacts?limit=50&cursor=$deep"
measure "API name search 'Pessoa 99999'" -H "Authorization: Bearer $token" "$base/api/v1/contacts?limit=50&q=Pessoa%2099999"
measure "API part of a name 'essoa 4242'" -H "Authorization: Bearer $token" "$base/api/v1/contacts?limit=50&q=essoa%204242"
measure "API part of a number '4567-89'" -H "Authorization: Bearer $token" "$base/api/v1/contacts?limit=50&q=4567-89"
measure "API phone search '(11) 91234-5678'" -H "Authorization: Bearer $token" "$base/api/v1/contacts?limit=50&q=%2811%29%2091234-5678"
measure "API list filter (111,111 on the list)" -H "Authorization: Bearer $token" "$base/api/v1/contacts?limit=50&list_id=$list_id"
measure "page /contacts (server-rendered)" -H "Cookie: $cookie" "$base/contacts"
measure "page /contacts?q=91234-5678" -H "Cookie: $cookie" "$base/contacts?q=91234-5678"

echo "==> streaming the CSV export of every contact"
start=$(date +%s.%N)
bytes=$(api "$base/api/v1/contacts/export" | wc -c)
export_secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
rss=$(awk '/VmHWM/ {print $2, $3}' "/proc/$server_pid/status")

echo
echo "database:                 ${db%%:*}"
echo "import of $CONTACTS rows:   $import_secs s (server peak RSS then: $import_rss)"
echo "search → list (111,111):  $list_secs s"
echo "export:                   $export_secs s, $(awk -v b="$bytes" 'BEGIN {printf "%.1f MB", b / 1e6}')"
echo "server peak RSS:          $rss"
