#!/usr/bin/env bash
# The whole cycle as five processes (load-baseline, apply-delta 1-3, status)
# against the floor of five bare DuckDB opens, measured in the same run.
# Usage: scripts/bench-cycle.sh [ROUNDS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/originsim" ./cmd/originsim
go build -o "$work/bareopen" ./internal/bareopen

now() { date +%s%N; }
cycle() {
  local db="duckdb:$work/cycle.duckdb"
  rm -f "$work/cycle.duckdb" "$work/cycle.duckdb.wal"
  "$work/originsim" --db "$db" -q load-baseline
  for d in 1 2 3; do "$work/originsim" --db "$db" -q apply-delta --day $d; done
  "$work/originsim" --db "$db" -q status
}
bare() {
  for _ in 1 2 3 4 5; do "$work/bareopen" "$work/bare.duckdb"; done
}
"$work/bareopen" "$work/bare.duckdb" # create it once
cycle; bare                          # warm the page cache

c_best=0; b_best=0
for _ in $(seq "$rounds"); do
  t0=$(now); cycle; t1=$(now); bare; t2=$(now)
  c=$((t1 - t0)); b=$((t2 - t1))
  if [ "$c_best" -eq 0 ] || [ "$c" -lt "$c_best" ]; then c_best=$c; fi
  if [ "$b_best" -eq 0 ] || [ "$b" -lt "$b_best" ]; then b_best=$b; fi
done
awk -v c="$c_best" -v b="$b_best" -v r="$rounds" 'BEGIN {
  printf "rounds: %d (best of each)\n", r
  printf "cycle, five originsim processes: %7.1f ms\n", c / 1e6
  printf "floor, five bare DuckDB opens:   %7.1f ms\n", b / 1e6
  printf "ratio cycle / floor:             %7.2fx\n", c / b
}'
