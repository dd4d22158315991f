//! Writes the generated sample as a workbook: two sheets, `Indicateurs` and `Contexte`,
//! each with a title and a subtitle above its header row, frozen panes and a filter, in the
//! look of a field export (its own formats, not the report's [`Styles`]).
//!
//! [`Styles`]: crate::report::xlsx::Styles

use super::SampleOptions;
use super::columns::{
    ACTIVITY_COLUMNS, CONTEXT_COLUMNS, Column, LABEL_CODE, LABEL_CONTEXT_CODE, LABEL_NAME,
    LABEL_REGION, LABEL_YEAR, NumberFormat,
};
use super::model::{SampleStructure, StructureYear};
use crate::error::Result;
use crate::report::xlsx::{EXCEL_LAST_ROW, Sheet, new_workbook, save};
use rust_xlsxwriter::{ColNum, Color, Format, FormatAlign, FormatBorder, RowNum};

/// The header row (0-based), below the title and the subtitle; data start on the next row.
const HEADER_ROW: RowNum = 2;

/// Most data rows a sheet can hold below its header.
pub(super) const MAX_DATA_ROWS: usize = EXCEL_LAST_ROW - HEADER_ROW as usize;

/// Shown in an activity cell whose value is missing, as field exports do.
const NOT_AVAILABLE: &str = "n.d.";

/// The workbook's own formats.
struct Formats {
    title: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    missing: Format,
    count: Format,
    decimal: Format,
    fraction: Format,
    year: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            subtitle: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959)),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border_bottom(FormatBorder::Thin),
            text: Format::new(),
            missing: Format::new().set_align(FormatAlign::Right),
            count: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("0.0"),
            fraction: Format::new().set_num_format("0.0%"),
            year: Format::new().set_num_format("0"),
        }
    }

    fn number(&self, format: NumberFormat) -> &Format {
        match format {
            NumberFormat::Count => &self.count,
            NumberFormat::Decimal => &self.decimal,
            NumberFormat::Fraction => &self.fraction,
        }
    }
}

/// A sheet's layout: its name, the start of its title (the period follows), its id
/// columns with their widths (the year follows when the sample spans several years), how
/// many of them stay in view, and its value columns.
struct Layout {
    name: &'static str,
    title: &'static str,
    id_columns: &'static [(&'static str, f64)],
    frozen_columns: ColNum,
    value_columns: &'static [Column],
}

const INDICATORS: Layout = Layout {
    name: "Indicateurs",
    title: "Indicateurs CPO des missions locales",
    id_columns: &[(LABEL_CODE, 10.0), (LABEL_NAME, 46.0), (LABEL_REGION, 27.0)],
    frozen_columns: 2,
    value_columns: &ACTIVITY_COLUMNS,
};

const CONTEXT: Layout = Layout {
    name: "Contexte",
    title: "Contexte territorial des missions locales",
    id_columns: &[(LABEL_CONTEXT_CODE, 12.0)],
    frozen_columns: 1,
    value_columns: &CONTEXT_COLUMNS,
};

/// Width of the year column.
const YEAR_WIDTH: f64 = 8.0;
/// Width of every value column.
const VALUE_WIDTH: f64 = 14.0;

/// The `.xlsx` bytes of the sample.
pub(super) fn write_workbook(
    opts: &SampleOptions,
    structures: &[SampleStructure],
    years: &[StructureYear],
    region: Option<&str>,
) -> Result<Vec<u8>> {
    let mut comment = format!(
        "boussole sample --structures {} --years {} --seed {} --first-year {}",
        opts.structures, opts.years, opts.seed, opts.first_year
    );
    if let Some(region) = region {
        comment.push_str(&format!(" --region \"{region}\""));
    }
    // Dated the first of January after the last year observed: from the options, never
    // from the clock.
    let created = new_year_unix(opts.last_year() + 1);
    let mut workbook = new_workbook(
        "Indicateurs CPO des missions locales (données synthétiques)",
        &comment,
        Some(created),
    );
    let generated = Generated {
        opts,
        formats: Formats::new(),
        subtitle: format!(
            "Données fictives générées par « boussole sample » (graine {}) : {} missions locales, ordres de grandeur réalistes, à ne pas utiliser comme données réelles.",
            opts.seed,
            structures.len()
        ),
        structures,
        years,
    };
    workbook.push_worksheet(generated.indicators_sheet()?.ws);
    workbook.push_worksheet(generated.context_sheet()?.ws);
    save(&mut workbook, "classeur synthétique")
}

/// The generated sample as both sheets write it.
struct Generated<'a> {
    opts: &'a SampleOptions,
    formats: Formats,
    /// The warning under each title: the data are fictitious.
    subtitle: String,
    structures: &'a [SampleStructure],
    years: &'a [StructureYear],
}

