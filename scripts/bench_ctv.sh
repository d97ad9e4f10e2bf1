#!/usr/bin/env bash
# Benchmarks for issue 7's budgets: the collaborator (CTV) network and its commissions.
# Not tests; they do not gate CI. Prints medians with the budget beside them.
#   full recalculation of 500,000 customers, from an empty ledger ... budget < 30 s
#   the same with nothing to change ................................ (no budget; shown)
#   period report for all collaborators (latest closed, current) ... budget < 200 ms
#   upline + 4-level downline of a collaborator ..................... budget < 10 ms (seed: 30-100 ms)
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

echo "machine after: $(machine)"
