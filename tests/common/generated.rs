//! A generated national-like dataset for the method's tests (tests/method.rs,
//! tests/stability.rs): regions whose access to employment depends for a good part on their
//! context, and an access to training that is pure noise.

use boussole::analysis::results::{FindingKind, Results};
use boussole::dataset::{Dataset, Observation, Structure, StructureId, Value};
use boussole::pack::Pack;
use boussole::pack::engine::CompiledPack;
use std::collections::BTreeMap;

pub fn compiled() -> CompiledPack {
    CompiledPack::compile(&Pack::embedded().expect("embedded pack")).expect("compiles")
}

/// A deterministic generator (xorshift64*), with normal draws by Box-Muller.
pub struct Draws(pub u64);

impl Draws {
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    pub fn normal(&mut self, sd: f64) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

pub const REGIONS: [&str; 10] = [
    "Bretagne",
    "Normandie",
    "Occitanie",
    "Grand Est",
    "Hauts-de-France",
    "Île-de-France",
    "Pays de la Loire",
    "Nouvelle-Aquitaine",
    "Centre-Val de Loire",
    "Bourgogne-Franche-Comté",
];

/// One generated structure: its context, and its access to employment explained for a good
/// part by that context; access to training is pure noise around 17 %.
#[derive(Clone, Copy)]
pub struct Row {
    pub region: &'static str,
    pub unemployment: f64,
    pub no_diploma: f64,
    pub qpv: f64,
    pub density: f64,
    pub accompanied: f64,
    pub access: f64,
    pub training: f64,
}

pub fn rows(per_region: usize, seed: u64) -> Vec<Row> {
    let mut d = Draws(seed);
    let mut rows = Vec::new();
    for region in REGIONS {
        for _ in 0..per_region {
            let unemployment = 0.25 + d.normal(0.04);
            let no_diploma = 0.20 + d.normal(0.04);
            let qpv = (0.08 + d.normal(0.05)).max(0.0);
            let density = (4.0 + d.normal(1.5)).exp();
            let access =
                0.40 - 1.0 * (unemployment - 0.25) - 0.5 * (no_diploma - 0.20) + d.normal(0.03);
            rows.push(Row {
                region,
                unemployment,
                no_diploma,
                qpv,
                density,
                accompanied: (300.0 + 1200.0 * d.uniform()).round(),
                access,
                training: 0.17 + d.normal(0.03),
            });
        }
    }
    rows
}

pub fn structure(code: String, row: &Row) -> Structure {
    let mut values = BTreeMap::new();
    for (k, v) in [
        ("jeunes_accompagnes", row.accompanied),
        ("jeunes_en_emploi", (row.accompanied * row.access).round()),
        (
            "jeunes_en_formation",
            (row.accompanied * row.training).round(),
        ),
        ("taux_chomage_jeunes", row.unemployment),
        ("part_sans_diplome", row.no_diploma),
        ("part_qpv", row.qpv),
        ("densite", row.density),
        ("population_16_25", row.accompanied * 12.0),
    ] {
        values.insert(
            k.to_string(),
            Observation {
                value: Value::Number(v),
                cell: None,
            },
        );
    }
    Structure {
        id: StructureId::new(code.clone()),
        name: format!("Mission locale {code}"),
        region: row.region.to_string(),
        year: None,
        typology: None,
        values,
        id_cells: Vec::new(),
    }
}

pub fn dataset(rows: &[Row]) -> Dataset {
    Dataset {
        structures: rows
            .iter()
            .enumerate()
            .map(|(i, r)| structure(format!("{:05}", 10_001 + i), r))
            .collect(),
        ..Dataset::default()
    }
}

/// Every judgement with a value (structure × judged indicator) and its finding, none
/// included.
pub fn judgements_with_a_value(
    results: &Results,
) -> BTreeMap<(String, usize), Option<FindingKind>> {
    let mut out = BTreeMap::new();
    for s in &results.structures {
        for (i, ind) in s.indicators.iter().enumerate() {
            if results.indicators[i].judged() && ind.value.is_some() {
                out.insert((s.id.to_string(), i), ind.finding.as_ref().map(|f| f.kind));
            }
        }
    }
    out
}

/// Every judgement (structure × judged indicator) and its finding, none included.
pub fn findings(results: &Results) -> BTreeMap<(String, usize), Option<FindingKind>> {
    let mut out = BTreeMap::new();
    for s in &results.structures {
        for (i, ind) in s.indicators.iter().enumerate() {
            if results.indicators[i].judged() {
                out.insert((s.id.to_string(), i), ind.finding.as_ref().map(|f| f.kind));
            }
        }
    }
    out
}
