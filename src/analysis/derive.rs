//! The indicators of a pack and their values for each structure: the numeric columns read
//! from the workbook, then the derived indicators (`numerator / denominator × factor`),
//! each with its source cells or the reason it is missing.
//!
//! This module computes values only; it does not compare them (frames, scores) nor judge
//! them (scripts).

use crate::analysis::results::{IndicatorDef, IndicatorKind};
use crate::dataset::{CellRef, Missing, MissingOperand, Operand, Structure, StructureId, Value};
use crate::pack::manifest::{Manifest, Role};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// One indicator value of one structure before frames.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The number, or why there is none.
    pub value: Result<f64, Missing>,
    /// The cell read, or the cells of the numerator and denominator.
    pub cells: Vec<CellRef>,
    /// The denominator's value, for rates (the small-numbers guard).
    pub denominator: Option<f64>,
}

impl Cell {
    pub fn number(&self) -> Option<f64> {
        self.value.as_ref().ok().copied()
    }

    pub fn missing(&self) -> Option<&Missing> {
        self.value.as_ref().err()
    }
}

/// The indicators shown and judged, from the manifest: numeric columns, then derived.
pub fn indicator_defs(manifest: &Manifest) -> Vec<IndicatorDef> {
    let inputs = manifest
        .columns
        .iter()
        .filter(|c| c.role.is_numeric())
        .map(|c| IndicatorDef {
            id: c.id.clone(),
            label: c.label.clone(),
            kind: IndicatorKind::Input,
            context: c.role == Role::Context,
            unit: c.unit,
            format: c.format().to_string(),
            direction: c.direction(),
            axis: None,
            weight: 0.0,
            definition: c.definition.clone(),
            numerator: None,
            denominator: None,
            factor: 1.0,
            model: None,
        });
    let derived = manifest.indicators.iter().map(|d| IndicatorDef {
        id: d.id.clone(),
        label: d.label.clone(),
        kind: IndicatorKind::Derived,
        context: false,
        unit: d.unit,
        format: d.format().to_string(),
        direction: d.direction,
        axis: d.axis.clone(),
        weight: d.weight,
        definition: d.definition.clone(),
        numerator: Some(d.numerator.clone()),
        denominator: Some(d.denominator.clone()),
        factor: d.factor,
        model: None,
    });
    inputs.chain(derived).collect()
}

/// Every structure's indicator values, aligned with `structures` then with `defs`.
pub fn values(defs: &[IndicatorDef], structures: &[&Structure]) -> Vec<Vec<Cell>> {
    structures
        .par_iter()
        .map(|s| structure_values(defs, s))
        .collect()
}

/// Each structure's values of the year before (the latest year of the input before the
/// structure's own), aligned with `structures`; None without an earlier year.
pub fn previous_year(
    defs: &[IndicatorDef],
    structures: &[&Structure],
    input: &[Structure],
) -> Vec<Option<Vec<Option<f64>>>> {
    previous_rows(structures, input)
        .par_iter()
        .map(|earlier| {
            Some(
                structure_values(defs, (*earlier)?)
                    .iter()
                    .map(Cell::number)
                    .collect(),
            )
        })
        .collect()
}

/// Each structure's row of the latest earlier year in `input`, when there is one.
pub fn previous_rows<'a>(
    structures: &[&Structure],
    input: &'a [Structure],
) -> Vec<Option<&'a Structure>> {
    let mut by_id: BTreeMap<&StructureId, Vec<&Structure>> = BTreeMap::new();
    for st in input {
        by_id.entry(&st.id).or_default().push(st);
    }
    structures
        .iter()
        .map(|s| {
            let this_year = s.year?;
            by_id
                .get(&s.id)?
                .iter()
                .filter(|p| p.year.is_some_and(|y| y < this_year))
                .max_by_key(|p| p.year)
                .copied()
        })
        .collect()
}

/// Context rows for peers or regression: the values of `vars` per structure, logged where
/// the pack asks (`log_context`; a non-positive value then has no logarithm).
pub fn context(
    manifest: &Manifest,
    vars: &[String],
    structures: &[&Structure],
) -> Vec<Vec<Option<f64>>> {
    structures
        .iter()
        .map(|s| {
            vars.iter()
                .map(|v| {
                    let x = s.value(v)?;
                    if manifest.frames.log_context.contains(v) {
                        (x > 0.0).then(|| x.ln())
                    } else {
                        Some(x)
                    }
                })
                .collect()
        })
        .collect()
}

/// One structure's values, in `defs` order: a derived indicator reads the values before it.
fn structure_values(defs: &[IndicatorDef], structure: &Structure) -> Vec<Cell> {
    let mut cells: Vec<Cell> = Vec::with_capacity(defs.len());
    for def in defs {
        let cell = match def.kind {
            IndicatorKind::Input => read(structure, &def.id),
            IndicatorKind::Derived => derive(def, defs, &cells),
        };
        cells.push(cell);
    }
    cells
}

/// An input column's value with its cell; a column absent from the workbook is missing.
fn read(structure: &Structure, id: &str) -> Cell {
    match structure.values.get(id) {
        Some(obs) => Cell {
            value: match &obs.value {
                Value::Number(x) => Ok(*x),
                Value::Missing(m) => Err(m.clone()),
            },
            cells: obs.cell.iter().cloned().collect(),
            denominator: None,
        },
        None => Cell {
            value: Err(Missing::NoColumn),
            cells: Vec::new(),
            denominator: None,
        },
    }
}

/// A derived indicator from the values computed before it (`earlier`, in `defs` order).
fn derive(def: &IndicatorDef, defs: &[IndicatorDef], earlier: &[Cell]) -> Cell {
    let find = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| defs.iter().position(|d| &d.id == id))
            .and_then(|i| earlier.get(i))
    };
    let numerator = find(&def.numerator);
    let denominator = find(&def.denominator);
    let cells = [numerator, denominator]
        .into_iter()
        .flatten()
        .flat_map(|c| c.cells.iter().cloned())
        .collect();
    let value = match (numerator, denominator) {
        (Some(n), Some(d)) => ratio(def, n, d),
        _ => Err(Missing::NotComputable(
            "indicateur source inconnu du pack".into(),
        )),
    };
    Cell {
        value,
        cells,
        denominator: denominator.and_then(Cell::number),
    }
}

/// `numerator / denominator × factor`, or why it cannot be computed: the denominator is
/// checked first (missing, then zero), then the numerator.
fn ratio(def: &IndicatorDef, numerator: &Cell, denominator: &Cell) -> Result<f64, Missing> {
    let id = |id: &Option<String>| id.clone().unwrap_or_default();
    let missing = |operand: Operand, reason: &Missing| {
        Missing::MissingOperand(Box::new(MissingOperand {
            operand,
            id: id(match operand {
                Operand::Numerator => &def.numerator,
                Operand::Denominator => &def.denominator,
            }),
            reason: reason.clone(),
        }))
    };
    let b = denominator
        .value
        .as_ref()
        .map_err(|m| missing(Operand::Denominator, m))?;
    if *b == 0.0 {
        return Err(Missing::ZeroDenominator(id(&def.denominator)));
    }
    let a = numerator
        .value
        .as_ref()
        .map_err(|m| missing(Operand::Numerator, m))?;
    let v = a / b * def.factor;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Missing::NotComputable(
            "calcul impossible (valeur non finie)".into(),
        ))
    }
}
