# Sourced by the wrk benchmark scripts: one row per wrk run, and the medians of the rows.
#
#   wrk_row NAME URL [wrk options...]   prints "NAME <req/s> req/s  p99 <ms> ms" (and NON-2XX when any)
#   medians FILE NAME...                prints each NAME's median req/s and p99 over FILE's rows
# Needs C (connections) and D (seconds) set.

wrk_row() {
  local name=$1 url=$2; shift 2
  wrk -t1 -c"$C" -d"${D}s" --latency "$@" "$url" | awk -v n="$name" '
    / 99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v); p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
    /Requests\/sec/ { rps = $2 } /Non-2xx/ { bad = $NF }
    END { printf "%-9s %8.0f req/s  p99 %6.2f ms%s\n", n, rps, p99, bad ? "  NON-2XX " bad : "" }'
}

medians() {
  local file=$1 n; shift
  for n in "$@"; do
    awk -v n="$n" '$1 == n { print $2, $5 }' "$file" > "$file.rows"
    printf "%-9s %8s req/s  p99 %s ms\n" "$n" \
      "$(cut -d' ' -f1 "$file.rows" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')" \
      "$(cut -d' ' -f2 "$file.rows" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')"
  done
}