impl Generated<'_> {
    /// The `Indicateurs` sheet: code, name, region (and year), then the activity columns.
    fn indicators_sheet(&self) -> Result<Sheet> {
        let formats = &self.formats;
        let (mut sheet, first) = self.start_sheet(&INDICATORS)?;
        for (i, year) in self.years.iter().enumerate() {
            let row = data_row(i);
            let structure = &self.structures[year.structure];
            sheet.text(row, 0, &structure.code, &formats.text)?;
            sheet.text(row, 1, &structure.name, &formats.text)?;
            sheet.text(row, 2, structure.region, &formats.text)?;
            self.write_year(&mut sheet, &INDICATORS, row, year.year)?;
            for (k, (column, value)) in ACTIVITY_COLUMNS.iter().zip(&year.activity).enumerate() {
                let col = first + k as ColNum;
                match value {
                    Some(v) => sheet.number(row, col, *v, formats.number(column.format))?,
                    None => sheet.text(row, col, NOT_AVAILABLE, &formats.missing)?,
                }
            }
        }
        finish(&mut sheet, &INDICATORS, first, self.years.len())?;
        Ok(sheet)
    }

    /// The `Contexte` sheet: code (and year), then the context columns.
    fn context_sheet(&self) -> Result<Sheet> {
        let (mut sheet, first) = self.start_sheet(&CONTEXT)?;
        for (i, year) in self.years.iter().enumerate() {
            let row = data_row(i);
            let code = &self.structures[year.structure].code;
            sheet.text(row, 0, code, &self.formats.text)?;
            self.write_year(&mut sheet, &CONTEXT, row, year.year)?;
            let values = year.context.values();
            for (k, (column, value)) in CONTEXT_COLUMNS.iter().zip(values).enumerate() {
                let format = self.formats.number(column.format);
                sheet.number(row, first + k as ColNum, value, format)?;
            }
        }
        finish(&mut sheet, &CONTEXT, first, self.years.len())?;
        Ok(sheet)
    }

    /// A sheet with its title, subtitle and header row; returns it with the index of its
    /// first value column.
    fn start_sheet(&self, layout: &Layout) -> Result<(Sheet, ColNum)> {
        let formats = &self.formats;
        let mut sheet = Sheet::new(layout.name)?;
        let title = format!(
            "{} — {} (données synthétiques)",
            layout.title,
            period(self.opts)
        );
        sheet.text(0, 0, &title, &formats.title)?;
        sheet.text(1, 0, &self.subtitle, &formats.subtitle)?;
        let year = long_format(self.opts).then_some((LABEL_YEAR, YEAR_WIDTH));
        let ids: Vec<(&str, f64)> = layout.id_columns.iter().copied().chain(year).collect();
        let values = layout.value_columns.iter().map(|c| (c.label, VALUE_WIDTH));
        for (col, (label, width)) in ids.iter().copied().chain(values).enumerate() {
            let col = col as ColNum;
            sheet.text(HEADER_ROW, col, label, &formats.header)?;
            sheet.widths(&[(col, width)])?;
        }
        sheet.apply(|ws| ws.set_row_height(HEADER_ROW, 48))?;
        Ok((sheet, ids.len() as ColNum))
    }

    /// The year of a data row, in the column after the ids, when the sample spans several
    /// years.
    fn write_year(&self, sheet: &mut Sheet, layout: &Layout, row: RowNum, year: i32) -> Result<()> {
        if !long_format(self.opts) {
            return Ok(());
        }
        let col = layout.id_columns.len() as ColNum;
        sheet.number(row, col, year.into(), &self.formats.year)
    }
}

/// The years covered, as the titles say them: `année 2010`, `années 2010 à 2012`.
fn period(opts: &SampleOptions) -> String {
    let noun = if opts.years == 1 { "année" } else { "années" };
    format!("{noun} {}", opts.span())
}

/// Whether the sheets are in long format: one row per structure and year, with a year
/// column.
fn long_format(opts: &SampleOptions) -> bool {
    opts.years > 1
}

/// The sheet row of the `i`-th data row.
fn data_row(i: usize) -> RowNum {
    HEADER_ROW + 1 + i as RowNum
}

/// Freezes the header and the first id columns, and filters the `rows` data rows.
fn finish(sheet: &mut Sheet, layout: &Layout, first_value: ColNum, rows: usize) -> Result<()> {
    sheet.freeze(HEADER_ROW + 1, layout.frozen_columns)?;
    let last_row = HEADER_ROW + rows as RowNum;
    let last_col = first_value + layout.value_columns.len() as ColNum - 1;
    sheet.apply(|ws| ws.autofilter(HEADER_ROW, 0, last_row, last_col))
}

/// Seconds from 1970 to the first of January of `year` (UTC), for years 1901 to 9999.
fn new_year_unix(year: i32) -> i64 {
    // Leap years before `year`, counted from year 1.
    let leaps = |y: i64| y / 4 - y / 100 + y / 400;
    let year = i64::from(year);
    let days = 365 * (year - 1970) + leaps(year - 1) - leaps(1969);
    days * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::xlsx::FIXED_EPOCH;

    #[test]
    fn new_years_are_counted_from_1970() {
        assert_eq!(new_year_unix(1970), 0);
        assert_eq!(new_year_unix(1971), 365 * 86_400);
        assert_eq!(new_year_unix(2000), FIXED_EPOCH);
        // 2000 is a leap year, 1900 is not.
        assert_eq!(new_year_unix(2001), FIXED_EPOCH + 366 * 86_400);
        assert_eq!(new_year_unix(1901), -(69 * 365 + 17) * 86_400);
    }
}
