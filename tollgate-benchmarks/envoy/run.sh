#!/usr/bin/env bash
# Envoy Rate Limit Service decisions per second and p99, 64 in flight, side by side in one run on one
# redis-server: envoyproxy/ratelimit (the reference, built from shared/peers) and Tollgate's envoy-rls,
# both on that Redis, one descriptor (key = one of 100,000 values) under a limit that never refuses.
#   json - wrk -t1 -c64 POSTing /json (Lua: a random value per request)
#   grpc - loadgen/main.go: ShouldRateLimit with 64 calls always outstanding on one HTTP/2 connection
#          (as Envoy's gRPC client multiplexes), grpc-go, the same client for both; built in the
#          reference's vendored source tree (Go: shared/peers/envoy-ratelimit/build.sh installs it)
# Two more servers say where Tollgate's time goes: "memory", the same Tollgate on its memory store
# (what the Redis store's path costs), and the floor: RlsFloor, Armeria answering both doors with one
# constant response (no rules, no store, no parsing of /json): the most a service on Armeria can do
# on this machine.
# BASELINE_JAR=path adds "baseline": a Tollgate from another build (a benchmarks.jar), on Redis as
# "tollgate" is: a change measured against the code before it, side by side.
# Each row also gives the server's CPU time per decision (utime + stime of its process over the run,
# from /proc): on 2 cores the load generator takes a good part of the machine, so decisions/s alone
# understate what a server would do on a machine of its own.
# Rounds alternate the rows after a warm-up (each JVM loaded on each door until its JIT
# compilers are quiet: wrk-rows.sh's compiled); medians are printed last.
# Needs redis-server, wrk, go, and RL_BIN (default /tmp/rl-bin/ratelimit; see shared/peers/envoy-ratelimit).
# Usage: run.sh [seconds] [rounds] [values] [peers-dir]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
D=${1:-10}; ROUNDS=${2:-3}; VALUES=${3:-100000}; C=64
PEERS=${4:-$root/../shared/peers/envoy-ratelimit}
RL_BIN=${RL_BIN:-/tmp/rl-bin/ratelimit}
RP=16390; RL_HTTP=18190; RL_GRPC=18191; RL_DEBUG=16090; TG=18291; TG_HTTP=18290; MEM=18293; BL=18297; FL=18390
[ -x "$RL_BIN" ] || { echo "run.sh: $RL_BIN not found: build it with shared/peers/envoy-ratelimit/build.sh" >&2; exit 1; }
(cd "$root" && ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests)
JAR="$root/tollgate-benchmarks/target/benchmarks.jar"
command -v go >/dev/null || { echo "run.sh: go not found (shared/peers/envoy-ratelimit/build.sh installs Debian's golang-go)" >&2; exit 1; }
dir=$(mktemp -d)
mkdir -p "$dir/config" "$dir/src"
tar -xJf "$PEERS"/ratelimit-3e7b643-vendored-src.tar.xz -C "$dir/src"
mkdir -p "$dir/src/ratelimit-3e7b643/src/tollgate_loadgen"
cp "$here/loadgen/main.go" "$dir/src/ratelimit-3e7b643/src/tollgate_loadgen/"
(cd "$dir/src/ratelimit-3e7b643" && CGO_ENABLED=0 GOFLAGS=-mod=vendor GOPROXY=off GOSUMDB=off go build -o "$dir/loadgen" \
  ./src/tollgate_loadgen)
cat > "$dir/config/bench.yaml" <<YAML
domain: bench
descriptors:
  - key: key
    rate_limit: {unit: hour, requests_per_unit: 1000000000}
YAML
cat > "$dir/tollgate.yaml" <<YAML
admin: {listen: off}
store: redis://127.0.0.1:$RP
envoy-rls: {listen: 127.0.0.1:$TG, http-listen: 127.0.0.1:$TG_HTTP, config: config}
YAML
cat > "$dir/body.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  return wrk.format(nil, "/json", nil,
    '{"domain":"bench","descriptors":[{"entries":[{"key":"key","value":"' .. math.random($VALUES) .. '"}]}]}')
end
LUA
redis-server --port $RP --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize yes --logfile "$dir/redis.log" \
  --pidfile "$dir/redis.pid"
env -u RUNTIME_SUBDIRECTORY USE_STATSD=false LOG_LEVEL=warn HOST=127.0.0.1 PORT=$RL_HTTP GRPC_HOST=127.0.0.1 \
  GRPC_PORT=$RL_GRPC DEBUG_HOST=127.0.0.1 DEBUG_PORT=$RL_DEBUG BACKEND_TYPE=redis REDIS_SOCKET_TYPE=tcp REDIS_TYPE=SINGLE \
  REDIS_URL=127.0.0.1:$RP RUNTIME_ROOT="$dir" RUNTIME_APPDIRECTORY=config RUNTIME_WATCH_ROOT=false \
  RUNTIME_IGNOREDOTFILES=true "$RL_BIN" > "$dir/ratelimit.log" 2>&1 &
