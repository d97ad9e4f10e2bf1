#!/usr/bin/env bash
# Many organizations on one database and one pool (issue 23; not a test, it does not gate
# CI). Prints medians and same-run ratios.
#   setup ...... ORGANIZATIONS (1000) organizations of SUBSCRIBERS_EACH (1000) subscribers each
#                (`organization create`, `generate --org … --scale …`) beside the default one
#                at seed scale (214,504)
#   lookups .... GET /api/v1/recommendations/{isdn}, wrk -c64, each request with the key and an
#                ISDN of a random one of SAMPLE (100) organizations, against the default
#                organization's key alone, same run (budget: the same as for one organization)
#   pages ...... the overview for signed-in members of SAMPLE random organizations, against the
#                default organization's member, beside /healthz (budget: p99 within 3x /healthz)
#   connections  the app's PostgreSQL connections during the load, sampled every 0.2 s: the
#                most seen against the pool size (UT360_DB_MAX_CONNECTIONS)
#   memory ..... serve's RSS after every organization was served (VmRSS, VmHWM)
#   background . one round of the transaction job over every organization
#                (`transactions maintain --all-organizations`)
# KEEP=1 keeps (and reuses) the database `ut360_bench_tenants` and Redis database 12.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

build_server_binary
# UT360_BENCH_BIN: a copy of the binary, so a build meanwhile cannot replace it mid-run.
BIN="${UT360_BENCH_BIN:-$BIN}"
need wrk wrk
ORGANIZATIONS="${ORGANIZATIONS:-1000}"
SUBSCRIBERS_EACH="${SUBSCRIBERS_EACH:-1000}"
SAMPLE="${SAMPLE:-100}"
POOL="${UT360_DB_MAX_CONNECTIONS:-16}"
ADMIN_URL="${DATABASE_URL%/*}/postgres"
BENCH_DB=ut360_bench_tenants
BENCH_URL="${DATABASE_URL%/*}/$BENCH_DB"
BENCH_REDIS="$(redis_database 12)"
ADDR=127.0.0.1:3205
WORK="$(mktemp -d)"
SERVER=""
cleanup() {
  kill "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
  if [[ -z "${KEEP:-}" ]]; then
    psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
    redis-cli -u "$BENCH_REDIS" flushdb >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
ut360() { DATABASE_URL="$BENCH_URL" REDIS_URL="$BENCH_REDIS" RUST_LOG=warn "$BIN" "$@"; }
slug_of() { printf 't%04d\n' "$1"; }
say "$(machine)"

existing=$(psql -qAt "$BENCH_URL" -c "SELECT COUNT(*) FROM organizations" 2>/dev/null || echo 0)
if [[ -z "${KEEP:-}" || "$existing" -lt $((ORGANIZATIONS + 1)) ]]; then
  say "setup: the default organization at seed scale, then $ORGANIZATIONS organizations of $SUBSCRIBERS_EACH subscribers"
  if [[ -z "${KEEP:-}" || "$existing" -eq 0 ]]; then
    psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" >/dev/null
    redis-cli -u "$BENCH_REDIS" flushdb >/dev/null
    ut360 migrate >/dev/null 2>&1
    start=$(date +%s.%N)
    ut360 generate --seed 42 >/dev/null 2>&1
    echo "  default organization: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
  fi
  # KEEP=1 resumes an interrupted setup: organizations already filled are skipped.
  filled=" $(psql -qAt "$BENCH_URL" -c "SELECT string_agg(o.slug, ' ') FROM organizations o
                                        WHERE EXISTS (SELECT 1 FROM recommendations r WHERE r.organization_id = o.id)") "
  scale=$(awk -v n="$SUBSCRIBERS_EACH" 'BEGIN {printf "%.8f", n / 214504}')
  start=$(date +%s.%N)
  for i in $(seq 1 "$ORGANIZATIONS"); do
    slug="$(slug_of "$i")"
    [[ "$filled" != *" $slug "* ]] || continue
    psql -qAt "$BENCH_URL" -c "DELETE FROM organizations WHERE slug = '$slug'" >/dev/null
    ut360 organization create --name "Tenant $i" --slug "$slug" --admin-email "admin@$slug.bench" >/dev/null 2>&1 \
      || die "organization create $slug failed"
    ut360 generate --org "$slug" --seed "$i" --scale "$scale" >/dev/null 2>&1 || die "generate --org $slug failed"
    (( i % 100 == 0 )) && echo "  $i organizations: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}') s"
  done
  echo "  $ORGANIZATIONS organizations made and filled in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.0f", b - a}') s"
