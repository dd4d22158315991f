#!/usr/bin/env bash
# Regenerates the pictures of docs/classeur-annote.md from a real regional output: the
# missions locales of one region of the synthetic national sample (two years) -> boussole run
# (with the per-structure workbooks) -> LibreOffice set to French (fr-FR) prints them to PDF
# as a user would -> whole printed pages as PNG, found by what each page says.
# Needs LibreOffice (libreoffice-calc-nogui) and poppler-utils (pdftoppm, pdftotext).
# Usage: docs/generer-images.sh   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet
bin=target/debug/boussole
$bin sample --region Bretagne --years 2 --seed 2011 -o "$work/bretagne.xlsx" >/dev/null
$bin run "$work/bretagne.xlsx" -o "$work/bretagne-boussole.xlsx" --per-structure --quiet

# A LibreOffice profile in French (number display: 12,5 %, 1 234), recalculating on load.
mkdir -p "$work/profile/user"
cat >"$work/profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
XCU
mailed=$(ls "$work/bretagne-structures/"*.xlsx | head -n 1)
cp "$mailed" "$work/structure.xlsx"
for f in "$work/bretagne-boussole.xlsx" "$work/structure.xlsx"; do
  soffice -env:UserInstallation="file://$work/profile" --headless --norestore \
    --convert-to pdf --outdir "$work" "$f" >/dev/null
done

# The first printed page whose text matches a pattern (pdftotext separates pages by \f).
page_of() {
  pdftotext -layout "$1" - | awk -v re="$2" 'BEGIN { RS = "\f" } !found && $0 ~ re { print NR; found = 1 }'
}
shoot() { # shoot PDF PATTERN NAME
  local page
  page=$(page_of "$1" "$2")
  if [ -z "$page" ]; then
    echo "aucune page ne contient « $2 » dans $1" >&2
    exit 1
  fi
  pdftoppm -f "$page" -l "$page" -r 80 -png -singlefile "$1" "docs/images/$3"
}
pdf="$work/bretagne-boussole.pdf"
rm -f docs/images/*.png
shoot "$pdf" "Synthèse de l'analyse" page-synthese
shoot "$pdf" "Constats par région" page-synthese-regions
shoot "$pdf" "Constats par indicateur" page-synthese-indicateurs
shoot "$pdf" "Structure \\(choisir dans la liste\\)" page-fiche
shoot "$pdf" "Q1 des pairs" page-indicateurs
shoot "$pdf" "Référentiel +Territoire" page-referentiels
shoot "$pdf" "Repérage et accueil +Accompagnement" page-axes
shoot "$pdf" "Rang +Priorité +Recommandation" page-priorites
shoot "$pdf" "Radars : chaque structure" page-radars
shoot "$pdf" "Entonnoirs : chaque taux" page-entonnoirs
shoot "$pdf" "Objectifs et plan d'action" page-objectifs
shoot "$pdf" "Données fictives" page-donnees
shoot "$pdf" "Sévérité +Feuille" page-diagnostics
shoot "$pdf" "Règles : le pack utilisé" page-regles
shoot "$work/structure.pdf" "Fiche structure" page-structure-fiche
ls -1 docs/images/*.png
