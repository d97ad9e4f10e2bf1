#!/usr/bin/env bash
# The app's statements direct to PostgreSQL (named, prepared) against through PgBouncer in
# transaction pooling mode (unnamed), same run (issue 23; not a test, it does not gate CI).
#   pages ... the subscriber list (`/subscribers`, a page of 100 and its count) for a
#             signed-in admin, wrk -c1 and -c8, DURATION (10s) a round, 3 rounds; medians of
#             p50 and p99 per mode and the ratio PgBouncer / direct
# The data: one organization at SCALE (0.05) of seed scale in `ut360_bench_pgbouncer`
# (kept with KEEP=1), Redis database 13.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build_server_binary
BIN="${UT360_BENCH_BIN:-$BIN}"
need wrk wrk
ensure_pgbouncer
ADMIN_URL="${DATABASE_URL%/*}/postgres"
BENCH_DB=ut360_bench_pgbouncer
DIRECT_URL="${DATABASE_URL%/*}/$BENCH_DB"
BOUNCED_URL="${PGBOUNCER_URL%/*}/$BENCH_DB"
BENCH_REDIS="$(redis_database 13)"
ADDR=127.0.0.1:3206
SERVER=""
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  if [[ -z "${KEEP:-}" ]]; then
    psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
    redis-cli -u "$BENCH_REDIS" flushdb >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
say "$(machine)"

if [[ -z "${KEEP:-}" ]] || ! psql -qAt "$DIRECT_URL" -c "SELECT 1 FROM recommendations LIMIT 1" 2>/dev/null | grep -q 1; then
  say "setup: one organization at scale ${SCALE:-0.05}"
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null
  redis-cli -u "$BENCH_REDIS" flushdb >/dev/null
  DATABASE_URL="$DIRECT_URL" REDIS_URL="$BENCH_REDIS" RUST_LOG=warn "$BIN" migrate >/dev/null
  DATABASE_URL="$DIRECT_URL" REDIS_URL="$BENCH_REDIS" RUST_LOG=warn "$BIN" generate --seed 7 --scale "${SCALE:-0.05}" >/dev/null
fi

# wrk on the list page; prints `p50 p99` in ms ($1: connections, $2: the session header).
list_page() {
  wrk -t1 -c"$1" -d"${DURATION:-10s}" --latency -H "$2" "http://$ADDR/subscribers" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Latency Distribution/ {dist=1; next}
    dist && /50%/ {p50=ms($2)} dist && /99%/ {p99=ms($2); dist=0}
    /Non-2xx/ {print "non-2xx answers: " $0 > "/dev/stderr"; exit 1}
    END {printf "%.3f %.3f\n", p50, p99}'
}

declare -A P50 P99
for round in 1 2 3; do
  for mode in direct pgbouncer; do
    if [[ $mode == direct ]]; then url=$DIRECT_URL prepared=true; else url=$BOUNCED_URL prepared=false; fi
    DATABASE_URL="$url" DATABASE_DIRECT_URL="$DIRECT_URL" UT360_DB_PREPARED_STATEMENTS=$prepared \
      REDIS_URL="$BENCH_REDIS" LEPTOS_SITE_ADDR="$ADDR" RUST_LOG=warn "$BIN" serve >/dev/null 2>&1 &
    SERVER=$!
    wait_until "UT360 on $ADDR" 30 curl -sf "http://$ADDR/readyz"
    session="$(bench_session "$DIRECT_URL" "$ADDR")"
    for connections in 1 8; do
      read -r p50 p99 < <(list_page "$connections" "$session")
      P50[$mode,$connections]+="$p50 " P99[$mode,$connections]+="$p99 "
      echo "  round $round, $mode, -c$connections: p50 $p50 ms, p99 $p99 ms"
    done
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
  done
done

say "medians of 3 rounds (the subscriber list page, $(machine))"
for connections in 1 8; do
  # shellcheck disable=SC2086
  d50=$(median_of ${P50[direct,$connections]}) d99=$(median_of ${P99[direct,$connections]})
  # shellcheck disable=SC2086
  b50=$(median_of ${P50[pgbouncer,$connections]}) b99=$(median_of ${P99[pgbouncer,$connections]})
  awk -v c="$connections" -v d50="$d50" -v d99="$d99" -v b50="$b50" -v b99="$b99" 'BEGIN {
    printf "  -c%s  direct p50 %.2f p99 %.2f ms | PgBouncer p50 %.2f p99 %.2f ms | ratio p50 %.2fx p99 %.2fx\n",
      c, d50, d99, b50, b99, b50 / d50, b99 / d99 }'
done
