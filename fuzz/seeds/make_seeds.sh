#!/usr/bin/env bash
# Regenerates the fuzzing seeds under fuzz/seeds/<target>/. Every seed is made here: by
# boussole itself (`boussole sample`), by LibreOffice converting that sample (xls, ods;
# skipped when `soffice` is absent), or written as text below. Nothing comes from
# ../shared/corpus.
#
# Usage (from the repository root): fuzz/seeds/make_seeds.sh
# The read_workbook seeds start with the selector byte the target reads (see
# fuzz/fuzz_targets/read_workbook.rs): 0 xlsx, 1 xls, 2 ods, 3 csv, 4 sheet XML, 5 ods content.
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=fuzz/seeds
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
boussole=target/release/boussole

# with_selector BYTE SOURCE DEST: DEST is BYTE then SOURCE's bytes.
with_selector() {
    { printf "\\x$(printf %02x "$1")"; cat "$2"; } > "$3"
}

# --- cell_parser: texts as typed in field workbooks -------------------------------------
mkdir -p "$seeds/cell_parser"
i=0
while IFS= read -r line; do
    printf '%s' "$line" > "$seeds/cell_parser/$(printf %02d $i)"
    i=$((i + 1))
done <<'TEXTS'
1 234
1 234,5
12,5 %
-3
−3
1.234,5
0.125
1,234,567
1.234.567
n.d.
NC
s.o.
#DIV/0!
#SPILL!
#VALEUR!
1e308
1e-5
+42
12'345
   
abc
1,2,3.4.5
TEXTS

# --- header_match: catalogue labels and the ways they get typed ---------------------------
mkdir -p "$seeds/header_match"
i=0
while IFS= read -r line; do
    printf '%s' "$line" > "$seeds/header_match/$(printf %02d $i)"
    i=$((i + 1))
done <<'TEXTS'
Code ML
N° ML
Région
  Jeunes en premier accueil
JEUNES ACCOMPAGNÉS
Offres d’emploi collectées
Densité (hab/km²)
Sorties de CIVIS vers l'emploi durable
Taux de chômage des 16-25 ans (%)
ÆØÅ ß ﬁ Ⅻ ① ｆｕｌｌ
TEXTS
printf 'Jeunes\u00a0en\npremier\tACCUEIL' > "$seeds/header_match/$(printf %02d $i)"

# --- read_workbook: one seed per selector ----------------------------------------------------
mkdir -p "$seeds/read_workbook"
"$boussole" sample --structures 5 --seed 1 -o "$work/sample.xlsx" --force > /dev/null
with_selector 0 "$work/sample.xlsx" "$seeds/read_workbook/xlsx-sample"
if command -v soffice > /dev/null; then
    soffice --headless --convert-to xls --outdir "$work" "$work/sample.xlsx" > /dev/null 2>&1
    soffice --headless --convert-to ods --outdir "$work" "$work/sample.xlsx" > /dev/null 2>&1
    with_selector 1 "$work/sample.xls" "$seeds/read_workbook/xls-sample"
    with_selector 2 "$work/sample.ods" "$seeds/read_workbook/ods-sample"
    python3 - "$work/sample.ods" "$work/content.xml" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    open(sys.argv[2], "wb").write(z.read("content.xml"))
PY
    with_selector 5 "$work/content.xml" "$seeds/read_workbook/ods-content"
fi
printf 'Code ML;Région;Jeunes en premier accueil;Jeunes accompagnés\n01053;Bretagne;1 234;2 345\n01054;Bretagne;n.d.;12,5\nTotal;;1 234;2 357,5\n' > "$work/fr.csv"
with_selector 3 "$work/fr.csv" "$seeds/read_workbook/csv-semicolon"
# Windows-1252 with tabs and a title row.
printf 'Suivi 2024\n\nCode ML\tR\xe9gion\tJeunes en premier accueil\n01053\tBretagne\t12\n' > "$work/latin.csv"
with_selector 3 "$work/latin.csv" "$seeds/read_workbook/csv-latin1-tabs"
cat > "$work/sheet.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D3"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Code ML</t></is></c><c r="B1" t="inlineStr"><is><t>Région</t></is></c><c r="C1" t="inlineStr"><is><t>Jeunes en premier accueil</t></is></c><c r="D1" t="inlineStr"><is><t>Jeunes accompagnés</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>01053</t></is></c><c r="B2" t="inlineStr"><is><t>Bretagne</t></is></c><c r="C2"><v>1</v></c><c r="D2" t="e"><v>#SPILL!</v></c></row><row r="3"><c r="A3"><v>1054</v></c><c r="B3" t="inlineStr"><is><t>Bretagne</t></is></c><c r="C3" t="str"><v>1 234,5</v></c><c r="D3"><f>C3*2</f></c></row></sheetData><mergeCells count="1"><mergeCell ref="A5:D5"/></mergeCells></worksheet>
XML
with_selector 4 "$work/sheet.xml" "$seeds/read_workbook/xlsx-sheet-xml"

# --- pack_eval: the embedded scripts and a few short ones -------------------------------------
mkdir -p "$seeds/pack_eval"
with_selector 0 rules/cpo/constats.rhai "$seeds/pack_eval/constats"
with_selector 1 rules/cpo/recommandations.rhai "$seeds/pack_eval/recommandations"
script() { # script SELECTOR NAME TEXT
    printf "\\x$(printf %02x "$1")%s" "$3" > "$seeds/pack_eval/$2"
}
script 0 findings-threshold 'if ind.valeur < seuil("chomage_eleve") { axe_de_progres("faible") }'
script 0 findings-force 'if ind.est_axe_de_progres() { vigilance("x") } else { force("y") }'
script 1 recommend-one 'if taux_couverture.valeur > 0.5 { recommander("aller_vers"); }'
script 1 functions 'fn f(x) { if x > 3 { x } else { f(x + 1) } } let s = "a"; s += nombre(f(0)); let m = #{a: [1, 2.5, ()]};'
script 1 loop 'let n = 0; while n < 10 { n += 1; } pourcent(0.25);'
