//! Expected values: what each structure's context predicts for each derived indicator, by
//! an ordinary least-squares regression over the structures with a value and a complete
//! context (the pack's `regression_context`).
//!
//! An indicator whose regression cannot be fitted has no expected value, and a judged one
//! gets a diagnostic saying why.

use crate::analysis::derive::{self, Cell};
use crate::analysis::regression::{OlsFit, RegressionError, ols};
use crate::analysis::results::{Expected, IndicatorDef, IndicatorKind};
use crate::dataset::{Diagnostic, Severity, Structure};
use crate::pack::manifest::Manifest;

/// The expected values, with the regressions that could not be fitted.
pub struct Expectations {
    /// Per structure, per indicator.
    pub values: Vec<Vec<Option<Expected>>>,
    /// One per judged indicator whose regression failed.
    pub diagnostics: Vec<Diagnostic>,
}

/// The expected value of every derived indicator for every structure with a complete
/// context; none at all when the pack has no regression context.
pub fn regression(
    manifest: &Manifest,
    defs: &[IndicatorDef],
    structures: &[&Structure],
    values: &[Vec<Cell>],
) -> Expectations {
    let mut expectations = Expectations {
        values: vec![vec![None; defs.len()]; structures.len()],
        diagnostics: Vec::new(),
    };
    if manifest.frames.regression_context.is_empty() {
        return expectations;
    }
    let context: Vec<Option<Vec<f64>>> =
        derive::context(manifest, &manifest.frames.regression_context, structures)
            .into_iter()
            .map(|row| row.into_iter().collect())
            .collect();
    for (i, def) in defs.iter().enumerate() {
        if def.kind != IndicatorKind::Derived {
            continue;
        }
        match fit(&context, values, i) {
            Ok(fit) => {
                for (s, xs) in context.iter().enumerate() {
                    let prediction = xs.as_ref().and_then(|xs| fit.try_predict(xs));
                    if let Some(prediction) = prediction {
                        expectations.values[s][i] = Some(Expected {
                            value: prediction,
                            residual: values[s][i].number().map(|v| v - prediction),
                            r2: fit.r2,
                            n: fit.n,
                        });
                    }
                }
            }
            Err(e) => {
                if def.judged() && !structures.is_empty() {
                    expectations.diagnostics.push(not_fitted(def, &e));
                }
            }
        }
    }
    expectations
}

/// The regression of indicator `i` on the complete contexts of the structures with a value.
fn fit(
    context: &[Option<Vec<f64>>],
    values: &[Vec<Cell>],
    i: usize,
) -> Result<OlsFit, RegressionError> {
    let (y, x): (Vec<f64>, Vec<Vec<f64>>) = context
        .iter()
        .zip(values)
        .filter_map(|(xs, row)| Some((row[i].number()?, xs.clone()?)))
        .unzip();
    ols(&y, &x)
}

fn not_fitted(def: &IndicatorDef, e: &RegressionError) -> Diagnostic {
    Diagnostic::general(
        Severity::Info,
        format!("valeur attendue non calculée pour « {} » : {e}", def.label),
        "les règles qui comparent à la valeur attendue ne s'appliquent pas à cet indicateur",
    )
}
