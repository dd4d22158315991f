//! The Indicateurs sheet: one row per structure × indicator, with the value, its peers'
//! median and quartiles (the national and regional frames' are once per frame in the
//! Référentiels sheet), the expected value, the regional position, the score and the
//! finding; an Excel table with filters; traffic lights on scores; an « Explication »
//! column saying how each score was obtained, and in a regional workbook the same text as a
//! note on each score that carries a finding.
//!
//! The Fiche's formulas look rows up through the key column (`code|indicator id`); the
//! column positions below are shared with them.

use super::{Context, frame_median};
use crate::analysis::results::{IndicatorDef, IndicatorResult, StructureResult};
use crate::dataset::Missing;
use crate::error::Result;
use crate::fr;
use crate::pack::manifest::{FrameKind, Normalisation, Unit};
use crate::report::xlsx::{Sheet, Styles};
use rust_xlsxwriter::{
    ColNum, ConditionalFormatCustomIcon, ConditionalFormatIconSet, ConditionalFormatIconType,
    ConditionalFormatType,
};

pub(crate) const COL_VALUE: ColNum = 4;
pub(crate) const COL_PEERS: ColNum = 5;
pub(crate) const COL_EXPECTED: ColNum = 8;
pub(crate) const COL_POSITION: ColNum = 10;
pub(crate) const COL_SCORE: ColNum = 11;
pub(crate) const COL_FINDING: ColNum = 12;
pub(crate) const COL_KEY: ColNum = 14;
/// The previous year's value and the change (in points for fractions).
pub(crate) const COL_PREVIOUS: ColNum = 15;
pub(crate) const COL_CHANGE: ColNum = 16;

/// Above this many score cells, no score carries a note (its explanation stays in the
/// column): rust_xlsxwriter holds each note (~4 KB, then its VML shape and comment, ~10 KB
/// in all) until the file is saved (docs/performance.md).
pub(crate) const MAX_NOTES: usize = 20_000;

/// The national and regional frames' statistics are not repeated on every row: they are
/// once per frame in the Référentiels sheet. The peers are each structure's own.
const HEADERS: [&str; 17] = [
    "Code",
    "Nom",
    "Région",
    "Indicateur",
    "Valeur",
    "Médiane des pairs",
    "Q1 des pairs",
    "Q3 des pairs",
    "Valeur attendue",
    "Écart à l'attendu",
    "Position régionale (rang centile)",
    "Score (0-100)",
    "Constat",
    "Donnée manquante",
    "Clé",
    "Année précédente",
    "Évolution",
];

/// The change shown in the Évolution column: in points (× 100) for rates (indicators shown
/// in %, fractions or ratios with a percentage format), in the indicator's unit otherwise;
/// None unless both years have a value.
pub(crate) fn change(def: &IndicatorDef, ir: Option<&IndicatorResult>) -> Option<f64> {
    let (v, p) = (ir?.value?, ir?.previous?);
    Some(difference(def, v - p))
}

/// A difference of two values of an indicator as shown: in points (× 100) for rates, in
/// the indicator's unit otherwise.
pub(crate) fn difference(def: &IndicatorDef, d: f64) -> f64 {
    if def.shown_unit() == Unit::Fraction {
        d * 100.0
    } else {
        d
    }
}

/// The Évolution column's number format: signed, « pts » for rates.
pub(crate) fn change_format(def: &IndicatorDef) -> String {
    if def.shown_unit() == Unit::Fraction {
        crate::report::xlsx::POINTS_FORMAT.to_string()
    } else {
        super::suivi::signed(&def.format)
    }
}

/// The key of a row, matched by the Fiche: `code|indicator id`.
pub(crate) fn key(code: &str, indicator: &str) -> String {
    format!("{code}|{indicator}")
}

/// Whether the scores that carry a finding also carry their explanation as a note: in a
/// regional workbook ([`super::Audience`]) of at most [`MAX_NOTES`] scores. Every score's
/// explanation is in the « Explication » column whatever the audience: a note is where the
/// dialogue looks (a finding), not on every number.
pub(crate) fn with_notes(ctx: &Context) -> bool {
    ctx.audience.notes() && ctx.detailed * ctx.judged().len() <= MAX_NOTES
}

/// The Stabilité column (`run --stability`): the share of resamples giving the same finding
/// (or none), after Évolution; None without the option.
pub(crate) fn stability_column(ctx: &Context) -> Option<ColNum> {
    ctx.results.stability.as_ref()?;
    Some(COL_CHANGE + 1)
}

