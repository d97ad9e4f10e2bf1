#!/usr/bin/env bash
# README's first command: install what is missing, start PostgreSQL and Redis if none is
# configured, build, migrate, load the demo data (once) and serve UT360.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_everything
build_release

BIN="$ROOT/target/release/ut360"
"$BIN" migrate
GENERATED="$("$BIN" generate --if-empty | tee /dev/stderr)"
# Seed 004's analytics of the new data: a year of daily history, then the nightly and
# hourly jobs once (the server's scheduler keeps them up to date from then on).
case "$GENERATED" in
  *"nothing generated"*) ;;
  *) say "computing the analytics of the demo data (aggregates, insights, alerts, cohorts, funnels)"
     "$BIN" analytics run --backfill-days 365 ;;
esac

export LEPTOS_SITE_ROOT="$ROOT/target/site"
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
say "UT360 at http://$LEPTOS_SITE_ADDR (Ctrl-C stops it)"
echo "  Sign in with a demo account printed above; a new password: UT360_PASSWORD=… $BIN user create --email admin@demo.ut360 --role admin"
echo "  The /api/v1 lookups need a key: KEY=\$($BIN api-key create --name try-it)"
echo "  then: curl -H \"Authorization: Bearer \$KEY\" http://$LEPTOS_SITE_ADDR/api/v1/recommendations/%2B%2B%2FhZFPrCDRre55vsZqqxQ=="
exec "$BIN" serve
