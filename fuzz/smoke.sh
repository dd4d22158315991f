#!/usr/bin/env bash
# Smoke run of every fuzz target: build, then 30 s each (FUZZ_SECONDS to change), from the
# seeds plus whatever fuzz/corpus/<target> already holds. Not called by CI.
#
# Usage (from anywhere): fuzz/smoke.sh [target...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`); the stable toolchain is enough thanks to
# RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only -Z flags to rustc).
# Exits 1 if a target crashed, timed out or ran out of memory; crashing inputs land in
# fuzz/artifacts/<target>/ (reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <file>).
set -uo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
seconds=${FUZZ_SECONDS:-30}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(cell_parser header_match read_workbook pack_eval)
fi

nice -n 10 cargo fuzz build || exit 2

failed=()
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target" fuzz/artifacts
    echo "== $target ($seconds s)"
    if nice -n 10 cargo fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        2> "fuzz/artifacts/smoke-$target.log"; then
        grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "fuzz/artifacts/smoke-$target.log"
        rm -f "fuzz/artifacts/smoke-$target.log"
    else
        echo "ÉCHEC : voir fuzz/artifacts/smoke-$target.log"
        failed+=("$target")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "cibles en échec : ${failed[*]}"
    exit 1
fi
echo "toutes les cibles ont tourné $seconds s sans plantage"
