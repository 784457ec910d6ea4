#!/usr/bin/env bash
# A Spring MVC application answering 1 KB (examples/spring-boot, GET /v1/report) with the starter and
# two never-refusing limits (bench.yaml), the same application with bucket4j-spring-boot-starter and
# the equivalent single limit instead (bucket4j/: its own Maven project, built here; needs Maven
# Central the first time), the same application with a filter that only writes the five header fields
# the starter writes (headers/: the control row, what the fields cost by themselves), and the same
# application with none of these (tollgate.enabled=false); wrk -t1 side by side in one run: each JVM
# loaded until its JIT has compiled (wrk-rows.sh warm_jvm), then ROUNDS in a rotating order; medians.
# Each row also gives the application's CPU per request (utime + stime of its JVM, from /proc).
# Usage: run.sh [seconds] [connections] [rounds]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
D=${1:-10}; C=${2:-32}; ROUNDS=${3:-3}
(cd "$root" && ./mvnw -q -pl examples/spring-boot -am install -DskipTests)
dir=$(mktemp -d)
(cd "$root" && ./mvnw -q -pl examples/spring-boot dependency:build-classpath -Dmdep.outputFile="$dir/cp" >/dev/null)
(cd "$here/bucket4j" && "$root/mvnw" -q package dependency:build-classpath -Dmdep.outputFile="$dir/b4cp" >/dev/null)
CP="$root/examples/spring-boot/target/classes:$(cat "$dir/cp")"
B4CP="$here/bucket4j/target/classes:$(cat "$dir/b4cp")" # the example's jar, Bucket4j, Caffeine's JCache
javac -d "$dir/classes" -cp "$CP" "$here/headers/HeaderFieldsOnly.java"
start() { # classpath, port, args...
  local cp=$1 port=$2; shift 2
  java ${JAVA_OPTS:-} -cp "$cp" io.tollgate.example.ExampleApplication --server.port="$port" --server.address=127.0.0.1 \
    --logging.level.root=warn "$@" > "$dir/$port.log" 2>&1 &
  echo $! >> "$dir/pids"
  echo $! > "$dir/$port.pid"
}
start "$CP" 18401 --tollgate.policy="file:$here/bench.yaml"
start "$B4CP" 18403 --spring.config.additional-location="file:$here/bucket4j/bench.properties"
start "$dir/classes:$CP" 18404 --tollgate.enabled=false --spring.main.sources=io.tollgate.bench.HeaderFieldsOnly
start "$CP" 18402 --tollgate.enabled=false
trap 'kill $(cat "$dir/pids") 2>/dev/null; rm -rf "$dir"' EXIT
for p in 18401 18403 18404 18402; do
  for i in $(seq 150); do curl -sf -o /dev/null "http://127.0.0.1:$p/v1/report" && break; sleep 0.2; done
done
curl -si http://127.0.0.1:18401/v1/report | grep -i '^x-ratelimit-limit' >/dev/null || { echo "no rate-limit headers on 18401" >&2; exit 1; }
curl -si http://127.0.0.1:18403/v1/report | grep -i '^x-rate-limit-remaining' >/dev/null || { echo "no bucket4j headers on 18403" >&2; exit 1; }
[ "$(curl -si http://127.0.0.1:18404/v1/report | grep -ci ratelimit)" = 5 ] || { echo "not five header fields on 18404" >&2; exit 1; }
. "$here/../wrk-rows.sh"
names=(tollgate bucket4j headers plain); ports=(18401 18403 18404 18402)
for p in "${ports[@]}"; do warm_jvm "$(cat "$dir/$p.pid")" "http://127.0.0.1:$p/v1/report"; done
for r in $(seq "$ROUNDS"); do # each round starts one row later: no row always follows the same one
  for k in 0 1 2 3; do
    i=$(( (k + r) % 4 ))
    PID=$(cat "$dir/${ports[$i]}.pid") wrk_row "${names[$i]}" "http://127.0.0.1:${ports[$i]}/v1/report"
  done
done | tee "$dir/out"
echo "medians over $ROUNDS rounds:"
medians "$dir/out" tollgate bucket4j headers plain