/// The « Explication » column, the table's last: outside the printed area (one long line
/// per row, it reads on screen; printed, it would shrink the table).
pub(crate) fn explanation_column(ctx: &Context) -> ColNum {
    stability_column(ctx).unwrap_or(COL_CHANGE) + 1
}

/// Writes the sheet into `sheet`, a worksheet that may stream its rows to a temporary file
/// (rust_xlsxwriter's constant-memory mode): everything is written in row order, the table
/// and its header first.
pub(crate) fn write(ctx: &Context, styles: &mut Styles, mut sheet: Sheet) -> Result<Sheet> {
    let results = ctx.results;
    let with_notes = with_notes(ctx);
    let col_stability = stability_column(ctx);
    let col_explanation = explanation_column(ctx);
    let stability_format = styles.number("0.00");

    let formats: Vec<_> = results
        .indicators
        .iter()
        .map(|d| styles.number(&d.format))
        .collect();
    let change_formats: Vec<_> = results
        .indicators
        .iter()
        .map(|d| styles.number(&change_format(d)))
        .collect();
    let rows = ctx.detailed * results.indicators.len();

    let mut headers: Vec<&str> = HEADERS.to_vec();
    if col_stability.is_some() {
        headers.push("Stabilité");
    }
    headers.push("Explication");
    sheet.filtered_table("T_Indicateurs", &headers, rows as u32, styles)?;
    if rows > 0 {
        let lights = ConditionalFormatIconSet::new()
            .set_icon_type(ConditionalFormatIconType::ThreeTrafficLights)
            .set_icons(&[
                ConditionalFormatCustomIcon::new(),
                ConditionalFormatCustomIcon::new().set_rule(ConditionalFormatType::Number, 33),
                ConditionalFormatCustomIcon::new().set_rule(ConditionalFormatType::Number, 67),
            ]);
        sheet
            .apply(|ws| ws.add_conditional_format(1, COL_SCORE, rows as u32, COL_SCORE, &lights))?;
    }
    sheet.apply(|ws| ws.set_row_height(0, 45))?;
    for (s, st) in results.structures.iter().take(ctx.detailed).enumerate() {
        for (i, def) in results.indicators.iter().enumerate() {
            let row = ctx.indicator_row(s, i);
            let ir = st.indicators.get(i);
            let fmt = &formats[i];
            sheet.plain(row, 0, st.id.as_str())?;
            sheet.plain(row, 1, &st.name)?;
            sheet.plain(row, 2, &st.region)?;
            sheet.plain(row, 3, &def.label)?;
            sheet.opt_number(row, COL_VALUE, ir.and_then(|r| r.value), fmt)?;
            let peers = ir
                .and_then(|r| r.frames.get(&FrameKind::Peers))
                .and_then(|f| f.summary.as_ref());
            sheet.opt_number(row, COL_PEERS, peers.map(|s| s.median), fmt)?;
            sheet.opt_number(row, COL_PEERS + 1, peers.map(|s| s.q1), fmt)?;
            sheet.opt_number(row, COL_PEERS + 2, peers.map(|s| s.q3), fmt)?;
            let expected = ir.and_then(|r| r.expected.as_ref());
            sheet.opt_number(row, COL_EXPECTED, expected.map(|e| e.value), fmt)?;
            // The gap to the expected value: signed, in points for rates (like a change).
            sheet.opt_number(
                row,
                COL_EXPECTED + 1,
                expected
                    .and_then(|e| e.residual)
                    .map(|d| difference(def, d)),
                &change_formats[i],
            )?;
            let position = ir
                .and_then(|r| r.frames.get(&FrameKind::Region))
                .and_then(|f| f.rank());
            sheet.opt_number(row, COL_POSITION, position, &styles.score)?;
            sheet.opt_number(row, COL_SCORE, ir.and_then(|r| r.score), &styles.score)?;
            if let Some(f) = ir.and_then(|r| r.finding.as_ref()) {
                sheet.plain(row, COL_FINDING, f.kind.label_fr())?;
            }
            if let Some(m) = ir.and_then(|r| r.missing.as_ref()) {
                sheet.plain(row, COL_FINDING + 1, &m.describe())?;
            } else if ir.is_none_or(|r| r.value.is_none()) {
                sheet.plain(row, COL_FINDING + 1, "valeur absente")?;
            }
            sheet.plain(row, COL_KEY, &key(st.id.as_str(), &def.id))?;
            sheet.opt_number(row, COL_PREVIOUS, ir.and_then(|r| r.previous), fmt)?;
            sheet.opt_number(row, COL_CHANGE, change(def, ir), &change_formats[i])?;
            if let Some(col) = col_stability {
                let share = results
                    .structure_stability(s)
                    .and_then(|st| st.findings.get(i).copied().flatten());
                sheet.opt_number(row, col, share, &stability_format)?;
            }
            if def.judged() {
                let text = explanation(ctx, st, def, ir);
                if with_notes && ir.is_some_and(|r| r.finding.is_some()) {
                    sheet.note(row, COL_SCORE, &text)?;
                }
                // Not wrapped: every row stays one line high, so the table reads and
                // filters as a list (the whole text shows in the formula bar), and a
                // spreadsheet opening it computes no row heights.
                sheet.plain(row, col_explanation, &text)?;
            }
        }
    }

    let notes = if with_notes {
        "Les scores qui portent un constat ont aussi une note avec cette explication.".to_string()
    } else if ctx.audience.notes() {
        format!(
            "Au-delà de {} scores, aucune note : elles coûtent trop de mémoire.",
            crate::pack::engine::format_fr(MAX_NOTES as f64, Unit::Count)
        )
    } else {
        "Classeur national : aucune note (des milliers de notes rendraient le classeur très \
         lent à ouvrir)."
            .to_string()
    };
    sheet.note(
        0,
        COL_SCORE,
        &format!(
            "Score de 0 à 100, plus haut = mieux, pour les indicateurs jugés. Feux : rouge sous \
             33, orange de 33 à 67, vert à partir de 67. L'explication de chaque score (cellules \
             sources, calcul, référentiel, règle et seuils) est dans la colonne « Explication ». \
             {notes}"
        ),
    )?;

    sheet.note(
        0,
        COL_PEERS,
        &format!(
            "Médiane et quartiles des pairs de la structure (son propre référentiel). Ceux du \
             référentiel national et de chaque région, les mêmes pour toutes leurs structures, \
             sont une fois chacun dans la feuille « {} ».",
            ctx.names.referentiels
        ),
    )?;
    sheet.note(
        0,
        COL_CHANGE,
        "Évolution depuis l'année précédente du classeur (vide quand il n'a qu'une année) : \
         en points pour les taux affichés en % (45,0 % après 42,5 % = +2,5 pts), dans l'unité de \
         l'indicateur sinon.",
    )?;
    if ctx.detailed < results.structures.len() {
        sheet.note(
            0,
            0,
            &format!(
                "Feuille limitée aux {} premières structures (sur {}) : au-delà de {} lignes, \
                 le classeur deviendrait trop lourd. La sortie JSON (--json) les détaille toutes.",
                ctx.detailed,
                results.structures.len(),
                super::MAX_INDICATOR_ROWS
            ),
        )?;
    }
    let mut widths = vec![(0, 9.0), (1, 30.0), (2, 18.0), (3, 38.0)];
    widths.extend((COL_VALUE..=COL_EXPECTED + 1).map(|c| (c, 11.0)));
    widths.extend([
        (COL_POSITION, 12.0),
        (COL_SCORE, 10.0),
        (COL_FINDING, 15.0),
        (COL_FINDING + 1, 24.0),
        (COL_KEY, 18.0),
        (COL_PREVIOUS, 11.0),
        (COL_CHANGE, 11.0),
    ]);
    widths.push((col_explanation, 80.0));
    if let Some(col) = col_stability {
        widths.push((col, 10.0));
        sheet.note(
            0,
            col,
            &stability_note(results.stability.as_ref().map_or(0, |s| s.resamples)),
        )?;
    }
    sheet.widths(&widths)?;
    sheet.freeze(1, 4)?;
    sheet.print_table(0)?;
    sheet.apply(|ws| ws.set_print_area(0, 0, rows as u32, col_explanation - 1))?;
    // Its 17 columns on one page wide would print too small to read: two pages wide, the
    // code repeated on each, the right half of a page's rows printed just after it.
    sheet.ws.set_print_fit_to_pages(2, 0);
    sheet.apply(|ws| ws.set_repeat_columns(0, 0))?;
    sheet.ws.set_page_order(false);
    Ok(sheet)
}

