#!/usr/bin/env bash
# Redis decisions per second with 64 in flight, side by side in one run on one local redis-server:
#   ceiling  - redis-benchmark running Tollgate's own script (decide.lua) for one fixed-window counter,
#              64 connections x 1, and 4 connections x 16 pipelined (how one multiplexed connection sends)
#   tollgate - RedisStore through the engine, 64 threads on one Lettuce connection
#   bucket4j - Bucket4j 8.14's Lettuce proxy manager (compare-and-swap), 64 threads
#   bucket4j+flush - the same on a Lettuce connection that consolidates flushes, as RedisStore's does
# on 100,000 keys and on one hot key, and Redis memory per live counter. Needs redis-server and
# redis-tools (redis-benchmark). KEYS="100000" to skip the hot key.
# Usage: run.sh [seconds] [port]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
D=${1:-10}; P=${2:-16379}; N=$((D * 60000))
(cd "$root" && ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests)
dir=$(mktemp -d)
redis-server --port "$P" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize yes --logfile "$dir/log" >/dev/null
trap 'redis-cli -p $P shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
sleep 0.5
SHA=$(redis-cli -p "$P" -x SCRIPT LOAD < "$root/tollgate-redis/src/main/resources/io/tollgate/redis/decide.lua")
# The arguments RedisStore sends for one fixed-window entry (Redis's clock, no lease).
ARGS=(EVALSHA "$SHA" 1 "{ceiling}:per-ip#0:__rand_int__" a "" 60000 - "f:1000000000:3600000:1000000000:0:0:1")
for cp in "64 1" "4 16"; do
  set -- $cp
  rps=$(redis-benchmark -p "$P" --csv -c "$1" -P "$2" -n "$N" -r 100000 "${ARGS[@]}" | awk -F'"' '/EVALSHA/ {print $4}')
  printf "ceiling   redis-benchmark c=%-2s P=%-2s decide.lua: %s decisions/s\n" "$1" "$2" "$rps"
done
# Spread over 100,000 keys (no two callers on one counter), then all on one hot key (every caller on
# one counter: a big tenant's limit), where Bucket4j's compare-and-swap conflicts and retries.
for keys in ${KEYS:-100000 1}; do
  redis-cli -p "$P" flushall >/dev/null
  echo "--- $keys keys"
  java -cp "$root/tollgate-benchmarks/target/benchmarks.jar" io.tollgate.benchmarks.RedisThroughput \
    "redis://127.0.0.1:$P" "$D" 64 "$keys"
done
