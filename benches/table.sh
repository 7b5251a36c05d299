#!/usr/bin/env bash
# make bench: one markdown table of Tickmark's speed against what an analyst would use instead,
# measured in the same run on this machine.
#
# - import: `tickmark import` (hash + validate) and `sqlite3 .import` of the same 1,000,000-row
#   CSV, alternating, PAIRS pairs (default 5): medians of wall and CPU (user + sys) time, the
#   highest peak RSS (/usr/bin/time). The ratio's range over the pairs is shown beside it.
# - the in-process cases (selection with rows fetched, the AICPA grids, export per format) come
#   from benches/cases.rs, against the targets of DESIGN.md.
# - the grid: a 200-row page and key searches through the Tauri command (IPC on the mock
#   runtime, src-tauri/benches/grid.rs), p50 and p95; the cold start of the release app under
#   Xvfb to its first grid page (e2e/benches/cold_start.rs): a plain launch timed by the app's
#   start-up trace, the same through WebDriver, and a bare WebKitGTK window (benches/
#   webkit_floor.c, when a C compiler and WebKitGTK's headers are there) as the floor; skipped
#   with a note when Xvfb, tauri-driver or WebKitWebDriver is missing.
# Optional: BENCH_XLSX=0 leaves out the same rows as an xlsx workbook, BENCH_10M=1 adds the
# 10,000,000-row CSV (1.3 GB; minutes to generate and import) and the grid and key search on it.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
pairs=${PAIRS:-5}
mkdir -p "$target/bench-data"
# Absolute: the shell's and the e2e crate's benches run in their own package folders.
data=$(cd "$target/bench-data" && pwd)
for tool in sqlite3 python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed (apt-get install sqlite3 time python3)" >&2; exit 1; }
done
csv="$data/population-1m.csv"
[ -f "$csv" ] || python3 benches/gen_population.py 1000000 "$csv"
cargo build --release --locked --bin tickmark -q
bin=$target/release/tickmark
work=$(mktemp -d "$data/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TICKMARK_USER=bench TICKMARK_CONFIG_DIR="$work/config"

# Runs a command; prints "wall cpu peak_kib" (seconds, seconds, KiB).
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/t" "$@" >/dev/null
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$work/t"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

fresh_engagement() { # path
  rm -f "$1"
  "$bin" new "$1" --client Bench --period 2026-01-01..2026-12-31 >/dev/null
  "$bin" controls add "$1" --id C1 --description bench --frequency event-driven >/dev/null
}

# Alternating pairs of `tickmark import SOURCE` and `sqlite3 .import REFERENCE_CSV`. Prints the
# table rows for LABEL. Leaves the last engagement at $work/e.tickmark.
import_pairs() { # label, source, reference csv
  local label=$1 source=$2 ref=$3 i
  local tw=() tc=() tm=() sw=() sc=() sm=() rw=()
  for ((i = 1; i <= pairs; i++)); do
    fresh_engagement "$work/e.tickmark"
    rm -f "$work/s.db"
    read -r w c m < <(measure "$bin" import "$work/e.tickmark" --control C1 "$source" --key "Issue key" --date Created --amount Amount)
    tw+=("$w"); tc+=("$c"); tm+=("$m")
    read -r w c m < <(measure sqlite3 "$work/s.db" ".import --csv $ref t")
    sw+=("$w"); sc+=("$c"); sm+=("$m")
    rw+=("$(awk -v a="${tw[-1]}" -v b="$w" 'BEGIN { printf "%.2f", a / b }')")
  done
  local twm tcm swm scm tpeak speak lo hi
  twm=$(printf '%s\n' "${tw[@]}" | median); tcm=$(printf '%s\n' "${tc[@]}" | median)
  swm=$(printf '%s\n' "${sw[@]}" | median); scm=$(printf '%s\n' "${sc[@]}" | median)
  tpeak=$(printf '%s\n' "${tm[@]}" | sort -n | tail -1); speak=$(printf '%s\n' "${sm[@]}" | sort -n | tail -1)
  lo=$(printf '%s\n' "${rw[@]}" | sort -g | head -1); hi=$(printf '%s\n' "${rw[@]}" | sort -g | tail -1)
  awk -v l="$label" -v tw="$twm" -v sw="$swm" -v tc="$tcm" -v sc="$scm" -v lo="$lo" -v hi="$hi" -v n="$pairs" \
    -v tp="$tpeak" -v sp="$speak" 'BEGIN {
      printf "| %s, wall (median of %d pairs) | %.2f s | sqlite3 .import %.2f s | **%.2f** (%s–%s) | %.1f MB (sqlite3 %.1f MB) |\n", l, n, tw, sw, tw / sw, lo, hi, tp / 1024, sp / 1024
      printf "| %s, CPU user+sys | %.2f s | sqlite3 .import %.2f s | %.2f | |\n", l, tc, sc, tc / sc
    }'
  echo "$twm $tcm $tpeak" >"$work/last-wall"
}

rows_1m=$(import_pairs "import 1,000,000 rows × 8 columns CSV ($(du -m "$csv" | cut -f1) MB)" "$csv" "$csv")
cp "$work/e.tickmark" "$data/one-million.tickmark"
read -r wall_1m cpu_1m peak_1m <"$work/last-wall"
size_1m=$(stat -c %s "$data/one-million.tickmark")

# `tickmark import SOURCE` into a fresh engagement: "wall cpu peak_kib".
import_once() {
  fresh_engagement "$work/x.tickmark"
  measure "$bin" import "$work/x.tickmark" --control C1 "$1" --key "Issue key" --date Created --amount Amount
}

