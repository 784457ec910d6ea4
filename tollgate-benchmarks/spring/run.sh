#!/usr/bin/env bash
# A Spring MVC application answering 1 KB (examples/spring-boot, GET /v1/report) with the starter and
# two never-refusing limits (bench.yaml) beside the same application without it (tollgate.enabled=
# false), wrk -t1 side by side in one run: a JIT warm-up of both, then ROUNDS alternating; medians.
# Usage: run.sh [seconds] [connections] [rounds]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
D=${1:-10}; C=${2:-32}; ROUNDS=${3:-3}; WARM=${WARM:-20}
(cd "$root" && ./mvnw -q -pl examples/spring-boot -am install -DskipTests)
dir=$(mktemp -d)
(cd "$root" && ./mvnw -q -pl examples/spring-boot dependency:build-classpath -Dmdep.outputFile="$dir/cp" >/dev/null)
CP="$root/examples/spring-boot/target/classes:$(cat "$dir/cp")"
start() { # port, args...
  local port=$1; shift
  java ${JAVA_OPTS:-} -cp "$CP" io.tollgate.example.ExampleApplication --server.port="$port" --server.address=127.0.0.1 \
    --logging.level.root=warn "$@" > "$dir/$port.log" 2>&1 &
  echo $! >> "$dir/pids"
}
start 18401 --tollgate.policy="file:$here/bench.yaml"
start 18402 --tollgate.enabled=false
trap 'kill $(cat "$dir/pids") 2>/dev/null; rm -rf "$dir"' EXIT
for p in 18401 18402; do
  for i in $(seq 150); do curl -sf -o /dev/null "http://127.0.0.1:$p/v1/report" && break; sleep 0.2; done
done
curl -si http://127.0.0.1:18401/v1/report | grep -i '^x-ratelimit-limit' >/dev/null || { echo "no rate-limit headers on 18401" >&2; exit 1; }
. "$here/../wrk-rows.sh"
echo "warm-up..."
for w in 1 2; do wrk -t1 -c$C -d${WARM}s http://127.0.0.1:18401/v1/report > /dev/null; wrk -t1 -c$C -d${WARM}s http://127.0.0.1:18402/v1/report > /dev/null; done
for r in $(seq "$ROUNDS"); do wrk_row tollgate http://127.0.0.1:18401/v1/report; wrk_row plain http://127.0.0.1:18402/v1/report; done | tee "$dir/out"
echo "medians over $ROUNDS rounds:"
medians "$dir/out" tollgate plain
