#!/usr/bin/env bash
# Time from `bin/tollgate serve` to the first answered request, from the release archive, beside the
# floor every run pays (`bin/tollgate version`: the launcher, a JVM start, picocli), alternating,
# RUNS times each; prints every run and the medians.
# The serve runs use the quick start's shape (echo upstream, one limit, memory store); STORE=redis://…
# times a Redis store instead. Polls with curl every 10 ms.
# Usage: run.sh [runs]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
RUNS=${1:-5}
PORT=18090
(cd "$root" && ./mvnw -q -B -DskipTests -pl tollgate-dist -am package)
work=$(mktemp -d)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null; rm -rf "$work"; true' EXIT
tar xzf "$root"/tollgate-dist/target/tollgate-*.tar.gz -C "$work"
bin=$(ls -d "$work"/tollgate-*/bin)/tollgate
cat > "$work/policy.yaml" <<YAML
listen: 127.0.0.1:$PORT
admin: {listen: off}
upstream: echo
store: ${STORE:-memory}
limits:
  - {name: per-ip, key: [client-ip], limit: 1000000, window: 1m}
YAML
ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
: > "$work/version"; : > "$work/serve"
for r in $(seq "$RUNS"); do
  t0=$(ms); "$bin" version > /dev/null; t1=$(ms)
  echo $((t1 - t0)) >> "$work/version"
  t0=$(ms)
  "$bin" serve -c "$work/policy.yaml" > "$work/serve.log" 2>&1 &
  echo $! > "$work/pid"
  until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do sleep 0.01; done
  t1=$(ms)
  echo $((t1 - t0)) >> "$work/serve"
  kill "$(cat "$work/pid")"; wait "$(cat "$work/pid")" 2>/dev/null || true
  printf "run %d: version %5d ms   serve to first answer %5d ms\n" "$r" "$(tail -1 "$work/version")" "$(tail -1 "$work/serve")"
done
printf "medians of %d: version %d ms, serve to first answer %d ms (java: %s)\n" "$RUNS" \
  "$(median < "$work/version")" "$(median < "$work/serve")" "$(java -version 2>&1 | head -1)"
