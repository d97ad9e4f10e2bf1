#!/usr/bin/env bash
# Request body limits (issue 29; not a test, it does not gate CI). Twenty 400 MB bodies at
# once to the bulk lookup (`/api/lookup_isdn_list`, the server function a signed-in
# marketing member can call), first stating their length (`Content-Length`), then chunked
# (no length); prints the server's memory (VmRSS) before and after each wave, the
# answers' statuses and how long the wave took. Without limits the server read every
# body (61 MB grew to 843 MB for one). On an empty, migrated database of its own.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build_server_binary
ADMIN_URL="${DATABASE_URL%/*}/postgres"
BENCH_URL="${DATABASE_URL%/*}/ut360_bench_limits"
ADDR=127.0.0.1:3204
AT_ONCE=20
SERVER=""
WORK="$(mktemp -d)"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"; psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS ut360_bench_limits WITH (FORCE)" >/dev/null 2>&1' EXIT

psql -q "$ADMIN_URL" -c 'DROP DATABASE IF EXISTS ut360_bench_limits WITH (FORCE)' >/dev/null 2>&1
DATABASE_URL="$BENCH_URL" "$BIN" migrate >/dev/null 2>&1
DATABASE_URL="$BENCH_URL" REDIS_URL="$(redis_database 12)" LEPTOS_SITE_ADDR="$ADDR" RUST_LOG=warn "$BIN" serve >/dev/null 2>&1 &
SERVER=$!
wait_until "UT360 on $ADDR" 30 curl -sf "http://$ADDR/readyz"
COOKIE="$(bench_session "$BENCH_URL" "$ADDR")"
say "$(machine)"

# A sparse file: 400 MB long, no disk taken, read by curl as it sends.
BODY="$WORK/body"
truncate -s 400M "$BODY"

rss() { awk '/^VmRSS/ {printf "%.1f MB", $2 / 1024}' "/proc/$SERVER/status"; }

# One oversized request; prints its status. With `chunked`, curl reads the body from
# stdin and cannot know its length.
oversized() {
  local upload=$BODY
  [ "$1" = chunked ] && upload=-
  curl -s -o /dev/null -w '%{http_code}\n' --max-time 120 -H "$COOKIE" -H 'Expect:' \
    -H 'Content-Type: application/x-www-form-urlencoded' -X POST -T "$upload" \
    "http://$ADDR/api/lookup_isdn_list" <"$BODY" 2>/dev/null || true
}

# wave NAME length|chunked: AT_ONCE such requests at once, then the figures.
wave() {
  local name=$1 mode=$2 pids=() started before
  before="$(rss)"
  started=$(date +%s.%N)
  for i in $(seq "$AT_ONCE"); do
    oversized "$mode" >"$WORK/status.$i" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  local took statuses
  took=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN {printf "%.2f", e - s}')
  statuses=$(cat "$WORK"/status.* | sort | uniq -c | awk '{printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1}')
  rm -f "$WORK"/status.*
  echo "  $name: RSS before $before, after $(rss); answers: $statuses; ${took} s for all $AT_ONCE"
}

say "$AT_ONCE bodies of 400 MB at once to /api/lookup_isdn_list (limit 1 MB; 000 = curl gave up sending after the answer)"
wave "with Content-Length" length
wave "chunked (no length)" chunked
sleep 1
echo "  settled: RSS $(rss)"
