//! The blank field workbook of a pack: what `boussole template` writes.
//!
//! Three sheets:
//! - `Instructions`: what the file is for, how to fill it, and every expected column with
//!   its unit, whether it is required and its definition; the pack's name and version;
//! - `Données`: row 1 holds the header (each catalogue column's main label, in catalogue
//!   order) with a note per header cell; row 2 is an example row that the reader sets aside
//!   (its code is `EXEMPLE`); rows 2 to 5000 carry data validation and number formats;
//! - `Listes` (hidden): the allowed regions, referenced by the region column's drop-down.
//!
//! This module owns the template's layout only: it reads the pack's manifest and test
//! cases (for plausible example values) and never reads a workbook nor evaluates rules.
//!
//! The Instructions and Listes sheets must never be taken for data by the reader: no cell
//! of theirs may read as the id column's header (label or alias), since a row holding such a
//! cell in the first rows of a sheet becomes that sheet's header row. Labels listed in the
//! Instructions are therefore prefixed with their column letter (`A — Code ML`).
//!
//! Determinism: the same pack gives the same bytes; the document creation date is fixed,
//! never taken from the clock.

use crate::dataset::column_letters;
use crate::error::{Error, PackError, Result};
use crate::fr::REGIONS;
use crate::pack::Pack;
use crate::pack::manifest::{ColumnSpec, Role, Scale, Unit, normalize_header};
use crate::report::xlsx::{Sheet, Styles, new_workbook, save, validation_title};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign,
    FormatBorder, Formula, Note, XlsxError,
};
use std::collections::BTreeMap;

/// The sheet users fill.
pub const DATA_SHEET: &str = "Données";
/// The sheet explaining how to fill it.
pub const INSTRUCTIONS_SHEET: &str = "Instructions";
/// The hidden sheet holding drop-down lists.
pub const LISTS_SHEET: &str = "Listes";
/// Last row (1-based) of the data sheet carrying data validation.
pub const LAST_VALIDATED_ROW: u32 = 5000;
/// The code cell of the example row; the reader sets aside rows whose code or name starts
/// with « Exemple ».
pub const EXAMPLE_CODE: &str = "EXEMPLE";
/// The name cell of the example row.
pub const EXAMPLE_NAME: &str = "Exemple — ligne à remplacer ou supprimer (ignorée à la lecture)";

/// Lowest and highest year accepted in the year column.
const YEARS: (i32, i32) = (2000, 2100);

type Xlsx<T> = std::result::Result<T, XlsxError>;

/// Generates the blank field workbook of a pack and returns the `.xlsx` bytes.
///
/// ```
/// use boussole::pack::Pack;
/// let pack = Pack::embedded()?;
/// let bytes = boussole::report::template::template_workbook(&pack)?;
/// assert_eq!(&bytes[..2], b"PK");
/// assert_eq!(bytes, boussole::report::template::template_workbook(&pack)?);
/// # Ok::<(), boussole::error::Error>(())
/// ```
///
/// # Errors
/// [`PackError::NoIdColumn`] when the pack's catalogue declares no id column (nothing could be read
/// back); a [`crate::error::WriteError`] if the workbook cannot be assembled.
pub fn template_workbook(pack: &Pack) -> Result<Vec<u8>> {
    let columns = &pack.manifest.columns;
    if !columns.iter().any(|c| c.role == Role::Id) {
        return Err(PackError::NoIdColumn.into());
    }
    let layout = Layout::new(pack);
    write_workbook(pack, &layout)
}

/// How one catalogue column is entered.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Entry {
    /// The structure code: text, leading zeros kept.
    Code,
    /// Free text (name, typology).
    Text,
    /// A region, from the drop-down list.
    Region,
    /// A year, whole number.
    Year,
    /// A non-negative whole number.
    Count,
    /// A non-negative decimal number.
    Decimal,
    /// A fraction stored as 0.125 (shown as a percentage).
    Fraction,
    /// A fraction stored as a percentage number (12.5).
    Percent,
    /// A ratio with no fixed bound.
    Ratio,
}

