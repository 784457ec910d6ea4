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
run() { # name port
  wrk -t1 -c$C -d${D}s --latency "http://127.0.0.1:$2/v1/report" | awk -v n="$1" '
    / 99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v); p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
    /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%-9s %8.0f req/s  p99 %6.2f ms%s\n", n, rps, p99, bad ? "  NON-2XX " bad : "" }'
}
echo "warm-up..."
for w in 1 2; do wrk -t1 -c$C -d${WARM}s http://127.0.0.1:18401/v1/report > /dev/null; wrk -t1 -c$C -d${WARM}s http://127.0.0.1:18402/v1/report > /dev/null; done
for r in $(seq "$ROUNDS"); do run tollgate 18401; run plain 18402; done | tee "$dir/out"
echo "medians over $ROUNDS rounds:"
for n in tollgate plain; do
  awk -v n="$n" '$1 == n { print $2, $5 }' "$dir/out" > "$dir/rows"
  med() { cut -d' ' -f"$1" "$dir/rows" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
  printf "%-9s %8s req/s  p99 %s ms\n" "$n" "$(med 1)" "$(med 2)"
done
