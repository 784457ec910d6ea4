#!/usr/bin/env bash
# What operating Tollgate costs, side by side in one run, wrk -t1 against one nginx upstream (1 KB):
#   off        the gateway with limits.yaml's two never-refusing limits, no admin port (no metrics)
#   metrics    the same with the admin port on (every request counted, timed, per limit)
#   metrics+al the same with the access log on too (a file)
#   reloads    the metrics gateway again, while 20 reloads (POST /admin/reload, two files
#              alternating) land during the run: non-2xx, and p99 against the metrics row's
# ROUNDS alternating rounds of the four after a JIT warm-up (wrk on each gateway, and one burst of
# 20 reloads under load: the first reloads after start make the JIT recompile the decision path,
# which a long-running gateway has long done; that first burst is printed as "first reloads"),
# medians. Then, on the metrics gateway:
#   reload cost the time of POST /admin/reload for a policy of 1,000 limits and 10,000 tenant API
#              keys (two such files alternating), median of 5
# Needs Debian's nginx, wrk, curl and python3.
# Usage: operations.sh [seconds] [connections] [rounds]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
D=${1:-10}; C=${2:-32}; ROUNDS=${3:-3}
WARM=${WARM:-20}
rm -rf "$root/tollgate-server/target/lib"
(cd "$root" && ./mvnw -q -pl tollgate-server -am package -DskipTests)
CP="$root/tollgate-server/target/classes:$(ls "$root"/tollgate-server/target/lib/*.jar | tr '\n' ':')"
W=$(mktemp -d)
trap 'kill $(cat $W/*.pid 2>/dev/null) 2>/dev/null; rm -rf $W; true' EXIT
head -c 1024 /dev/zero | tr '\0' 'x' > $W/body
cat > $W/up.conf <<CONF
worker_processes 1; daemon on; pid $W/up.pid; error_log $W/up.err;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:18081; location / { default_type text/plain; return 200 "$(cat $W/body)"; } } }
CONF
nginx -c $W/up.conf -p $W
limits=$(grep -v '^listen:\|^admin:\|^#' "$here/limits.yaml")
printf 'listen: 127.0.0.1:18084\nadmin: {listen: off}\nreload: manual\n%s\n' "$limits" > $W/off.yaml
printf 'listen: 127.0.0.1:18095\nadmin: {listen: 127.0.0.1:18096}\nreload: manual\n%s\n' "$limits" > $W/metrics.yaml
printf 'listen: 127.0.0.1:18097\nadmin: {listen: 127.0.0.1:18098}\nreload: manual\naccess-log: %s/access.log\n%s\n' \
  "$W" "$limits" > $W/al.yaml
for g in off metrics al; do
  java -cp "$CP" io.tollgate.server.Main serve -c $W/$g.yaml > $W/$g.log 2>&1 &
  echo $! > $W/$g.java.pid
done
for p in 18084 18095 18097; do for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$p/ && break; sleep 0.1; done; done
for p in 18084 18095 18097 18084 18095 18097; do wrk -t1 -c$C -d${WARM}s http://127.0.0.1:$p/ > /dev/null; done
run() { # name url
  local out; out=$(wrk -t1 -c$C -d${D}s --latency "$2" 2>&1)
  printf "%-12s req/s %10s  p99 %8s  non-2xx %s\n" "$1" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="99%" {print $2}')" "$(echo "$out" | awk '/Non-2xx/ {print $5}' | grep . || echo 0)"
}
# reloads under load: two files differing in one number, swapped in twice a second
sed 's/1000000000/999999999/' $W/metrics.yaml > $W/metrics-b.yaml
cp $W/metrics.yaml $W/metrics-a.yaml
pause=$(python3 -c "print(($D - 1) / 20)")
: > $W/reloads
reloads() { # 20 reloads spread over the next D seconds, in the background
  ( sleep 0.3; for i in $(seq 20); do
      if [ $((i % 2)) = 1 ]; then cp $W/metrics-b.yaml $W/metrics.yaml; else cp $W/metrics-a.yaml $W/metrics.yaml; fi
      curl -s -X POST http://127.0.0.1:18096/admin/reload >> $W/reloads || echo '"failed"' >> $W/reloads
      echo >> $W/reloads
      sleep $pause
    done ) &
  reloader=$!
}
reloads; run "first reloads" http://127.0.0.1:18095/; wait $reloader || true
for r in $(seq $ROUNDS); do
  run off http://127.0.0.1:18084/ | tee -a $W/out
  run metrics http://127.0.0.1:18095/ | tee -a $W/out
  run metrics+al http://127.0.0.1:18097/ | tee -a $W/out
  reloads; run reloads http://127.0.0.1:18095/ | tee -a $W/out; wait $reloader || true
