#!/usr/bin/env bash
# Imports a 1,000,000-row, 8-column CSV (~128 MB) with `tickmark import` and with sqlite3's own
# `.import`, three runs each on this machine, and prints the median time and peak memory.
# The target (DESIGN.md): Tickmark at least as fast as sqlite3, under 150 MB, while hashing
# and validating every row.
set -euo pipefail
cd "$(dirname "$0")/.."
data=target/bench-data
mkdir -p "$data"
csv="$data/population-1m.csv"
[ -f "$csv" ] || python3 benches/gen_population.py 1000000 "$csv"
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 is needed (apt-get install sqlite3)" >&2; exit 1; }
cargo build --release --bin tickmark -q
bin=target/release/tickmark
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TICKMARK_USER=bench

measure() { # label, then the command; prints seconds and peak KiB
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null
  cat "$work/t"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

t_times=(); t_mem=(); s_times=()
for run in 1 2 3; do
  rm -f "$work/e.tickmark" "$work/s.db"
  "$bin" new "$work/e.tickmark" --client Bench --period 2026-01-01..2026-12-31 >/dev/null
  "$bin" controls add "$work/e.tickmark" --id C1 --description bench --frequency event-driven >/dev/null
  read -r secs kib < <(measure "$bin" import "$work/e.tickmark" --control C1 "$csv" --key "Issue key" --date Created --amount Amount)
  t_times+=("$secs"); t_mem+=("$kib")
  read -r secs _ < <(measure sqlite3 "$work/s.db" ".import --csv $csv t")
  s_times+=("$secs")
done
tm=$(printf '%s\n' "${t_times[@]}" | median)
sm=$(printf '%s\n' "${s_times[@]}" | median)
mem=$(printf '%s\n' "${t_mem[@]}" | sort -n | tail -1)
echo "import 1,000,000 rows x 8 columns ($(du -m "$csv" | cut -f1) MB)"
echo "  tickmark import : ${tm}s median of ${t_times[*]}; peak $((mem / 1024)) MB"
echo "  sqlite3 .import : ${sm}s median of ${s_times[*]}"
awk -v t="$tm" -v s="$sm" 'BEGIN { printf "  ratio           : %.2f (tickmark / sqlite3; target <= 1.00)\n", t / s }'
