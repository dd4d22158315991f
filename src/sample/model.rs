//! How the sample's values are drawn: each structure gets persistent traits (its territory
//! and its way of working), then each year its context drifts around them and its activity
//! and outcomes follow, the context explaining about half of the differences in access to
//! employment.
//!
//! Draw order is part of the output: the same seed must give the same values, so draws are
//! taken in a fixed order from fixed streams (0: structures, 1: years, 2: missing cells,
//! 3: regional effects).

use super::SampleOptions;
use super::columns::{ACTIVITY_COLUMNS, CONTEXT_COLUMNS};
use super::draws::{Draws, count, ln, round_to, soft_clamp};
use super::territory::{DEPARTMENTS, Department, department_counts};

/// Share of activity cells written `n.d.`.
const MISSING_SHARE: f64 = 0.005;

/// A generated mission locale: its code, name and region, and the persistent traits its
/// years are drawn from.
pub(super) struct SampleStructure {
    pub code: String,
    pub name: String,
    pub region: &'static str,
    territory: Territory,
    practice: Practice,
}

/// The persistent traits of a structure's territory.
struct Territory {
    population: f64,
    population_growth: f64,
    activity_rate: f64,
    unemployment: f64,
    no_diploma: f64,
    qpv: f64,
    density: f64,
    defm_ratio: f64,
}

/// How a structure works: its reach, its follow-up, its means, and its own effect on
/// outcomes (what the context does not explain).
struct Practice {
    coverage: f64,
    contacts_per_welcome: f64,
    followed_share: f64,
    interviews_per_young: f64,
    civis_share: f64,
    civis_durable_effect: f64,
    access_effect: f64,
    durable_effect: f64,
    training_share: f64,
    work_study_share: f64,
    caseload: f64,
    offers_per_etp: f64,
    employers_share: f64,
    /// The region's shared effect on access to employment (its labour market, its
    /// networks), beyond what the published context says.
    region_effect: f64,
}

/// One structure-year as written: the territorial context and the CPO indicators in
/// column order, `None` being a missing value (written `n.d.`).
pub(super) struct StructureYear {
    /// Index of the structure in the generated list.
    pub structure: usize,
    pub year: i32,
    pub context: YearContext,
    pub activity: [Option<f64>; ACTIVITY_COLUMNS.len()],
}

/// A structure's territorial context in one year, rounded as published.
pub(super) struct YearContext {
    population: u64,
    unemployed_young: u64,
    defm: u64,
    unemployment: f64,
    no_diploma: f64,
    qpv: f64,
    density: f64,
}

impl YearContext {
    /// The values in the order of [`CONTEXT_COLUMNS`].
    pub fn values(&self) -> [f64; CONTEXT_COLUMNS.len()] {
        [
            self.population as f64,
            self.unemployed_young as f64,
            self.defm as f64,
            self.unemployment,
            self.no_diploma,
            self.qpv,
            self.density,
        ]
    }
}

/// A structure's activity and results in one year.
struct YearActivity {
    welcomes: u64,
    contacts: u64,
    followed: u64,
    interviews: u64,
    civis_in: u64,
    civis_out: u64,
    civis_durable: u64,
    employed: u64,
    durable: u64,
    training: u64,
    work_study: u64,
    offers: u64,
    employers: u64,
    etp: f64,
}

impl YearActivity {
    /// The values in the order of [`ACTIVITY_COLUMNS`].
    fn values(&self) -> [f64; ACTIVITY_COLUMNS.len()] {
        [
            self.welcomes as f64,
            self.contacts as f64,
            self.followed as f64,
            self.interviews as f64,
            self.civis_in as f64,
            self.civis_out as f64,
            self.civis_durable as f64,
            self.employed as f64,
            self.durable as f64,
            self.training as f64,
            self.work_study as f64,
            self.offers as f64,
            self.employers as f64,
            self.etp,
        ]
    }
}

/// Draws the structures (sorted by code) and their persistent traits.
pub(super) fn generate_structures(opts: &SampleOptions) -> Vec<SampleStructure> {
    let mut draws = Draws::new(opts.seed, 0);
    // One effect per region, from its own stream so that the structures' draws stay put.
    let mut regional = Draws::new(opts.seed, 3);
    let region_effects: Vec<f64> = (0..crate::fr::REGIONS.len())
        .map(|_| regional.gauss(0.0, 0.012))
        .collect();
    let counts = department_counts(opts.structures);
    let mut structures = Vec::with_capacity(opts.structures);
    for (department, &n) in DEPARTMENTS.iter().zip(&counts) {
        if n == 0 {
            continue;
        }
        let codes = department.codes(n, &mut draws);
        let department_unemployment = draws.gauss(0.0, 0.015);
        for (j, code) in codes.into_iter().enumerate() {
            let name = department.structure_name(j, draws.uniform());
            let territory = Territory::draw(department, department_unemployment, &mut draws);
            structures.push(SampleStructure {
                code,
                name,
                region: department.region().name,
                territory,
                practice: Practice::draw(&mut draws, region_effects[department.region]),
            });
        }
    }
    structures.sort_by(|a, b| a.code.cmp(&b.code));
    structures
}

