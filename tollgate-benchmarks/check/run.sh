#!/usr/bin/env bash
# The HTTP check endpoint behind nginx, beside nginx's own limit_req, wrk side by side in one run:
#   limit_req  - nginx proxying to the upstream with limit_req at a rate that never refuses
#   auth       - nginx proxying to the upstream after an auth_request to Tollgate's check endpoint
#                (limits.yaml: two never-refusing limits; the examples/nginx/tollgate.conf pattern,
#                with a keep-alive pool to the check endpoint)
# The upstream is an nginx worker serving 1 KB. After a JIT warm-up the two rows alternate, ROUNDS
# times; medians last. Needs Debian's nginx and wrk.
# Usage: run.sh [seconds] [connections] [rounds]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
D=${1:-10}; C=${2:-32}; ROUNDS=${3:-3}; WARM=${WARM:-20}
(cd "$root" && ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests)
JAR="$root/tollgate-benchmarks/target/benchmarks.jar"
dir=$(mktemp -d)
chmod 755 "$dir" # nginx's worker (www-data) reads the 1 KB file
head -c 1024 /dev/zero | tr '\0' x > "$dir/1k"
cat > "$dir/nginx.conf" <<CONF
worker_processes 1; daemon on; pid $dir/nginx.pid; error_log $dir/nginx.err;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000;
  limit_req_zone \$binary_remote_addr zone=ip:10m rate=1000000r/s;
  upstream up { server 127.0.0.1:18281; keepalive 64; }
  upstream check { server 127.0.0.1:18282; keepalive 64; }
  server { listen 127.0.0.1:18281; location / { root $dir; try_files /1k =404; } }
  server { listen 127.0.0.1:18283;
    location / { limit_req zone=ip burst=1000000 nodelay;
      proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:18284;
    location / {
      auth_request /_tollgate;
      auth_request_set \$tollgate_remaining \$upstream_http_x_ratelimit_remaining;
      add_header X-RateLimit-Remaining \$tollgate_remaining always;
      error_page 403 = @refused;
      proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }
    location = /_tollgate { internal;
      proxy_pass http://check; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_pass_request_body off; proxy_set_header Content-Length "";
      proxy_set_header X-Original-Method \$request_method; proxy_set_header X-Original-URI \$request_uri;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; }
    location @refused { return 429; } }
}
CONF
java ${TOLLGATE_JAVA_OPTS:-} -cp "$JAR" io.tollgate.server.Main serve --config "$here/limits.yaml" > "$dir/tollgate.log" 2>&1 &
echo $! > "$dir/tollgate.pid"
nginx -c "$dir/nginx.conf" -p "$dir"
trap 'kill $(cat "$dir/tollgate.pid") $(cat "$dir/nginx.pid") 2>/dev/null; rm -rf "$dir"' EXIT
for i in $(seq 100); do [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18284/)" = 200 ] && break; sleep 0.2; done
. "$here/../wrk-rows.sh"
echo "warm-up..."
for w in 1 2; do wrk -t1 -c$C -d${WARM}s http://127.0.0.1:18284/ > /dev/null; done
wrk_row limit_req http://127.0.0.1:18283/ > /dev/null
for r in $(seq "$ROUNDS"); do wrk_row limit_req http://127.0.0.1:18283/; wrk_row auth http://127.0.0.1:18284/; done | tee "$dir/out"
echo "medians over $ROUNDS rounds:"
medians "$dir/out" limit_req auth
