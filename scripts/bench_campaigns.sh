#!/usr/bin/env bash
# Campaign benchmarks (issue 6; not tests, they do not gate CI). Prints medians.
#   live count + top 100 of a rule set .. budget < 50 ms, p90 < 50 ms for each rule set alone (issue 28)
#   export of 10,000 rows ............... budget first byte < 50 ms, whole file < 300 ms (CSV and XLSX)
#   export of 1,000,000 rows ............ streams with flat memory: the server's peak RSS is reported
# The seed-scale bench database (214,504 subscribers) serves the first two; a database
# of 1,008,169 subscribers (generate --scale 4.7) the third. SKIP_MILLION=1 leaves it out.
# DURATION (10s) is wrk's run over the rule sets in rotation, RULE_DURATION (5s) its run on each alone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_everything
need wrk wrk
build_release

BIN="$ROOT/target/release/ut360"
ADMIN_URL="${DATABASE_URL%/*}/postgres"
BENCH_URL="${DATABASE_URL%/*}/ut360_bench"
MILLION_URL="${DATABASE_URL%/*}/ut360_bench_million"
ADDR=127.0.0.1:3201
WORK="$(mktemp -d)"
SERVER=""
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT


# Serves $1's database (migrated, filled at scale $2 if empty, Redis db 14 so the demo's keys stay).
serve_database() {
  local url=$1 scale=$2
  DATABASE_URL="$url" "$BIN" migrate >/dev/null 2>&1
  say "filling $(basename "$url") at scale $scale if it is empty"
  DATABASE_URL="$url" REDIS_URL="$(redis_database 14)" "$BIN" generate --seed 42 --scale "$scale" --no-sync --if-empty >/dev/null 2>&1
  [[ -z "$SERVER" ]] || { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }
  DATABASE_URL="$url" REDIS_URL="$(redis_database 14)" LEPTOS_SITE_ROOT="$ROOT/target/site" LEPTOS_SITE_ADDR="$ADDR" RUST_LOG=warn \
    "$BIN" serve >/dev/null 2>&1 &
  SERVER=$!
  wait_until "UT360 on $ADDR" 30 curl -sf "http://$ADDR/readyz"
  COOKIE="$(bench_session "$url" "$ADDR")"
}

# A saved campaign of rules $2 named $1; prints its id.
save_campaign() {
  curl -sf -H "$COOKIE" -H 'Content-Type: application/json' \
    --data "{\"id\":null,\"name\":\"$1 $(date +%s%N)\",\"owner\":\"bench\",\"rules\":$2}" \
    "http://$ADDR/api/save_campaign" | grep -o '"id":"[^"]*"' | head -n 1 | cut -d'"' -f4
}

# `first-byte total` in ms of one download of $1.
timed_download() {
  curl -sf -H "$COOKIE" -o /dev/null -w '%{time_starttransfer} %{time_total}\n' "http://$ADDR$1" | awk '{printf "%.1f %.1f\n", $1 * 1000, $2 * 1000}'
}

# ms until the first byte of $1's body (the file itself, not the response headers).
# (A pipe into `head -c 1` would wait for curl's next write; read returns at the first byte.)
first_body_byte() {
  local start elapsed fd
  start=$(date +%s%N)
  exec {fd}< <(curl -sfN -H "$COOKIE" "http://$ADDR$1")
  IFS= read -r -N 1 -u "$fd" _ || true
  elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
  exec {fd}<&-
  echo "$elapsed"
}

peak_rss_mb() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status"; }
reset_peak_rss() { echo 5 >"/proc/$SERVER/clear_refs"; }

# wrk --latency's report as `p50 p90 p99 requests-per-second`.
wrk_figures() {
  awk '/Latency Distribution/ {dist=1; next}
       dist && /50%/ {p50=$2} dist && /90%/ {p90=$2} dist && /99%/ {p99=$2; dist=0}
       /Requests\/sec/ {rps=$2}
       END {print p50, p90, p99, rps}'
}

# The median EXPLAIN ANALYZE execution time in ms of $1 run 5 times (after a first, which warms
# the cache) as the app runs it: role ut360_app, its organization set, under row-level security.
app_sql_ms() {
  local times=()
  mapfile -t times < <(for run in $(seq 6); do printf 'EXPLAIN (ANALYZE, FORMAT JSON) %s;\n' "$1"; done \
    | psql -qAt "$APP_BENCH_URL" -c "SET app.organization_id = '$ORGANIZATION'" -f - \
    | grep -o '"Execution Time": [0-9.]*' | awk 'NR > 1 {print $3}')
  median_of "${times[@]}"
}

serve_database "$BENCH_URL" 1

