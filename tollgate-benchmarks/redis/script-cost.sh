#!/usr/bin/env bash
# Redis's own time per decision in decide.lua (INFO commandstats: usec_per_call / decisions a call),
# for calls of BATCH one-entry fixed-window decisions on random keys among 100,000, as the Coalescer
# sends them under load ('m' form), sent by redis-benchmark from 4 connections. Compare scripts side
# by side: run.sh-like figures move with the machine; this one moves less.
# Needs redis-server and redis-benchmark. Usage: script-cost.sh [batch] [script.lua ...] [port]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=${1:-23}; shift || true
scripts=("$@")
[ ${#scripts[@]} -eq 0 ] && scripts=("$root/tollgate-redis/src/main/resources/io/tollgate/redis/decide.lua")
P=${PORT:-16380}
dir=$(mktemp -d)
redis-server --port "$P" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize yes --logfile "$dir/log" >/dev/null
trap 'redis-cli -p $P shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
sleep 0.5
for round in 1 2 3; do
  for script in "${scripts[@]}"; do
    SHA=$(redis-cli -p "$P" -x SCRIPT LOAD < "$script")
    ARGS=(EVALSHA "$SHA" "$B")
    for i in $(seq "$B"); do ARGS+=("{cost}:per-ip#0:__rand_int__"); done
    ARGS+=(m "" 60000 "$B")
    for i in $(seq "$B"); do ARGS+=(a - 1 "f:1000000000:3600000:1000000000:0:0:1"); done
    redis-cli -p "$P" config resetstat >/dev/null
    redis-benchmark -p "$P" -q -c 4 -P 1 -n $((400000 / B)) -r 100000 "${ARGS[@]}" >/dev/null
    us=$(redis-cli -p "$P" info commandstats | awk -F'[=,]' -v b="$B" '/cmdstat_evalsha/ {printf "%.2f", $6 / b}')
    echo "round $round  batch $B  $us us per decision  $script"
  done
done
