#!/usr/bin/env bash
# Gateway throughput and p99 with wrk, side by side in one run: the upstream alone, nginx proxying,
# nginx with limit_req, Tollgate with two never-refusing limits (tollgate-rl), and the same gateway
# with no limit applying (tollgate); then over TLS (HTTP/1.1, a self-signed RSA 2048 certificate):
# nginx terminating TLS and proxying (nginx-tls) beside Tollgate with the two limits (tollgate-tls).
# Drives the peers' script, shared/peers/gateway-peers.sh (nginx upstream on 127.0.0.1:18081 serving
# 1 KB; wrk -t1), which runs each plain nginx row once; the Tollgate rows and the TLS rows run ROUNDS
# times, alternating, after a JIT warm-up, and the medians are printed last.
# Needs Debian's nginx (with its ssl module), wrk and openssl.
# Usage: run.sh [seconds] [connections] [rounds] [peers-script]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
D=${1:-10}; C=${2:-32}; ROUNDS=${3:-3}
PEERS=${4:-$root/../shared/peers/gateway-peers.sh}
WARM=${WARM:-20}
rm -rf "$root/tollgate-server/target/lib" # copy-dependencies only adds: no stale versions on the class path
(cd "$root" && ./mvnw -q -pl tollgate-server -am package -DskipTests)
CP="$root/tollgate-server/target/classes:$(ls "$root"/tollgate-server/target/lib/*.jar | tr '\n' ':')"
JAVA_OPTS=${TOLLGATE_JAVA_OPTS:-}
logs=$(mktemp -d)
# TLS: one self-signed pair for both, nginx terminating TLS in front of the same upstream on 18086.
mkdir -p "$logs/certs"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout "$logs/certs/tollgate.key" \
  -out "$logs/certs/tollgate.pem" 2>/dev/null
cp "$here/tls.yaml" "$logs/tls.yaml"
cat > "$logs/tls.conf" <<CONF
worker_processes 1; daemon on; pid $logs/tls.pid; error_log $logs/tls.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream up { server 127.0.0.1:18081; keepalive 64; }
  server { listen 127.0.0.1:18086 ssl; ssl_certificate $logs/certs/tollgate.pem; ssl_certificate_key $logs/certs/tollgate.key;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
# Evaluated by the peers' script once its nginx upstream runs; `run NAME URL` is its wrk step.
export TOLLGATE_CMD="
  java $JAVA_OPTS -cp '$CP' io.tollgate.server.Main serve --config '$here/limits.yaml' > $logs/limits.log 2>&1 &
  echo \$! > $logs/limits.java.pid
  java $JAVA_OPTS -cp '$CP' io.tollgate.server.Main serve --config '$here/none.yaml' > $logs/none.log 2>&1 &
  echo \$! > $logs/none.java.pid
  java $JAVA_OPTS -cp '$CP' io.tollgate.server.Main serve --config '$logs/tls.yaml' > $logs/tlsgw.log 2>&1 &
  echo \$! > $logs/tlsgw.java.pid
  nginx -c $logs/tls.conf -p $logs
  for u in http://127.0.0.1:18084/ http://127.0.0.1:18085/ https://127.0.0.1:18087/; do
    for i in \$(seq 100); do curl -sk -o /dev/null \$u && break; sleep 0.1; done
  done
  for u in http://127.0.0.1:18084/ http://127.0.0.1:18085/ https://127.0.0.1:18087/ http://127.0.0.1:18084/ \\
      http://127.0.0.1:18085/ https://127.0.0.1:18087/; do wrk -t1 -c$C -d${WARM}s \$u > /dev/null; done # JIT warm-up
  for r in \$(seq $((ROUNDS - 1))); do run tollgate-rl http://127.0.0.1:18084/; run tollgate http://127.0.0.1:18085/; done
  for r in \$(seq $ROUNDS); do run nginx-tls https://127.0.0.1:18086/; run tollgate-tls https://127.0.0.1:18087/; done"
trap 'kill $(cat $logs/*.pid 2>/dev/null) 2>/dev/null; rm -rf $logs' EXIT
bash "$PEERS" "$D" "$C" | tee "$logs/out"
echo "medians over the rounds:"
. "$here/../wrk-rows.sh" # median_of
for name in tollgate-rl tollgate nginx-tls tollgate-tls; do
  awk -v n="$name" '$1 == n {
      v = $5; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v
      print $3, ms }' "$logs/out" > "$logs/$name"
  rps=$(median_of 1 "$logs/$name")
  p99=$(median_of 2 "$logs/$name")
  printf "%-12s req/s %10s  p99 %6.2fms  (%d rounds)\n" "$name" "$rps" "$p99" "$(wc -l < "$logs/$name")"
done
