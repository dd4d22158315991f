#!/usr/bin/env bash
# Memory that scales and batches that use every core (issue 19, items 4 and 5).
#
#   benches/scale.sh                       # everything: big inputs once, the batch 5 times
#   PARTS="batch" RUNS=3 benches/scale.sh  # only the batch, 3 runs
#
# Parts ($PARTS, default "w3 csv batch"):
# - w3: `boussole sample --structures 100000`, then `boussole inspect` (reading only) and
#   `boussole run` on it; goal: within 2 GB.
# - csv: a 200,000-row CSV written here (awk, fixed seed: the cpo pack's 24 columns, `;`
#   separated, decimal commas, plausible values), then `boussole inspect` and `boussole run`;
#   goal: `run` within 2 GB and 60 s.
# - batch: the 18 regional workbooks of the national sample (`boussole sample --region R` for
#   each region), run as one batch, `boussole run DIR --out-dir OUT --jobs 1` then `--jobs 2`,
#   alternated, $RUNS times; goal: 2 jobs at least 1.7x faster than 1.
# The big inputs are run $BIG_RUNS times (default 1: each takes minutes). Every run is bounded
# by $MEM_LIMIT_GB of address space (default 14) and $TIMEOUT seconds (default 900): a run
# beyond them is reported as failed, not waited for.
set -euo pipefail

cd "$(dirname "$0")/.."
. benches/support/measure.sh
RUNS=${RUNS:-5}
BIG_RUNS=${BIG_RUNS:-1}
PARTS=${PARTS:-"w3 csv batch"}
WORK=${WORK:-target/perf}
mkdir -p "$WORK"

cargo build --release --quiet --bin boussole
BIN=target/release/boussole

REGIONS=("Auvergne-Rhône-Alpes" "Bourgogne-Franche-Comté" "Bretagne" "Centre-Val de Loire"
    "Corse" "Grand Est" "Hauts-de-France" "Île-de-France" "Normandie" "Nouvelle-Aquitaine"
    "Occitanie" "Pays de la Loire" "Provence-Alpes-Côte d'Azur" "Guadeloupe" "Martinique"
    "Guyane" "La Réunion" "Mayotte")

# A 200,000-row CSV with the cpo pack's columns (24), deterministic.
write_csv() {
    awk -v rows="$1" 'BEGIN {
        srand(19)
        split("Auvergne-Rhône-Alpes|Bourgogne-Franche-Comté|Bretagne|Centre-Val de Loire|Corse|Grand Est|Hauts-de-France|Île-de-France|Normandie|Nouvelle-Aquitaine|Occitanie|Pays de la Loire|Provence-Alpes-Côte d'"'"'Azur|Guadeloupe|Martinique|Guyane|La Réunion|Mayotte", reg, "|")
        print "Code ML;Nom de la mission locale;Région;Jeunes en premier accueil;Jeunes en contact;Jeunes accompagnés;Entretiens individuels;Entrées en CIVIS;Sorties de CIVIS;Sorties de CIVIS en emploi durable;Jeunes en emploi;Jeunes en emploi durable;Jeunes en formation;Jeunes en alternance;Offres d'"'"'emploi collectées;Entreprises en relation;ETP conseillers;Population 16-25 ans;Jeunes 16-25 ans actifs non occupés;DEFM moins de 26 ans;Taux de chômage des jeunes;Part des jeunes sans diplôme;Part des jeunes en QPV;Densité de population"
        for (i = 1; i <= rows; i++) {
            a = int(500 + rand() * 4500)
            etp = a / (100 + rand() * 40)
            pa = int(a * n(0.45))
            line = sprintf("ML%06d;ML synthétique %d;%s;%d;%d;%d;%d;%d;%d", i, i, reg[1 + int(rand() * 18)],
                pa, int(a * n(1.5)), a, int(a * n(4)), int(a * n(0.13)), s = int(a * n(0.12)))
            line = line sprintf(";%d;%d;%d;%d;%d;%d;%d;%s", int(s * n(0.36)), int(a * n(0.45)),
                int(a * n(0.22)), int(a * n(0.15)), int(a * n(0.05)), int(etp * n(27)),
                int(a * n(0.17)), dec(etp, 1))
            line = line sprintf(";%d;%d;%d;%s;%s;%s;%d", int(a * n(8)), int(a * n(0.6)),
                int(pa / n(0.77)), dec(0.1 + rand() * 0.25, 3), dec(0.1 + rand() * 0.2, 3),
                dec(rand() * 0.4, 3), int(10 + rand() * 5000))
            print line
        }
    }
    function n(x) { return x * (0.8 + rand() * 0.4) }
    function dec(x, d,   t) { t = sprintf("%." d "f", x); sub(/\./, ",", t); return t }' >"$2"
}

