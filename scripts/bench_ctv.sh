#!/usr/bin/env bash
# Benchmarks for issue 7's budgets: the collaborator (CTV) network and its commissions.
# Not tests; they do not gate CI. Prints medians with the budget beside them.
#   full recalculation of 500,000 customers, from an empty ledger ... budget < 30 s
#   the same with nothing to change ................................ (no budget; shown)
#   period report for all collaborators (latest closed, current) ... budget < 200 ms
#   upline + 4-level downline of a collaborator ..................... budget < 10 ms (seed: 30-100 ms)
#   the commission report page `/commissions` (a page of 100), served:  budget < 10 ms at one
#     connection, p99 < 50 ms at eight (issue 25), beside /healthz in the same run
# The timings come from `ut360 ctv bench`, which calls the data layer as the pages do
# (no HTTP in between), on a database of its own filled by `generate --seed 42`.
# RECALCULATIONS=n (default 3) full recalculations; REPORTS=n (20) runs of each report;
# TREES=n (200) random collaborators.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build_server_binary

ADMIN_URL="${DATABASE_URL%/*}/postgres"
BENCH_URL="${DATABASE_URL%/*}/ut360_bench_ctv"
export DATABASE_URL="$BENCH_URL"

# The demo data at the seed's scale, generated once and reused: 214,504 subscribers and
# the network of 20,000 collaborators and 500,000 customers, paid and its older months closed.
# Redis is left alone (--no-sync): nothing here reads it.
"$BIN" migrate 2>/dev/null || die "cannot migrate $BENCH_URL"
say "demo data (generate --seed 42 --if-empty; minutes the first time)"
"$BIN" generate --seed 42 --no-sync --if-empty 2>&1 | tail -n 2

say "machine: $(machine)"
echo "machine before: $(machine)"

say "full recalculation from an empty ledger, then one with nothing to change: ${RECALCULATIONS:-3} runs"
"$BIN" ctv bench --recalculations "${RECALCULATIONS:-3}" --reports 0 --trees 0
echo "budget: full recalculation of 500,000 customers < 30 s"

say "period report for all collaborators: ${REPORTS:-20} runs of the latest closed and the current month"
"$BIN" ctv bench --reports "${REPORTS:-20}" --trees 0
echo "budget: < 200 ms"

say "upline + 4-level downline of ${TREES:-200} random collaborators"
"$BIN" ctv bench --reports 0 --trees "${TREES:-200}"
echo "budget: < 10 ms (seed: 30-100 ms)"

# The page as a manager opens it: the release server on the same database, a signed-in
# session, wrk on the latest month sorted by total (the default), by name, filtered, and
# its last page; 3 rounds of DURATION (10s) each, medians.
need wrk wrk
ADDR=127.0.0.1:3207
DATABASE_URL="$BENCH_URL" LEPTOS_SITE_ADDR="$ADDR" RUST_LOG=warn "$BIN" serve >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
wait_until "UT360 on $ADDR" 60 curl -sf "http://$ADDR/readyz"
COOKIE="$(bench_session "$BENCH_URL" "$ADDR")"
# wrk on $1 with $2 connections; prints `p50 p99` in ms.
page_latency() {
  wrk -t1 -c"$2" -d"${DURATION:-10s}" --latency -H "$COOKIE" "http://$ADDR$1" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Latency Distribution/ {dist=1; next}
    dist && /50%/ {p50=ms($2)} dist && /99%/ {p99=ms($2); dist=0}
    /Non-2xx/ {print "non-2xx answers on '"$1"'" > "/dev/stderr"; exit 1}
    END {printf "%.3f %.3f\n", p50, p99}'
}
LAST_PAGE=$(curl -sf -H "$COOKIE" "http://$ADDR/commissions" | grep -o 'Page [0-9]* of [0-9,.]*' | head -n 1 | awk '{gsub(/[,.]/, "", $4); print $4}')
say "the commission report page: wrk -t1 -c1 and -c8, ${DURATION:-10s} a round, 3 rounds (last page: ${LAST_PAGE:-?})"
for connections in 1 8; do
  for path in "/commissions" "/commissions?sort=name&order=asc" "/commissions?q=nguyen" "/commissions?page=${LAST_PAGE:-1}" "/healthz"; do
    p50s=() p99s=()
    for _ in 1 2 3; do
      read -r p50 p99 < <(page_latency "$path" "$connections")
      p50s+=("$p50") p99s+=("$p99")
    done
    printf '  -c%s %-40s p50 %6.2f ms  p99 %6.2f ms\n' "$connections" "$path" "$(median_of "${p50s[@]}")" "$(median_of "${p99s[@]}")"
  done
done
echo "budget: a page < 10 ms at one connection, p99 < 50 ms at eight"

echo "machine after: $(machine)"
