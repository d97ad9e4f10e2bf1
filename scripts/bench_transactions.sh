#!/usr/bin/env bash
# Benchmarks for issue 8's budgets: seed 003's transactions as the table grows.
# Not tests; they do not gate CI. Prints medians with the budget beside them.
#   the year dashboard, uncached, at 1 M, 10 M and 24 M rows .... budget < 50 ms at each (flat)
#   the same figures from the raw partitioned rows ............... (the baseline: the ratio is shown)
#   partition pruning of a month range ........................... (which partitions a 40-day query reads)
#   summary refresh after loading one day of rows ................ budget < 1 s
#   the load rate of `ut360 transactions generate` (COPY) ........ budget >= 200,000 rows/s
# The database `ut360_bench_tx` is made afresh and grown in place: 1 M rows, then 9 M
# more, then 14 M more (each step a new seed, spread over the same 365 days).
# SIZES="1000000 10000000 24000000" overrides the steps; RUNS=n (20) runs of each dashboard.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build_server_binary

ADMIN_URL="${DATABASE_URL%/*}/postgres"
export DATABASE_URL="${DATABASE_URL%/*}/ut360_bench_tx"
# A Redis database of its own: the demo's `ut360:*` keys are never touched.
export REDIS_URL="$(redis_database 12)"
psql -q "$ADMIN_URL" -c 'DROP DATABASE IF EXISTS ut360_bench_tx WITH (FORCE)'
redis-cli -u "$REDIS_URL" flushdb >/dev/null
"$BIN" migrate 2>/dev/null || die "cannot migrate $DATABASE_URL"

echo "machine before: $(machine)"

loaded=0
seed=1
for size in ${SIZES:-1000000 10000000 24000000}; do
  more=$((size - loaded))
  say "adding $more rows (to $size)"
  "$BIN" transactions generate --rows "$more" --seed "$seed" 2>&1 | tail -n 1
  echo "budget: >= 200,000 rows/s"
  loaded=$size
  seed=$((seed + 1))
  say "dashboards at $size rows: ${RUNS:-20} runs"
  "$BIN" transactions bench --runs "${RUNS:-20}"
  echo "budgets: year dashboard uncached < 50 ms; summary refresh after one day of rows < 1 s"
done

echo "machine after: $(machine)"