rows_xlsx=
if [ "${BENCH_XLSX:-1}" = 1 ] && python3 -c 'import openpyxl' 2>/dev/null; then
  xlsx="$data/population-1m.xlsx"
  [ -f "$xlsx" ] || python3 benches/gen_population_xlsx.py "$csv" "$xlsx"
  xw=(); xm=(); cw=()
  for ((i = 1; i <= 3; i++)); do
    read -r w _ m < <(import_once "$xlsx"); xw+=("$w"); xm+=("$m")
    read -r w _ _ < <(import_once "$csv"); cw+=("$w")
  done
  rows_xlsx=$(awk -v x="$(printf '%s\n' "${xw[@]}" | median)" -v c="$(printf '%s\n' "${cw[@]}" | median)" \
    -v m="$(printf '%s\n' "${xm[@]}" | sort -n | tail -1)" -v mb="$(du -m "$xlsx" | cut -f1)" 'BEGIN {
      printf "| import the same 1,000,000 rows as xlsx (%d MB; median of 3 pairs) | %.2f s | the CSV import %.2f s | %.2f | %d MB (target < 300 MB) |\n", mb, x, c, x / c, m / 1024 }')
fi

rows_10m=
if [ "${BENCH_10M:-0}" = 1 ]; then
  csv10="$data/population-10m.csv"
  [ -f "$csv10" ] || python3 benches/gen_population.py 10000000 "$csv10"
  read -r w c m < <(import_once "$csv10")
  cp "$work/x.tickmark" "$data/ten-million.tickmark"
  rows_10m=$(awk -v w="$w" -v w1="$wall_1m" -v c="$c" -v c1="$cpu_1m" -v m="$m" -v m1="$peak_1m" -v e="$(stat -c %s "$data/ten-million.tickmark")" -v s="$(stat -c %s "$csv10")" 'BEGIN {
      printf "| import 10,000,000 rows (%d MB), one run: wall per row against the 1M median | %.2f s | 10 × %.2f s | %.2f (target ≤ 1.15) | %.1f MB (1M: %.1f MB, ratio %.2f; target ≤ 1.10) |\n", s / 1048576, w, w1, w / (10 * w1), m / 1024, m1 / 1024, m / m1
      printf "| import 10,000,000 rows, CPU user+sys per row against the 1M median | %.2f s | 10 × %.2f s | %.2f | |\n", c, c1, c / (10 * c1)
      printf "| engagement file after the 10M import | %d MB | source CSV %d MB | %.2f | |\n", e / 1048576, s / 1048576, e / s }')
fi

echo
echo "| case | Tickmark | reference, same run | ratio | peak memory |"
echo "|---|---|---|---|---|"
echo "$rows_1m"
awk -v e="$size_1m" -v s="$(stat -c %s "$csv")" 'BEGIN { printf "| engagement file after the 1M import | %d MB | source CSV %d MB | %.2f | |\n", e / 1048576, s / 1048576, e / s }'
[ -z "$rows_xlsx" ] || echo "$rows_xlsx"
[ -z "$rows_10m" ] || echo "$rows_10m"
ten=
[ -z "$rows_10m" ] || ten="$data/ten-million.tickmark"
TICKMARK_BENCH_ENGAGEMENT="$data/one-million.tickmark" TICKMARK_BENCH_ENGAGEMENT_10M="$ten" TICKMARK_BENCH_DATA="$data" \
  cargo bench --locked -q -p tickmark --bench cases 2>/dev/null

# The shell: the grid through the Tauri command, and the release app's cold start. Both are
# built with the UI inside, as the app ships.
# Built every time: an older ui/dist would be measured inside a newer app.
(cd ui && { [ -d node_modules ] || npm ci --silent; } && npm run build --silent) >/dev/null
grid="1,000,000 rows=$data/one-million.tickmark"
[ -z "$ten" ] || grid="$grid;10,000,000 rows=$ten"
TICKMARK_BENCH_GRID="$grid" cargo bench --locked -q -p tickmark-app --features tickmark-app/custom-protocol --bench grid 2>/dev/null
missing=
for tool in Xvfb tauri-driver WebKitWebDriver; do
  command -v "$tool" >/dev/null || [ -x "$HOME/.cargo/bin/$tool" ] || missing="$missing $tool"
done
if [ -n "$missing" ]; then
  echo "| cold start: the app opened on 1,000,000 rows, first grid page shown | not run:$missing missing (scripts/setup.sh installs them) | target 1.00 s | | |"
else
  cargo build --release --locked -q -p tickmark-app --features tickmark-app/custom-protocol
  cp "$data/one-million.tickmark" "$work/cold.tickmark"
  floor=
  if command -v cc >/dev/null && pkg-config --exists webkit2gtk-4.1 2>/dev/null; then
    # shellcheck disable=SC2046 # pkg-config's flags are separate words
    cc -O2 benches/webkit_floor.c $(pkg-config --cflags --libs webkit2gtk-4.1) -o "$target/webkit-floor" &&
      floor="$(cd "$target" && pwd)/webkit-floor"
  fi
  TICKMARK_WEBKIT_FLOOR="$floor" \
  TICKMARK_APP="$(cd "$target" && pwd)/release/tickmark-app" TICKMARK_BENCH_COLD_START="$work/cold.tickmark" \
    TICKMARK_BENCH_FIRST_KEY=ACME-100001 TICKMARK_BENCH_COLD_START_LABEL="1,000,000 rows" \
    cargo bench --locked -q -p tickmark-e2e --bench cold_start 2>/dev/null
fi
echo
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))," \
  "$(. /etc/os-release && echo "$PRETTY_NAME"), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
