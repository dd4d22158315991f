#!/usr/bin/env bash
# boussole against its pandas + XlsxWriter peer (issue 19, item 3), side by side.
#
#   benches/peer.sh               # 5 runs of each, alternated (boussole, peer, boussole, ...)
#   RUNS=3 benches/peer.sh
#
# Input: the national sample, `boussole sample -o $WORK/national.xlsx` (440 structures).
# boussole: `boussole run national.xlsx -o out.xlsx --force -q` (rules/cpo, the default pack).
# Peer: `python benches/peer/peer.py national.xlsx rules/cpo/pack.toml peer.xlsx`, in a venv
# created under benches/peer/.venv from benches/peer/requirements.txt (not committed).
# Prints the median wall time and peak memory (/usr/bin/time -v) of each, the ratio of the
# medians and the median of the pair-by-pair ratios (and the CPU time, user + sys, steadier
# on a shared machine), next to the goals: boussole at least
# 10x faster than the peer, at most 100 MB peak.
set -euo pipefail

cd "$(dirname "$0")/.."
. benches/support/measure.sh
RUNS=${RUNS:-5}
WORK=${WORK:-target/perf}
mkdir -p "$WORK"

cargo build --release --quiet --bin boussole
BIN=target/release/boussole
VENV=benches/peer/.venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet -r benches/peer/requirements.txt
fi
PY=$VENV/bin/python

INPUT=$WORK/national.xlsx
[ -f "$INPUT" ] || "$BIN" sample -o "$INPUT" >/dev/null

machine
echo "python: $($PY --version 2>&1), pandas $($PY -c 'import pandas; print(pandas.__version__)'), xlsxwriter $($PY -c 'import xlsxwriter; print(xlsxwriter.__version__)'), openpyxl $($PY -c 'import openpyxl; print(openpyxl.__version__)')"
echo "runs: $RUNS of each after one warm-up, alternated"

B=$WORK/peer-boussole.times
P=$WORK/peer-pandas.times
: >"$B"
: >"$P"
run_b() { once "$1" "$BIN" run "$INPUT" -o "$WORK/national-boussole.xlsx" --force -q; }
run_p() { once "$1" "$PY" benches/peer/peer.py "$INPUT" rules/cpo/pack.toml "$WORK/national-peer.xlsx"; }
run_b /dev/null
run_p /dev/null
for _ in $(seq "$RUNS"); do
    run_b "$B"
    run_p "$P"
done
[ "$(worst_exit "$B")" = 0 ] && [ "$(worst_exit "$P")" = 0 ] || { echo "a run failed" >&2; exit 1; }

BW=$(median "$B" 1)
BM=$(median "$B" 2)
BC=$(median "$B" 4)
PC=$(median "$P" 4)
PW=$(median "$P" 1)
PM=$(median "$P" 2)
RATIO=$(awk -v p="$PW" -v b="$BW" 'BEGIN {printf "%.2f", p / b}')
PAIRS=$(paste "$P" "$B" | awk '{print $1 / $5}' >"$WORK/peer.ratios" && median "$WORK/peer.ratios" 1)
CPU_RATIO=$(awk -v p="$PC" -v b="$BC" 'BEGIN {printf "%.2f", p / b}')
MEM=$(awk -v p="$PM" -v b="$BM" 'BEGIN {printf "%.2f", b / p}')
echo
printf '| %-32s | %8s | %7s | %9s |\n' command "wall (s)" "CPU (s)" "peak (MB)"
echo "|---|---|---|---|"
printf '| %-32s | %8s | %7s | %9.0f |\n' "boussole run" "$BW" "$BC" "$BM"
printf '| %-32s | %8s | %7s | %9.0f |\n' "pandas + XlsxWriter peer" "$PW" "$PC" "$PM"
echo
printf 'speed: peer / boussole = %sx (median of pair ratios %.2fx); goal >= 10x: %s\n' \
    "$RATIO" "$PAIRS" "$(verdict "$RATIO" '>=' 10)"
printf 'CPU (user + sys): peer / boussole = %sx\n' "$CPU_RATIO"
printf 'boussole peak: %.0f MB; goal <= 100 MB: %s (boussole uses %sx the peer'"'"'s memory)\n' \
    "$BM" "$(verdict "$BM" '<=' 100)" "$MEM"
echo "outputs: $WORK/national-boussole.xlsx ($(du -k "$WORK/national-boussole.xlsx" | cut -f1) KB), $WORK/national-peer.xlsx ($(du -k "$WORK/national-peer.xlsx" | cut -f1) KB)"
