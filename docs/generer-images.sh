#!/usr/bin/env bash
# Regenerates the pictures of docs/classeur-annote.md from a real output:
# a synthetic sample -> boussole run -> LibreOffice (one page per sheet) -> PNG per sheet.
# Needs LibreOffice (libreoffice-calc-nogui) and poppler-utils (pdftoppm).
# Usage: docs/generer-images.sh   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet
bin=target/release/boussole
$bin sample --structures 60 --years 2 --seed 2011 -o "$work/exemple.xlsx" >/dev/null
$bin run "$work/exemple.xlsx" -o "$work/exemple-boussole.xlsx" --quiet
soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
  --convert-to 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}' \
  --outdir "$work" "$work/exemple-boussole.xlsx" >/dev/null
# One page per visible sheet, in the workbook's order.
names=(synthese fiche indicateurs axes priorites radars objectifs donnees-indicateurs donnees-contexte diagnostics regles)
rm -f docs/images/feuille-*.png
for i in "${!names[@]}"; do
  page=$((i + 1))
  # The top-left part of each sheet, readable on screen.
  pdftoppm -f "$page" -l "$page" -r 110 -W 1500 -H 850 -png -singlefile \
    "$work/exemple-boussole.pdf" "docs/images/feuille-${names[$i]}"
done
ls -1 docs/images/feuille-*.png