impl Entry {
    fn of(spec: &ColumnSpec) -> Entry {
        match spec.role {
            Role::Id => Entry::Code,
            Role::Name | Role::Typology => Entry::Text,
            Role::Region => Entry::Region,
            Role::Year => Entry::Year,
            Role::Indicator | Role::Context => match (spec.unit, spec.scale) {
                (Unit::Count, _) => Entry::Count,
                (Unit::Decimal, _) => Entry::Decimal,
                (Unit::Fraction, Scale::Fraction) => Entry::Fraction,
                (Unit::Fraction, Scale::Percent) => Entry::Percent,
                (Unit::Ratio, _) => Entry::Ratio,
            },
        }
    }

    /// The unit as told to the person filling the workbook.
    fn unit_fr(self) -> &'static str {
        match self {
            Entry::Code => "texte (code)",
            Entry::Text => "texte",
            Entry::Region => "texte (liste des régions)",
            Entry::Year => "année (nombre entier)",
            Entry::Count => "nombre entier",
            Entry::Decimal => "nombre décimal",
            Entry::Fraction => "pourcentage (saisir 12,5 %)",
            Entry::Percent => "pourcentage en nombre (saisir 12,5 pour 12,5 %)",
            Entry::Ratio => "ratio (nombre décimal)",
        }
    }

    fn is_numeric(self) -> bool {
        matches!(
            self,
            Entry::Count | Entry::Decimal | Entry::Fraction | Entry::Percent | Entry::Ratio
        )
    }
}

/// One column of the data sheet.
struct Column<'a> {
    spec: &'a ColumnSpec,
    entry: Entry,
    /// Excel number format of the data cells.
    format: String,
    width: f64,
}

/// Everything the sheets are written from.
struct Layout<'a> {
    columns: Vec<Column<'a>>,
    regions: Vec<String>,
    /// The example row's values, by column id (numbers as stored in the workbook).
    example_numbers: BTreeMap<String, f64>,
    example_region: String,
    example_typology: Option<String>,
    example_year: i32,
    /// Normalized label and aliases of the id column: no Instructions cell may read so.
    id_keys: Vec<String>,
}

