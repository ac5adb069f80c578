#!/usr/bin/env bash
# PostgreSQL: load-baseline --scale S against pgbench -i -s S/50 (the same
# number of rows, about two million at the default, loaded with
# client-side COPY), on the same server, in the same run, into a scratch
# database that is dropped at the end. Rates are rows per second of wall
# time; each is the best of ROUNDS.
# Usage: scripts/bench-postgres.sh [S] [ROUNDS]   (default 1000 and 3)
# The server: ORIGINSIM_BENCH_POSTGRES (host, port and user as libpq
# environment variables PGHOST, PGPORT, PGUSER), default 127.0.0.1:5432,
# user postgres, trust or .pgpass authentication.
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-1000}
rounds=${2:-3}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
work=$(mktemp -d)
db="originsim_bench_$$"
cleanup() {
  psql -d postgres -XAtqc "DROP DATABASE IF EXISTS $db" || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/originsim" ./cmd/originsim
psql -d postgres -XAtqc "CREATE DATABASE $db"
url="postgres://$PGUSER@$PGHOST:$PGPORT/$db?sslmode=disable"
pgscale=$((scale / 50))
[ "$pgscale" -ge 1 ] || pgscale=1
pgrows=$((pgscale * 100000 + pgscale * 10 + pgscale))
now() { date +%s%N; }
ours_best=0; pg_best=0
# Each timed step starts after a CHECKPOINT, so neither pays for writing
# out what the other left in the buffers.
for r in $(seq "$rounds"); do
  psql -d "$db" -XAtqc "CHECKPOINT"
  t0=$(now)
  pgbench -i -q -s "$pgscale" "$db" >"$work/pgbench.log" 2>&1 || { cat "$work/pgbench.log" >&2; exit 1; }
  t1=$(now)
  psql -d "$db" -XAtqc "DROP TABLE pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history"
  psql -d "$db" -XAtqc "DROP SCHEMA IF EXISTS jaffle_shop CASCADE; DROP SCHEMA IF EXISTS jaffle_crm CASCADE" 2>/dev/null
  psql -d "$db" -XAtqc "CHECKPOINT"
  t2=$(now)
  "$work/originsim" --db "$url" -q load-baseline --scale "$scale"
  t3=$(now)
  p=$((t1 - t0)); o=$((t3 - t2))
  echo "round $r: pgbench -i -s $pgscale $((p / 1000000)) ms; load-baseline --scale $scale $((o / 1000000)) ms"
  if [ "$pg_best" -eq 0 ] || [ "$p" -lt "$pg_best" ]; then pg_best=$p; fi
  if [ "$ours_best" -eq 0 ] || [ "$o" -lt "$ours_best" ]; then ours_best=$o; fi
done
ours_rows=$("$work/originsim" --db "$url" status --json | grep -o '"jaffle_[a-z]*\.[a-z_]*": *[0-9]*' | awk -F: '{s += $2} END {print s}')
awk -v pr="$pgrows" -v orows="$ours_rows" -v pt="$pg_best" -v ot="$ours_best" 'BEGIN {
  prate = pr / (pt / 1e9); orate = orows / (ot / 1e9)
  printf "pgbench -i: %d rows in %.2f s = %.0f rows/s\n", pr, pt / 1e9, prate
  printf "originsim load-baseline: %d rows in %.2f s = %.0f rows/s\n", orows, ot / 1e9, orate
  printf "ratio: %.2fx pgbench (goal >= 1.0x)\n", orate / prate
}'
