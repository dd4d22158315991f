//! Synthetic national workbook: realistic, deterministic demo and benchmark data.
//!
//! No open per-structure results data exists for the missions locales, so demos, tests and
//! benchmarks run on a generated workbook that looks like the real thing (see
//! `DOMAIN.md`): two sheets, `Indicateurs` (activity and results) and `Contexte` (territorial
//! context), a title row above each header, 5-character text codes with leading zeros and
//! Corsica's `2A`/`2B`, the 18 current regions in realistic proportions, accented names,
//! national magnitudes close to the published ones, outcomes that depend on context, and a
//! few `n.d.` cells.
//!
//! This module owns generation only: it knows the column labels of the `cpo` pack by value
//! (a test checks them against `rules/cpo/pack.toml`) and never reads a pack or a workbook.
//!
//! Determinism: the same [`SampleOptions`] give the same bytes on every platform. Draws come
//! from ChaCha8 seeded with the seed; normal variates are Irwin-Hall sums and `exp`/`ln` are
//! computed here with basic IEEE operations only (the platform's libm may differ by an ulp);
//! the document creation date is derived from the options, never from the clock.
//!
//! The generator in four steps, one module each: `territory` (regions, departments, how
//! many structures each gets, codes and names), `draws` (the seeded draws), `model` (each
//! structure's traits, then its context and outcomes year by year), `write` (the workbook,
//! through [`crate::report::xlsx`]); `columns` holds the sheets' columns.

mod columns;
mod draws;
mod model;
mod territory;
mod write;

pub use columns::{
    LABEL_CODE, LABEL_CONTEXT_CODE, LABEL_NAME, LABEL_REGION, LABEL_YEAR, activity_labels,
    context_labels,
};

use crate::error::{InputError, Result};

/// Most structures a sample may hold.
pub const MAX_STRUCTURES: usize = 1_000_000;
/// Most years a sample may span.
pub const MAX_YEARS: u32 = 20;
/// The earliest first year a sample may start at.
pub const EARLIEST_FIRST_YEAR: i32 = 1900;
/// The latest first year a sample may start at.
pub const LATEST_FIRST_YEAR: i32 = 2100;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleOptions {
    /// Number of missions locales (440 in the real network).
    pub structures: usize,
    /// Number of consecutive years; above 1 the sheets are in long format (one row per
    /// structure and year, with an `Année` column).
    pub years: u32,
    /// Seed of the pseudo-random generator: same options, same bytes.
    pub seed: u64,
    /// First year observed.
    pub first_year: i32,
}

impl SampleOptions {
    /// The last year observed.
    pub fn last_year(&self) -> i32 {
        self.first_year
            .saturating_add_unsigned(self.years.saturating_sub(1))
    }

    /// The years covered, as French text: `2010`, or `2010 à 2012`.
    ///
    /// ```
    /// use boussole::sample::SampleOptions;
    /// let opts = SampleOptions { years: 3, ..SampleOptions::default() };
    /// assert_eq!(opts.span(), "2010 à 2012");
    /// ```
    pub fn span(&self) -> String {
        if self.years == 1 {
            self.first_year.to_string()
        } else {
            format!("{} à {}", self.first_year, self.last_year())
        }
    }
}

impl Default for SampleOptions {
    /// 440 structures, one year (2010), seed 2011: the committed `workbooks/exemple-national.xlsx`.
    fn default() -> Self {
        SampleOptions {
            structures: 440,
            years: 1,
            seed: 2011,
            first_year: 2010,
        }
    }
}

/// Generates the synthetic national workbook and returns the `.xlsx` bytes.
///
/// Codes are INSEE-like: the department (`01`..`95`, `2A`, `2B`) and 3 digits, or `971`..`976`
/// and 2 digits overseas. When a department needs more structures than that allows (999 in
/// metropolitan France, 99 overseas, only for very large samples), the extra structures get one
/// more digit (`011000`, `9711000`...), so codes stay unique text.
///
/// ```
/// use boussole::sample::{sample_workbook, SampleOptions};
/// let opts = SampleOptions { structures: 30, ..SampleOptions::default() };
/// let bytes = sample_workbook(&opts).unwrap();
/// assert_eq!(&bytes[..2], b"PK");
/// assert_eq!(bytes, sample_workbook(&opts).unwrap());
/// ```
///
/// # Errors
/// [`crate::error::InputError::SampleOption`] or [`crate::error::InputError::SampleTooManyRows`] when the options are out of range (structures from 1 to 1,000,000,
/// years from 1 to 20, first year from 1900 to 2100, at most 1,048,573 rows per sheet).
pub fn sample_workbook(opts: &SampleOptions) -> Result<Vec<u8>> {
    validate(opts)?;
    let structures = model::generate_structures(opts);
    let years = model::generate_years(opts, &structures);
    write::write_workbook(opts, &structures, &years, None)
}