impl<'a> Layout<'a> {
    fn new(pack: &'a Pack) -> Layout<'a> {
        let manifest = &pack.manifest;
        let columns: Vec<Column> = manifest
            .columns
            .iter()
            .map(|spec| {
                let entry = Entry::of(spec);
                let format = match (&spec.format, entry) {
                    (Some(f), _) => f.clone(),
                    (None, Entry::Code | Entry::Text | Entry::Region) => "@".into(),
                    (None, Entry::Year) => "0".into(),
                    (None, Entry::Percent) => "0.0".into(),
                    (None, _) => spec.format().to_string(),
                };
                let width = match entry {
                    Entry::Code => 12.0,
                    Entry::Text if spec.role == Role::Name => 44.0,
                    Entry::Text => 18.0,
                    Entry::Region => 28.0,
                    Entry::Year => 9.0,
                    _ => (spec.label.chars().count() as f64 * 0.55 + 3.0).clamp(12.0, 22.0),
                };
                Column {
                    spec,
                    entry,
                    format,
                    width,
                }
            })
            .collect();

        // The French regions, then any region the pack names in its regional thresholds or
        // priorities.
        let mut regions: Vec<String> = REGIONS.iter().map(|r| r.to_string()).collect();
        let named = manifest
            .thresholds
            .regions
            .keys()
            .chain(manifest.regional_priorities.regions.keys());
        for region in named {
            if !regions.contains(region) {
                regions.push(region.clone());
            }
        }

        let case = example_case(pack);
        let mut example_numbers = BTreeMap::new();
        for column in columns.iter().filter(|c| c.entry.is_numeric()) {
            let stored = case.values.get(&column.spec.id).copied();
            let value = match column.entry {
                Entry::Count => stored.map(f64::round).unwrap_or(500.0),
                Entry::Decimal => stored.unwrap_or(12.5),
                Entry::Fraction => stored.unwrap_or(0.2),
                // Case values are stored fractions; the field types percentages here.
                Entry::Percent => stored.map(|x| x * 100.0).unwrap_or(20.0),
                _ => stored.unwrap_or(1.5),
            };
            example_numbers.insert(column.spec.id.clone(), value);
        }
        let example_region = case
            .region
            .filter(|r| regions.contains(r))
            .unwrap_or_else(|| regions[0].clone());
        let example_year = manifest
            .pack
            .version
            .get(..4)
            .and_then(|y| y.parse::<i32>().ok())
            .filter(|y| (YEARS.0..=YEARS.1).contains(y))
            .unwrap_or(2025);

        let id_keys = manifest
            .columns
            .iter()
            .filter(|c| c.role == Role::Id)
            .flat_map(|c| std::iter::once(&c.label).chain(&c.aliases))
            .map(|name| normalize_header(name))
            .collect();

        Layout {
            columns,
            regions,
            example_numbers,
            example_region,
            example_typology: case.typology,
            example_year,
            id_keys,
        }
    }

    /// Text for an Instructions or Listes cell, kept from reading as the id header.
    fn safe(&self, text: &str) -> String {
        if self.id_keys.contains(&normalize_header(text)) {
            format!("{text} (en-tête)")
        } else {
            text.to_string()
        }
    }
}

/// Example values taken from the pack's own test cases: the structure with the most values.
#[derive(Default)]
struct ExampleCase {
    values: BTreeMap<String, f64>,
    region: Option<String>,
    typology: Option<String>,
}

fn example_case(pack: &Pack) -> ExampleCase {
    let mut best = ExampleCase::default();
    for (_, text) in pack.test_files() {
        // A malformed case file is `boussole test`'s business; here it just gives no example.
        let Ok(file) = toml::from_str::<toml::Table>(text) else {
            continue;
        };
        let cases = file.get("cas").and_then(|c| c.as_array());
        let structures = cases
            .into_iter()
            .flatten()
            .filter_map(|case| case.get("structures").and_then(|s| s.as_array()))
            .flatten();
        for structure in structures {
            let values: BTreeMap<String, f64> = structure
                .get("valeurs")
                .and_then(|v| v.as_table())
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| {
                    let x = v.as_float().or_else(|| v.as_integer().map(|i| i as f64))?;
                    Some((k.clone(), x))
                })
                .collect();
            if values.len() > best.values.len() {
                let text = |key: &str| {
                    structure
                        .get(key)
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                };
                best = ExampleCase {
                    values,
                    region: text("region"),
                    typology: text("typologie"),
                };
            }
        }
    }
    best
}

/// The template's own formats, next to the shared title, subtitle and text.
struct Formats {
    shared: Styles,
    table_head: Format,
    table_cell: Format,
    table_wrap: Format,
    header: Format,
    header_required: Format,
}

impl Formats {
    fn new() -> Formats {
        let head_fill = Color::RGB(0xDDEBF7);
        let required_fill = Color::RGB(0xFCE4D6);
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin)
            .set_background_color(head_fill);
        Formats {
            shared: Styles::new(),
            table_head: Format::new()
                .set_bold()
                .set_border(FormatBorder::Thin)
                .set_background_color(head_fill),
            table_cell: Format::new()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Top),
            table_wrap: Format::new()
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Top)
                .set_text_wrap(),
            header_required: header.clone().set_background_color(required_fill),
            header,
        }
    }

    /// The example row's cell format: italic grey, with the column's number format.
    fn example(number_format: &str) -> Format {
        let format = Format::new()
            .set_italic()
            .set_font_color(Color::RGB(0x808080));
        with_number_format(format, number_format)
    }
}

/// Sets a number format; text (`@`) is Excel's built-in format 49, which Excel and
/// LibreOffice recognise as text entry (a custom `@` format is less widely honoured).
fn with_number_format(format: Format, code: &str) -> Format {
    match code {
        "@" => format.set_num_format_index(49),
        _ => format.set_num_format(code),
    }
}

