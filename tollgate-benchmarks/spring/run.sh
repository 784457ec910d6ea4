#!/usr/bin/env bash
# A Spring MVC application answering 1 KB (examples/spring-boot, GET /v1/report), in five rows:
#   tollgate  with the starter and two never-refusing limits (bench.yaml)
#   bucket4j  with bucket4j-spring-boot-starter and the equivalent single limit instead (bucket4j/: its
#             own Maven project, built here; needs Maven Central the first time)
#   headers   with a filter that only writes the five header fields the starter writes (headers/: the
#             control row, what the fields cost by themselves)
#   decision  with the starter on the same limits sending no fields on allowed responses
#             (bench-no-fields.yaml: what the starter costs without them)
#   plain     with none of these (tollgate.enabled=false)
# wrk -t1 side by side in one run: each JVM loaded until its JIT has compiled (wrk-rows.sh warm_jvm),
# then ROUNDS in a rotating order; medians. Each row also gives the application's CPU per request
# (utime + stime of its JVM, from /proc).
# Usage: [ROWS="tollgate plain"] [FORKS=2] run.sh [seconds] [connections] [rounds]
#   ROWS picks rows (all five by default); FORKS starts that many JVMs of each row (rows "NAME",
#   "NAME.2", ...): two JVMs of the same code differ by a few percent for as long as they run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
D=${1:-10}; C=${2:-32}; ROUNDS=${3:-3}
ROWS=${ROWS:-tollgate bucket4j headers decision plain}; FORKS=${FORKS:-1}
(cd "$root" && ./mvnw -q -pl examples/spring-boot -am install -DskipTests)
dir=$(mktemp -d)
(cd "$root" && ./mvnw -q -pl examples/spring-boot dependency:build-classpath -Dmdep.outputFile="$dir/cp" >/dev/null)
CP="$root/examples/spring-boot/target/classes:$(cat "$dir/cp")"
case " $ROWS " in *" bucket4j "*)
  (cd "$here/bucket4j" && "$root/mvnw" -q package dependency:build-classpath -Dmdep.outputFile="$dir/b4cp" >/dev/null)
  B4CP="$here/bucket4j/target/classes:$(cat "$dir/b4cp")";; # the example's jar, Bucket4j, Caffeine's JCache
esac
javac -d "$dir/classes" -cp "$CP" "$here/headers/HeaderFieldsOnly.java"
start() { # classpath, port, args...
  local cp=$1 port=$2; shift 2
  java ${JAVA_OPTS:-} -cp "$cp" io.tollgate.example.ExampleApplication --server.port="$port" --server.address=127.0.0.1 \
    --logging.level.root=warn "$@" > "$dir/$port.log" 2>&1 &
  echo $! >> "$dir/pids"
  echo $! > "$dir/$port.pid"
}
launch() { # row, port
  case $1 in
    tollgate) start "$CP" "$2" --tollgate.policy="file:$here/bench.yaml" ;;
    bucket4j) start "$B4CP" "$2" --spring.config.additional-location="file:$here/bucket4j/bench.properties" ;;
    headers) start "$dir/classes:$CP" "$2" --tollgate.enabled=false --spring.main.sources=io.tollgate.bench.HeaderFieldsOnly ;;
    decision) start "$CP" "$2" --tollgate.policy="file:$here/bench-no-fields.yaml" ;;
    plain) start "$CP" "$2" --tollgate.enabled=false ;;
    *) echo "no row $1" >&2; exit 2 ;;
  esac
}
check() { # row, port: the row answers as it should
  local head
  head=$(curl -si "http://127.0.0.1:$2/v1/report" | sed '/^\r$/q')
  case $1 in
    tollgate | headers) [ "$(grep -ci ratelimit <<< "$head")" = 5 ] ;;
    decision | plain) [ "$(grep -ci ratelimit <<< "$head")" = 0 ] ;;
    bucket4j) grep -qi '^x-rate-limit-remaining' <<< "$head" ;;
  esac || { echo "$1 on port $2 does not answer as its row should" >&2; exit 1; }
}
trap 'kill $(cat "$dir/pids" 2>/dev/null) 2>/dev/null; rm -rf "$dir"' EXIT
names=(); rows=(); ports=(); port=18401
for f in $(seq "$FORKS"); do
  for row in $ROWS; do
    names+=("$row$([ "$f" = 1 ] || echo ".$f")"); rows+=("$row"); ports+=("$port")
    launch "$row" "$port"
    port=$((port + 1))
  done
done
n=${#ports[@]}
for i in $(seq 0 $((n - 1))); do
  for t in $(seq 150); do curl -sf -o /dev/null "http://127.0.0.1:${ports[$i]}/v1/report" && break; sleep 0.2; done
  check "${rows[$i]}" "${ports[$i]}"
done
. "$here/../wrk-rows.sh"
for p in "${ports[@]}"; do warm_jvm "$(cat "$dir/$p.pid")" "http://127.0.0.1:$p/v1/report"; done
for r in $(seq "$ROUNDS"); do # each round starts one row later: no row always follows the same one
  for k in $(seq 0 $((n - 1))); do
    i=$(( (k + r) % n ))
    PID=$(cat "$dir/${ports[$i]}.pid") wrk_row "${names[$i]}" "http://127.0.0.1:${ports[$i]}/v1/report"
  done
done | tee "$dir/out"
echo "medians over $ROUNDS rounds:"
medians "$dir/out" "${names[@]}"
case " $ROWS " in *" plain "*) ratios "$dir/out" "$n" plain ;; esac
