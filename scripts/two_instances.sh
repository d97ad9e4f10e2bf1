#!/usr/bin/env bash
# Two `serve` processes behind HAProxy (issue 27), on the database and Redis given by
# DATABASE_URL / REDIS_URL (scripts/test.sh passes the browser tests' ones):
#   - a session made on one instance is valid on the other;
#   - an API key revoked elsewhere is refused by both at once (the NOTIFY every instance
#     listens to);
#   - a rolling restart (stop one, start it again, then the other) under load through the
#     balancer loses no request: wrk must report no error and no non-2xx answer.
# HAProxy asks each instance's /readyz; an instance stopping closes its listener and
# finishes what it has in hand, and HAProxy retries a connection refused elsewhere.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

BIN="${BIN:-$ROOT/target/release/ut360}"
[ -x "$BIN" ] || die "no ut360 binary at $BIN (scripts/test.sh passes the one it built)"
: "${DATABASE_URL:?the database both instances serve}" "${REDIS_URL:?the Redis both instances use}"
: "${E2E_PASSWORD:?the password of the e2e accounts}"
export PATH="$PATH:/usr/sbin"
need haproxy haproxy
need wrk wrk

FRONT="${TWO_INSTANCES_FRONT:-127.0.0.1:3110}"
declare -A ADDRESS=([a]="${TWO_INSTANCES_A:-127.0.0.1:3111}" [b]="${TWO_INSTANCES_B:-127.0.0.1:3112}")
WORK="$(mktemp -d)"
cleanup() {
  for name in a b; do
    [ -f "$WORK/$name.pid" ] && kill "$(cat "$WORK/$name.pid")" 2>/dev/null || true
  done
  [ -f "$WORK/haproxy.pid" ] && kill "$(cat "$WORK/haproxy.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_instance() {
  local name=$1
  LEPTOS_SITE_ROOT="${SITE:-$ROOT/target/site}" LEPTOS_SITE_ADDR="${ADDRESS[$name]}" UT360_SIGN_IN_BURST_PER_IP=100000 \
    RUST_LOG=warn "$BIN" serve >>"$WORK/$name.log" 2>&1 &
  echo $! >"$WORK/$name.pid"
  wait_until "instance $name on ${ADDRESS[$name]}" 30 curl -sf "http://${ADDRESS[$name]}/readyz"
}

# SIGTERM, then wait for the process to finish what it had in hand and exit.
stop_instance() {
  local name=$1 pid
  pid="$(cat "$WORK/$name.pid")"
  kill -TERM "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 "$pid" 2>/dev/null || die "instance $name did not stop within 10 s of SIGTERM"
  rm -f "$WORK/$name.pid"
}

# Whether the balancer sees both instances up (its health checks ask /readyz).
both_up() {
  [ "$(echo 'show servers state app' | socat stdio "unix-connect:$WORK/haproxy.sock" 2>/dev/null \
    | awk '$4 == "a" || $4 == "b" {print $6}' | grep -c '^2$')" = 2 ]
}

say "two instances (${ADDRESS[a]}, ${ADDRESS[b]}) behind HAProxy on $FRONT"
need socat socat
start_instance a
start_instance b
cat >"$WORK/haproxy.cfg" <<CFG
global
    maxconn 4096
    stats socket $WORK/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # A connection refused or dropped by an instance that is stopping is tried again
    # on the other one.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout
frontend ut360
    bind $FRONT
    default_backend app
backend app
    balance roundrobin
    option httpchk GET /readyz
    default-server inter 300ms fall 1 rise 2
    server a ${ADDRESS[a]} check
    server b ${ADDRESS[b]} check
CFG
haproxy -c -q -f "$WORK/haproxy.cfg" || die "HAProxy refused its configuration"
haproxy -f "$WORK/haproxy.cfg" -D -p "$WORK/haproxy.pid"
wait_until "HAProxy with both instances up" 20 both_up

say "a session made on one instance is valid on the other"
jar="$WORK/cookies"
curl -sf -o /dev/null -c "$jar" --data-urlencode "email=e2e-admin@ut360.test" \
  --data-urlencode "password=$E2E_PASSWORD" "http://${ADDRESS[a]}/auth/sign-in" || die "cannot sign in on instance a"
for name in a b; do
  status="$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "http://${ADDRESS[$name]}/admin/members")"
  [ "$status" = 200 ] || die "the session made on instance a gets $status from instance $name"
done
echo "  signed in on a; /admin/members answers 200 on a and on b"

say "an API key revoked is refused by both instances at once"
KEY="$("$BIN" api-key create --name two-instances 2>/dev/null)"
# The demo's ISDNs are base64: `+` and `/` escaped in the path.
ISDN="$(psql -qAt "$DATABASE_URL" -c "SELECT isdn FROM recommendations ORDER BY isdn LIMIT 1" | sed 's|/|%2F|g; s|+|%2B|g')"
[ -n "$ISDN" ] || die "the database has no subscriber to look up"
lookup_status() {
  curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "http://${ADDRESS[$1]}/api/v1/recommendations/$ISDN"
}
for name in a b; do
  [ "$(lookup_status "$name")" = 200 ] || die "instance $name refuses a new API key"
done
"$BIN" api-key revoke --name two-instances >/dev/null
REVOKED_AT=$SECONDS
for name in a b; do
  for _ in $(seq 20); do [ "$(lookup_status "$name")" = 401 ] && break; sleep 0.05; done
  [ "$(lookup_status "$name")" = 401 ] || die "instance $name still accepts the revoked key"
done
echo "  both instances refuse the key within $((SECONDS - REVOKED_AT)) s of its revocation"

say "scheduled jobs run once, however many instances start them"
# The browser tests' server and the two instances each start the current slot of every
# job at start-up; the first to claim a slot runs it.
duplicates="$(psql -qAt "$DATABASE_URL" -c "
  SELECT d.source_type || ' ' || count(*) FROM sync_logs l JOIN data_sources d ON d.id = l.data_source_id
  WHERE d.source_type IN ('hourly_aggregation', 'nightly_analytics') AND l.started_at >= date_trunc('hour', NOW())
  GROUP BY l.organization_id, d.source_type, date_trunc('hour', l.started_at) HAVING count(*) > 1")"
[ -z "$duplicates" ] || die "a scheduled job ran more than once in one slot: $duplicates"
echo "  each organization's hourly and nightly runs of this hour: at most one each"

say "rolling restart under load through HAProxy (wrk, 8 connections, API lookups)"
KEY="$("$BIN" api-key create --name two-instances-load 2>/dev/null)"
wrk -t1 -c8 -d24s -H "Authorization: Bearer $KEY" "http://$FRONT/api/v1/recommendations/$ISDN" >"$WORK/wrk.txt" 2>&1 &
LOAD=$!
sleep 3
for name in a b; do
  stop_instance "$name"
  echo "  instance $name stopped; restarting it"
  start_instance "$name"
  wait_until "HAProxy with both instances up" 20 both_up
  sleep 2
done
wait "$LOAD" || die "wrk failed: $(cat "$WORK/wrk.txt")"
"$BIN" api-key revoke --name two-instances-load >/dev/null
requests="$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")"
if grep -q -e 'Non-2xx' -e 'Socket errors' "$WORK/wrk.txt"; then
  cat "$WORK/wrk.txt" >&2
  die "requests failed during the rolling restart"
fi
echo "  $requests requests during the rolling restart, none failed"
say "two instances: passed"