fn write_workbook(pack: &Pack, layout: &Layout) -> Result<Vec<u8>> {
    let info = &pack.manifest.pack;
    let formats = Formats::new();
    let mut workbook = new_workbook(
        &format!(
            "Classeur à remplir — pack « {} » version {}",
            info.name, info.version
        ),
        "boussole template",
        None,
    );
    let sheets = [
        instructions_sheet(pack, layout, &formats)?,
        data_sheet(layout, &formats)?,
        lists_sheet(layout, &formats)?,
    ];
    for sheet in sheets {
        workbook.push_worksheet(sheet.ws);
    }
    save(&mut workbook, "modèle de classeur")
}

/// The hidden sheet of the region drop-down.
fn lists_sheet(layout: &Layout, formats: &Formats) -> Result<Sheet> {
    let mut sheet = Sheet::new(LISTS_SHEET)?;
    sheet.text(0, 0, &layout.safe("Régions"), &formats.table_head)?;
    for (i, region) in layout.regions.iter().enumerate() {
        sheet.plain(1 + i as u32, 0, &layout.safe(region))?;
    }
    sheet.widths(&[(0, 32.0)])?;
    sheet.ws.set_hidden(true);
    Ok(sheet)
}

/// The range of the region list on the Listes sheet, for the drop-down.
fn region_list_formula(layout: &Layout) -> Formula {
    Formula::new(format!(
        "={LISTS_SHEET}!$A$2:$A${}",
        layout.regions.len() + 1
    ))
}

fn instructions_sheet(pack: &Pack, layout: &Layout, formats: &Formats) -> Result<Sheet> {
    let info = &pack.manifest.pack;
    let shared = &formats.shared;
    let mut sheet = Sheet::new(INSTRUCTIONS_SHEET)?;
    let mut row = 0u32;
    let line = |sheet: &mut Sheet, row: &mut u32, text: &str, format: &Format| {
        sheet.text(*row, 0, &layout.safe(text), format)?;
        *row += 1;
        Ok::<(), Error>(())
    };

    line(
        &mut sheet,
        &mut row,
        &format!("Classeur à remplir — pack de règles « {} »", info.name),
        &shared.title,
    )?;
    line(
        &mut sheet,
        &mut row,
        &format!("Pack « {} », version {}", info.name, info.version),
        &shared.text,
    )?;
    if !info.description.is_empty() {
        line(&mut sheet, &mut row, &info.description, &shared.text)?;
    }
    row += 1;

    line(
        &mut sheet,
        &mut row,
        "À quoi sert ce classeur",
        &shared.subtitle,
    )?;
    line(
        &mut sheet,
        &mut row,
        &format!(
            "Il recueille, pour chaque structure, les données qu'analyse le pack « {} ». Une fois rempli, il se lit avec « boussole run », qui écrit un classeur annoté (scores, constats, recommandations).",
            info.name
        ),
        &shared.text,
    )?;
    row += 1;

    line(&mut sheet, &mut row, "Comment le remplir", &shared.subtitle)?;
    for (i, step) in steps(layout).iter().enumerate() {
        line(
            &mut sheet,
            &mut row,
            &format!("{}. {step}", i + 1),
            &shared.text,
        )?;
    }
    row += 1;

    line(
        &mut sheet,
        &mut row,
        &format!("Colonnes attendues (feuille « {DATA_SHEET} »)"),
        &shared.subtitle,
    )?;
    columns_table(&mut sheet, row, layout, formats)?;
    sheet.widths(&[(0, 40.0), (1, 30.0), (2, 12.0), (3, 90.0)])?;
    sheet.ws.set_landscape();
    sheet.ws.set_print_fit_to_pages(1, 0);
    Ok(sheet)
}