big() {
    local label=$1 goal_gb=$2 goal_s=$3
    shift 3
    local times=$WORK/scale-$label.times
    : >"$times"
    for _ in $(seq "$BIG_RUNS"); do once "$times" "$@"; done
    local wall peak status
    wall=$(median "$times" 1)
    peak=$(median "$times" 2)
    status=$(worst_exit "$times")
    local goal="<= ${goal_gb} GB: $(verdict "$(awk -v p="$peak" 'BEGIN {print p / 1024}')" '<=' "$goal_gb")"
    [ "$goal_s" = - ] || goal="$goal, <= ${goal_s} s: $(verdict "$wall" '<=' "$goal_s")"
    [ "$status" = 0 ] || goal="FAILED (exit $status; bound ${MEM_LIMIT_GB} GB / ${TIMEOUT} s)"
    printf '| %-40s | %8s | %7s | %9.0f | %s |\n' "$label" "$wall" "$(median "$times" 4)" "$peak" "$goal"
}

machine
echo "runs: big inputs $BIG_RUNS, batch $RUNS (medians)"
echo
printf '| %-40s | %8s | %7s | %9s | %s |\n' measure "wall (s)" "CPU (s)" "peak (MB)" goal
echo "|---|---|---|---|---|"
for part in $PARTS; do
    case $part in
        w3)
            W3=$WORK/w3-100k.xlsx
            [ -f "$W3" ] || "$BIN" sample --structures 100000 -o "$W3" >/dev/null
            big "inspect, 100,000 structures (xlsx)" 2 - "$BIN" inspect "$W3"
            big "run, 100,000 structures (xlsx)" 2 - "$BIN" run "$W3" -o "$WORK/w3-100k-boussole.xlsx" --force -q
            ;;
        csv)
            CSV=$WORK/rows-200k.csv
            [ -f "$CSV" ] || write_csv 200000 "$CSV"
            big "inspect, 200,000-row CSV" 2 - "$BIN" inspect "$CSV"
            big "run, 200,000-row CSV" 2 60 "$BIN" run "$CSV" -o "$WORK/rows-200k-boussole.xlsx" --force -q
            ;;
        batch)
            DIR=$WORK/regions
            if [ ! -d "$DIR" ] || [ "$(ls "$DIR" | wc -l)" != 18 ]; then
                rm -rf "$DIR" && mkdir -p "$DIR"
                for i in "${!REGIONS[@]}"; do
                    "$BIN" sample --region "${REGIONS[$i]}" -o "$DIR/region-$(printf %02d $((i + 1))).xlsx" >/dev/null
                done
            fi
            J1=$WORK/batch-j1.times
            J2=$WORK/batch-j2.times
            : >"$J1"
            : >"$J2"
            batch() {
                rm -rf "$WORK/batch-out-$2" && mkdir -p "$WORK/batch-out-$2"
                once "$1" "$BIN" run "$DIR" --out-dir "$WORK/batch-out-$2" --jobs "$2" --force -q
            }
            batch /dev/null 1
            for _ in $(seq "$RUNS"); do
                batch "$J1" 1
                batch "$J2" 2
            done
            w1=$(median "$J1" 1)
            w2=$(median "$J2" 1)
            printf '| %-40s | %8s | %7s | %9.0f | |\n' "batch of 18 regional files, --jobs 1" "$w1" "$(median "$J1" 4)" "$(median "$J1" 2)"
            printf '| %-40s | %8s | %7s | %9.0f | |\n' "batch of 18 regional files, --jobs 2" "$w2" "$(median "$J2" 4)" "$(median "$J2" 2)"
            speed=$(awk -v a="$w1" -v b="$w2" 'BEGIN {printf "%.2f", a / b}')
            pairs=$(paste "$J1" "$J2" | awk '{print $1 / $5}' >"$WORK/batch.ratios" && median "$WORK/batch.ratios" 1)
            printf '| %-40s | %8s | %7s | %9s | >= 1.7x: %s (median of pair ratios %.2fx) |\n' "speed-up with 2 jobs" "${speed}x" "" "" "$(verdict "$speed" '>=' 1.7)" "$pairs"
            # With 1 job the batch should keep one core busy (CPU / wall near 1); far below,
            # other processes hold the cores and no speed-up can show.
            awk -v c="$(median "$J1" 4)" -v w="$w1" 'BEGIN {printf "cores this batch got with --jobs 1: %.2f (CPU / wall; 1.00 on an idle machine)\n", c / w}'
            [ "$(worst_exit "$J1")" = 0 ] && [ "$(worst_exit "$J2")" = 0 ] || echo "a batch run failed (see above)"
            ;;
    esac
done