/// The workbook a regional office gets: the structures of one region of the national
/// sample `opts` describes (the same rows as the national file holds for them), e.g. about
/// 30 of the 440 for Auvergne-Rhône-Alpes. `region` is one of [`crate::fr::REGIONS`],
/// case and accents aside.
///
/// ```
/// use boussole::sample::{regional_sample_workbook, SampleOptions};
/// let bytes = regional_sample_workbook(&SampleOptions::default(), "bretagne").unwrap();
/// assert_eq!(&bytes[..2], b"PK");
/// assert!(regional_sample_workbook(&SampleOptions::default(), "Bretane").is_err());
/// ```
///
/// # Errors
/// The errors of [`sample_workbook`], [`crate::error::InputError::UnknownRegion`] for a
/// name that is not a region, and [`crate::error::InputError::EmptyRegion`] when the
/// sample is too small to hold any of its structures.
pub fn regional_sample_workbook(opts: &SampleOptions, region: &str) -> Result<Vec<u8>> {
    validate(opts)?;
    let region = region_named(region)?;
    let structures = model::generate_structures(opts);
    let years = model::generate_years(opts, &structures);
    let kept: Vec<usize> = (0..structures.len())
        .filter(|&s| structures[s].region == region)
        .collect();
    if kept.is_empty() {
        return Err(InputError::EmptyRegion {
            region: region.to_string(),
            structures: opts.structures,
        }
        .into());
    }
    let (structures, years) = model::keep(structures, years, &kept);
    write::write_workbook(opts, &structures, &years, Some(region))
}

/// The region of [`crate::fr::REGIONS`] a name means, case and accents aside.
fn region_named(name: &str) -> Result<&'static str> {
    let key = |s: &str| {
        deunicode::deunicode(s)
            .to_lowercase()
            .replace(['-', ' ', '\''], "")
    };
    crate::fr::REGIONS
        .iter()
        .copied()
        .find(|r| key(r) == key(name))
        .ok_or_else(|| {
            InputError::UnknownRegion {
                given: name.to_string(),
                suggestion: crate::fr::suggest(name, crate::fr::REGIONS.iter().copied()),
            }
            .into()
        })
}

/// Refuses options out of range, in French.
fn validate(opts: &SampleOptions) -> Result<()> {
    if opts.structures == 0 || opts.structures > MAX_STRUCTURES {
        return Err(InputError::SampleOption {
            what: "nombre de structures",
            given: opts.structures.to_string(),
            range: "il doit être compris entre 1 et 1 000 000",
        }
        .into());
    }
    if opts.years == 0 || opts.years > MAX_YEARS {
        return Err(InputError::SampleOption {
            what: "nombre d'années",
            given: opts.years.to_string(),
            range: "il doit être compris entre 1 et 20",
        }
        .into());
    }
    if !(EARLIEST_FIRST_YEAR..=LATEST_FIRST_YEAR).contains(&opts.first_year) {
        return Err(InputError::SampleOption {
            what: "première année",
            given: opts.first_year.to_string(),
            range: "elle doit être comprise entre 1900 et 2100",
        }
        .into());
    }
    let rows = opts.structures.saturating_mul(opts.years as usize);
    if rows > write::MAX_DATA_ROWS {
        return Err(InputError::SampleTooManyRows {
            structures: opts.structures,
            years: opts.years,
            rows,
            limit: write::MAX_DATA_ROWS,
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_options_are_refused_in_french() {
        for opts in [
            SampleOptions {
                structures: 0,
                ..SampleOptions::default()
            },
            SampleOptions {
                years: 21,
                ..SampleOptions::default()
            },
            SampleOptions {
                structures: 1_000_000,
                years: 2,
                ..SampleOptions::default()
            },
        ] {
            let err = sample_workbook(&opts).unwrap_err();
            assert_eq!(err.exit_code(), crate::error::exit::INPUT, "{err}");
        }
    }
}