/// How to fill the data sheet, step by step (only the steps its columns call for).
fn steps(layout: &Layout) -> Vec<String> {
    let has = |entry: Entry| layout.columns.iter().any(|c| c.entry == entry);
    let mut steps: Vec<String> = vec![
        format!(
            "Saisir les données dans la feuille « {DATA_SHEET} », une ligne par structure, sous la ligne d'en-tête."
        ),
        "La ligne 2 est un exemple : la remplacer ou la supprimer. Une ligne dont le code ou le nom commence par « Exemple » est ignorée à la lecture.".into(),
        "Code : saisi comme du texte, 5 caractères, zéros de tête compris (par exemple 01053 ou 2A004) ; la colonne est au format texte pour garder les zéros.".into(),
    ];
    if has(Entry::Fraction) {
        steps.push("Proportions (taux, parts) : en pourcentage, par exemple 12,5 % ; les cellules sont déjà au format pourcentage.".into());
    }
    if has(Entry::Percent) {
        steps.push("Colonnes « pourcentage en nombre » : saisir 12,5 pour 12,5 %.".into());
    }
    if has(Entry::Count) {
        steps.push(
            "Effectifs et comptages : nombres entiers positifs ou nuls, sans décimales.".into(),
        );
    }
    steps.push("Valeur inconnue : saisir n.d. (confirmer si Excel avertit). Ne jamais saisir 0 à la place d'une valeur inconnue ; une cellule vide est aussi lue comme manquante.".into());
    if has(Entry::Region) {
        steps.push("Région : la choisir dans la liste déroulante.".into());
    }
    if has(Entry::Year) {
        steps.push(format!(
            "Année : nombre entier entre {} et {}.",
            YEARS.0, YEARS.1
        ));
    }
    steps.push("Ne pas renommer les en-têtes de la ligne 1 : ils servent à reconnaître les colonnes. Les en-têtes sur fond orangé sont obligatoires ; les autres colonnes peuvent rester vides.".into());
    steps.push("Ne pas ajouter de ligne de total, de sous-total ou de moyenne : boussole calcule les agrégats, et ces lignes sont de toute façon écartées à la lecture.".into());
    steps.push("Chaque en-tête porte une note (définition, unité) ; les cellules contrôlent la saisie jusqu'à la ligne 5000.".into());
    steps
}

/// The table of expected columns, its header on `row`: letter and label, unit, whether
/// required, definition.
fn columns_table(
    sheet: &mut Sheet,
    mut row: u32,
    layout: &Layout,
    formats: &Formats,
) -> Result<()> {
    for (col, title) in ["Colonne — en-tête", "Unité", "Obligatoire", "Définition"]
        .into_iter()
        .enumerate()
    {
        sheet.text(row, col as u16, &layout.safe(title), &formats.table_head)?;
    }
    row += 1;
    for (i, column) in layout.columns.iter().enumerate() {
        let spec = column.spec;
        let cells = [
            format!("{} — {}", column_letters(i as u32), spec.label),
            column.entry.unit_fr().to_string(),
            if spec.required { "oui" } else { "non" }.to_string(),
            spec.definition.clone(),
        ];
        for (col, text) in cells.iter().enumerate() {
            let format = if col == 3 {
                &formats.table_wrap
            } else {
                &formats.table_cell
            };
            sheet.text(row, col as u16, &layout.safe(text), format)?;
        }
        row += 1;
    }
    Ok(())
}

fn data_sheet(layout: &Layout, formats: &Formats) -> Result<Sheet> {
    let mut sheet = Sheet::new(DATA_SHEET)?;
    let first = 1u32;
    let last = LAST_VALIDATED_ROW - 1;
    for (i, column) in layout.columns.iter().enumerate() {
        let col = i as u16;
        let spec = column.spec;
        sheet.widths(&[(col, column.width)])?;
        let cells = with_number_format(Format::new(), &column.format);
        sheet.apply(|ws| ws.set_column_format(col, &cells))?;
        let header = if spec.required {
            &formats.header_required
        } else {
            &formats.header
        };
        sheet.text(0, col, &spec.label, header)?;
        sheet.apply(|ws| ws.insert_note(0, col, &header_note(column)))?;
        if let Some(validation) = sheet.check(validation(column, layout))? {
            sheet.apply(|ws| ws.add_data_validation(first, col, last, col, &validation))?;
        }
        write_example_cell(&mut sheet, col, column, layout)?;
    }
    sheet.apply(|ws| ws.set_row_height(0, 45))?;
    sheet.freeze(1, 0)?;
    Ok(sheet)
}