/// Draws every structure-year, structure by structure, year by year.
pub(super) fn generate_years(
    opts: &SampleOptions,
    structures: &[SampleStructure],
) -> Vec<StructureYear> {
    let mut draws = Draws::new(opts.seed, 1);
    let mut missing = Draws::new(opts.seed, 2);
    let shifts = conjuncture(opts.years, &mut draws);
    let mut years = Vec::with_capacity(structures.len() * opts.years as usize);
    for (s, structure) in structures.iter().enumerate() {
        for (t, &shift) in shifts.iter().enumerate() {
            let t = t as u32;
            let (context, defm) = structure.territory.year(t, shift, &mut draws);
            let activity = structure.practice.year(t, defm, &context, &mut draws);
            years.push(StructureYear {
                structure: s,
                year: opts.first_year + t as i32,
                context,
                activity: with_gaps(activity.values(), &mut missing),
            });
        }
    }
    years
}

/// The national conjuncture: a random walk of youth unemployment, one shift per year
/// (none the first year).
fn conjuncture(years: u32, draws: &mut Draws) -> Vec<f64> {
    let mut shifts = Vec::with_capacity(years as usize);
    let mut level = 0.0;
    for t in 0..years {
        if t > 0 {
            level += draws.gauss(0.0, 0.012);
        }
        shifts.push(level);
    }
    shifts
}

/// Activity values with a few cells missing, one draw per cell whatever the column, so
/// missing cells stay put when the set of protected columns changes.
fn with_gaps(
    values: [f64; ACTIVITY_COLUMNS.len()],
    missing: &mut Draws,
) -> [Option<f64>; ACTIVITY_COLUMNS.len()] {
    let mut activity = [None; ACTIVITY_COLUMNS.len()];
    for (i, (column, value)) in ACTIVITY_COLUMNS.iter().zip(values).enumerate() {
        let gap = missing.uniform() < MISSING_SHARE;
        activity[i] = if gap && !column.always_present {
            None
        } else {
            Some(value)
        };
    }
    activity
}

impl Territory {
    /// A structure's territory within its department (and region).
    fn draw(department: &Department, department_unemployment: f64, draws: &mut Draws) -> Territory {
        let region = department.region();
        let unemployment =
            (region.unemployment + department_unemployment + draws.gauss(0.0, 0.025))
                .clamp(0.15, 0.40);
        // Dense departments are dense throughout; rural ones mix small towns and countryside.
        let spread = if department.density > 2_000.0 {
            0.3
        } else {
            0.7
        };
        let density = draws
            .lognormal(department.density, spread)
            .clamp(3.0, 12_000.0);
        let overseas_gap = if region.overseas { 0.06 } else { 0.0 };
        let no_diploma =
            (0.19 + 0.5 * (unemployment - 0.25) + overseas_gap + draws.gauss(0.0, 0.035))
                .clamp(0.10, 0.35);
        let qpv = (0.02
            + 0.045 * ln(density / 50.0)
            + 0.3 * (unemployment - 0.25)
            + draws.gauss(0.0, 0.035))
        .clamp(0.0, 0.40);
        Territory {
            population: draws.lognormal(14_000.0, 0.6).clamp(2_000.0, 80_000.0),
            population_growth: draws.gauss(0.0, 0.01),
            activity_rate: draws.gauss(0.45, 0.03).clamp(0.35, 0.55),
            unemployment,
            no_diploma,
            qpv,
            density,
            defm_ratio: draws.lognormal(0.80, 0.10),
        }
    }

    /// The context in year `t` (0 for the first year) under the national `shift`, and the
    /// unrounded number of young jobseekers the activity is drawn from.
    fn year(&self, t: u32, shift: f64, draws: &mut Draws) -> (YearContext, f64) {
        let tf = t as f64;
        let population = (self.population * (1.0 + self.population_growth * tf)).max(1_000.0);
        let unemployment = (self.unemployment + shift + draws.gauss(0.0, 0.008)).clamp(0.15, 0.40);
        let no_diploma = (self.no_diploma - 0.003 * tf + draws.gauss(0.0, 0.005)).clamp(0.10, 0.35);
        let qpv = (self.qpv + draws.gauss(0.0, 0.003)).clamp(0.0, 0.40);
        let unemployed_young = count(population * self.activity_rate * unemployment);
        let defm = unemployed_young as f64 * self.defm_ratio * (1.0 + draws.gauss(0.0, 0.04));
        let context = YearContext {
            population: count(population),
            unemployed_young,
            defm: count(defm),
            unemployment: round_to(unemployment, 3),
            no_diploma: round_to(no_diploma, 3),
            qpv: round_to(qpv, 3),
            density: round_to(self.density * (1.0 + 0.003 * tf), 0),
        };
        (context, defm)
    }
}

