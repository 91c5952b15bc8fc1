# Shared by the bench scripts (sourced): request timings and a dashboard session.

# measure LABEL CURL-ARGS…: prints the first request's time (cold: statements not yet prepared on
# the pool's connections, caches empty) and p50/p99 in ms over REPS requests once warm (after
# WARMUP more, default 10: a page's parallel loads open pool connections one by one, and each
# prepares its statements on its first use).
measure() {
  local label=$1 first; shift
  first=$(curl -fs -o /dev/null -w '%{time_total}' "$@")
  for _ in $(seq 1 "${WARMUP:-10}"); do curl -fs -o /dev/null "$@"; done
  for _ in $(seq 1 "$REPS"); do curl -fs -o /dev/null -w '%{time_total}\n' "$@"; done \
    | sort -n | awk -v label="$label" -v first="$first" '{ t[NR] = $1 * 1000 } END {
        printf "    %-46s first %7.1f ms   p50 %7.1f ms   p99 %7.1f ms\n", label, first * 1000,
          t[int(NR * 0.5 + 0.5)], t[int(NR * 0.99 + 0.5)] }'
}

# bench_admin DATABASE-URL TENANT-ID BASE-URL: makes the bench's admin user on the tenant with
# the release server's CLI and prints its session cookie (`flow_session=…`).
bench_admin() {
  DATABASE_URL="$1" "$CARGO_TARGET_DIR/release/server" user create --tenant-id "$2" \
    --email bench@flow.test --password bench-password-123 --role admin >/dev/null
  curl -fs -o /dev/null -D - "$3/api/ui/login" \
    --data-urlencode email=bench@flow.test --data-urlencode password=bench-password-123 \
    | awk -F'[ ;]' 'tolower($1) == "set-cookie:" && $2 ~ /^flow_session=/ {print $2}'
}
