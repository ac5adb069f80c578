#!/usr/bin/env bash
# Scale on DuckDB, measured in one run (issue 4's goals):
#   - load-baseline --scale S: wall time and peak resident memory;
#   - apply-delta --day 1 on that database: wall time against the load's;
#   - load-baseline --scale 2S: peak memory against scale S's;
#   - for reference, the peak memory of DuckDB itself filling the same
#     tables at S and 2S (internal/ceiling/load: INSERT ... SELECT FROM
#     range(), no client).
# Each step runs ROUNDS times on a fresh copy; the best time and the
# largest peak are kept. Usage: scripts/bench-scale.sh [S] [ROUNDS]
# (default 1000 and 3). Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-1000}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/originsim" ./cmd/originsim
go build -o "$work/ceiling" ./internal/ceiling/load

# run NAME ARGS...: runs originsim, prints "seconds kilobytes"; stops the
# script with the error when the command fails.
run() {
  local db=$1
  shift
  if ! /usr/bin/time -f "%e %M" -o "$work/time" "$work/originsim" --db "duckdb:$db" -q "$@" 2>"$work/err"; then
    echo "failed: originsim $*" >&2; cat "$work/err" >&2
    exit 1
  fi
  cat "$work/time"
}
best() { sort -n | head -1; }
most() { sort -n | tail -1; }

load_t=(); load_m=(); delta_t=(); delta_m=(); big_m=(); ceil_m=(); ceil2_m=()
# ceiling FILE SCALE: prints the peak kilobytes of DuckDB's own load.
ceiling() {
  rm -f "$1"
  /usr/bin/time -f "%M" -o "$work/time" "$work/ceiling" "$1" "$2"
  cat "$work/time"
}
for r in $(seq "$rounds"); do
  rm -f "$work"/*.duckdb*
  read -r t m < <(run "$work/s.duckdb" load-baseline --scale "$scale")
  load_t+=("$t"); load_m+=("$m")
  read -r t m < <(run "$work/s.duckdb" apply-delta --day 1)
  delta_t+=("$t"); delta_m+=("$m")
  read -r t m < <(run "$work/big.duckdb" load-baseline --scale $((2 * scale)))
  big_m+=("$m")
  ceil_m+=("$(ceiling "$work/c1.duckdb" "$scale")")
  ceil2_m+=("$(ceiling "$work/c2.duckdb" $((2 * scale)))")
  echo "round $r: load ${load_t[-1]} s ${load_m[-1]} KB; apply-delta 1 ${delta_t[-1]} s ${delta_m[-1]} KB; scale $((2 * scale)) load $t s $m KB"
done
lt=$(printf '%s\n' "${load_t[@]}" | best)
dt=$(printf '%s\n' "${delta_t[@]}" | best)
lm=$(printf '%s\n' "${load_m[@]}" | most)
dm=$(printf '%s\n' "${delta_m[@]}" | most)
bm=$(printf '%s\n' "${big_m[@]}" | most)
cm=$(printf '%s\n' "${ceil_m[@]}" | most)
c2m=$(printf '%s\n' "${ceil2_m[@]}" | most)
awk -v s="$scale" -v lt="$lt" -v dt="$dt" -v lm="$lm" -v dm="$dm" -v bm="$bm" -v cm="$cm" -v c2m="$c2m" 'BEGIN {
  printf "scale %d load-baseline: best %.2f s, peak %.0f MB (goal <= 300 MB)\n", s, lt, lm / 1024
  printf "apply-delta 1: best %.2f s = %.2fx the load (goal <= 0.5x), peak %.0f MB\n", dt, dt / lt, dm / 1024
  printf "scale %d load-baseline: peak %.0f MB = %.2fx scale %d (goal <= 1.3x)\n", 2 * s, bm / 1024, bm / lm, s
  printf "reference, DuckDB filling the same tables itself: peak %.0f MB at scale %d, %.0f MB at %d (%.2fx)\n", cm / 1024, s, c2m / 1024, 2 * s, c2m / cm
}'
