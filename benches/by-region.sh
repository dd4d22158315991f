#!/usr/bin/env bash
# `run --by-region` against the single national run (issue 19, item 1), side by side.
#
#   benches/by-region.sh            # 5 runs of each, alternated (national, split, ...)
#   RUNS=3 benches/by-region.sh
#   BIN=target/debug/boussole benches/by-region.sh   # an already built binary (no release build)
#
# Input: the national sample, `boussole sample -o $WORK/national.xlsx` (440 structures, 18
# regions). Single run: `boussole run national.xlsx -o out.xlsx --force -q`. Split:
# `boussole run national.xlsx --by-region --out-dir $WORK/by-region --force -q` (the national
# workbook and 18 regional ones from one read and one analysis). Prints the median wall
# time, CPU time (user + sys, steadier on a shared machine) and peak memory of each, and
# the ratio of the medians next to the goal: the whole split at most 1.5x the single run.
set -euo pipefail

cd "$(dirname "$0")/.."
. benches/support/measure.sh
RUNS=${RUNS:-5}
WORK=${WORK:-target/perf}
mkdir -p "$WORK"

if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet --bin boussole
    BIN=target/release/boussole
fi
INPUT=$WORK/national.xlsx
[ -f "$INPUT" ] || "$BIN" sample -o "$INPUT" >/dev/null

machine
echo "binary: $BIN"
echo "runs: $RUNS of each after one warm-up, alternated"

N=$WORK/by-region-national.times
S=$WORK/by-region-split.times
: >"$N"
: >"$S"
run_n() { once "$1" "$BIN" run "$INPUT" -o "$WORK/national-boussole.xlsx" --force -q; }
run_s() { once "$1" "$BIN" run "$INPUT" --by-region --out-dir "$WORK/by-region" --force -q; }
run_n /dev/null
run_s /dev/null
for _ in $(seq "$RUNS"); do
    run_n "$N"
    run_s "$S"
done
[ "$(worst_exit "$N")" = 0 ] && [ "$(worst_exit "$S")" = 0 ] || { echo "a run failed" >&2; exit 1; }

NW=$(median "$N" 1)
NM=$(median "$N" 2)
NC=$(median "$N" 4)
SW=$(median "$S" 1)
SM=$(median "$S" 2)
SC=$(median "$S" 4)
RATIO=$(awk -v s="$SW" -v n="$NW" 'BEGIN {printf "%.2f", s / n}')
CPU_RATIO=$(awk -v s="$SC" -v n="$NC" 'BEGIN {printf "%.2f", s / n}')
REGIONS=$(find "$WORK/by-region" -maxdepth 1 -name '*.xlsx' ! -name '*-boussole.xlsx' | wc -l)
echo
printf '| %-44s | %8s | %7s | %9s |\n' command "wall (s)" "CPU (s)" "peak (MB)"
echo "|---|---|---|---|"
printf '| %-44s | %8s | %7s | %9.0f |\n' "run (national workbook)" "$NW" "$NC" "$NM"
printf '| %-44s | %8s | %7s | %9.0f |\n' "run --by-region (national + $REGIONS regional)" "$SW" "$SC" "$SM"
echo
printf 'split / single run = %sx wall, %sx CPU; goal <= 1.5x: %s\n' \
    "$RATIO" "$CPU_RATIO" "$(verdict "$RATIO" '<=' 1.5)"
printf 'peak memory: split %.0f MB, single %.0f MB\n' "$SM" "$NM"
