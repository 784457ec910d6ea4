#!/usr/bin/env bash
# The client with many callers at once, contenders side by side, alternating, then medians:
#  1. N requests from C callers through a gateway enforcing 50 per second (fixed window, its default
#     fields: IETF and X-RateLimit), then through one telling the IETF fields alone: the client as it
#     comes, with probeFirst(false), and the seeds' fetchWithRetry;
#  2. M requests from C callers through nginx's limit_req at 10 r/s, burst 5 (no header, 503):
#     the client as it comes and with adaptive(true).
# Usage: run.sh [N] [rounds] [callers] [M]    (defaults 1000, 3, 16, 300)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
N=${1:-1000}; ROUNDS=${2:-3}; CALLERS=${3:-16}; M=${4:-300}
PORT=${PORT:-18095}; IETF_PORT=${IETF_PORT:-18097}; NGINX_PORT=${NGINX_PORT:-18096}
(cd "$root" && ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests)
work=$(mktemp -d)
chmod 755 "$work"
mkdir -p "$work/root" && echo ok > "$work/root/limited"
cat > "$work/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/error.log;
events { worker_connections 1024; }
http { access_log off;
  limit_req_zone \$binary_remote_addr zone=limited:1m rate=10r/s;
  server { listen 127.0.0.1:$NGINX_PORT; root $work/root;
    location /limited { limit_req zone=limited burst=5 nodelay; } } }
CONF
TOLLGATE_LISTEN=$PORT "$root/tollgate" serve --config "$here/fifty-per-second.yaml" &
gateway=$!
TOLLGATE_LISTEN=$IETF_PORT "$root/tollgate" serve --config "$here/fifty-per-second-ietf.yaml" &
ietf=$!
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf" &
nginx=$!
trap 'kill $gateway $ietf $nginx 2>/dev/null; wait $gateway $ietf $nginx 2>/dev/null || true; rm -rf "$work"' EXIT
for port in $PORT $IETF_PORT $NGINX_PORT; do
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
  done
done
jar="$root/tollgate-benchmarks/target/benchmarks.jar"
for p in $PORT $IETF_PORT; do
  echo "== gateway on port $p ($([ "$p" = "$PORT" ] && echo 'default fields' || echo 'IETF fields alone'))"
  java -cp "$jar" io.tollgate.benchmarks.ClientPacing gateway "http://127.0.0.1:$p/items" "$N" "$ROUNDS" "$CALLERS"
done
echo "== nginx limit_req 10 r/s, burst 5"
java -cp "$jar" io.tollgate.benchmarks.ClientPacing nginx "http://127.0.0.1:$NGINX_PORT/limited" "$M" "$ROUNDS" \
  "$CALLERS" 10 5
