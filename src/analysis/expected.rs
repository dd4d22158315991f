//! Expected values: what each structure's context predicts for each derived indicator, by
//! an ordinary least-squares regression over the structures with a value and a complete
//! context (the pack's `regression_context`), each structure left out of its own prediction.
//!
//! An indicator whose regression cannot be fitted, or explains too little by the pack's
//! quality gate, has no expected value, and a judged one gets a diagnostic saying why.

use crate::analysis::derive::{self, Cell};
use crate::analysis::regression::{OlsFit, RegressionError, ols};
use crate::analysis::results::{Expected, IndicatorDef, IndicatorKind, Model};
use crate::dataset::{Diagnostic, Severity, Structure};
use crate::fr;
use crate::pack::manifest::Manifest;

/// The expected values, with the regressions behind them and those withheld.
pub struct Expectations {
    /// Per structure, per indicator.
    pub values: Vec<Vec<Option<Expected>>>,
    /// Per indicator: the fitted model's quality, gated or not.
    pub models: Vec<Option<Model>>,
    /// One per judged indicator whose regression failed or was gated.
    pub diagnostics: Vec<Diagnostic>,
}

/// The expected value of every derived indicator for every structure with a complete
/// context; none at all when the pack has no regression context.
///
/// A structure of the fit is predicted by the model fitted without it (leave-one-out), so
/// that an outlier does not pull its own expected value; the standard deviation of each
/// prediction comes with it. A model below the pack's quality gate (too few observations
/// per predictor, or an adjusted R² under the minimum) gives no expected value at all.
pub fn regression(
    manifest: &Manifest,
    defs: &[IndicatorDef],
    structures: &[&Structure],
    previous: &[Option<&Structure>],
    values: &[Vec<Cell>],
) -> Expectations {
    let mut expectations = Expectations {
        values: vec![vec![None; defs.len()]; structures.len()],
        models: vec![None; defs.len()],
        diagnostics: Vec::new(),
    };
    if manifest.frames.regression_context.is_empty() {
        return expectations;
    }
    let complete = |rows: Vec<Vec<Option<f64>>>| -> Vec<Option<Vec<f64>>> {
        rows.into_iter()
            .map(|row| row.into_iter().collect())
            .collect()
    };
    let vars = &manifest.frames.regression_context;
    let context = complete(derive::context(manifest, vars, structures));
    // Last year's context of each structure, where it has one (rows without a previous
    // year get an empty, incomplete context).
    let earlier: Vec<&Structure> = previous.iter().flatten().copied().collect();
    let mut earlier_context = complete(derive::context(manifest, vars, &earlier)).into_iter();
    let previous_context: Vec<Option<Vec<f64>>> = previous
        .iter()
        .map(|p| p.and_then(|_| earlier_context.next().flatten()))
        .collect();
    for (i, def) in defs.iter().enumerate() {
        if def.kind != IndicatorKind::Derived {
            continue;
        }
        let fit = match fit(&context, values, i) {
            Ok(fit) => fit,
            Err(e) => {
                if def.judged() && !structures.is_empty() {
                    expectations
                        .diagnostics
                        .push(not_fitted(def, &e.to_string()));
                }
                continue;
            }
        };
        let gated = gate(manifest, &fit);
        expectations.models[i] = Some(Model {
            r2: fit.r2,
            adj_r2: fit.adj_r2,
            n: fit.n,
            predictors: fit.predictors,
            residual_sd: fit.residual_sd,
            gated: gated.clone(),
        });
        if let Some(reason) = gated {
            if def.judged() {
                expectations.diagnostics.push(not_fitted(def, &reason));
            }
            continue;
        }
        for (s, xs) in context.iter().enumerate() {
            let Some(xs) = xs else { continue };
            let observed = values[s][i].number();
            let predicted = match observed {
                Some(y) => fit.leave_one_out(xs, y),
                None => fit.out_of_sample(xs),
            };
            if let Some(p) = predicted {
                let context_change = previous_context
                    .get(s)
                    .and_then(|x| x.as_ref())
                    .and_then(|then| Some(fit.try_predict(xs)? - fit.try_predict(then)?));
                expectations.values[s][i] = Some(Expected {
                    value: p.prediction,
                    residual: observed.map(|y| y - p.prediction),
                    sd: p.sd,
                    r2: fit.r2,
                    n: fit.n,
                    context_change,
                });
            }
        }
    }
    expectations
}

/// Why a fitted model is not good enough to give expected values, by the pack's gate.
fn gate(manifest: &Manifest, fit: &OlsFit) -> Option<String> {
    let per_predictor = manifest.frames.regression_obs_per_predictor;
    let needed = (per_predictor * fit.predictors as f64).ceil() as usize;
    if fit.n < needed {
        return Some(format!(
            "{} pour {} : il en faut au moins {} par variable",
            fr::count(fit.n, "observation", "observations"),
            fr::count(
                fit.predictors,
                "variable de contexte",
                "variables de contexte"
            ),
            fr::number(per_predictor, 0)
        ));
    }
    let minimum = manifest.frames.regression_min_adj_r2;
    if fit.adj_r2.is_nan() || fit.adj_r2 < minimum {
        return Some(format!(
            "le contexte explique trop peu ({}, sous le minimum de {} du pack)",
            adjusted_r2_text(fit.adj_r2),
            fr::number(minimum, 2)
        ));
    }
    None
}

/// `R² ajusté 0,03`, as the notes and messages show it.
pub fn adjusted_r2_text(adj_r2: f64) -> String {
    format!("R² ajusté {}", fr::number(adj_r2, 2))
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

fn not_fitted(def: &IndicatorDef, why: &str) -> Diagnostic {
    Diagnostic::general(
        Severity::Info,
        format!(
            "valeur attendue non calculée pour « {} » : {why}",
            def.label
        ),
        "les règles qui comparent à la valeur attendue ne s'appliquent pas à cet indicateur",
    )
}
