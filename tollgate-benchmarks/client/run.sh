#!/usr/bin/env bash
# N requests, one after another, through a gateway enforcing 50 per second (fixed window): the
# Tollgate client against the seeds' fetchWithRetry, alternating, ROUNDS rounds each, then medians.
# Usage: run.sh [requests] [rounds]    (defaults 1000 and 3)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${1:-1000}; ROUNDS=${2:-3}; PORT=${PORT:-18095}
(cd "$root" && ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests)
TOLLGATE_LISTEN=$PORT "$root/tollgate" serve --config "$here/fifty-per-second.yaml" &
gateway=$!
trap 'kill $gateway 2>/dev/null; wait $gateway 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.2
done
java -cp "$root/tollgate-benchmarks/target/benchmarks.jar" io.tollgate.benchmarks.ClientPacing \
  "http://127.0.0.1:$PORT/items" "$N" "$ROUNDS"
