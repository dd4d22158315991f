#!/usr/bin/env bash
# Whole runs of `boussole run` on the workloads of docs/performance.md, with their I/O floor.
#
#   benches/run.sh                 # W1, W2, W3 (10,000), W4; 5 runs each
#   RUNS=3 WORKLOADS="w1 w3-100k" benches/run.sh
#
# Workloads: w1 (national sample, 440 structures), w2 (same, 5 years), w3-10k and w3-100k
# (synthetic, `boussole sample --structures N`), w4 (18 regional workbooks in one batch,
# `--jobs 1` then `--jobs 2`). Inputs are generated with `boussole sample` into $WORK
# (default target/perf); nothing is copied from elsewhere.
#
# For each workload: the median wall time and peak memory (max RSS, /usr/bin/time) of
# `boussole run` over $RUNS runs, the median time of each stage (examples/stages.rs:
# read, evaluate, analyse, write) and the median I/O floor (calamine read + rust_xlsxwriter
# write of the same content, examples/stages.rs floor), and the ratio of the whole run to
# the floor. Every run is bounded by $MEM_LIMIT_GB of address space and $TIMEOUT seconds
# so that a regression cannot take the machine down.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
WORKLOADS=${WORKLOADS:-"w1 w2 w3-10k w4"}
WORK=${WORK:-target/perf}
MEM_LIMIT_GB=${MEM_LIMIT_GB:-12}
TIMEOUT=${TIMEOUT:-900}
mkdir -p "$WORK"

cargo build --release --quiet --bin boussole --example stages
BIN=target/release/boussole
STAGES=target/release/examples/stages

# Runs a command bounded in memory and time.
bounded() {
    (ulimit -v $((MEM_LIMIT_GB * 1024 * 1024)) && timeout "$TIMEOUT" "$@")
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "nan")}'; }

# whole_run LABEL ARGS...: median wall (s), user+sys (s) and peak RSS (MB) over $RUNS runs.
whole_run() {
    local label=$1
    shift
    local times="$WORK/$label.times"
    : >"$times"
    for _ in $(seq "$RUNS"); do
        if ! bounded /usr/bin/time -f "%e %U %S %M" -o "$times.one" "$BIN" run "$@" --force -q; then
            echo "$label: run failed (limit ${MEM_LIMIT_GB} GB / ${TIMEOUT} s?)" >&2
            echo "nan nan nan nan" >>"$times"
            continue
        fi
        tail -n 1 "$times.one" >>"$times"
    done
    WALL=$(awk '{print $1}' "$times" | median)
    CPU=$(awk '{print $2 + $3}' "$times" | median)
    PEAK=$(awk '{print $4 / 1024}' "$times" | median)
}

input_of() {
    case $1 in
        w1) echo workbooks/exemple-national.xlsx ;;
        w2) echo "$WORK/w2.xlsx" ;;
        w3-10k) echo "$WORK/w3-10k.xlsx" ;;
        w3-100k) echo "$WORK/w3-100k.xlsx" ;;
    esac
}

generate() {
    case $1 in
        w2) [ -f "$WORK/w2.xlsx" ] || "$BIN" sample --years 5 -o "$WORK/w2.xlsx" >/dev/null ;;
        w3-10k) [ -f "$WORK/w3-10k.xlsx" ] || "$BIN" sample --structures 10000 -o "$WORK/w3-10k.xlsx" >/dev/null ;;
        w3-100k) [ -f "$WORK/w3-100k.xlsx" ] || "$BIN" sample --structures 100000 -o "$WORK/w3-100k.xlsx" >/dev/null ;;
        w4)
            # 18 regional workbooks of the national sample's size per region (~25
            # structures), each from its own seed.
            mkdir -p "$WORK/w4"
            for r in $(seq 1 18); do
                f="$WORK/w4/region-$(printf %02d "$r").xlsx"
                [ -f "$f" ] || "$BIN" sample --structures 25 --seed $((100 + r)) -o "$f" >/dev/null
            done
            ;;
    esac
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs per figure: $RUNS (medians)"
echo
printf '| %-8s | %6s | %6s | %7s | %7s | %7s | %7s | %7s | %8s | %8s | %8s | %6s | %6s | %s |\n' \
    workload wall_s cpu_s peak_MB read_ms eval_ms anal_ms write_ms stages_ms floor_ms floor_MB ratio wall/f ms/struct
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for w in $WORKLOADS; do
    generate "$w"
    if [ "$w" = w4 ]; then
        for jobs in 1 2; do
            rm -rf "$WORK/w4-out-$jobs" && mkdir -p "$WORK/w4-out-$jobs"
            whole_run "w4-j$jobs" "$WORK/w4" --out-dir "$WORK/w4-out-$jobs" --jobs "$jobs"
            printf '| %-8s | %6s | %6s | %7.0f | | | | | | | | | | |\n' "w4 -j$jobs" "$WALL" "$CPU" "$PEAK"
            eval "W4_J$jobs=$WALL"
        done
        echo "w4 speed-up with 2 jobs: $(awk -v a="$W4_J1" -v b="$W4_J2" 'BEGIN {printf "%.2fx", a / b}')"
        continue
    fi
    input=$(input_of "$w")
    out="$WORK/$w-boussole.xlsx"
    whole_run "$w" "$input" -o "$out"
    stages=$(bounded "$STAGES" stages "$input" "$RUNS" || echo "failed")
    # The floor's content is that of the output just written; its peak is that of a
    # process which captures it (small) then writes it.
    floor=$(bounded /usr/bin/time -f "%M" -o "$WORK/$w.floor.mem" "$STAGES" floor "$input" "$RUNS" "$out" || echo "failed")
    floor_mb=$(awk '{print $1 / 1024}' "$WORK/$w.floor.mem" 2>/dev/null | tail -n 1)
    field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }
    floor_ms=$(field "$floor" floor)
    case $w in w3-10k) structures=10000 ;; w3-100k) structures=100000 ;; *) structures=440 ;; esac
    total=$(field "$stages" total)
    ratio=$(awk -v t="$total" -v f="$floor_ms" 'BEGIN {if (f > 0) printf "%.2f", t / f; else print "nan"}')
    wall_ratio=$(awk -v w="$WALL" -v f="$floor_ms" 'BEGIN {if (f > 0) printf "%.2f", w * 1000 / f; else print "nan"}')
    per=$(awk -v w="$WALL" -v n="$structures" 'BEGIN {printf "%.3f", w * 1000 / n}')
    printf '| %-8s | %6s | %6s | %7.0f | %7s | %7s | %7s | %7s | %8s | %8s | %8.0f | %6s | %6s | %s |\n' \
        "$w" "$WALL" "$CPU" "$PEAK" "$(field "$stages" read)" "$(field "$stages" evaluate)" \
        "$(field "$stages" analyse)" "$(field "$stages" write)" "$total" "$floor_ms" "${floor_mb:-0}" \
        "$ratio" "$wall_ratio" "$per"
done
echo
echo "stages_ms = read + analyse + write in one process (analyse includes eval); floor_ms = calamine"
echo "read + rust_xlsxwriter write of the same content, in one process; ratio = stages_ms / floor_ms;"
echo "wall/f = whole-run wall / floor_ms (adds process start, pack compilation, fsync, exit)."
echo "ms/struct = whole-run wall / structures analysed (W2: 440 structures over 5 years of rows)."
