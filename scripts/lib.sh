# Shared by the project's scripts: install what is missing, start what is not running.
# Sourced, not run. Every step is idempotent: a second run changes nothing.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/scripts/tools"
CARGO_LEPTOS_VERSION=0.2.47

# Each step with the script's time so far (minutes:seconds), so a slow run shows where it went.
say() { printf '\033[1;34m==>\033[0m %s \033[2m(%d:%02d)\033[0m\n' "$*" $((SECONDS / 60)) $((SECONDS % 60)) >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# redis_database N: REDIS_URL's server with database N, so a script's keys stay apart
# from the demo's (which live in the URL's own database).
redis_database() {
  [[ "$REDIS_URL" =~ ^([a-z]+://[^/]+) ]] || die "cannot read REDIS_URL=$REDIS_URL"
  printf '%s/%s' "${BASH_REMATCH[1]}" "$1"
}

# The benchmarks' summaries of a list of numbers.
median_of() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
slowest_of() { printf '%s\n' "$@" | sort -n | tail -n 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* by hand on this system"
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq || die "apt-get update failed"
    APT_UPDATED=1
  fi
  say "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || die "could not install $*"
}

# need COMMAND PACKAGE...: installs the packages when the command is missing.
need() {
  local command=$1; shift
  command -v "$command" >/dev/null 2>&1 || apt_install "$@"
}

# need_package PACKAGE...: installs the Debian packages that are not installed.
need_package() {
  local missing=()
  for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

ensure_system_packages() {
  need cc build-essential
  # zlib: the XLSX writer deflates through it.
  command -v dpkg >/dev/null 2>&1 && need_package libssl-dev zlib1g-dev
  need pkg-config pkg-config
  need curl curl ca-certificates
  need node nodejs
  need npm npm
  need psql postgresql-client
  need redis-cli redis-tools
}

ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -x "$HOME/.cargo/bin/cargo" ] || {
      say "installing Rust with rustup"
      curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal || die "rustup install failed"
    }
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  # The test command checks formatting and lints; rustup's minimal profile has neither.
  for component in clippy rustfmt; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" \
      || rustup component add "$component" || die "could not add the $component component"
  done
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown || die "could not add the wasm32 target"
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "building cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes, once per machine)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads \
      || die "could not install cargo-leptos"
  fi
}

# ECharts for the browser (served from public/, never a CDN) and wasm-opt for release
# builds: binaryen from npm, because Debian's older wasm-opt breaks hydration.
ensure_node_tools() {
  if [ ! -x "$TOOLS/node_modules/.bin/wasm-opt" ] || [ ! -f "$TOOLS/node_modules/echarts/dist/echarts.min.js" ]; then
    say "installing ECharts and binaryen from npm"
    (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error) || die "npm install in scripts/tools failed"
  fi
  cmp -s "$TOOLS/node_modules/echarts/dist/echarts.min.js" "$ROOT/public/echarts.min.js" \
    || cp "$TOOLS/node_modules/echarts/dist/echarts.min.js" "$ROOT/public/echarts.min.js"
  export PATH="$TOOLS/node_modules/.bin:$PATH"
}

ensure_chromium() {
  need chromium chromium
}

# schemathesis (PyPI), pinned, in a virtual environment of its own under scripts/tools.
SCHEMATHESIS_VERSION=4.32.5
SCHEMATHESIS_VENV="$TOOLS/schemathesis-venv"
ensure_schemathesis() {
  need python3 python3
  command -v dpkg >/dev/null 2>&1 && need_package python3-venv
  if [ "$("$SCHEMATHESIS_VENV/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION"
    python3 -m venv "$SCHEMATHESIS_VENV" || die "python3 -m venv failed"
    "$SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
      || die "pip install schemathesis==$SCHEMATHESIS_VERSION failed"
  fi
}

# run_schemathesis BASE_URL API_KEY: every /api/v1 operation against its OpenAPI
# document, every check (scripts/schemathesis.toml says which answers the document
# cannot express), a few examples each; fails on a 500 or any mismatch.
run_schemathesis() {
  local base=$1 key=$2
  "$SCHEMATHESIS_VENV/bin/schemathesis" --config-file "$ROOT/scripts/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --url "$base" --header "Authorization: Bearer $key" --checks all --max-examples 25 --seed 29 \
    --workers 1 --no-color --report-dir "$ROOT/end2end/test-results/schemathesis"
}

wait_until() {
  local what=$1 tries=$2; shift 2
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  die "$what did not come up"
}

# Uses DATABASE_URL when set; otherwise starts (installing if needed) a local PostgreSQL.
ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then return; fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    [ -n "$version" ] || die "PostgreSQL is installed but has no cluster in /etc/postgresql"
    say "starting PostgreSQL $version"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
      || as_root pg_ctlcluster "$version" main start || die "could not start PostgreSQL"
    wait_until "PostgreSQL" 30 pg_isready -q -h 127.0.0.1 -p 5432
  fi
  if psql -qAt "postgres://postgres@127.0.0.1:5432/postgres" -c 'SELECT 1' >/dev/null 2>&1; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/ut360"
  else
    # A stock Debian cluster wants passwords over TCP: give UT360 a role of its own.
    say "creating the PostgreSQL role ut360"
    as_root runuser -u postgres -- psql -qc "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ut360') THEN
        CREATE ROLE ut360 LOGIN CREATEDB PASSWORD 'ut360';
      END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ut360_app') THEN
        CREATE ROLE ut360_app LOGIN PASSWORD 'ut360_app';
      END IF; END \$\$;" || die "could not create the PostgreSQL roles ut360 and ut360_app"
    export DATABASE_URL="postgres://ut360:ut360@127.0.0.1:5432/ut360"
    # The role the web app connects as: row-level security applies to it (migration 13).
    export UT360_APP_DATABASE_PASSWORD="ut360_app"
  fi
}

# Uses REDIS_URL when set; otherwise starts (installing if needed) a local Redis.
ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return; fi
  export REDIS_URL="redis://127.0.0.1:6379"
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then return; fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  say "starting Redis"
  # Profiles (hashes of JSON sections up to ~1 KB) stay in compact listpacks: about 20 % less memory.
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --hash-max-listpack-value 1024 \
    --logfile "${TMPDIR:-/tmp}/ut360-redis.log" >/dev/null || die "could not start Redis"
  wait_until "Redis" 15 sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'
}

# A PgBouncer of UT360's own in transaction pooling mode on 127.0.0.1:$PGBOUNCER_PORT (6432),
# in front of DATABASE_URL's server, for the test run through it (scripts/test.sh).
# Debian's package, a private configuration and run directory; started once, kept running.
# Sets PGBOUNCER_URL: DATABASE_URL with PgBouncer's address.
PGBOUNCER_PORT="${PGBOUNCER_PORT:-6432}"
ensure_pgbouncer() {
  [[ "$DATABASE_URL" =~ ^([a-z]+://)(([^:@/]+)(:([^@/]*))?@)?([^/]+)(/.*)$ ]] \
    || die "cannot read DATABASE_URL=$DATABASE_URL"
  local user="${BASH_REMATCH[3]:-postgres}" password="${BASH_REMATCH[5]}" server="${BASH_REMATCH[6]}"
  local host="${server%:*}" port="${server##*:}"
  [ "$port" != "$server" ] || port=5432
  export PGBOUNCER_URL="${BASH_REMATCH[1]}${BASH_REMATCH[2]}127.0.0.1:$PGBOUNCER_PORT${BASH_REMATCH[7]}"
  local dir="${TMPDIR:-/tmp}/ut360-pgbouncer"
  if [ -f "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; then return; fi
  export PATH="$PATH:/usr/sbin"
  if ! command -v pgbouncer >/dev/null 2>&1; then
    apt_install pgbouncer
    # The package may start a service of its own on the same port: ours is the one used.
    [ ! -x /etc/init.d/pgbouncer ] || as_root /etc/init.d/pgbouncer stop >/dev/null 2>&1 || true
  fi
  mkdir -p "$dir"
  # auth_type trust lets each listed role through; PgBouncer logs in to PostgreSQL with
  # the password given here (none where the server trusts it).
  {
    printf '"postgres" ""\n"ut360_app" "%s"\n' "${UT360_APP_DATABASE_PASSWORD:-}"
    case "$user" in postgres | ut360_app) ;; *) printf '"%s" "%s"\n' "$user" "$password" ;; esac
  } >"$dir/users.txt"
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=$host port=$port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
; sqlx sends both at connect; PgBouncer would refuse the connection otherwise.
ignore_startup_parameters = extra_float_digits,options
max_client_conn = 2000
default_pool_size = 20
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  say "starting PgBouncer (transaction pooling) on 127.0.0.1:$PGBOUNCER_PORT"
  # PgBouncer refuses to run as root: as root, it runs as the postgres user.
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$dir"
    pgbouncer -d -u postgres "$dir/pgbouncer.ini" || die "could not start PgBouncer (see $dir/pgbouncer.log)"
  else
    pgbouncer -d "$dir/pgbouncer.ini" || die "could not start PgBouncer (see $dir/pgbouncer.log)"
  fi
  wait_until "PgBouncer" 15 pg_isready -q -h 127.0.0.1 -p "$PGBOUNCER_PORT"
}

# A private PostgreSQL primary and its streaming replica on loopback ports (issue 27), for
# the replica tests; the machine's own cluster is not touched (its pg_hba.conf allows no
# replication). Both run as the postgres user from a directory of their own; a second
# call finds them running. Exports REPLICA_PRIMARY_URL, REPLICA_URL and REPLICA_DATA (the
# replica's data directory, which the tests stop and start).
REPLICA_PRIMARY_PORT="${REPLICA_PRIMARY_PORT:-5440}"
REPLICA_PORT="${REPLICA_PORT:-5441}"
ensure_replica() {
  local dir="${UT360_REPLICA_DIR:-/var/lib/postgresql/ut360-replica}" bin version
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
  bin="/usr/lib/postgresql/$version/bin"
  [ -x "$bin/initdb" ] || die "PostgreSQL's server programs are not in $bin"
  as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
  export REPLICA_PRIMARY_URL="postgres://postgres@127.0.0.1:$REPLICA_PRIMARY_PORT/postgres"
  export REPLICA_URL="postgres://postgres@127.0.0.1:$REPLICA_PORT/postgres"
  export REPLICA_DATA="$dir/replica" REPLICA_BIN="$bin"
  if ! pg_isready -q -h 127.0.0.1 -p "$REPLICA_PRIMARY_PORT"; then
    if [ ! -f "$dir/primary/PG_VERSION" ]; then
      as_root mkdir -p "$dir" && as_root chown postgres: "$dir"
      as_postgres "$bin/initdb" -D "$dir/primary" -A trust -U postgres >/dev/null || die "initdb of the private primary failed"
      as_postgres sh -c "echo 'host replication all 127.0.0.1/32 trust' >> '$dir/primary/pg_hba.conf'"
      as_postgres sh -c "printf '%s\n' \"port = $REPLICA_PRIMARY_PORT\" \"listen_addresses = '127.0.0.1'\" \
        \"unix_socket_directories = '$dir'\" 'fsync = off' >> '$dir/primary/postgresql.conf'"
    fi
    say "starting a private PostgreSQL primary on 127.0.0.1:$REPLICA_PRIMARY_PORT"
    as_postgres "$bin/pg_ctl" -D "$dir/primary" -w -l "$dir/primary.log" start >/dev/null \
      || die "the private primary did not start (see $dir/primary.log)"
  fi
  if ! pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT"; then
    if [ ! -f "$dir/replica/PG_VERSION" ]; then
      as_postgres "$bin/pg_basebackup" -h 127.0.0.1 -p "$REPLICA_PRIMARY_PORT" -U postgres -D "$dir/replica" -R -X stream -c fast \
        || die "pg_basebackup of the private primary failed"
      # Its own port; the rest of the primary's settings came with the copy.
      as_postgres sh -c "echo 'port = $REPLICA_PORT' >> '$dir/replica/postgresql.conf'"
    fi
    say "starting its streaming replica on 127.0.0.1:$REPLICA_PORT"
    as_postgres "$bin/pg_ctl" -D "$dir/replica" -w -l "$dir/replica.log" start >/dev/null \
      || die "the replica did not start (see $dir/replica.log)"
  fi
  wait_until "the replica in recovery" 30 sh -c "[ \"\$(psql -qAt '$REPLICA_URL' -c 'SELECT pg_is_in_recovery()')\" = t ]"
}

ensure_everything() {
  ensure_system_packages
  ensure_rust
  ensure_node_tools
  ensure_postgres
  ensure_redis
}

# What the release build is made from: every source, style, asset and migration file
# (by content, so uncommitted edits count), the manifests and the toolchain.
build_inputs() {
  (
    cd "$ROOT"
    find src style public migrations end2end/package.json Cargo.toml Cargo.lock build.rs rust-toolchain.toml \
      -type f -print0 2>/dev/null | sort -z | xargs -0 sha256sum
    rustc --version
    cargo leptos --version
    # Whether clippy linted the build (scripts/test.sh).
    echo "${RUSTC_WORKSPACE_WRAPPER:-} ${CLIPPY_ARGS:-}"
  ) | sha256sum | cut -d' ' -f1
}

# stamped_release_build OUTPUT STAMP LABEL [VAR=VALUE...] [-- FLAG...]: `cargo leptos
# build --release FLAG...` with the given environment, skipped when OUTPUT exists and
# STAMP holds the hash of the inputs it was last made from.
stamped_release_build() {
  local output=$1 stamp=$2 label=$3 inputs
  shift 3
  local environment=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do environment+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  inputs="$(build_inputs)"
  if [ -e "$output" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$inputs" ]; then
    say "$label is up to date (nothing changed since it was made)"
    return
  fi
  say "building $label"
  (cd "$ROOT" && env "${environment[@]}" cargo leptos build --release "$@") || die "build failed"
  printf '%s\n' "$inputs" >"$stamp"
}

# The release build: server binary plus the hydrating wasm, optimized with wasm-opt.
# Skipped when its inputs are those of the last build (a second `scripts/demo.sh` with
# nothing changed serves at once instead of regenerating the wasm).
build_release() {
  stamped_release_build "$ROOT/target/release/ut360" "$ROOT/target/site/.build-inputs" "UT360 (release)"
}

# The browser tests run the server `cargo test` built (its dependencies optimized, see
# Cargo.toml) with the release front end, built here into a site of its own (the demo's
# target/site is untouched) without LTO and with 16 code generation units: CI pays this
# build cold, and a second release build of the server was most of its time.
E2E_TARGET="$ROOT/target/e2e"
build_front_end_for_browser_tests() {
  stamped_release_build "$E2E_TARGET/site/pkg/ut360.wasm" "$E2E_TARGET/site/.build-inputs" \
    "UT360's front end for the browser tests (release, less optimized, in $E2E_TARGET)" \
    CARGO_TARGET_DIR="$E2E_TARGET" LEPTOS_SITE_ROOT="$E2E_TARGET/site" \
    CARGO_PROFILE_WASM_RELEASE_LTO=false CARGO_PROFILE_WASM_RELEASE_CODEGEN_UNITS=16 -- --frontend-only
  # A server built by plain cargo (not cargo-leptos, which sets LEPTOS_OUTPUT_NAME at
  # compile time) asks for wasm-bindgen's own file name, `<output-name>_bg.wasm`.
  ln -f "$E2E_TARGET/site/pkg/ut360.wasm" "$E2E_TARGET/site/pkg/ut360_bg.wasm"
}

# The bench scripts that need only the server binary (no site, no browser): Rust,
# PostgreSQL and Redis (the store connects to both), then a release build of it in $BIN.
build_server_binary() {
  ensure_system_packages
  command -v cargo >/dev/null 2>&1 || export PATH="$HOME/.cargo/bin:$PATH"
  command -v cargo >/dev/null 2>&1 || ensure_rust
  ensure_postgres
  ensure_redis
  BIN="$ROOT/target/release/ut360"
  # UT360_BENCH_PREBUILT=1: measure the release binary already built (e.g. by test.sh).
  if [ -n "${UT360_BENCH_PREBUILT:-}" ] && [ -x "$BIN" ]; then return; fi
  say "building the ut360 binary (release, server only)"
  (cd "$ROOT" && nice -n 19 cargo build --release --features ssr --bin ut360) || die "build failed"
}

# One line on what else the machine is doing, for the benchmark figures.
machine() {
  printf '%s cores, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

# A signed-in session for the benchmarks: creates (or resets) bench-admin@ut360.test in
# the database at $1 with a password of this run, signs it in at the server on $2, and
# prints the request header that carries the session.
bench_session() {
  local url=$1 addr=$2 password jar
  password="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  DATABASE_URL="$url" UT360_PASSWORD="$password" "$ROOT/target/release/ut360" user create \
    --email bench-admin@ut360.test --role admin >/dev/null 2>&1 || die "cannot create the benchmark account"
  jar="$(mktemp)"
  curl -sf -o /dev/null -c "$jar" --data-urlencode "email=bench-admin@ut360.test" \
    --data-urlencode "password=$password" "http://$addr/auth/sign-in" || die "the benchmark account cannot sign in"
  printf 'Cookie: ut360_session=%s' "$(awk '$6 == "ut360_session" {print $7}' "$jar")"
  rm -f "$jar"
}

# Issue 27: a Redis Cluster on loopback ports for the redis_cluster:: tests.
source "$ROOT/scripts/redis_cluster.sh"
