#!/usr/bin/env bash
# Opening boussole's annotated workbooks in LibreOffice (issue 19, item 2).
#
#   benches/open-in-libreoffice.sh            # 3 runs of each after one warm-up
#   RUNS=5 benches/open-in-libreoffice.sh
#   RUNS=0 PART_RUNS=3 benches/open-in-libreoffice.sh   # only what the national file's parts cost
#
# Inputs, generated here: the national sample (`boussole sample`, 440 structures) and a
# regional one (`boussole sample --region "$REGION"`, default Provence-Alpes-Côte d'Azur:
# 30 structures), each run through `boussole run` (release build). Each annotated workbook is
# then loaded by headless LibreOffice and saved as ODS:
#   soffice -env:UserInstallation=file://$PROFILE --headless --convert-to ods --outdir DIR FILE
# with a profile of its own (created by the warm-up), so that no other LibreOffice running on
# the machine is reused. Prints the median wall time and peak memory (/usr/bin/time -v,
# soffice.bin included) next to the goals: national <= 10 s and 500 MB, regional <= 3 s.
# The national file has no Radars sheet and no note, the regional one a radar per
# structure and a note on each score with a finding; both keep every explanation in columns
# (src/report/annotated/mod.rs, `Audience`). Also prints each run's CPU time (user + sys), steadier than wall time on a
# shared machine, and LibreOffice's own cost on an almost empty workbook (3 structures).
# Then, unless PARTS=0, what each file's parts cost LibreOffice: the same file without its
# notes, without its charts, and without either (benches/support/strip_xlsx.py, everything
# else byte for byte), the same file saved as CSV instead of ODS (the load without the ODS
# export), and two workbooks of 3 and 15 sheets holding one number each
# (benches/support/empty_sheets_xlsx.py: what a sheet alone costs the ODS export);
# $PART_RUNS runs each (default 1).
# BIN=target/debug/boussole uses that binary instead of building the release one (the
# workbooks are the same; only boussole's own time differs, which is not measured here).
set -euo pipefail

cd "$(dirname "$0")/.."
. benches/support/measure.sh
RUNS=${RUNS:-3}
PARTS=${PARTS:-1}
PART_RUNS=${PART_RUNS:-1}
WORK=${WORK:-target/perf}
REGION=${REGION:-"Provence-Alpes-Côte d'Azur"}
mkdir -p "$WORK/lo"
command -v soffice >/dev/null || { echo "soffice (LibreOffice) is not installed" >&2; exit 1; }

if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet --bin boussole
    BIN=target/release/boussole
fi
[ -f "$WORK/national.xlsx" ] || "$BIN" sample -o "$WORK/national.xlsx" >/dev/null
[ -f "$WORK/regional.xlsx" ] || "$BIN" sample --region "$REGION" -o "$WORK/regional.xlsx" >/dev/null
"$BIN" run "$WORK/national.xlsx" -o "$WORK/lo/national-boussole.xlsx" --force -q
"$BIN" run "$WORK/regional.xlsx" -o "$WORK/lo/regional-boussole.xlsx" --force -q
"$BIN" sample --structures 3 -o "$WORK/lo/empty-boussole.xlsx" --force >/dev/null

PROFILE=$(realpath "$WORK")/lo/profile
# open_once TIMES FILE [FORMAT]: load FILE and save it as FORMAT (default ods).
open_once() {
    local format=${3:-ods}
    rm -f "$WORK/lo/$(basename "${2%.xlsx}").$format"
    once "$1" soffice "-env:UserInstallation=file://$PROFILE" --headless --convert-to "$format" \
        --outdir "$WORK/lo" "$2"
    [ -s "$WORK/lo/$(basename "${2%.xlsx}").$format" ] || { echo "no $format written for $2" >&2; exit 1; }
}

machine
echo "$(soffice --version 2>/dev/null | head -n 1)"
echo "runs: $RUNS of each after one warm-up"
[ "$RUNS" -gt 0 ] && {
echo
printf '| %-36s | %9s | %8s | %7s | %9s | %-22s |\n' workbook "size (KB)" "wall (s)" "CPU (s)" "peak (MB)" goal
echo "|---|---|---|---|---|---|"
for which in national regional empty; do
    file=$WORK/lo/$which-boussole.xlsx
    times=$WORK/lo/$which.times
    : >"$times"
    open_once /dev/null "$file"
    for _ in $(seq "$RUNS"); do open_once "$times" "$file"; done
    wall=$(median "$times" 1)
    peak=$(median "$times" 2)
    if [ "$which" = national ]; then
        goal="<= 10 s: $(verdict "$wall" '<=' 10), <= 500 MB: $(verdict "$peak" '<=' 500)"
        label="national (440 structures)"
    elif [ "$which" = regional ]; then
        goal="<= 3 s: $(verdict "$wall" '<=' 3)"
        label="regional ($REGION)"
    else
        goal="(LibreOffice alone)"
        label="3 structures (input workbook)"
    fi
    printf '| %-36s | %9s | %8s | %7s | %9.0f | %-22s |\n' "$label" "$(du -k "$file" | cut -f1)" "$wall" "$(median "$times" 4)" "$peak" "$goal"
done
}

[ "$PARTS" = 0 ] && exit 0
echo
echo "what each file's parts cost ($PART_RUNS run(s) each):"
echo
printf '| %-36s | %9s | %8s | %7s | %9s |\n' "workbook" "size (KB)" "wall (s)" "CPU (s)" "peak (MB)"
echo "|---|---|---|---|---|"
open_once /dev/null "$WORK/lo/regional-boussole.xlsx" # creates the profile if need be
for which in national regional; do
    for what in notes charts both; do
        file=$WORK/lo/$which-without-$what.xlsx
        python3 benches/support/strip_xlsx.py "$WORK/lo/$which-boussole.xlsx" "$file" "$what"
        times=$WORK/lo/$which-without-$what.times
        : >"$times"
        for _ in $(seq "$PART_RUNS"); do open_once "$times" "$file"; done
        case $what in notes) label="without its notes" ;; charts) label="without its charts" ;; both) label="without notes or charts" ;; esac
        printf '| %-36s | %9s | %8s | %7s | %9.0f |\n' "$which, $label" "$(du -k "$file" | cut -f1)" "$(median "$times" 1)" "$(median "$times" 4)" "$(median "$times" 2)"
    done
    # The same file loaded whole but saved as CSV (its first sheet only): what the load
    # costs without the ODS export.
    times=$WORK/lo/$which-load.times
    : >"$times"
    for _ in $(seq "$PART_RUNS"); do open_once "$times" "$WORK/lo/$which-boussole.xlsx" csv; done
    printf '| %-36s | %9s | %8s | %7s | %9.0f |\n' "$which, loaded then saved as CSV" "$(du -k "$WORK/lo/$which-boussole.xlsx" | cut -f1)" "$(median "$times" 1)" "$(median "$times" 4)" "$(median "$times" 2)"
done
# What a sheet alone costs the ODS export: 3 and 15 sheets holding one number each.
for n in 3 15; do
    file=$WORK/lo/sheets-$n.xlsx
    python3 benches/support/empty_sheets_xlsx.py "$n" "$file"
    times=$WORK/lo/sheets-$n.times
    : >"$times"
    for _ in $(seq "$PART_RUNS"); do open_once "$times" "$file"; done
    printf '| %-36s | %9s | %8s | %7s | %9.0f |\n' "$n sheets of one number each" "$(du -k "$file" | cut -f1)" "$(median "$times" 1)" "$(median "$times" 4)" "$(median "$times" 2)"
done