fi
echo "  organizations: $(psql -qAt "$BENCH_URL" -c 'SELECT COUNT(*) FROM organizations'), subscribers: $(psql -qAt "$BENCH_URL" -c 'SELECT COUNT(*) FROM recommendations'), Redis keys: $(redis-cli -u "$BENCH_REDIS" dbsize)"

UT360_SIGN_IN_BURST_PER_IP=100000 UT360_DB_MAX_CONNECTIONS="$POOL" \
  DATABASE_URL="$BENCH_URL" REDIS_URL="$BENCH_REDIS" LEPTOS_SITE_ADDR="$ADDR" RUST_LOG=warn "$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
wait_until "UT360 on $ADDR" 30 curl -sf "http://$ADDR/readyz"

# SAMPLE random organizations (and the default one as the first line): an API key, a member
# signed in, and 200 of its ISDNs each.
say "a key, a signed-in member and 200 ISDNs for each of $SAMPLE random organizations"
password="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
sign_in_cookie() {
  local jar="$WORK/jar"
  curl -sf -o /dev/null -c "$jar" --data-urlencode "email=$1" --data-urlencode "password=$password" "http://$ADDR/auth/sign-in" \
    || die "$1 cannot sign in"
  awk '$6 == "ut360_session" {print $7}' "$jar"
}
: >"$WORK/lookups"; : >"$WORK/cookies"
for slug in default $(shuf -i 1-"$ORGANIZATIONS" -n "$SAMPLE" | while read -r i; do slug_of "$i"; done); do
  key="$(ut360 api-key create --org "$slug" --name "bench-$(date +%s%N)" 2>/dev/null)"
  UT360_PASSWORD="$password" ut360 user create --org "$slug" --email "bench@$slug.bench" --role analyst >/dev/null 2>&1
  cookie="$(sign_in_cookie "bench@$slug.bench")"
  psql -qAt "$BENCH_URL" -c "SELECT r.isdn FROM recommendations r JOIN organizations o ON o.id = r.organization_id
                              WHERE o.slug = '$slug' ORDER BY random() LIMIT 200" \
    | awk -v key="$key" -v slug="$slug" '{print slug, key, $1}' >>"$WORK/lookups"
  echo "$slug $cookie" >>"$WORK/cookies"
done

