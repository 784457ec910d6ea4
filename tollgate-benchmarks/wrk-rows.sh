# Sourced by the wrk benchmark scripts: one row per wrk run, and the medians of the rows.
#
#   wrk_row NAME URL [wrk options...]   prints "NAME <req/s> req/s  p99 <ms> ms" (and NON-2XX when any);
#                                       with PID set, also the CPU that process spent per request
#                                       ("cpu <us> us/req": its utime + stime over the run, /proc)
#   medians FILE NAME...                prints each NAME's median req/s and p99 (and cpu) over FILE's rows
#   ratios FILE N BASE                  FILE's rows in rounds of N: each row's req/s over BASE's in the same
#                                       round (the mean of BASE, BASE.2, ...: every JVM of that row), its p99
#                                       and cpu minus BASE's; prints each name's medians of those
#   warm_jvm PID URL [wrk options...]   loads a JVM with wrk in 10 s steps until its JIT compilers take at
#                                       most 1% of its CPU under load (at least 3 steps, at most 15)
#   compiled PID COMMAND...             the same with any load: runs COMMAND (one step) until then
# Needs C (connections) and D (seconds) set.

proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # clock ticks (1/100 s) the process has run

jit_ticks() { # clock ticks the JVM's JIT compiler threads have run
  local t s=0
  for t in /proc/"$1"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in "C1 Compiler"* | "C2 Compiler"*) s=$(( s + $(awk '{print $14 + $15}' "$t/stat") ));; esac
  done
  echo "$s"
}

# On two cores under load the compilers are starved: a Spring application was still compiling a
# fifth of its CPU after 60 s of wrk, and an application with more code (the starter's) later than
# one with less. A row measured before its JVM is compiled pays for its compiling.
warm_jvm() {
  local pid=$1 url=$2; shift 2
  compiled "$pid" wrk -t1 -c"$C" -d10s "$@" "$url"
}

compiled() {
  local pid=$1 step j t; shift
  for step in $(seq 15); do
    j=$(jit_ticks "$pid"); t=$(proc_ticks "$pid")
    "$@" > /dev/null
    j=$(( $(jit_ticks "$pid") - j )); t=$(( $(proc_ticks "$pid") - t ))
    [ "$step" -ge 3 ] && [ $(( j * 100 )) -le "$t" ] && break
  done
  echo "$pid: compiled after $step steps of load (compilers $j of $t ticks in the last step)"
}

wrk_row() {
  local name=$1 url=$2 before=0 out; shift 2
  [ -n "${PID:-}" ] && before=$(proc_ticks "$PID")
  out=$(wrk -t1 -c"$C" -d"${D}s" --latency "$@" "$url")
  echo "$out" | awk -v n="$name" -v ticks=$([ -n "${PID:-}" ] && echo $(( $(proc_ticks "$PID") - before )) || echo -1) -v d="$D" '
    / 99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v); p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
    /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%-10s %8.0f req/s  p99 %6.2f ms%s%s\n", n, rps, p99,
      (ticks >= 0 ? sprintf("  cpu %5.1f us/req", ticks * 10000 / (rps * d)) : ""), (bad ? "  NON-2XX " bad : "") }'
}

medians() {
  local file=$1 n; shift
  for n in "$@"; do
    awk -v n="$n" '$1 == n { print $2, $5, ($7 == "cpu" ? $8 : "-") }' "$file" > "$file.rows"
    printf "%-10s %8s req/s  p99 %s ms%s\n" "$n" "$(median_of 1 "$file.rows")" "$(median_of 2 "$file.rows")" \
      "$(grep -q ' -$' "$file.rows" && echo "" || echo "  cpu $(median_of 3 "$file.rows") us/req")"
  done
}

ratios() {
  local file=$1 n=$2 base=$3
  : > "$file.ratios"
  awk -v n="$n" -v base="$base" '
    function isbase(name) { return name == base || index(name, base ".") == 1 }
    { row[NR % n] = $0; if (NR % n == 0) round() }
    function round(   k, f, m, rps, p99, cpu) {
      for (k = 0; k < n; k++) {
        split(row[k], f)
        if (isbase(f[1])) { m++; rps += f[2]; p99 += f[5]; cpu += f[8] }
      }
      if (!m) return # a round without BASE (a row that failed to print) is left out
      for (k = 0; k < n; k++) {
        split(row[k], f)
        print f[1], f[2] / (rps / m), f[5] - p99 / m, (f[7] == "cpu" ? f[8] - cpu / m : "-") >> FILENAME ".ratios"
      }
    }' "$file"
  [ -s "$file.ratios" ] || { echo "no round with $base in it"; return; }
  echo "per round, against $base (the mean of its JVMs; medians):"
  for name in $(cut -d' ' -f1 "$file.ratios" | sort -u); do
    awk -v n="$name" '$1 == n { print $2, $3, $4 }' "$file.ratios" > "$file.r1"
    printf "%-10s %s x req/s  p99 %+.2f ms%s\n" "$name" "$(median_of 1 "$file.r1" | xargs printf '%.3f')" \
      "$(median_of 2 "$file.r1")" "$(grep -q ' -$' "$file.r1" && echo "" || echo "  cpu $(median_of 3 "$file.r1" | xargs printf '%+.1f') us/req")"
  done
}

median_of() { # column file
  cut -d' ' -f"$1" "$2" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
