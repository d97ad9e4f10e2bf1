#!/usr/bin/env bash
# Benchmarks for issue 24's budgets: seed 004's analytics layer. Not tests; they do not
# gate CI. Prints medians with the budget beside them.
#   hourly aggregation of the seed-scale organization, with a day of seed 003's volume
#   (658,000 transactions) today ........ budget < 2 s; anchor: psql reading the same rows
#   the first run (a year of daily history, the nightly and the hourly jobs) ... shown
#   /insights, /alerts, /analytics/cohorts, /analytics/funnels served, 8 connections,
#   beside /healthz in the same run ..... budget p99 < 50 ms
#   the nightly job for 1,000 small organizations (ORGANIZATIONS=0 skips it) ..... shown
# On a database of its own, `ut360_bench_analytics`, generated once (`--seed 42`) and kept.
# RUNS=n (5) hourly aggregations; DURATION (10s) a wrk round; ORGANIZATIONS (1000).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build_server_binary
need wrk wrk
ADMIN_URL="${DATABASE_URL%/*}/postgres"
BENCH_URL="${DATABASE_URL%/*}/ut360_bench_analytics"
export DATABASE_URL="$BENCH_URL"
export REDIS_URL="$(redis_database 11)"
ADDR=127.0.0.1:3204
SERVER=""
trap 'kill $SERVER 2>/dev/null || true' EXIT

"$BIN" migrate 2>/dev/null || die "cannot migrate $BENCH_URL"
say "demo data (generate --seed 42 --if-empty; minutes the first time)"
"$BIN" generate --seed 42 --no-sync --if-empty 2>&1 | tail -n 1
ORG="$(psql -qAt "$BENCH_URL" -c "SELECT id FROM organizations WHERE slug = 'default'")"
today_rows() {
  psql -qAt "$BENCH_URL" -c "SELECT count(*) FROM transaction_detail WHERE organization_id = '$ORG' AND trans_date >= CURRENT_DATE"
}
if [ "$(today_rows)" -lt 600000 ]; then
  say "a day of seed 003's volume today: 658,000 transactions"
  "$BIN" transactions generate --rows 658000 --days 1 --seed 7 2>&1 | tail -n 1
fi
echo "machine before: $(machine)"
echo "transactions today: $(today_rows)"

say "the first run: a year of daily history, then the nightly and hourly jobs with their hooks"
started=$(date +%s.%N)
"$BIN" analytics run --backfill-days 365 2>&1 | tail -n 4
echo "  first run: $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}') s"

# `psql` with the organization set, as the app calls the function; prints the statement's ms.
timed_as_organization() {
  psql -qAt "$BENCH_URL" -v ON_ERROR_STOP=1 <<SQL | awk '/^Time:/ {t = $2} END {print t}'
BEGIN;
SELECT set_config('app.organization_id', '$ORG', true) \g /dev/null
\timing on
$1
\timing off
COMMIT;
SQL
}
say "hourly aggregation of the seed-scale organization: ${RUNS:-5} runs, beside psql reading the same rows"
hourly=(); anchor=()
for _ in $(seq "${RUNS:-5}"); do
  hourly+=("$(timed_as_organization "SELECT aggregate_hourly_data('$ORG') \\g /dev/null")")
  anchor+=("$(timed_as_organization "SELECT count(*), sum(paid_amount), count(DISTINCT client_code) FROM transaction_detail
            WHERE organization_id = '$ORG' AND trans_date >= CURRENT_DATE \\g /dev/null")")
done
h=$(median_of "${hourly[@]}"); a=$(median_of "${anchor[@]}")
echo "  aggregate_hourly_data: median ${h} ms (runs: ${hourly[*]}); today's rows read by psql: median ${a} ms → $(awk -v h="$h" -v a="$a" 'BEGIN {printf "%.1fx", h / a}')"
echo "budget: hourly aggregation of one seed-scale organization < 2 s"

say "the pages, served: wrk -t1 -c8, ${DURATION:-10s} a round, 3 rounds"
DATABASE_URL="$BENCH_URL" LEPTOS_SITE_ADDR="$ADDR" RUST_LOG=warn "$BIN" serve >/dev/null 2>&1 &
SERVER=$!
wait_until "UT360 on $ADDR" 30 curl -sf "http://$ADDR/readyz"
COOKIE="$(bench_session "$BENCH_URL" "$ADDR")"
page_latency() {
  wrk -t1 -c"$2" -d"${DURATION:-10s}" --latency -H "$COOKIE" "http://$ADDR$1" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Latency Distribution/ {dist=1; next}
    dist && /50%/ {p50=ms($2)} dist && /99%/ {p99=ms($2); dist=0}
    /Non-2xx/ {print "non-2xx answers on '"$1"'" > "/dev/stderr"; exit 1}
    END {printf "%.3f %.3f\n", p50, p99}'
}
for path in /insights /alerts /analytics/cohorts /analytics/funnels /healthz; do
  p50s=() p99s=()
  for _ in 1 2 3; do
    read -r p50 p99 < <(page_latency "$path" 8)
    p50s+=("$p50") p99s+=("$p99")
  done
  printf '  -c8 %-22s p50 %6.2f ms  p99 %6.2f ms\n' "$path" "$(median_of "${p50s[@]}")" "$(median_of "${p99s[@]}")"
done
echo "budget: p99 < 50 ms"
kill "$SERVER"; SERVER=""

if [ "${ORGANIZATIONS:-1000}" -gt 0 ]; then
  say "the nightly job for ${ORGANIZATIONS:-1000} small organizations (beside the seed-scale one)"
  existing="$(psql -qAt "$BENCH_URL" -c "SELECT count(*) FROM organizations WHERE slug LIKE 'bench-small-%'")"
  for n in $(seq "$((existing + 1))" "${ORGANIZATIONS:-1000}"); do
    echo "('bench-small-$n', 'Bench small $n', 'ut360bench$n')"
  done | paste -sd, | { read -r values || true; [ -z "$values" ] || psql -q "$BENCH_URL" -c \
    "INSERT INTO organizations (slug, name, redis_prefix) VALUES $values"; }
  started=$(date +%s.%N)
  "$BIN" analytics run 2>&1 | grep -E "organizations served|failed" | head -n 6
  echo "  the nightly and hourly jobs for $(psql -qAt "$BENCH_URL" -c 'SELECT count(*) FROM organizations') organizations: $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}') s"
fi
echo "machine after: $(machine)"