done
# side by side: off and metrics under load at the same moment (two wrk, half the connections each),
# so that what slows the machine slows both: the ratio of their rates is what metrics cost
: > $W/side
for r in $(seq $ROUNDS); do
  wrk -t1 -c$((C / 2)) -d${D}s http://127.0.0.1:18084/ > $W/side-off 2>&1 &
  a=$!
  wrk -t1 -c$((C / 2)) -d${D}s http://127.0.0.1:18095/ > $W/side-metrics 2>&1
  wait $a
  o=$(awk '/Requests\/sec/ {print $2}' $W/side-off); m=$(awk '/Requests\/sec/ {print $2}' $W/side-metrics)
  python3 -c "print('side by side: off %s, metrics %s req/s: %.3fx' % ('$o', '$m', $m / $o))" | tee -a $W/side
done
. "$here/../wrk-rows.sh" # median_of
awk '{print $NF}' $W/side | tr -d x > $W/side.x
echo "side by side, median of $ROUNDS: metrics/off $(median_of 1 $W/side.x)x"
echo "reloads: $(grep -c '"reloaded"' $W/reloads) reloaded, $(grep -c '"rejected"' $W/reloads) rejected, $(grep -c '"failed"' $W/reloads) failed"
echo "medians over the rounds:"
for name in off metrics metrics+al reloads; do
  awk -v n="$name" '$1 == n { v = $5; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
      ms = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v; print $3, ms }' $W/out > "$W/$name.m"
  rps=$(median_of 1 "$W/$name.m")
  p99=$(median_of 2 "$W/$name.m")
  printf "%-12s req/s %10s  p99 %6.2fms\n" "$name" "$rps" "$p99"
  echo "$rps $p99" > "$W/$name.med"
done
read off_rps off_p99 < $W/off.med; read m_rps m_p99 < $W/metrics.med
read al_rps al_p99 < $W/metrics+al.med; read r_rps r_p99 < $W/reloads.med
python3 -c "print('metrics/off req/s %.2fx, access log/off %.2fx, p99 with reloads/metrics %.2fx' % \
  ($m_rps / $off_rps, $al_rps / $off_rps, $r_p99 / $m_p99))"
# reload cost: 1,000 limits, 10,000 tenant API keys (100 tenants of 100 keys, overrides for 10 of them)
for v in 1 2; do
  python3 - "$v" > $W/big-$v.yaml <<'PY'
import sys
v = int(sys.argv[1])
print("listen: 127.0.0.1:18095\nadmin: {listen: 127.0.0.1:18096}\nreload: manual\nupstream: http://127.0.0.1:18081")
print("tenants:\n  api-key: header:X-Api-Key\n  map:")
for t in range(100):
    print("    t%d: [%s]" % (t, ", ".join("k%d-%d" % (t, k) for k in range(100))))
print("  overrides:")
for t in range(10):
    print("    t%d: {l%d: {limit: %d}}" % (t, t, 500 + v))
print("limits:")
for i in range(1000):
    print("  - {name: l%d, key: [tenant|api-key|client-ip], limit: %d, window: 1m, paths: [/p%d/**]}" % (i, 100 + v, i))
PY
done
: > $W/cost
for i in 1 2 3 4 5; do
  cp $W/big-$(( i % 2 + 1 )).yaml $W/metrics.yaml
  curl -s -o $W/last -w '%{time_total}\n' -X POST http://127.0.0.1:18096/admin/reload >> $W/cost
  grep -q '"reloaded"' $W/last || { echo "reload failed: $(cat $W/last)"; exit 1; }
done
echo "reload of 1,000 limits and 10,000 tenant keys: $(sort -g $W/cost | awk '{a[NR] = $1 * 1000} END {printf "%.0f ms median of %d (%.0f-%.0f)", a[int((NR + 1) / 2)], NR, a[1], a[NR]}')"