/// The published context as standard scores around national magnitudes: unemployment,
/// no diploma, QPV share, log density. Outcomes respond to weighted sums of these.
struct ContextScores {
    unemployment: f64,
    no_diploma: f64,
    qpv: f64,
    density: f64,
}

impl ContextScores {
    fn of(context: &YearContext) -> ContextScores {
        ContextScores {
            unemployment: (context.unemployment - 0.25) / 0.04,
            no_diploma: (context.no_diploma - 0.20) / 0.04,
            qpv: (context.qpv - 0.08) / 0.06,
            density: ln(context.density.max(1.0) / 100.0) / 1.5,
        }
    }

    /// A unit-weight index: the weighted sum over the weights' norm, so that its standard
    /// deviation is about 1 whatever the weights (the scores being about unit and
    /// weakly correlated).
    fn index(&self, unemployment: f64, no_diploma: f64, qpv: f64, density: f64) -> f64 {
        let norm =
            (unemployment * unemployment + no_diploma * no_diploma + qpv * qpv + density * density)
                .sqrt();
        (unemployment * self.unemployment
            + no_diploma * self.no_diploma
            + qpv * self.qpv
            + density * self.density)
            / norm
    }
}

impl Practice {
    fn draw(draws: &mut Draws, region_effect: f64) -> Practice {
        Practice {
            coverage: draws.lognormal(0.75, 0.14),
            contacts_per_welcome: draws.gauss(2.7, 0.2),
            followed_share: draws.gauss(0.72, 0.04),
            interviews_per_young: draws.lognormal(4.5, 0.10),
            civis_share: draws.gauss(0.15, 0.018),
            civis_durable_effect: draws.gauss(0.0, 0.018),
            access_effect: draws.gauss(0.0, 0.035),
            durable_effect: draws.gauss(0.0, 0.015),
            training_share: draws.gauss(0.17, 0.018),
            work_study_share: draws.gauss(0.045, 0.006),
            caseload: draws.gauss(120.0, 10.0),
            offers_per_etp: draws.lognormal(25.0, 0.14),
            employers_share: draws.lognormal(0.15, 0.14),
            region_effect,
        }
    }

