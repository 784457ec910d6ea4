#!/usr/bin/env bash
# Gateway throughput and p99 with wrk, side by side in one run: the upstream alone, nginx proxying,
# nginx with limit_req, Tollgate with two never-refusing limits (tollgate-rl), and the same gateway
# with no limit applying (tollgate). Drives the peers' script, shared/peers/gateway-peers.sh (nginx
# upstream on 127.0.0.1:18081 serving 1 KB; wrk -t1), which runs each nginx row once; the two
# Tollgate rows run ROUNDS times, alternating, after a JIT warm-up, and the medians are printed last.
# Needs Debian's nginx-light and wrk.
# Usage: run.sh [seconds] [connections] [rounds] [peers-script]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
D=${1:-10}; C=${2:-32}; ROUNDS=${3:-3}
PEERS=${4:-$root/../shared/peers/gateway-peers.sh}
WARM=${WARM:-20}
rm -rf "$root/tollgate-gateway/target/lib" # copy-dependencies only adds: no stale versions on the class path
(cd "$root" && ./mvnw -q -pl tollgate-gateway -am package -DskipTests)
CP="$root/tollgate-gateway/target/classes:$(ls "$root"/tollgate-gateway/target/lib/*.jar | tr '\n' ':')"
JAVA_OPTS=${TOLLGATE_JAVA_OPTS:-}
logs=$(mktemp -d)
# Evaluated by the peers' script once its nginx upstream runs; `run NAME URL` is its wrk step.
export TOLLGATE_CMD="
  java $JAVA_OPTS -cp '$CP' io.tollgate.gateway.Main serve --config '$here/limits.yaml' > $logs/limits.log 2>&1 &
  echo \$! > $logs/limits.pid
  java $JAVA_OPTS -cp '$CP' io.tollgate.gateway.Main serve --config '$here/none.yaml' > $logs/none.log 2>&1 &
  echo \$! > $logs/none.pid
  for p in 18084 18085; do
    for i in \$(seq 100); do curl -s -o /dev/null http://127.0.0.1:\$p/ && break; sleep 0.1; done
  done
  for p in 18084 18085 18084 18085; do wrk -t1 -c$C -d${WARM}s http://127.0.0.1:\$p/ > /dev/null; done # JIT warm-up
  for r in \$(seq $((ROUNDS - 1))); do run tollgate-rl http://127.0.0.1:18084/; run tollgate http://127.0.0.1:18085/; done"
trap 'kill $(cat $logs/*.pid 2>/dev/null) 2>/dev/null; rm -rf $logs' EXIT
bash "$PEERS" "$D" "$C" | tee "$logs/out"
echo "medians over the rounds:"
for name in tollgate-rl tollgate; do
  awk -v n="$name" '$1 == n {
      v = $5; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v
      print $3, ms }' "$logs/out" > "$logs/$name"
  rps=$(cut -d' ' -f1 "$logs/$name" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  p99=$(cut -d' ' -f2 "$logs/$name" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
  printf "%-12s req/s %10s  p99 %6.2fms  (%d rounds)\n" "$name" "$rps" "$p99" "$(wc -l < "$logs/$name")"
done