echo $! > "$dir/ratelimit.pid"
java ${TOLLGATE_JAVA_OPTS:-} -cp "$JAR" io.tollgate.server.Main serve --config "$dir/tollgate.yaml" > "$dir/tollgate.log" 2>&1 &
echo $! > "$dir/tollgate.pid"
cat > "$dir/memory.yaml" <<YAML
admin: {listen: off}
envoy-rls: {listen: 127.0.0.1:$MEM, config: config}
YAML
java ${TOLLGATE_JAVA_OPTS:-} -cp "$JAR" io.tollgate.server.Main serve --config "$dir/memory.yaml" > "$dir/memory.log" 2>&1 &
echo $! > "$dir/memory.pid"
java ${TOLLGATE_JAVA_OPTS:-} -cp "$JAR" io.tollgate.benchmarks.RlsFloor $FL > "$dir/floor.log" 2>&1 &
echo $! > "$dir/floor.pid"
servers=("tollgate $TG" "memory $MEM" "floor $FL") # name port (gRPC and /json on one port)
if [ -n "${BASELINE_JAR:-}" ]; then
  sed "s/$TG/$BL/; s/, http-listen: [^,}]*//" "$dir/tollgate.yaml" > "$dir/baseline.yaml"
  java ${TOLLGATE_JAVA_OPTS:-} -cp "$BASELINE_JAR" io.tollgate.server.Main serve --config "$dir/baseline.yaml" > "$dir/baseline.log" 2>&1 &
  echo $! > "$dir/baseline.pid"
  servers=("tollgate $TG" "baseline $BL" "memory $MEM" "floor $FL")
fi
trap 'kill $(cat "$dir"/*.pid 2>/dev/null) 2>/dev/null; redis-cli -p $RP shutdown nosave >/dev/null 2>&1; rm -rf "$dir"' EXIT
for u in http://127.0.0.1:$RL_HTTP/healthcheck http://127.0.0.1:$TG_HTTP/healthcheck http://127.0.0.1:$MEM/healthcheck \
    ${BASELINE_JAR:+http://127.0.0.1:$BL/healthcheck}; do
  for i in $(seq 100); do [ "$(curl -s $u)" = OK ] && break; sleep 0.2; done
done
for i in $(seq 100); do curl -sf -XPOST http://127.0.0.1:$FL/json > /dev/null && break; sleep 0.2; done
. "$here/../wrk-rows.sh" # proc_ticks (the clock ticks a process has run), compiled, median_of
pid() { [ "$1" = reference ] && cat "$dir/ratelimit.pid" || cat "$dir/$1.pid"; }
json() { # name port -> "name json <rps> ... p99 <ms> ... <cpu us per decision>"
  local before; before=$(proc_ticks "$(pid "$1")")
  wrk -t1 -c$C -d${D}s --latency -s "$dir/body.lua" "http://127.0.0.1:$2" > "$dir/wrk.out"
  awk -v n="$1" -v ticks=$(( $(proc_ticks "$(pid "$1")") - before )) -v d="$D" '
    / 99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v); p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
    /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%-9s json %8.0f decisions/s  p99 %6.2f ms  cpu %5.1f us/decision%s\n", n, rps, p99,
      ticks * 10000 / (rps * d), bad ? "  NON-2XX " bad : "" }' "$dir/wrk.out"
}
grpc() { # name port
  local before; before=$(proc_ticks "$(pid "$1")")
  "$dir/loadgen" -target "127.0.0.1:$2" -seconds "$D" -warm 1 -inflight $C -values "$VALUES" > "$dir/grpc.out"
  awk -v n="$1" -v ticks=$(( $(proc_ticks "$(pid "$1")") - before )) -v d="$D" '
    { gsub(",", ""); printf "%-9s grpc %8.0f decisions/s  p99 %6.2f ms  cpu %5.1f us/decision  (p50 %s ms, %s failed, %s over)\n",
      n, $1, $7, ticks * 10000 / ($1 * (d + 1)), $4, $9, $11 }' "$dir/grpc.out"
}
echo "warm-up: the reference ${D}s a door; the JVMs until their JIT has compiled each door's code..."
json reference $RL_HTTP > /dev/null; grpc reference $RL_GRPC > /dev/null
for s in "${servers[@]}"; do
  set -- $s
  compiled "$(pid "$1")" json "$1" "$2"
  compiled "$(pid "$1")" grpc "$1" "$2"
done
for r in $(seq "$ROUNDS"); do
  for door in json grpc; do
    ref=$RL_GRPC; [ $door = json ] && ref=$RL_HTTP # the reference serves the two doors on two ports
    $door reference $ref
    for s in "${servers[@]}"; do $door $s; done
  done
done | tee "$dir/out"
echo "medians over $ROUNDS rounds:"
for row in "reference json" "${servers[@]/%/ json}" "reference grpc" "${servers[@]/%/ grpc}"; do
  set -- $row
  [ $# = 3 ] && set -- "$1" "$3" # name port door -> name door
  awk -v n="$1" -v k="$2" '$1 == n && $2 == k { print $3, $6, $9 }' "$dir/out" > "$dir/rows"
  printf "%-9s %s %8s decisions/s  p99 %s ms  cpu %s us/decision\n" "$1" "$2" \
    "$(median_of 1 "$dir/rows")" "$(median_of 2 "$dir/rows")" "$(median_of 3 "$dir/rows")"
done
