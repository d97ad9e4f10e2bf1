#!/usr/bin/env bash
# Benchmarks for the budgets of DESIGN.md and the issues (not tests; they do not gate CI).
# Prints medians.
#   generate at seed scale ............ budget < 60 s   (3 runs on a fresh database each)
#   import of the three files .......... budget < 30 s   (3 runs: into an empty database, then re-imports)
#   sync-cache to Redis ................ budget < 15 s   (3 runs, private redis-server) + used_memory
#   overview page server render ........ budget p99 < 10 ms (wrk, beside /healthz as the floor)
#   recommendation by ISDN .............. budget p99 < 1 ms server-side at 64 connections, random ISDNs,
#                                         throughput within 2x of redis-benchmark HGETALL (same run)
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
  DATABASE_URL="$BENCH_URL" "$BIN" generate --seed 42 --no-sync >/dev/null 2>&1
  end=$(date +%s.%N)
  times+=("$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')")
  echo "  run $run: ${times[-1]} s"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
echo "generate (214,504 subscribers, 1,501,528 monthly rows): median ${median} s over $RUNS runs (budget < 60 s)"

# A redis-server of our own, so used_memory counts exactly the seed-scale keys.
REDIS_PORT="${BENCH_REDIS_PORT:-6390}"
redis-server --port "$REDIS_PORT" --save '' --appendonly no --daemonize no \
  --hash-max-listpack-value "${BENCH_LISTPACK_VALUE:-1024}" >/dev/null 2>&1 &
PRIVATE_REDIS=$!
trap 'kill $PRIVATE_REDIS 2>/dev/null || true' EXIT
wait_until "redis-server on $REDIS_PORT" 10 redis-cli -p "$REDIS_PORT" ping
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

FILES="$(mktemp -d)"
say "exporting the seed-scale demo data to $FILES"
"$BIN" generate --seed 42 --export "$FILES" >/dev/null 2>&1
ls -l "$FILES" | awk 'NR > 1 {printf "  %-40s %6.1f MB\n", $9, $5 / 1e6}'

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }
median_of() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

say "import at seed scale: run 1 into an empty database, then $((RUNS - 1)) re-imports of the same files"
fresh_database
import_times=()
for run in $(seq "$RUNS"); do
  start=$(date +%s.%N)
  DATABASE_URL="$BENCH_URL" "$BIN" import "$FILES" --no-sync >/dev/null 2>&1
  import_times+=("$(elapsed "$start" "$(date +%s.%N)")")
  echo "  run $run: ${import_times[-1]} s"
done
echo "import (214,504 + 214,504 + 1,501,528 rows): into an empty database ${import_times[0]} s; re-imports median $(median_of "${import_times[@]:1}") s (budget < 30 s; seed 002: 2-3 min)"

say "sync-cache at seed scale into an empty private Redis, then $((RUNS - 1)) re-syncs"
redis-cli -p "$REDIS_PORT" flushall >/dev/null
sync_times=()
for run in $(seq "$RUNS"); do
  start=$(date +%s.%N)
  DATABASE_URL="$BENCH_URL" "$BIN" sync-cache >/dev/null 2>&1
  sync_times+=("$(elapsed "$start" "$(date +%s.%N)")")
  echo "  run $run: ${sync_times[-1]} s"
done
echo "sync-cache (214,504 subscribers): median $(median_of "${sync_times[@]}") s over $RUNS runs (budget < 15 s; seed 002: 1-2 min)"
used=$(redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r')
keys=$(redis-cli -p "$REDIS_PORT" dbsize)
echo "redis used_memory: $(awk -v b="$used" 'BEGIN {printf "%.0f MB", b / 1e6}') for $keys keys (seed 001 estimate: 1.2 GB; aim < 600 MB)"
rm -rf "$FILES"

ADDR=127.0.0.1:3200
DATABASE_URL="$BENCH_URL" LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_ADDR="$ADDR" RUST_LOG=warn \
  "$BIN" serve >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER $PRIVATE_REDIS 2>/dev/null || true' EXIT
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

say "recommendation by ISDN: wrk -t2 -c64 over 20,000 random ISDNs, beside redis-benchmark HGETALL"
ISDNS="$(mktemp)"
LUA="$(mktemp --suffix=.lua)"
psql -qAt "$BENCH_URL" -c "SELECT isdn FROM recommendations ORDER BY random() LIMIT 20000" \
  | sed 's|/|%2F|g; s|+|%2B|g' >"$ISDNS"
cat >"$LUA" <<'LUA'
local isdns = {}
for line in io.lines(os.getenv("ISDNS")) do isdns[#isdns + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/recommendations/" .. isdns[(n * 7919) % #isdns + 1])
end
LUA
curl -sf "http://$ADDR/api/v1/recommendations/$(head -n 1 "$ISDNS")" >/dev/null || die "the lookup API does not answer"
ISDNS="$ISDNS" wrk -t2 -c64 -d"${DURATION:-15s}" --latency -s "$LUA" "http://$ADDR" \
  | awk '/Latency Distribution/ {dist=1; next}
         dist && /50%/ {p50=$2} dist && /90%/ {p90=$2} dist && /99%/ {p99=$2; dist=0}
         /Requests\/sec/ {rps=$2}
         END {printf "  %-28s p50 %-9s p90 %-9s p99 %-9s %s req/s\n", "GET /api/v1/recommendations", p50, p90, p99, rps}'
KEY="ut360:rec:$(head -n 1 "$ISDNS" | sed 's|%2F|/|g; s|%2B|+|g')"
redis-benchmark -p "$REDIS_PORT" -c 64 -n 400000 -q hgetall "$KEY" | tr '\r' '\n' | grep -i "hgetall" | tail -n 1 \
  | sed 's/^/  redis-benchmark -c64 /'
rm -f "$ISDNS" "$LUA"
echo "budget: p99 < 1 ms server-side; throughput within 2x of redis-benchmark"
