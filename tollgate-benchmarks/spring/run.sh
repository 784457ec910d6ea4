#!/usr/bin/env bash
# A Spring MVC application answering 1 KB (examples/spring-boot, GET /v1/report) with the starter and
# two never-refusing limits (bench.yaml), the same application with bucket4j-spring-boot-starter and
# the equivalent single limit instead (bucket4j/: its own Maven project, built here; needs Maven
# Central the first time), and the same application with neither (tollgate.enabled=false); wrk -t1
# side by side in one run: a JIT warm-up of each, then ROUNDS alternating; medians. Each row also gives
# the application's CPU per request (utime + stime of its JVM over the run, from /proc).
# Usage: run.sh [seconds] [connections] [rounds]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
D=${1:-10}; C=${2:-32}; ROUNDS=${3:-3}; WARM=${WARM:-20}
(cd "$root" && ./mvnw -q -pl examples/spring-boot -am install -DskipTests)
dir=$(mktemp -d)
(cd "$root" && ./mvnw -q -pl examples/spring-boot dependency:build-classpath -Dmdep.outputFile="$dir/cp" >/dev/null)
(cd "$here/bucket4j" && "$root/mvnw" -q package dependency:build-classpath -Dmdep.outputFile="$dir/b4cp" >/dev/null)
CP="$root/examples/spring-boot/target/classes:$(cat "$dir/cp")"
B4CP="$here/bucket4j/target/classes:$(cat "$dir/b4cp")" # the example's jar, Bucket4j, Caffeine's JCache
start() { # classpath, port, args...
  local cp=$1 port=$2; shift 2
  java ${JAVA_OPTS:-} -cp "$cp" io.tollgate.example.ExampleApplication --server.port="$port" --server.address=127.0.0.1 \
    --logging.level.root=warn "$@" > "$dir/$port.log" 2>&1 &
  echo $! >> "$dir/pids"
  echo $! > "$dir/$port.pid"
}
start "$CP" 18401 --tollgate.policy="file:$here/bench.yaml"
start "$B4CP" 18403 --spring.config.additional-location="file:$here/bucket4j/bench.properties"
start "$CP" 18402 --tollgate.enabled=false
trap 'kill $(cat "$dir/pids") 2>/dev/null; rm -rf "$dir"' EXIT
for p in 18401 18403 18402; do
  for i in $(seq 150); do curl -sf -o /dev/null "http://127.0.0.1:$p/v1/report" && break; sleep 0.2; done
done
curl -si http://127.0.0.1:18401/v1/report | grep -i '^x-ratelimit-limit' >/dev/null || { echo "no rate-limit headers on 18401" >&2; exit 1; }
curl -si http://127.0.0.1:18403/v1/report | grep -i '^x-rate-limit-remaining' >/dev/null || { echo "no bucket4j headers on 18403" >&2; exit 1; }
. "$here/../wrk-rows.sh"
echo "warm-up..."
for w in 1 2; do for p in 18401 18403 18402; do wrk -t1 -c$C -d${WARM}s http://127.0.0.1:$p/v1/report > /dev/null; done; done
# The JIT goes on compiling after the load that made it start (seen: 0.65 of a core for 20 s after a
# warm-up); let every JVM fall quiet before measuring, so that no row pays for another's compiling.
for p in 18401 18403 18402; do
  pid=$(cat "$dir/$p.pid")
  for i in $(seq 60); do
    t0=$(proc_ticks "$pid"); sleep 2
    [ $(( $(proc_ticks "$pid") - t0 )) -le 10 ] && break # at most 5% of a core
  done
  echo "$p quiet after $(( i * 2 )) s"
done
for r in $(seq "$ROUNDS"); do
  PID=$(cat "$dir/18401.pid") wrk_row tollgate http://127.0.0.1:18401/v1/report
  PID=$(cat "$dir/18403.pid") wrk_row bucket4j http://127.0.0.1:18403/v1/report
  PID=$(cat "$dir/18402.pid") wrk_row plain http://127.0.0.1:18402/v1/report
done | tee "$dir/out"
echo "medians over $ROUNDS rounds:"
medians "$dir/out" tollgate bucket4j plain