say "live count and top 100 (POST /api/campaign_preview): 8 rule sets in rotation, wrk -t1 -c1 and -t2 -c4"
# Each rule set as the preview's JSON | the same rules as the arguments of migration 18's
# functions after the organization (services, risks, clusters, types, trends, value,
# readiness, advance from and to, excluded campaigns, excluded lists).
cat >"$WORK/rule_sets" <<'RULES'
{"rules":{"risks":["LOW"],"min_value":70,"min_readiness":80,"limit":10000}}|NULL, '{LOW}', NULL, NULL, NULL, 70, 80, NULL, NULL, NULL, NULL
{"rules":{}}|NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
{"rules":{"risks":["LOW","MEDIUM"],"services":["MBFG","EasyCredit"]}}|'{MBFG,EasyCredit}', '{LOW,MEDIUM}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
{"rules":{"subscriber_types":["PRE"],"trends":["Giảm"],"min_advance":20000,"max_advance":50000}}|NULL, NULL, NULL, '{PRE}', '{Giảm}', NULL, NULL, 20000, 50000, NULL, NULL
{"rules":{"clusters":[1,3,5],"min_value":50,"limit":5000}}|NULL, NULL, '{1,3,5}', NULL, NULL, 50, NULL, NULL, NULL, NULL, NULL
{"rules":{"risks":["HIGH"],"min_readiness":90}}|NULL, '{HIGH}', NULL, NULL, NULL, NULL, 90, NULL, NULL, NULL, NULL
{"rules":{"services":["ungsanluong"],"trends":["Tăng trưởng","Ổn định"],"min_value":30,"min_readiness":30}}|'{ungsanluong}', NULL, NULL, NULL, '{"Tăng trưởng","Ổn định"}', 30, 30, NULL, NULL, NULL, NULL
{"rules":{"min_value":99,"min_readiness":99}}|NULL, NULL, NULL, NULL, NULL, 99, 99, NULL, NULL, NULL, NULL
RULES
cut -d'|' -f1 "$WORK/rule_sets" >"$WORK/rules"
cat >"$WORK/preview.lua" <<'LUA'
local bodies = {}
for line in io.lines(os.getenv("RULES")) do bodies[#bodies + 1] = line end
local n = 0
request = function()
  n = n + 1
  -- Headers given here replace -H's, so the session cookie is named again.
  local headers = {["Content-Type"] = "application/json", ["Cookie"] = os.getenv("SESSION_COOKIE")}
  return wrk.format("POST", "/api/campaign_preview", headers, bodies[n % #bodies + 1])
end
LUA
curl -sf -H "$COOKIE" -H 'Content-Type: application/json' --data "$(head -n 1 "$WORK/rules")" "http://$ADDR/api/campaign_preview" >/dev/null \
  || die "the campaign preview does not answer"
for connections in 1 4; do
  read -r p50 p90 p99 rps < <(RULES="$WORK/rules" SESSION_COOKIE="${COOKIE#Cookie: }" \
    wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${DURATION:-10s}" --latency -s "$WORK/preview.lua" "http://$ADDR" | wrk_figures)
  printf "  %d connection(s): p50 %-9s p90 %-9s p99 %-9s %s req/s\n" "$connections" "$p50" "$p90" "$p99" "$rps"
done
APP_BENCH_URL="$(sed -E "s#://[^@/]*@#://#; s#://#://ut360_app:${UT360_APP_DATABASE_PASSWORD:-ut360_app}@#" <<<"$BENCH_URL")"
ORGANIZATION=00000000-0000-0000-0000-000000000001
echo "  each rule set alone, wrk -t1 -c1 for ${RULE_DURATION:-5s}; beside it its SQL as the app runs it, role ut360_app under"
echo "  row-level security (the floor: median EXPLAIN ANALYZE execution time of 5 calls, of the count and of the top 100):"
while IFS='|' read -r json args <&3; do
  printf '%s\n' "$json" >"$WORK/rule"
  read -r p50 p90 p99 rps < <(RULES="$WORK/rule" SESSION_COOKIE="${COOKIE#Cookie: }" \
    wrk -t1 -c1 -d"${RULE_DURATION:-5s}" --latency -s "$WORK/preview.lua" "http://$ADDR" | wrk_figures)
  count_ms=$(app_sql_ms "SELECT organization_recommendation_count('$ORGANIZATION', $args, NULL)")
  top_ms=$(app_sql_ms "SELECT * FROM organization_recommendation_rows('$ORGANIZATION', $args, 'priority', true, NULL, NULL, 100) r
    ORDER BY COALESCE(r.priority_score, -1) DESC, r.isdn DESC")
  rules=${json#'{"rules":'}
  printf "    p50 %-9s p90 %-9s p99 %-9s SQL count %5.1f ms, top 100 %5.1f ms  %s\n" "$p50" "$p90" "$p99" "$count_ms" "$top_ms" "${rules%\}}"
done 3<"$WORK/rule_sets"
echo "  the same counts in PostgreSQL alone, scores written as the app writes them (EXPLAIN ANALYZE execution time, the floor):"
TEMPLATE_WHERE="bad_debt_risk = 'LOW' AND COALESCE(customer_value_score, -1) >= 70 AND COALESCE(advance_readiness_score, -1) >= 80"
for rules in "$TEMPLATE_WHERE" "true" \
  "bad_debt_risk IN ('LOW','MEDIUM') AND service_type IN ('MBFG','EasyCredit')" \
  "subscriber_type = 'PRE' AND arpu_trend = 'Giảm' AND advance_amount BETWEEN 20000 AND 50000"; do
  psql -qAt "$BENCH_URL" -c "EXPLAIN (ANALYZE, FORMAT JSON) SELECT COUNT(*) FROM recommendations WHERE $rules" \
    | grep -o '"Execution Time": [0-9.]*' | awk -v r="$rules" '{printf "    %6.1f ms  %s\n", $3, r}'
done
echo "  seed 002's template as the app runs it, role ut360_app under row-level security (EXPLAIN ANALYZE execution time):"
psql -qAt "$APP_BENCH_URL" -c "SET app.organization_id = '00000000-0000-0000-0000-000000000001'" \
  -c "EXPLAIN (ANALYZE, FORMAT JSON) SELECT COUNT(*) FROM recommendations WHERE $TEMPLATE_WHERE" \
  | grep -o '"Execution Time": [0-9.]*' | awk '{printf "    %6.1f ms  from recommendations\n", $3}'
# What the app runs (migration 18): the function plans its query inside, so time the call.
psql -qAt "$APP_BENCH_URL" -c "SET app.organization_id = '00000000-0000-0000-0000-000000000001'" -c '\timing on' \
  -c "SELECT organization_recommendation_count('00000000-0000-0000-0000-000000000001', NULL, '{LOW}', NULL, NULL, NULL, 70, 80, NULL, NULL, NULL, NULL, NULL)" \
  | awk '/^Time:/ {printf "    %6.1f ms  from organization_recommendation_count\n", $2}'
echo "budget: < 50 ms"

say "export of 10,000 rows (seed 002's campaign: LOW risk, value >= 70, readiness >= 80, top 10,000): 15 downloads each"
TEMPLATE='{"risks":["LOW"],"min_value":70,"min_readiness":80,"limit":10000}'
ID="$(save_campaign "Bench 10k" "$TEMPLATE")"
[[ -n "$ID" ]] || die "cannot save the bench campaign"
rows=$(curl -sf -H "$COOKIE" "http://$ADDR/campaigns/$ID/export.csv" | tail -n +2 | wc -l)
echo "  the campaign holds $rows rows"
for format in csv xlsx; do
  firsts=(); totals=(); bodies=()
  for run in $(seq 15); do
    read -r first total < <(timed_download "/campaigns/$ID/export.$format")
    firsts+=("$first"); totals+=("$total"); bodies+=("$(first_body_byte "/campaigns/$ID/export.$format")")
  done
  echo "  $format: first byte median $(median_of "${firsts[@]}") ms (slowest $(slowest_of "${firsts[@]}")), whole file median $(median_of "${totals[@]}") ms (slowest $(slowest_of "${totals[@]}"))"
  echo "  $format: first byte of the file's own content (not the headers) median $(median_of "${bodies[@]}") ms"
done
echo "  baseline, the same rows with psql's COPY to CSV (no HTTP, no recording):"
copies=()
for run in $(seq 5); do
  start=$(date +%s%N)
  psql -qAt "$BENCH_URL" -c "COPY (SELECT * FROM recommendations WHERE bad_debt_risk = 'LOW' AND customer_value_score >= 70
    AND advance_readiness_score >= 80 ORDER BY COALESCE(priority_score, -1) DESC, isdn DESC LIMIT 10000) TO STDOUT WITH CSV" >/dev/null
  copies+=("$(( ($(date +%s%N) - start) / 1000000 ))")
done
echo "  psql COPY: median $(median_of "${copies[@]}") ms"
echo "budget: first byte < 50 ms, whole file < 300 ms (DESIGN: campaign export of 10,000 rows)"

if [[ -z "${SKIP_MILLION:-}" ]]; then
  serve_database "$MILLION_URL" 4.7
  total=$(psql -qAt "$MILLION_URL" -c "SELECT COUNT(*) FROM recommendations")
  say "export of every subscriber ($total rows): the server's peak RSS (VmHWM) before and during each export"
  ID="$(save_campaign "Bench everyone" '{}')"
  curl -sf "http://$ADDR/readyz" >/dev/null
  reset_peak_rss
  echo "  server at rest: peak RSS $(peak_rss_mb) MB"
  for format in csv xlsx; do
    reset_peak_rss
    read -r first total_ms < <(timed_download "/campaigns/$ID/export.$format")
    echo "  $format: first byte ${first} ms, whole file ${total_ms} ms, server peak RSS during it $(peak_rss_mb) MB"
  done
  SMALL="$(save_campaign "Bench 10k" "$TEMPLATE")"
  reset_peak_rss
  timed_download "/campaigns/$SMALL/export.csv" >/dev/null
  echo "  for comparison, 10,000 rows as CSV: server peak RSS $(peak_rss_mb) MB"
  echo "budget: memory flat whatever the row count"
fi
