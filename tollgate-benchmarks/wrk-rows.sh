# Sourced by the wrk benchmark scripts: one row per wrk run, and the medians of the rows.
#
#   wrk_row NAME URL [wrk options...]   prints "NAME <req/s> req/s  p99 <ms> ms" (and NON-2XX when any);
#                                       with PID set, also the CPU that process spent per request
#                                       ("cpu <us> us/req": its utime + stime over the run, /proc)
#   medians FILE NAME...                prints each NAME's median req/s and p99 (and cpu) over FILE's rows
# Needs C (connections) and D (seconds) set.

proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # clock ticks (1/100 s) the process has run

wrk_row() {
  local name=$1 url=$2 before=0 out; shift 2
  [ -n "${PID:-}" ] && before=$(proc_ticks "$PID")
  out=$(wrk -t1 -c"$C" -d"${D}s" --latency "$@" "$url")
  echo "$out" | awk -v n="$name" -v ticks=$([ -n "${PID:-}" ] && echo $(( $(proc_ticks "$PID") - before )) || echo -1) -v d="$D" '
    / 99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v); p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
    /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%-9s %8.0f req/s  p99 %6.2f ms%s%s\n", n, rps, p99,
      (ticks >= 0 ? sprintf("  cpu %5.1f us/req", ticks * 10000 / (rps * d)) : ""), (bad ? "  NON-2XX " bad : "") }'
}

medians() {
  local file=$1 n; shift
  for n in "$@"; do
    awk -v n="$n" '$1 == n { print $2, $5, ($7 == "cpu" ? $8 : "-") }' "$file" > "$file.rows"
    printf "%-9s %8s req/s  p99 %s ms%s\n" "$n" "$(median_of 1 "$file.rows")" "$(median_of 2 "$file.rows")" \
      "$(grep -q ' -$' "$file.rows" && echo "" || echo "  cpu $(median_of 3 "$file.rows") us/req")"
  done
}

median_of() { # column file
  cut -d' ' -f"$1" "$2" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}
