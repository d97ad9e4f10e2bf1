#!/usr/bin/env bash
# README's second command: every test. Unit and integration tests against a real
# PostgreSQL and Redis (a fresh database per test), then the browser tests in Debian's
# Chromium against the tested server and the release front end, serving a freshly
# generated seed-scale database. Each step says how long the run has taken.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_everything
ensure_chromium
ensure_schemathesis

# Databases left behind by an interrupted earlier run.
ADMIN_URL="${DATABASE_URL%/*}/postgres"
psql -qAt "$ADMIN_URL" -c "SELECT datname FROM pg_database WHERE datname LIKE 'ut360_test_%'" \
  | while read -r stale; do psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$stale\" WITH (FORCE)"; done

say "formatting (rustfmt)"
(cd "$ROOT" && cargo fmt --check) || die "cargo fmt --check: run cargo fmt"

# Clippy lints the crate while the builds below compile it, instead of checking it in
# runs of its own first: `cargo clippy` is `cargo check` with clippy-driver (rustc with
# the lint passes) as cargo's workspace wrapper, and the same wrapper under `cargo test`
# and the browser's wasm build lints the server with its tests (`--all-targets --features
# ssr`) and the browser's code (`--lib --features hydrate`, wasm32) with -D warnings, each
# compiled once. Every cargo command below shares it, so none rebuilds the crate.
export RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
[ -x "$RUSTC_WORKSPACE_WRAPPER" ] || die "clippy-driver is missing: rustup component add clippy"

# The tests' Redis keys in database 10 of the same server, emptied first (a run cut short
# leaves keys behind): apart from the demo's ~430,000 keys in database 0, whose presence
# made the tests' KEYS calls slow enough to time out.
export REDIS_URL="$(redis_database 10)"
redis-cli -u "$REDIS_URL" flushdb >/dev/null

say "unit and integration tests, linted by clippy as they build"
# The replica tests run once, below, against a replica of their own.
(cd "$ROOT" && cargo test --features ssr --locked -- --skip replica::)

# Once more, the app's connections through PgBouncer in transaction pooling mode (issue 23):
# every statement unnamed and inside a transaction that sets its organization. The test
# binary is built already; test databases are still created and dropped directly. Only the
# suites whose work depends on how connections are pooled run again: the organization
# setting per transaction (tenancy, the shared pool), sessions and sign-in, the advisory
# locks and LISTEN on the direct connection (import, cache sync, API keys), COPY and
# temporary tables (loads and exports), and organizations' lifecycle.
PGBOUNCER_SUITES=(shared_pool:: tenancy_leaks:: auth:: sign_in_limits:: organizations:: invitations::
  import:: cache_sync:: lookups:: api:: campaigns:: fairness:: transactions::)
ensure_pgbouncer
say "integration tests through PgBouncer ($PGBOUNCER_URL): ${PGBOUNCER_SUITES[*]}"
PGBOUNCER_STARTED=$SECONDS
(cd "$ROOT" && UT360_TEST_DATABASE_URL="$PGBOUNCER_URL" cargo test --features ssr --locked --test it -- "${PGBOUNCER_SUITES[@]}")
say "integration tests through PgBouncer: $((SECONDS - PGBOUNCER_STARTED)) s"

# Issue 27: reads from a streaming replica, against a private primary and its replica
# (they pause and stop the replica, so one at a time).
ensure_replica
psql -qAt "$REPLICA_PRIMARY_URL" -c "SELECT datname FROM pg_database WHERE datname LIKE 'ut360_test_%'" \
  | while read -r stale; do psql -q "$REPLICA_PRIMARY_URL" -c "DROP DATABASE IF EXISTS \"$stale\" WITH (FORCE)"; done
say "replica tests (primary 127.0.0.1:$REPLICA_PRIMARY_PORT, streaming replica 127.0.0.1:$REPLICA_PORT)"
(cd "$ROOT" && UT360_TEST_REPLICA_PRIMARY_URL="$REPLICA_PRIMARY_URL" UT360_TEST_REPLICA_URL="$REPLICA_URL" \
  UT360_TEST_REPLICA_DATA="$REPLICA_DATA" UT360_TEST_REPLICA_BIN="$REPLICA_BIN" \
  cargo test --features ssr --locked --test it replica:: -- --test-threads=1)

# Issue 27: the cache, sync, bulk and API tests against a 3-master Redis Cluster.
ensure_redis_cluster
say "Redis Cluster tests ($REDIS_CLUSTER_URL)"
(cd "$ROOT" && UT360_TEST_REDIS_CLUSTER_NODES="$REDIS_CLUSTER_URL" \
  cargo test --features ssr --locked --test it redis_cluster::)

