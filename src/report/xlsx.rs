//! Every xlsx boussole writes goes through here: the workbook with its document
//! properties, Excel's limits, the shared formats, and a thin writer over a worksheet that
//! maps rust_xlsxwriter's errors to French output errors.

use crate::error::{Error, Result, WriteError};
use rust_xlsxwriter::{
    Chart, ColNum, Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign,
    FormatBorder, Formula, Note, RowNum, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeMap;

/// Excel's limit on the text of one cell.
const MAX_CELL_TEXT: usize = 32_767;

/// Excel's limit on the title of a data validation's messages.
const MAX_VALIDATION_TITLE: usize = 32;

/// Excel's last row (0-based index): a sheet holds 1,048,576 rows.
pub(crate) const EXCEL_LAST_ROW: usize = 1_048_575;

/// The creation date of outputs that have no input date (2000-01-01, UTC), so that the
/// same content always gives the same bytes.
pub(crate) const FIXED_EPOCH: i64 = 946_684_800;

/// A new workbook, stamped with boussole as author, a title, a comment and a creation
/// date (seconds since 1970, UTC; the fixed epoch when absent or out of Excel's range):
/// outputs are byte-reproducible because the date comes from the input, never the clock.
pub(crate) fn new_workbook(title: &str, comment: &str, created_unix: Option<i64>) -> Workbook {
    let created = ExcelDateTime::from_timestamp(created_unix.unwrap_or(FIXED_EPOCH))
        .or_else(|_| ExcelDateTime::from_timestamp(FIXED_EPOCH))
        .expect("the fixed epoch is a valid Excel date");
    let mut properties = DocProperties::new()
        .set_title(title)
        .set_author("boussole")
        .set_creation_datetime(&created);
    if !comment.is_empty() {
        properties = properties.set_comment(comment);
    }
    let mut workbook = Workbook::new();
    workbook.set_properties(&properties);
    workbook
}

/// The bytes of a finished workbook; `what` names it in the French error (« classeur
/// annoté »).
pub(crate) fn save(workbook: &mut Workbook, what: &str) -> Result<Vec<u8>> {
    workbook.save_to_buffer().map_err(|source| {
        WriteError::Assemble {
            workbook: what.to_string(),
            source,
        }
        .into()
    })
}

/// Shown in formula cells whose value is missing (never 0).
pub(crate) const MISSING_MARK: &str = crate::fr::MISSING;

/// Maps a rust_xlsxwriter error to a French output error naming the sheet.
pub(crate) fn output_error(sheet: &str, source: XlsxError) -> Error {
    WriteError::Sheet {
        sheet: sheet.to_string(),
        source,
    }
    .into()
}

/// The formats every sheet shares.
pub(crate) struct Styles {
    pub title: Format,
    pub subtitle: Format,
    pub header: Format,
    pub bold: Format,
    pub text: Format,
    pub wrap: Format,
    pub italic: Format,
    pub score: Format,
    pub percent: Format,
    pub integer: Format,
    pub date: Format,
    pub datetime: Format,
    /// Number formats by format code, created once.
    numbers: BTreeMap<String, Format>,
    /// The input's number formats, kept as they are (the data copy).
    as_is: BTreeMap<String, Format>,
}

impl Styles {
    pub fn new() -> Styles {
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            subtitle: Format::new().set_bold().set_font_size(12),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border_bottom(FormatBorder::Thin)
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            bold: Format::new().set_bold(),
            text: Format::new(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            italic: Format::new().set_italic(),
            score: Format::new().set_num_format("0"),
            percent: Format::new().set_num_format(french_format("0%")),
            integer: Format::new().set_num_format("#,##0"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            datetime: Format::new().set_num_format("dd/mm/yyyy hh:mm"),
            numbers: BTreeMap::new(),
            as_is: BTreeMap::new(),
        }
    }

    /// The format for an input's number format code, unchanged (the data copy shows the
    /// input as it is).
    pub fn number_as_is(&mut self, code: &str) -> Format {
        self.as_is
            .entry(code.to_string())
            .or_insert_with(|| {
                if code.trim().is_empty() {
                    Format::new()
                } else {
                    Format::new().set_num_format(code)
                }
            })
            .clone()
    }

    /// The format for an Excel number format code (the general format when empty), with
    /// the French space before `%` (see [`french_format`]).
    pub fn number(&mut self, code: &str) -> Format {
        self.numbers
            .entry(code.to_string())
            .or_insert_with(|| {
                if code.trim().is_empty() {
                    Format::new()
                } else {
                    Format::new().set_num_format(french_format(code))
                }
            })
            .clone()
    }
}

/// A worksheet being written, with its name for error messages.
pub(crate) struct Sheet {
    pub ws: Worksheet,
    pub name: String,
    /// Column widths set through [`Sheet::widths`], for the height of wrapped headers.
    widths: BTreeMap<ColNum, f64>,
    /// Row heights set by [`Sheet::header_row`]: two header rows on one row (a table and
    /// a chart's data side by side) keep the taller.
    heights: BTreeMap<RowNum, f64>,
}

impl Sheet {
    pub fn new(name: &str) -> Result<Sheet> {
        Sheet::from_worksheet(Worksheet::new(), name)
    }

    /// A sheet over a worksheet made by the workbook (e.g. one that streams its rows).
    pub fn from_worksheet(mut ws: Worksheet, name: &str) -> Result<Sheet> {
        ws.set_name(name).map_err(|e| output_error(name, e))?;
        Ok(Sheet {
            ws,
            name: name.to_string(),
            widths: BTreeMap::new(),
            heights: BTreeMap::new(),
        })
    }

    fn err(&self, e: XlsxError) -> Error {
        output_error(&self.name, e)
    }

    /// Writes text as text, never as a formula, cut to Excel's cell limit.
    pub fn text(&mut self, row: RowNum, col: ColNum, text: &str, format: &Format) -> Result<()> {
        let text = cut_text(text);
        self.ws
            .write_string_with_format(row, col, text, format)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    /// Writes text as text with the cell's default format (cheaper than a format).
    pub fn plain(&mut self, row: RowNum, col: ColNum, text: &str) -> Result<()> {
        let text = cut_text(text);
        self.ws
            .write_string(row, col, text)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    /// Writes a number; a non-finite number is written as its text.
    pub fn number(&mut self, row: RowNum, col: ColNum, x: f64, format: &Format) -> Result<()> {
        if !x.is_finite() {
            return self.text(row, col, &x.to_string(), &Format::new());
        }
        self.ws
            .write_number_with_format(row, col, x, format)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    /// Writes a number, or nothing when missing (missing is never 0).
    pub fn opt_number(
        &mut self,
        row: RowNum,
        col: ColNum,
        x: Option<f64>,
        format: &Format,
    ) -> Result<()> {
        match x {
            Some(x) => self.number(row, col, x, format),
            None => Ok(()),
        }
    }

    pub fn boolean(&mut self, row: RowNum, col: ColNum, b: bool, format: &Format) -> Result<()> {
        self.ws
            .write_boolean_with_format(row, col, b, format)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    /// Writes a formula with its cached result (what readers without recalculation see).
    pub fn formula(
        &mut self,
        row: RowNum,
        col: ColNum,
        formula: &str,
        cached: &Cached,
        format: &Format,
    ) -> Result<()> {
        let f = Formula::new(formula).set_result(cached.to_result());
        self.ws
            .write_formula_with_format(row, col, f, format)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    /// A header row: bold, filled, wrapped.
    pub fn header_row(
        &mut self,
        row: RowNum,
        first_col: ColNum,
        headers: &[&str],
        styles: &Styles,
    ) -> Result<()> {
        let mut lines = 1;
        for (i, h) in headers.iter().enumerate() {
            let col = first_col + i as ColNum;
            self.text(row, col, h, &styles.header)?;
            lines = lines.max(wrapped_lines(h, self.width(col)));
        }
        // Headers wrap (their format does): the row is as tall as the longest, so that no
        // header prints over the first row of data.
        let height = 15.0 * lines as f64;
        if lines > 1 && self.heights.get(&row).is_none_or(|&h| h < height) {
            self.ws
                .set_row_height(row, height)
                .map_err(|e| output_error(&self.name, e))?;
            self.heights.insert(row, height);
        }
        Ok(())
    }

    /// A filterable Excel table named `name` from row 0 (its header: `headers`, from column
    /// 0) down to row `last_row`; without data rows, a plain header row.
    pub fn filtered_table(
        &mut self,
        name: &str,
        headers: &[&str],
        last_row: RowNum,
        styles: &Styles,
    ) -> Result<()> {
        if last_row == 0 || headers.is_empty() {
            return self.header_row(0, 0, headers, styles);
        }
        let columns: Vec<rust_xlsxwriter::TableColumn> = headers
            .iter()
            .map(|h| {
                rust_xlsxwriter::TableColumn::new()
                    .set_header(*h)
                    .set_header_format(&styles.header)
            })
            .collect();
        let table = rust_xlsxwriter::Table::new()
            .set_name(name)
            .set_style(rust_xlsxwriter::TableStyle::Light9)
            .set_autofilter(true)
            .set_columns(&columns);
        let last_col = (headers.len() - 1) as ColNum;
        self.apply(|ws| ws.add_table(0, 0, last_row, last_col, &table))
    }

    /// A column's width in characters (Excel's default, 8.43, when not set).
    fn width(&self, col: ColNum) -> f64 {
        self.widths.get(&col).copied().unwrap_or(8.43)
    }

    pub fn widths(&mut self, widths: &[(ColNum, f64)]) -> Result<()> {
        for &(col, w) in widths {
            self.ws
                .set_column_width(col, w)
                .map_err(|e| output_error(&self.name, e))?;
            self.widths.insert(col, w);
        }
        Ok(())
    }

    /// Prints a table sheet legibly: A4 landscape, as wide as one page, its header row
    /// repeated on every page.
    pub fn print_table(&mut self, header_row: RowNum) -> Result<()> {
        self.ws.set_paper_size(9);
        self.ws.set_landscape();
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
        self.ws
            .set_repeat_rows(header_row, header_row)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    pub fn freeze(&mut self, row: RowNum, col: ColNum) -> Result<()> {
        self.ws
            .set_freeze_panes(row, col)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    pub fn note(&mut self, row: RowNum, col: ColNum, text: &str) -> Result<()> {
        let lines = text.lines().count().max(1) as u32;
        let note = Note::new(cut_text(text))
            .add_author_prefix(false)
            .set_width(440)
            .set_height((lines * 16 + 20).min(600));
        self.ws
            .insert_note(row, col, &note)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    pub fn chart(&mut self, row: RowNum, col: ColNum, chart: &Chart) -> Result<()> {
        self.ws
            .insert_chart(row, col, chart)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    pub fn validation(&mut self, row: RowNum, col: ColNum, dv: &DataValidation) -> Result<()> {
        self.ws
            .add_data_validation(row, col, row, col, dv)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    pub fn merge(
        &mut self,
        first: (RowNum, ColNum),
        last: (RowNum, ColNum),
        text: &str,
        format: &Format,
    ) -> Result<()> {
        self.ws
            .merge_range(first.0, first.1, last.0, last.1, cut_text(text), format)
            .map_err(|e| output_error(&self.name, e))?;
        Ok(())
    }

    /// Runs a worksheet method, mapping its error to this sheet's French error.
    pub fn apply<F>(&mut self, f: F) -> Result<()>
    where
        F: FnOnce(&mut Worksheet) -> std::result::Result<&mut Worksheet, XlsxError>,
    {
        let name = &self.name;
        f(&mut self.ws)
            .map(|_| ())
            .map_err(|e| output_error(name, e))
    }

    /// Maps any rust_xlsxwriter result to this sheet's French error.
    pub fn check<T>(&self, r: std::result::Result<T, XlsxError>) -> Result<T> {
        r.map_err(|e| self.err(e))
    }
}

/// The cached result of a formula, as the writer computed it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cached {
    Number(f64),
    Text(String),
    /// `#N/A`: a gap in a chart.
    NotAvailable,
}

impl Cached {
    /// A number, or the missing mark.
    pub fn number_or_mark(x: Option<f64>) -> Cached {
        match x {
            Some(x) if x.is_finite() => Cached::Number(x),
            _ => Cached::Text(MISSING_MARK.to_string()),
        }
    }

    /// A text, or the missing mark when empty.
    pub fn text_or_mark(s: &str) -> Cached {
        if s.is_empty() {
            Cached::Text(MISSING_MARK.to_string())
        } else {
            Cached::Text(s.to_string())
        }
    }

    fn to_result(&self) -> String {
        match self {
            Cached::Number(x) => format!("{x}"),
            // rust_xlsxwriter types a result that parses as a number as numeric: a text
            // such as "01053" must never be cached through a formula (codes are matched
            // by row number instead), and other texts pass as they are.
            Cached::Text(s) => cut_text(s).to_string(),
            Cached::NotAvailable => "#N/A".to_string(),
        }
    }
}

/// A number format code that shows a rate the French way: a space before each `%`
/// (`0.0%` becomes `0.0\ %`, as a French Excel writes it: `12,5 %` in a French Excel or
/// LibreOffice, `12.5 %` in an English one). Format codes are locale-neutral: `.` and `,` are the decimal and thousands marks
/// the reader's locale shows (`#,##0` gives `1 234` in French), so only the space is
/// added. Quoted text and escaped characters are left as they are.
pub(crate) fn french_format(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + 4);
    let (mut quoted, mut escaped) = (false, false);
    for c in code.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == '%' && !quoted && !out.ends_with([' ', '\u{a0}']) {
            out.push_str("\\ ");
        }
        out.push(c);
    }
    out
}

/// The signed format of a change in points (`+4,9 pts`), for rates.
pub(crate) const POINTS_FORMAT: &str = "+0.0\" pts\";-0.0\" pts\";0.0\" pts\"";

/// Lines a text takes when wrapped by words in a column `width` characters wide (bold
/// headers are about a tenth wider than the width's digits).
pub(crate) fn wrapped_lines(text: &str, width: f64) -> usize {
    let room = ((width / 1.1).floor() as usize).max(1);
    text.lines()
        .map(|line| {
            let (mut lines, mut used) = (1, 0);
            for word in line.split_whitespace() {
                let len = word.chars().count();
                let need = if used == 0 { len } else { used + 1 + len };
                if need <= room {
                    used = need;
                    continue;
                }
                if used > 0 {
                    lines += 1;
                }
                // The word starts a line; one longer than the line breaks over several.
                lines += (len - 1) / room;
                used = (len - 1) % room + 1;
            }
            lines
        })
        .sum::<usize>()
        .max(1)
}

/// A chart title or series name that shows `text` literally. rust_xlsxwriter reads a name
/// whose part after its first `!` looks like a cell range (`ML Marseille!A1`, `ref!B2`) as
/// a reference to that range, and a name starting with `=(` as a formula; a word joiner
/// (U+2060, invisible and zero-width) after that `!`, or before that `=`, keeps the text as
/// text, shown the same.
pub(crate) fn literal_chart_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 3);
    if text.starts_with('=') {
        out.push('\u{2060}');
    }
    match text.split_once('!') {
        Some((before, after)) => {
            out.push_str(before);
            out.push('!');
            out.push('\u{2060}');
            out.push_str(after);
        }
        None => out.push_str(text),
    }
    out
}

/// Text cut to Excel's per-cell limit, on a character boundary.
pub(crate) fn cut_text(s: &str) -> &str {
    cut_utf16(s, MAX_CELL_TEXT)
}

/// A data validation's title within Excel's limit, cut with an ellipsis.
pub(crate) fn validation_title(title: &str) -> String {
    if title.encode_utf16().count() <= MAX_VALIDATION_TITLE {
        return title.to_string();
    }
    format!("{}…", cut_utf16(title, MAX_VALIDATION_TITLE - 1))
}

/// The longest prefix of `s` (whole characters) within `max` UTF-16 code units, what Excel
/// counts.
fn cut_utf16(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = 0;
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            break;
        }
        end = i + c.len_utf8();
    }
    &s[..end]
}

/// A string literal inside a formula: `"a""b"`.
pub(crate) fn formula_string(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The (0-based) row of an A1 address such as `C7` or the first cell of `A3:F3`.
pub(crate) fn a1_row(cell: &str) -> Option<u32> {
    let first = cell.split(':').next()?.trim().replace('$', "");
    let digits: String = first
        .chars()
        .skip_while(|c| c.is_ascii_alphabetic())
        .collect();
    let row: u32 = digits.parse().ok()?;
    row.checked_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_headers_are_counted_by_words() {
        assert_eq!(wrapped_lines("Valeur", 12.0), 1);
        assert_eq!(wrapped_lines("Médiane régionale", 12.0), 2);
        assert_eq!(wrapped_lines("Médiane régionale", 30.0), 1);
        assert_eq!(
            wrapped_lines("Position dans la région (rang centile)", 12.0),
            5
        );
        assert_eq!(wrapped_lines("abcdefghijklmnopqrstuvwxyz", 11.0), 3);
        assert_eq!(wrapped_lines("", 12.0), 1);
    }

    #[test]
    fn chart_texts_that_look_like_ranges_stay_text() {
        let wj = '\u{2060}';
        assert_eq!(
            literal_chart_text("ML Marseille!A1"),
            format!("ML Marseille!{wj}A1")
        );
        assert_eq!(literal_chart_text("=(A1)"), format!("{wj}=(A1)"));
        assert_eq!(literal_chart_text("Profil"), "Profil");
        for text in ["ref!B2", "x!$A$1:$B$2", "=Sheet1!A1"] {
            let literal = literal_chart_text(text);
            assert_eq!(literal.replace(wj, ""), text);
            let after = literal.split_once('!').unwrap().1;
            assert!(after.starts_with(wj), "{literal}");
        }
    }

    #[test]
    fn rates_get_a_french_space_before_the_percent_sign() {
        assert_eq!(french_format("0.0%"), "0.0\\ %");
        assert_eq!(french_format("0%"), "0\\ %");
        // Already spaced, quoted or escaped: unchanged.
        assert_eq!(french_format("0.0 %"), "0.0 %");
        assert_eq!(french_format("0\"%\""), "0\"%\"");
        assert_eq!(french_format("0\\%"), "0\\%");
        assert_eq!(french_format("#,##0"), "#,##0");
        assert_eq!(
            french_format("+0.0%;-0.0%;0.0%"),
            "+0.0\\ %;-0.0\\ %;0.0\\ %"
        );
    }

    #[test]
    fn a1_rows() {
        assert_eq!(a1_row("C7"), Some(6));
        assert_eq!(a1_row("A3:F3"), Some(2));
        assert_eq!(a1_row("$B$12"), Some(11));
        assert_eq!(a1_row("B"), None);
    }

    #[test]
    fn long_text_is_cut_on_a_character() {
        let s = "é".repeat(40_000);
        assert_eq!(cut_text(&s).chars().count(), MAX_CELL_TEXT);
    }

    #[test]
    fn long_validation_titles_end_with_an_ellipsis() {
        let exact = "x".repeat(32);
        assert_eq!(validation_title(&exact), exact);
        let long = format!("Jeunes en premier accueil {}", "é".repeat(10));
        let title = validation_title(&long);
        assert_eq!(title.encode_utf16().count(), 32);
        assert!(title.ends_with("éé…"));
    }
}
