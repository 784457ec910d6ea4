#!/usr/bin/env bash
# Starts a gateway on examples/platform-api.yaml (5 requests per second per endpoint, the built-in
# echo upstream) and pulls PAGES pages (default 300) through it with the Tollgate client.
#   examples/client/run.sh [PAGES]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
jar=tollgate-client/target/tollgate-client-0.2.0-SNAPSHOT.jar
if [ ! -f "$jar" ] || [ -n "$(find tollgate-client/src/main -newer "$jar" -type f -print -quit)" ]; then
  echo "building the client..." >&2
  ./mvnw -q -B -DskipTests -pl tollgate-client -am package
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo 18090)
TOLLGATE_LISTEN=$port ./tollgate serve --config examples/platform-api.yaml &
gateway=$!
trap 'kill $gateway 2>/dev/null; wait $gateway 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.2
done
java -cp "$jar" examples/client/PullPages.java "http://127.0.0.1:$port/catalog/items" "${1:-300}"
