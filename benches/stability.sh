#!/usr/bin/env bash
# What `--stability 100` costs on the national sample (440 structures): the median wall
# time of `boussole run` with and without it over $RUNS runs (release build, /usr/bin/time),
# and with it under a copy of the cpo pack without its method variants
# ([[sensitivity.variants]]), to see what the variants add (one analysis each).
#
#   benches/stability.sh            # 5 runs each, 100 resamples
#   RUNS=3 RESAMPLES=50 benches/stability.sh
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
RESAMPLES=${RESAMPLES:-100}
WORK=${WORK:-target/perf}
mkdir -p "$WORK"

cargo build --release --quiet --bin boussole
BIN=target/release/boussole
"$BIN" sample -o "$WORK/national.xlsx" --force >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "nan")}'; }

# timed LABEL ARGS...: the median wall time (s) and peak RSS (MB) over $RUNS runs.
timed() {
    local label=$1
    shift
    : >"$WORK/$label.times"
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$WORK/$label.one" "$BIN" run "$WORK/national.xlsx" \
            -o "$WORK/$label.xlsx" --force -q "$@"
        cat "$WORK/$label.one" >>"$WORK/$label.times"
    done
    local wall rss
    wall=$(cut -d' ' -f1 "$WORK/$label.times" | median)
    rss=$(cut -d' ' -f2 "$WORK/$label.times" | median)
    echo "$label: median wall ${wall} s, peak RSS $((rss / 1024)) MB ($RUNS runs)"
}

# The cpo pack without its method variants: everything from their comment block on.
rm -rf "$WORK/cpo-no-variants"
cp -r rules/cpo "$WORK/cpo-no-variants"
sed -i '/^# Sensibilité aux choix de méthode/,$d' "$WORK/cpo-no-variants/pack.toml"

timed plain
timed "stability-$RESAMPLES" --stability "$RESAMPLES"
timed "stability-$RESAMPLES-no-variants" --stability "$RESAMPLES" --rules "$WORK/cpo-no-variants"