build_front_end_for_browser_tests
# The server the integration tests ran (built by `cargo test` above).
BIN="$ROOT/target/debug/ut360"
[ -x "$BIN" ] || die "$BIN is missing: cargo test builds it"
SITE="$E2E_TARGET/site"
E2E_DATABASE_URL="${DATABASE_URL%/*}/ut360_e2e"
# Redis database 15 of the same server, so the demo's `ut360:*` keys are never touched.
E2E_REDIS_URL="$(redis_database 15)"

# The browser tests get a database of their own; the demo database is never touched.
say "preparing the browser-test database (seed scale)"
psql -q "$ADMIN_URL" -c 'DROP DATABASE IF EXISTS ut360_e2e WITH (FORCE)'
redis-cli -u "$E2E_REDIS_URL" flushdb >/dev/null
DATABASE_URL="$E2E_DATABASE_URL" REDIS_URL="$E2E_REDIS_URL" "$BIN" migrate
DATABASE_URL="$E2E_DATABASE_URL" REDIS_URL="$E2E_REDIS_URL" "$BIN" generate --seed 42
DATABASE_URL="$E2E_DATABASE_URL" REDIS_URL="$E2E_REDIS_URL" "$BIN" analytics run --backfill-days 365
# One account per role with a password only this run knows.
export E2E_PASSWORD="e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
for role in admin manager marketing analyst; do
  DATABASE_URL="$E2E_DATABASE_URL" UT360_PASSWORD="$E2E_PASSWORD" "$BIN" user create --email "e2e-$role@ut360.test" --role "$role"
done
# A second organization, without data, for the invitation and switcher tests.
DATABASE_URL="$E2E_DATABASE_URL" REDIS_URL="$E2E_REDIS_URL" "$BIN" organization create \
  --name "E2E Branch" --slug e2e-branch --admin-email e2e-branch-admin@ut360.test >/dev/null
for role in admin analyst; do
  DATABASE_URL="$E2E_DATABASE_URL" UT360_PASSWORD="$E2E_PASSWORD" "$BIN" user create --org e2e-branch \
    --email "e2e-branch-$role@ut360.test" --role "$role"
done

E2E_ADDR="${E2E_ADDR:-127.0.0.1:3100}"
LOG="$ROOT/end2end/test-results/server.log"
mkdir -p "$(dirname "$LOG")"
# Every browser test signs in from 127.0.0.1: the per-address sign-in limit would count them all.
UT360_SIGN_IN_BURST_PER_IP=100000 \
  DATABASE_URL="$E2E_DATABASE_URL" REDIS_URL="$E2E_REDIS_URL" LEPTOS_SITE_ROOT="$SITE" LEPTOS_SITE_ADDR="$E2E_ADDR" \
  "$BIN" serve >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
wait_until "UT360 on $E2E_ADDR" 30 curl -sf "http://$E2E_ADDR/readyz"

# The API as machines try it (issue 29): generated requests, every answer against the
# document; a 500 or a mismatch fails the script. The key is revoked afterwards.
say "the API against its OpenAPI document (schemathesis $SCHEMATHESIS_VERSION)"
SCHEMATHESIS_STARTED=$SECONDS
E2E_API_KEY="$(DATABASE_URL="$E2E_DATABASE_URL" REDIS_URL="$E2E_REDIS_URL" "$BIN" api-key create --name schemathesis 2>/dev/null)"
run_schemathesis "http://$E2E_ADDR" "$E2E_API_KEY"
DATABASE_URL="$E2E_DATABASE_URL" REDIS_URL="$E2E_REDIS_URL" "$BIN" api-key revoke --name schemathesis >/dev/null
say "schemathesis: $((SECONDS - SCHEMATHESIS_STARTED)) s"

say "browser tests (Chromium)"
# A failure also shows what the server logged above INFO: CI keeps only this output.
(cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error \
  && BASE_URL="http://$E2E_ADDR" DATABASE_URL="$E2E_DATABASE_URL" npx playwright test) \
  || { grep -E 'WARN|ERROR' "$LOG" | tail -n 40 >&2; die "browser tests failed (server log: $LOG)"; }
# Issue 27: two more instances on the same database behind HAProxy (sessions shared,
# revocation everywhere at once, a rolling restart under load without a failed request).
DATABASE_URL="$E2E_DATABASE_URL" REDIS_URL="$E2E_REDIS_URL" BIN="$BIN" SITE="$SITE" "$ROOT/scripts/two_instances.sh"
say "all tests passed"
