//! The Règles sheet: the pack used (name, version, description, hash), each file with its
//! SHA-256, the method settings, the thresholds in force (base table and each region's
//! overrides), the bands, the regional-priority rule and the recommendations.

use super::indicateurs::normalisation_fr;
use super::{Context, indicator_labels};
use crate::error::Result;
use crate::fr;
use crate::pack::Origin;
use crate::report::xlsx::{Sheet, Styles};

pub(crate) fn write(ctx: &Context, styles: &mut Styles) -> Result<Sheet> {
    let results = ctx.results;
    let manifest = &ctx.pack.manifest;
    let mut sheet = Sheet::new(&ctx.names.regles)?;
    sheet.text(0, 0, "Règles : le pack utilisé", &styles.title)?;
    let mut row = 2u32;

    let section =
        |sheet: &mut Sheet, row: &mut u32, title: &str, headers: &[&str], styles: &Styles| {
            sheet.text(*row, 0, title, &styles.subtitle)?;
            *row += 1;
            if !headers.is_empty() {
                sheet.header_row(*row, 0, headers, styles)?;
                *row += 1;
            }
            Ok::<(), crate::error::Error>(())
        };
    let pairs = |sheet: &mut Sheet, row: &mut u32, items: &[(&str, String)], styles: &Styles| {
        for (k, v) in items {
            sheet.text(*row, 0, k, &styles.bold)?;
            sheet.text(*row, 1, v, &styles.wrap)?;
            // Column B is 66 wide: a longer value wraps, its row as tall as its lines.
            let lines = crate::report::xlsx::wrapped_lines(v, 66.0);
            if lines > 1 {
                let r = *row;
                sheet.apply(|ws| ws.set_row_height(r, (15.0 * lines as f64).min(409.0)))?;
            }
            *row += 1;
        }
        *row += 1;
        Ok::<(), crate::error::Error>(())
    };

    section(&mut sheet, &mut row, "Pack", &[], styles)?;
    pairs(
        &mut sheet,
        &mut row,
        &[
            ("Nom", results.pack.name.clone()),
            ("Version", results.pack.version.clone()),
            ("Description", manifest.pack.description.clone()),
            ("Empreinte SHA-256", results.pack.hash.clone()),
            (
                "Origine",
                match ctx.pack.origin {
                    Origin::Embedded => "pack intégré à boussole".to_string(),
                    Origin::Folder(_) => "dossier de règles (--rules)".to_string(),
                },
            ),
        ],
        styles,
    )?;

    section(
        &mut sheet,
        &mut row,
        "Fichiers",
        &["Fichier", "SHA-256"],
        styles,
    )?;
    for (path, hash) in ctx.pack.file_hashes() {
        sheet.plain(row, 0, &path)?;
        sheet.plain(row, 1, &hash)?;
        row += 1;
    }
    row += 1;

    let m = &results.method;
    let list = |v: &[String]| {
        if v.is_empty() {
            "aucune".to_string()
        } else {
            v.join(", ")
        }
    };
    section(&mut sheet, &mut row, "Méthode", &[], styles)?;
    pairs(
        &mut sheet,
        &mut row,
        &[
            (
                "Normalisation des scores",
                normalisation_fr(m.normalisation).to_string(),
            ),
            (
                "Référentiel des scores",
                m.score_frame.label_fr().to_string(),
            ),
            (
                "Couverture minimale d'un axe",
                format!(
                    "{} % du poids de l'axe",
                    fr::number(m.min_coverage * 100.0, 1)
                ),
            ),
            (
                "Nombre de pairs (plus proches voisins)",
                m.peers_k.to_string(),
            ),
            ("Variables de contexte des pairs", list(&m.peers_context)),
            (
                "Variables de contexte de la régression",
                list(&m.regression_context),
            ),
            (
                "z des limites en entonnoir (petits effectifs)",
                fr::number(m.funnel_z, 2),
            ),
            (
                "« Mieux / moins bien que prévu »",
                format!(
                    "au-delà de {} écart-type de la prédiction (la structure exclue de son modèle)",
                    fr::number(m.residual_z, 2)
                ),
            ),
            (
                "Référentiel trop petit pour juger",
                format!(
                    "moins de {} : remplacé par le référentiel {}, et l'étiquette le dit",
                    fr::count(m.min_frame_n, "valeur", "valeurs"),
                    m.fallback.label_fr()
                ),
            ),
            (
                "Bande d'atteinte des objectifs",
                format!(
                    "{} écart-type d'échantillonnage du taux",
                    fr::number(m.tolerance_z, 2)
                ),
            ),
        ],
        styles,
    )?;

    // The regression behind the expected values, indicator by indicator: what it explains,
    // and why it was set aside when it explains too little.
    let models: Vec<_> = results
        .indicators
        .iter()
        .filter_map(|d| d.model.as_ref().map(|mo| (d, mo)))
        .collect();
    if !models.is_empty() {
        section(
            &mut sheet,
            &mut row,
            "Modèles du contexte (valeurs attendues)",
            &["Indicateur", "Qualité", "Utilisé"],
            styles,
        )?;
        for (d, mo) in models {
            sheet.plain(row, 0, &d.label)?;
            sheet.plain(
                row,
                1,
                &format!(
                    "R² {} ; R² ajusté {} ; {} ; {}",
                    fr::number(mo.r2, 2),
                    fr::number(mo.adj_r2, 2),
                    fr::count(mo.n, "structure", "structures"),
                    fr::count(mo.predictors, "variable", "variables")
                ),
            )?;
            let used = match &mo.gated {
                None => "oui".to_string(),
                Some(why) => format!("non : {why}"),
            };
            sheet.text(row, 2, &used, &styles.wrap)?;
            row += 1;
        }
        row += 1;
    }

    let rp = &manifest.regional_priorities;
    let decided_by = match &manifest.scripts.regions {
        Some(script) => format!("le script {script}, une fois par région"),
        None => "la règle intégrée : part et nombre minimaux atteints, ou région en retrait sur \
                 le référentiel national pour l'indicateur principal de la recommandation"
            .to_string(),
    };
    let mut items = vec![
        ("Décidées par", decided_by),
        (
            "Part minimale des structures",
            format!("{} %", fr::number(rp.min_share * 100.0, 1)),
        ),
        ("Nombre minimal de structures", rp.min_count.to_string()),
    ];
    let overrides: Vec<String> = rp
        .regions
        .iter()
        .map(|(r, s)| format!("{r} : {} %", fr::number(s * 100.0, 1)))
        .collect();
    if !overrides.is_empty() {
        items.push(("Parts minimales régionales", overrides.join(" ; ")));
    }
    section(&mut sheet, &mut row, "Priorités régionales", &[], styles)?;
    pairs(&mut sheet, &mut row, &items, styles)?;

    let th = &manifest.thresholds;
    section(
        &mut sheet,
        &mut row,
        "Seuils (table de base)",
        &["Seuil", "Valeur"],
        styles,
    )?;
    for (name, value) in &th.base {
        sheet.plain(row, 0, name)?;
        sheet.number(row, 1, *value, &styles.text)?;
        row += 1;
    }
    if th.base.is_empty() {
        sheet.text(row, 0, "aucun seuil", &styles.italic)?;
        row += 1;
    }
    row += 1;

    section(
        &mut sheet,
        &mut row,
        "Seuils régionaux (valeurs qui remplacent la table de base)",
        &["Région", "Seuil", "Valeur de base", "Valeur régionale"],
        styles,
    )?;
    let mut any = false;
    for (region, layer) in &th.regions {
        for (name, value) in layer {
            sheet.plain(row, 0, region)?;
            sheet.plain(row, 1, name)?;
            match th.base.get(name) {
                Some(base) => sheet.number(row, 2, *base, &styles.text)?,
                None => sheet.plain(row, 2, "—")?,
            }
            sheet.number(row, 3, *value, &styles.bold)?;
            row += 1;
            any = true;
        }
    }
    if !any {
        sheet.text(row, 0, "aucune surcharge régionale", &styles.italic)?;
        row += 1;
    }
    row += 1;

    if !th.bands.is_empty() {
        section(
            &mut sheet,
            &mut row,
            "Barèmes",
            &["Barème", "De (inclus)", "À (exclu)", "Libellé"],
            styles,
        )?;
        for (name, bands) in &th.bands {
            for b in bands {
                sheet.plain(row, 0, name)?;
                sheet.number(row, 1, b.from, &styles.text)?;
                sheet.number(row, 2, b.to, &styles.text)?;
                sheet.plain(row, 3, &b.label)?;
                row += 1;
            }
        }
        row += 1;
    }

    section(
        &mut sheet,
        &mut row,
        "Recommandations",
        &["Identifiant", "Priorité", "Texte", "Indicateurs"],
        styles,
    )?;
    for rec in &manifest.recommendations {
        sheet.plain(row, 0, &rec.id)?;
        sheet.number(row, 1, f64::from(rec.priority), &styles.integer)?;
        let labels = indicator_labels(ctx, &rec.indicators);
        sheet.text(row, 2, &rec.text, &styles.wrap)?;
        sheet.text(row, 3, &labels, &styles.wrap)?;
        // As tall as its wrapped texts, so that none prints over the next row.
        let lines = crate::report::xlsx::wrapped_lines(&rec.text, 60.0)
            .max(crate::report::xlsx::wrapped_lines(&labels, 40.0));
        if lines > 1 {
            sheet.apply(|ws| ws.set_row_height(row, (15.0 * lines as f64).min(409.0)))?;
        }
        row += 1;
    }
    sheet.widths(&[(0, 40.0), (1, 66.0), (2, 60.0), (3, 40.0)])?;
    // A4 landscape, one page wide: the values print beside their labels.
    sheet.ws.set_paper_size(9);
    sheet.ws.set_landscape();
    sheet.ws.set_print_fit_to_pages(1, 0);
    Ok(sheet)
}