fn header_note(column: &Column) -> Note {
    let spec = column.spec;
    let mut text = String::new();
    if !spec.definition.is_empty() {
        text.push_str(&spec.definition);
        text.push('\n');
    }
    text.push_str(&format!("Unité : {}.", column.entry.unit_fr()));
    if spec.required {
        text.push_str("\nColonne obligatoire.");
    }
    // About 45 characters a line in a 320-pixel note, 15 pixels a line.
    let lines = text
        .lines()
        .map(|l| l.chars().count() / 45 + 1)
        .sum::<usize>() as u32;
    Note::new(text)
        .set_author("boussole")
        .add_author_prefix(false)
        .set_width(320)
        .set_height(lines * 15 + 16)
}

fn validation(column: &Column, layout: &Layout) -> Xlsx<Option<DataValidation>> {
    let unknown = "Valeur inconnue : n.d.";
    let (rule, input, style) = match column.entry {
        Entry::Code | Entry::Text | Entry::Ratio => return Ok(None),
        Entry::Region => (
            DataValidation::new().allow_list_formula(region_list_formula(layout)),
            "Choisir la région dans la liste.".to_string(),
            DataValidationErrorStyle::Warning,
        ),
        Entry::Year => (
            DataValidation::new().allow_whole_number(DataValidationRule::Between(YEARS.0, YEARS.1)),
            format!("Année entre {} et {}.", YEARS.0, YEARS.1),
            DataValidationErrorStyle::Stop,
        ),
        Entry::Count => (
            DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0)),
            format!("Nombre entier positif ou nul. {unknown}"),
            DataValidationErrorStyle::Warning,
        ),
        Entry::Decimal => (
            DataValidation::new()
                .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
            format!("Nombre positif ou nul. {unknown}"),
            DataValidationErrorStyle::Warning,
        ),
        Entry::Fraction => (
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 1.0)),
            format!("Pourcentage entre 0 % et 100 % (par exemple 12,5 %). {unknown}"),
            DataValidationErrorStyle::Warning,
        ),
        Entry::Percent => (
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 100.0)),
            format!("Nombre entre 0 et 100 (12,5 pour 12,5 %). {unknown}"),
            DataValidationErrorStyle::Warning,
        ),
    };
    let error = match column.entry {
        Entry::Year => input.clone(),
        Entry::Region => {
            "Région absente de la liste. Pour garder cette valeur quand même, confirmer.".into()
        }
        _ => format!("{input}\nPour garder « n.d. » ou une valeur inhabituelle, confirmer."),
    };
    let validation = rule
        .set_input_title(validation_title(&column.spec.label))?
        .set_input_message(input)?
        .set_error_title("Valeur inattendue")?
        .set_error_message(error)?
        .set_error_style(style);
    Ok(Some(validation))
}

fn write_example_cell(sheet: &mut Sheet, col: u16, column: &Column, layout: &Layout) -> Result<()> {
    let format = Formats::example(&column.format);
    let row = 1;
    match column.entry {
        Entry::Code => sheet.text(row, col, EXAMPLE_CODE, &format),
        Entry::Text if column.spec.role == Role::Name => {
            sheet.text(row, col, EXAMPLE_NAME, &format)
        }
        Entry::Text => match &layout.example_typology {
            Some(typology) => sheet.text(row, col, typology, &format),
            None => Ok(()),
        },
        Entry::Region => sheet.text(row, col, &layout.example_region, &format),
        Entry::Year => sheet.number(row, col, layout.example_year.into(), &format),
        _ => {
            let x = layout.example_numbers.get(&column.spec.id).copied();
            sheet.opt_number(row, col, x, &format)
        }
    }
}
