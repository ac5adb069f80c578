#!/usr/bin/env bash
# check of a DuckDB mirror at scale S against load-baseline at the same
# scale, in the same run: time and peak memory of each, best of ROUNDS.
# The mirror is the loaded file itself (a correct copy).
# Usage: scripts/bench-check.sh [S] [ROUNDS]   (default 1000 and 2)
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-1000}
rounds=${2:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/originsim" ./cmd/originsim
run() { # output: seconds and peak KB
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  cat "$work/time"
}
lt=0; lm=0; ct=0; cm=0
for r in $(seq "$rounds"); do
  rm -rf "$work/s.duckdb"*
  read -r t1 m1 < <(run "$work/originsim" --db "duckdb:$work/s.duckdb" -q load-baseline --scale "$scale")
  read -r t2 m2 < <(run "$work/originsim" --db "duckdb:$work/s.duckdb" -q check --replica "duckdb:$work/s.duckdb")
  echo "round $r: load-baseline ${t1} s ${m1} KB; check ${t2} s ${m2} KB"
  if [ "$lt" = 0 ] || awk "BEGIN{exit !($t1 < $lt)}"; then lt=$t1; lm=$m1; fi
  if [ "$ct" = 0 ] || awk "BEGIN{exit !($t2 < $ct)}"; then ct=$t2; cm=$m2; fi
done
echo "load-baseline --scale $scale: best $lt s, peak $((lm / 1024)) MB"
echo "check of the mirror: best $ct s, peak $((cm / 1024)) MB"
awk "BEGIN{printf \"ratio: check / load = %.2fx (goal <= 1.0x); peak %d MB (goal < 300 MB)\n\", $ct / $lt, $cm / 1024}"