cat >"$WORK/requests.lua" <<'LUA'
-- Each request: a random line of the file (columns: organization, key, ISDN or cookie).
local lines = {}
local mode = os.getenv("MODE")
local only = os.getenv("ONLY")
if only == "" then only = nil end
for line in io.lines(os.getenv("LINES")) do
  local slug, a, b = line:match("^(%S+) (%S+) ?(%S*)$")
  -- ISDNs may be base64 (`/`, `+`, `=`): percent-encoded for the path.
  b = b:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)
  if only == nil or only == slug then lines[#lines + 1] = {a, b} end
end
math.randomseed(os.time())
request = function()
  local pick = lines[math.random(#lines)]
  if mode == "api" then
    return wrk.format("GET", "/api/v1/recommendations/" .. pick[2], {["Authorization"] = "Bearer " .. pick[1]})
  end
  return wrk.format("GET", "/", {["Cookie"] = "ut360_session=" .. pick[1]})
end
LUA

# wrk over the file's lines ($1: api|page, $2: file, $3: connections, $4: one organization or
# empty for all); prints `p50 p99 req/s non2xx` in ms.
run_wrk() {
  MODE="$1" LINES="$2" ONLY="${4:-}" wrk -t2 -c"$3" -d"${DURATION:-10s}" --latency -s "$WORK/requests.lua" "http://$ADDR" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Latency Distribution/ {dist=1; next}
    dist && /50%/ {p50=ms($2)} dist && /99%/ {p99=ms($2); dist=0}
    /Requests\/sec/ {rps=$2}
    /Non-2xx/ {bad=$NF}
    END {printf "%.3f %.3f %s %d\n", p50, p99, rps, bad}'
}
healthz() {
  wrk -t2 -c"$1" -d"${DURATION:-10s}" --latency "http://$ADDR/healthz" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Latency Distribution/ {dist=1; next} dist && /99%/ {print ms($2); dist=0}'
}

# The app's connections to the bench database, sampled while the load runs.
connections_sampler() {
  while kill -0 "$SERVER" 2>/dev/null; do
    psql -qAt "$ADMIN_URL" -c "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '$BENCH_DB' AND usename = 'ut360_app'"
    sleep 0.2
  done >"$WORK/connections"
}
connections_sampler &
SAMPLER=$!

say "lookups, wrk -t2 -c64: random organizations' keys and ISDNs against the default organization's alone (3 rounds)"
one=(); many=(); bad=0
for round in 1 2 3; do
  read -r p50 p99 rps non2xx < <(run_wrk api "$WORK/lookups" 64 default); one+=("$p99"); bad=$((bad + non2xx))
  echo "  round $round default only:    p50 ${p50} ms  p99 ${p99} ms  ${rps} req/s"
  read -r p50 p99 rps non2xx < <(run_wrk api "$WORK/lookups" 64); many+=("$p99"); bad=$((bad + non2xx))
  echo "  round $round $((SAMPLE + 1)) organizations: p50 ${p50} ms  p99 ${p99} ms  ${rps} req/s"
done
o=$(median_of "${one[@]}"); m=$(median_of "${many[@]}")
echo "  medians p99: one organization ${o} ms, many ${m} ms ($(awk -v o="$o" -v m="$m" 'BEGIN {printf "%.2fx", m / o}')); non-2xx: $bad"

say "the overview page, wrk -t2 -c8: members of random organizations against the default organization's, beside /healthz (3 rounds)"
floor=(); one=(); many=(); bad=0
for round in 1 2 3; do
  floor+=("$(healthz 8)")
  read -r p50 p99 rps non2xx < <(run_wrk page "$WORK/cookies" 8 default); one+=("$p99"); bad=$((bad + non2xx))
  echo "  round $round default only:    p50 ${p50} ms  p99 ${p99} ms  ${rps} req/s"
  read -r p50 p99 rps non2xx < <(run_wrk page "$WORK/cookies" 8); many+=("$p99"); bad=$((bad + non2xx))
  echo "  round $round $((SAMPLE + 1)) organizations: p50 ${p50} ms  p99 ${p99} ms  ${rps} req/s  (/healthz p99 ${floor[-1]} ms)"
done
f=$(median_of "${floor[@]}"); o=$(median_of "${one[@]}"); m=$(median_of "${many[@]}")
echo "  medians p99: /healthz ${f} ms, default ${o} ms, many ${m} ms ($(awk -v f="$f" -v m="$m" 'BEGIN {printf "%.2fx /healthz", m / f}')); non-2xx: $bad"

kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
most=$(sort -n "$WORK/connections" | tail -n 1)
echo "connections: at most ${most:-?} of the app's PostgreSQL connections open during the load (pool size $POOL, $(wc -l <"$WORK/connections") samples)"
echo "memory: serve $(awk '/VmRSS/ {printf "RSS %.0f MB", $2 / 1024} /VmHWM/ {printf ", peak %.0f MB", $2 / 1024}' "/proc/$SERVER/status") after $((SAMPLE + 1)) organizations served"

say "background: one round of the transaction job over every organization"
start=$(date +%s.%N)
ut360 transactions maintain --all-organizations >"$WORK/maintain.log" 2>&1 || { cat "$WORK/maintain.log"; die "transactions maintain failed"; }
echo "background: $(psql -qAt "$BENCH_URL" -c 'SELECT COUNT(*) FROM organizations') organizations in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
