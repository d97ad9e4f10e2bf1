#!/usr/bin/env bash
# A Redis Cluster of three masters on 127.0.0.1:7000-7002 (issue 27), for the
# redis_cluster:: integration tests. Run it, or source it and call ensure_redis_cluster
# (scripts/lib.sh may source this file). Idempotent: running masters are kept, and the
# cluster is created only when it does not answer `cluster_state:ok` yet. Exports
# REDIS_CLUSTER_URL: the three nodes as comma-separated redis:// URLs (what
# REDIS_CLUSTER_NODES and UT360_TEST_REDIS_CLUSTER_NODES take).
#
#   scripts/redis_cluster.sh          # start it, print REDIS_CLUSTER_URL
#   scripts/redis_cluster.sh stop     # stop the three masters and delete their data

REDIS_CLUSTER_PORTS="${REDIS_CLUSTER_PORTS:-7000 7001 7002}"
REDIS_CLUSTER_DIR="${REDIS_CLUSTER_DIR:-/var/tmp/ut360-redis-cluster}"

ensure_redis_cluster() {
  local dir="$REDIS_CLUSTER_DIR" port nodes=() urls=()
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  command -v redis-cli >/dev/null 2>&1 || apt_install redis-tools
  mkdir -p "$dir"
  for port in $REDIS_CLUSTER_PORTS; do
    nodes+=("127.0.0.1:$port")
    urls+=("redis://127.0.0.1:$port")
    if ! redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
      say "starting Redis Cluster node 127.0.0.1:$port"
      # Nothing persisted (like the demo's Redis): a restart after a reboot starts empty,
      # and nodes-$port.conf remembers the cluster until `stop` removes it.
      redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
        --cluster-config-file "$dir/nodes-$port.conf" --cluster-node-timeout 5000 \
        --save "" --appendonly no --hash-max-listpack-value 1024 \
        --daemonize yes --dir "$dir" --logfile "$dir/$port.log" >/dev/null \
        || die "could not start Redis Cluster node $port (see $dir/$port.log)"
      wait_until "Redis Cluster node $port" 15 sh -c "redis-cli -h 127.0.0.1 -p $port ping | grep -q PONG"
    fi
  done
  local first="${nodes[0]%:*}" first_port="${nodes[0]#*:}"
  if ! redis-cli -h "$first" -p "$first_port" cluster info | grep -q '^cluster_state:ok'; then
    # A node that already knows other nodes or holds slots was part of an older cluster
    # (e.g. its data directory survived but a node did not): start those over.
    for port in $REDIS_CLUSTER_PORTS; do
      if [ "$(redis-cli -h 127.0.0.1 -p "$port" cluster info | sed -n 's/^cluster_known_nodes:\([0-9]*\).*/\1/p')" != 1 ] \
        || [ "$(redis-cli -h 127.0.0.1 -p "$port" cluster info | sed -n 's/^cluster_slots_assigned:\([0-9]*\).*/\1/p')" != 0 ]; then
        redis-cli -h 127.0.0.1 -p "$port" flushall >/dev/null
        redis-cli -h 127.0.0.1 -p "$port" cluster reset hard >/dev/null
      fi
    done
    say "creating the Redis Cluster (${nodes[*]}, no replicas)"
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 \
      || die "redis-cli --cluster create failed (see $dir/create.log)"
    wait_until "the Redis Cluster" 30 sh -c "redis-cli -h $first -p $first_port cluster info | grep -q '^cluster_state:ok'"
  fi
  REDIS_CLUSTER_URL="$(IFS=,; echo "${urls[*]}")"
  export REDIS_CLUSTER_URL
}

stop_redis_cluster() {
  local port
  for port in $REDIS_CLUSTER_PORTS; do
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
  done
  rm -rf "$REDIS_CLUSTER_DIR"
}

# Run, not sourced (lib.sh sources this file again: the guard stops it running twice).
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ -z "${REDIS_CLUSTER_SCRIPT_RUNNING:-}" ]; then
  REDIS_CLUSTER_SCRIPT_RUNNING=1
  set -euo pipefail
  # shellcheck source=scripts/lib.sh
  source "$(dirname "$0")/lib.sh"
  case "${1:-start}" in
    start) ensure_redis_cluster && echo "REDIS_CLUSTER_URL=$REDIS_CLUSTER_URL" ;;
    stop) stop_redis_cluster ;;
    *) die "usage: $0 [start|stop]" ;;
  esac
fi