/// The note on a Stabilité header.
pub(crate) fn stability_note(resamples: usize) -> String {
    format!(
        "Part des {} où les effectifs, retirés au hasard autour des valeurs observées, \
         redonnent le même résultat (1 : toujours ; 0,5 : une fois sur deux). Sous le seuil du \
         pack, un constat est fragile : il tient peut-être au hasard des petits nombres.",
        fr::count(resamples, "tirage", "tirages")
    )
}

/// How a score was obtained, in French: source cells, normalisation and frame, the frame's
/// statistics, the finding's rule and thresholds.
pub(crate) fn explanation(
    ctx: &Context,
    st: &StructureResult,
    def: &IndicatorDef,
    ir: Option<&IndicatorResult>,
) -> String {
    let method = &ctx.results.method;
    let fraction = def.shown_unit() == Unit::Fraction;
    let mut lines = Vec::new();
    let Some(ir) = ir else {
        return format!("{} : aucun résultat pour cette structure.", def.label);
    };
    match ir.score {
        Some(score) => lines.push(format!(
            "Score {} sur 100 ({}).",
            fr::number(score, 0),
            if def.direction == crate::pack::manifest::Direction::Lower {
                "une valeur basse est meilleure"
            } else {
                "une valeur haute est meilleure"
            }
        )),
        None => lines.push("Pas de score.".to_string()),
    }
    match ir.value {
        Some(v) => lines.push(format!("Valeur : {}.", fr::shown(v, fraction))),
        None => lines.push(format!(
            "Valeur manquante : {}.",
            ir.missing
                .as_deref()
                .map_or("non renseignée".into(), Missing::describe)
        )),
    }
    if let (Some(n), Some(d)) = (&def.numerator, &def.denominator) {
        lines.push(format!(
            "Calcul : {} / {}{}.",
            label_of(ctx, n),
            label_of(ctx, d),
            if def.factor != 1.0 {
                format!(" × {}", fr::number(def.factor, 3))
            } else {
                String::new()
            }
        ));
    }
    if !ir.cells.is_empty() {
        let cells: Vec<String> = ir.cells.iter().map(|c| c.to_string()).collect();
        lines.push(format!("Cellules sources : {}.", cells.join(", ")));
    }
    let frame = method.score_frame;
    let frame_result = ir.frames.get(&frame);
    lines.push(format!(
        "Normalisation : {} dans le référentiel {}{}.",
        normalisation_fr(method.normalisation),
        frame.label_fr(),
        frame_result
            .map(|f| format!(" ({})", f.label))
            .unwrap_or_default()
    ));
    match frame_result.and_then(|f| f.summary.as_ref()) {
        Some(s) => lines.push(format!(
            "Référentiel : n = {}, médiane = {}, Q1 = {}, Q3 = {}.",
            s.n,
            fr::shown(s.median, fraction),
            fr::shown(s.q1, fraction),
            fr::shown(s.q3, fraction)
        )),
        None => lines.push("Référentiel : aucune valeur.".to_string()),
    }
    if let Some(m) = frame_median(Some(ir), FrameKind::National) {
        lines.push(format!("Médiane nationale : {}.", fr::shown(m, fraction)));
    }
    if let Some(f) = &ir.finding {
        let reason = if f.reason.is_empty() {
            String::new()
        } else {
            format!(" — {}", f.reason)
        };
        lines.push(format!(
            "Constat : {}{reason} (règle {}:{}).",
            f.kind.label_fr(),
            f.rule.script,
            f.rule.line
        ));
        if !f.thresholds.is_empty() {
            let t: Vec<String> = f
                .thresholds
                .iter()
                .map(|t| {
                    format!(
                        "{} = {}{}",
                        t.name,
                        fr::number(t.value, 4),
                        if t.regional {
                            format!(" (seuil régional {})", st.region)
                        } else {
                            String::new()
                        }
                    )
                })
                .collect();
            lines.push(format!("Seuils : {}.", t.join(" ; ")));
        }
    } else {
        lines.push("Aucun constat.".to_string());
    }
    lines.join("\n")
}

fn label_of(ctx: &Context, id: &str) -> String {
    ctx.results
        .indicator_index(id)
        .map(|i| ctx.results.indicators[i].label.clone())
        .unwrap_or_else(|| id.to_string())
}

pub(crate) fn normalisation_fr(n: Normalisation) -> &'static str {
    match n {
        Normalisation::Percentile => "rang centile",
        Normalisation::MinMax => "position entre minimum et maximum",
        Normalisation::ZScore => "score z (50 + 10 z)",
    }
}