    /// The activity and results in year `t` (0 for the first year), from the young
    /// jobseekers of the territory (`defm`) and its published context.
    ///
    /// Each outcome rate is a national level, plus what the context explains (about half
    /// of the differences between structures), plus the structure's own practice, plus the
    /// year's noise; the noise on rates makes the counts overdispersed (more spread than
    /// binomial draws around a common rate would give).
    fn year(&self, t: u32, defm: f64, context: &YearContext, draws: &mut Draws) -> YearActivity {
        let tf = t as f64;
        let z = ContextScores::of(context);

        // Reach: higher in dense, urban territories with many QPV, lower where unemployment
        // swells the number of jobseekers.
        let reach = z.index(-0.4, 0.0, 0.6, 0.5);
        let coverage =
            (self.coverage * (1.0 + 0.01 * tf) * (0.115 * reach + draws.gauss(0.0, 0.08)).exp())
                .clamp(0.30, 1.40);
        let welcomes = count(defm * coverage).max(1);
        let contacts_ratio = (self.contacts_per_welcome + draws.gauss(0.0, 0.08)).clamp(2.0, 3.6);
        let contacts = count(welcomes as f64 * contacts_ratio);
        let followed_share = (self.followed_share + draws.gauss(0.0, 0.02)).clamp(0.55, 0.82);
        let followed = count(contacts as f64 * followed_share).max(1);
        let f = followed as f64;

        // Follow-up: more interviews and CIVIS where young people are further from work.
        let need = z.index(0.3, 0.6, 0.5, 0.0);
        let interviews = count(
            f * (self.interviews_per_young * (0.10 * need + draws.gauss(0.0, 0.04)).exp())
                .clamp(2.0, 8.0),
        );
        let civis_in = count(
            f * (self.civis_share + 0.014 * z.index(0.5, 0.7, 0.0, 0.0) + draws.gauss(0.0, 0.008))
                .clamp(0.06, 0.26),
        );
        let civis_out = count(civis_in as f64 * (1.0 + draws.gauss(0.0, 0.08)).clamp(0.75, 1.25));

        // Outcomes: the labour market and qualifications weigh most.
        let hardship = z.index(0.7, 0.5, 0.3, 0.0);
        let civis_durable_rate =
            (0.34 - 0.019 * hardship + self.civis_durable_effect + draws.gauss(0.0, 0.012))
                .clamp(0.15, 0.55);
        let civis_durable = count(civis_out as f64 * civis_durable_rate);
        let access_rate = soft_clamp(
            0.40 - 0.036 * hardship
                + self.region_effect
                + self.access_effect
                + draws.gauss(0.0, 0.025),
            0.15,
            0.65,
        );
        let employed = count(f * access_rate);
        let durable_rate = (0.475 - 0.012 * z.index(0.7, 0.6, 0.0, 0.0)
            + self.durable_effect
            + draws.gauss(0.0, 0.01))
        .clamp(0.35, 0.60);
        let durable = count(employed as f64 * durable_rate);
        let training = count(
            f * (self.training_share
                + 0.017 * z.index(0.4, 0.8, 0.0, 0.0)
                + draws.gauss(0.0, 0.01))
            .clamp(0.08, 0.28),
        );
        let work_study = count(
            f * (self.work_study_share
                + 0.0055 * z.index(-0.6, -0.3, -0.4, 0.0)
                + draws.gauss(0.0, 0.003))
            .clamp(0.01, 0.09),
        );
        let etp = round_to(
            f / (self.caseload + draws.gauss(0.0, 4.0)).clamp(95.0, 150.0),
            1,
        )
        .max(0.5);
        // Employers: more offers and relations where the labour market is buoyant, fewer
        // employers per young person in dense areas where each employer is larger.
        let offers = count(
            etp * (self.offers_per_etp
                * (0.14 * z.index(-0.8, 0.0, 0.0, 0.4) + draws.gauss(0.0, 0.06)).exp())
            .clamp(5.0, 60.0),
        );
        let employers = count(
            f * (self.employers_share
                * (0.14 * z.index(-0.7, 0.0, 0.0, -0.5) + draws.gauss(0.0, 0.06)).exp())
            .clamp(0.03, 0.40),
        );
        YearActivity {
            welcomes,
            contacts,
            followed,
            interviews,
            civis_in,
            civis_out,
            civis_durable,
            employed,
            durable,
            training,
            work_study,
            offers,
            employers,
            etp,
        }
    }
}

/// The structures at the indices `kept` (in order), and their years, renumbered.
pub(super) fn keep(
    structures: Vec<SampleStructure>,
    years: Vec<StructureYear>,
    kept: &[usize],
) -> (Vec<SampleStructure>, Vec<StructureYear>) {
    let mut new_index = vec![None; structures.len()];
    for (n, &s) in kept.iter().enumerate() {
        new_index[s] = Some(n);
    }
    let years = years
        .into_iter()
        .filter_map(|mut y| {
            y.structure = new_index[y.structure]?;
            Some(y)
        })
        .collect();
    let structures = structures
        .into_iter()
        .enumerate()
        .filter_map(|(s, st)| new_index[s].map(|_| st))
        .collect();
    (structures, years)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::sample_workbook;

    #[test]
    fn ten_thousand_structures_have_unique_codes() {
        let opts = SampleOptions {
            structures: 10_000,
            ..SampleOptions::default()
        };
        let structures = generate_structures(&opts);
        assert_eq!(structures.len(), 10_000);
        let mut codes: Vec<&str> = structures.iter().map(|s| s.code.as_str()).collect();
        codes.dedup();
        assert_eq!(codes.len(), 10_000, "sorted codes are unique");
        let bytes = sample_workbook(&opts).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }

    #[test]
    fn codes_grow_a_digit_beyond_the_department_capacity() {
        let opts = SampleOptions {
            structures: 20_000,
            ..SampleOptions::default()
        };
        let structures = generate_structures(&opts);
        let mut codes: Vec<&str> = structures.iter().map(|s| s.code.as_str()).collect();
        // La Réunion gets about 180 structures: more than 97401..97499 allow.
        assert!(codes.contains(&"974100"));
        assert!(codes.iter().all(|c| c.len() == 5 || c.starts_with("97")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 20_000);
    }

    #[test]
    fn three_years_give_one_row_per_structure_and_year() {
        let opts = SampleOptions {
            structures: 50,
            years: 3,
            ..SampleOptions::default()
        };
        let structures = generate_structures(&opts);
        let years = generate_years(&opts, &structures);
        assert_eq!(years.len(), 150);
        assert_eq!(years[0].year, 2010);
        assert_eq!(years[2].year, 2012);
        assert_eq!(years[2].structure, 0);
        assert!(sample_workbook(&opts).is_ok());
    }
}
