#!/usr/bin/env bash
# Benchmarks for issue 2's budgets (not tests; they do not gate CI). Prints medians.
#   generate at seed scale ............ budget < 60 s   (3 runs on a fresh database each)
#   overview page server render ........ budget p99 < 10 ms (wrk, beside /healthz as the floor)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_everything
need wrk wrk
build_release

BIN="$ROOT/target/release/ut360"
ADMIN_URL="${DATABASE_URL%/*}/postgres"
BENCH_URL="${DATABASE_URL%/*}/ut360_bench"
RUNS="${RUNS:-3}"

fresh_database() {
  psql -q "$ADMIN_URL" -c 'DROP DATABASE IF EXISTS ut360_bench WITH (FORCE)'
  DATABASE_URL="$BENCH_URL" "$BIN" migrate 2>/dev/null
}

say "generate at seed scale: $RUNS runs, each on a fresh database"
times=()
for run in $(seq "$RUNS"); do
  fresh_database
  start=$(date +%s.%N)
  DATABASE_URL="$BENCH_URL" "$BIN" generate --seed 42 >/dev/null 2>&1
  end=$(date +%s.%N)
  times+=("$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')")
  echo "  run $run: ${times[-1]} s"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
echo "generate (214,504 subscribers, 1,501,528 monthly rows): median ${median} s over $RUNS runs (budget < 60 s)"

ADDR=127.0.0.1:3200
DATABASE_URL="$BENCH_URL" LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_ADDR="$ADDR" RUST_LOG=warn \
  "$BIN" serve >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
wait_until "UT360 on $ADDR" 30 curl -sf "http://$ADDR/readyz"

wrk_run() {
  local path=$1
  wrk -t2 -c8 -d"${DURATION:-15s}" --latency "http://$ADDR$path" \
    | awk -v path="$path" '
        /Latency Distribution/ {dist=1; next}
        dist && /50%/ {p50=$2} dist && /90%/ {p90=$2} dist && /99%/ {p99=$2; dist=0}
        /Requests\/sec/ {rps=$2}
        END {printf "  %-10s p50 %-9s p90 %-9s p99 %-9s %s req/s\n", path, p50, p90, p99, rps}'
}

say "HTTP latency, wrk -t2 -c8 (client-side, loopback; includes the client's own time)"
curl -sf "http://$ADDR/" >/dev/null   # warm the pool
wrk_run /healthz
wrk_run /
echo "budget: overview p99 < 10 ms"
