#!/usr/bin/env bash
# Does an optimisation change what boussole writes? Builds boussole at BASE (a commit, in a
# separate worktree and target folder under target/same-content) and at the working tree,
# runs both on W1 (the national sample) and on a 300-structure two-year sample, then
# compares the two outputs' content with `examples/stages.rs same` (cells, formats, notes,
# tables, charts and their cached values; not how the bytes store them) and the JSON
# results byte for byte.
#
#   benches/same-content.sh 4691e3e
set -euo pipefail

cd "$(dirname "$0")/.."
BASE=${1:?usage: benches/same-content.sh BASE_COMMIT}
WORK=target/same-content
mkdir -p "$WORK"

cargo build --release --quiet --bin boussole --example stages
NEW=target/release/boussole
STAGES=target/release/examples/stages

tree="$WORK/base-tree"
if [ -d "$tree" ]; then git worktree remove --force "$tree"; fi
git worktree add --detach --quiet "$tree" "$BASE"
trap 'git worktree remove --force "$tree"' EXIT
(cd "$tree" && CARGO_TARGET_DIR="$PWD/../base-target" cargo build --release --quiet --bin boussole)
OLD="$WORK/base-target/release/boussole"

"$NEW" sample --structures 300 --years 2 -o "$WORK/two-years.xlsx" --force >/dev/null
status=0
for input in workbooks/exemple-national.xlsx "$WORK/two-years.xlsx"; do
    name=$(basename "$input" .xlsx)
    "$OLD" run "$input" -o "$WORK/$name-base.xlsx" --json "$WORK/$name-base.json" --force -q
    "$NEW" run "$input" -o "$WORK/$name-new.xlsx" --json "$WORK/$name-new.json" --force -q
    if out=$("$STAGES" same "$WORK/$name-base.xlsx" "$WORK/$name-new.xlsx"); then
        echo "$name: $out"
    else
        echo "$name: the content differs:"
        echo "$out" | cut -c1-300
        status=1
    fi
    if cmp -s "$WORK/$name-base.json" "$WORK/$name-new.json"; then
        echo "$name: JSON identical"
    else
        echo "$name: JSON differs"
        status=1
    fi
done
exit $status
