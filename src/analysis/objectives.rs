//! Proposed objectives for next year: a step from the current value towards what the
//! structure can reasonably reach.
//!
//! The reference is the better of the peer median and the expected value (what
//! comparable structures achieve, what the context predicts); without either, the
//! regional median. The current value is first shrunk towards the reference by its
//! reliability (empirical Bayes): a rate measured on few young people is partly chance,
//! and next year's value regresses towards the reference by that share. The proposal then
//! moves a share of the remaining gap (`[objectives] step`), at most `max_step_points` for
//! fractions (in points) or `max_step_relative` of the current value for other units. A
//! structure already at or beyond its reference is proposed to hold its (shrunk) level. An
//! objective counts as met within a tolerance band of `tolerance_z` sampling standard
//! deviations ([`Objective::met`]).

use crate::analysis::evidence::{Evidence, Own};
use crate::analysis::results::{FindingKind, IndicatorDef, Objective, ObjectiveWhy};
use crate::pack::engine::format_fr;
use crate::pack::manifest::{Direction, FrameKind, ObjectivesSpec, Unit};

/// What a proposal is computed from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs {
    pub value: f64,
    /// The unit bounds are computed in (points for fractions, relative otherwise).
    pub unit: Unit,
    /// The unit the rationale shows numbers in.
    pub shown_unit: Unit,
    pub direction: Direction,
    pub peer_median: Option<f64>,
    pub expected: Option<f64>,
    pub regional_median: Option<f64>,
    /// The sampling variance of the current value (binomial or Poisson, from its
    /// denominator), when known.
    pub sampling_variance: Option<f64>,
    /// The variance of true values around the reference (between structures), when known.
    pub between_variance: Option<f64>,
}

/// The sampling variance of a rate `value` on denominator `n`: `v(1 - v)/n` for a fraction,
/// `factor · v / n` (Poisson) for other rates; None without a positive denominator.
pub fn sampling_variance(def: &IndicatorDef, value: f64, n: Option<f64>) -> Option<f64> {
    let n = n.filter(|n| *n > 0.0 && n.is_finite())?;
    let factor = if def.factor > 0.0 { def.factor } else { 1.0 };
    let variance = match def.unit {
        Unit::Fraction => value.clamp(0.0, 1.0) * (1.0 - value.clamp(0.0, 1.0)) / n,
        _ => factor * value.max(0.0) / n,
    };
    variance.is_finite().then_some(variance)
}

/// For each indicator, the variance of true values between structures around what they are
/// compared with: the spread of the values (around the model when there is one: its
/// residual variance; else the national variance) minus the mean sampling variance, at
/// least 0 (a method-of-moments estimate, as in random-effects meta-analysis).
pub fn between_variances(evidence: &Evidence) -> Vec<Option<f64>> {
    (0..evidence.defs.len())
        .map(|i| {
            let def = &evidence.defs[i];
            if !def.judged() {
                return None;
            }
            let spread = match &def.model {
                Some(m) if m.gated.is_none() => m.residual_sd.powi(2),
                _ => {
                    let frame = evidence.structures.iter().enumerate().find_map(|(s, _)| {
                        evidence.frames(s, i)
                            [crate::pack::engine::view::frame_slot(FrameKind::National)]
                        .as_ref()
                    })?;
                    frame.summary.as_ref()?.sd?.powi(2)
                }
            };
            let sampling: Vec<f64> = (0..evidence.structures.len())
                .filter_map(|s| {
                    let cell = evidence.cell(s, i);
                    sampling_variance(def, cell.number()?, cell.denominator)
                })
                .collect();
            if sampling.is_empty() {
                return None;
            }
            let mean = sampling.iter().sum::<f64>() / sampling.len() as f64;
            let between = (spread - mean).max(0.0);
            between.is_finite().then_some(between)
        })
        .collect()
}

/// The proposed objectives of one structure, from its own evidence, per indicator (`defs`):
/// judged indicators with a value only, and only areas for progress when the pack says so.
pub fn proposals(
    spec: &ObjectivesSpec,
    defs: &[IndicatorDef],
    own: &Own,
    between: &[Option<f64>],
    findings: &[Option<FindingKind>],
) -> Vec<Option<Objective>> {
    (0..defs.len())
        .map(|i| {
            let def = &defs[i];
            let value = own.cell(i).number().filter(|_| def.judged())?;
            if spec.only_areas_for_progress && findings[i] != Some(FindingKind::AxeDeProgres) {
                return None;
            }
            let inputs = Inputs {
                value,
                unit: def.unit,
                shown_unit: def.shown_unit(),
                direction: def.direction,
                peer_median: own.median(i, FrameKind::Peers),
                expected: own.expected(i).map(|e| e.value),
                regional_median: own.median(i, FrameKind::Region),
                sampling_variance: sampling_variance(def, value, own.cell(i).denominator),
                between_variance: between[i],
            };
            propose(inputs, spec)
        })
        .collect()
}

fn points(x: f64, unit: Unit) -> String {
    match unit {
        Unit::Fraction => {
            let p = x * 100.0;
            format!(
                "{} point{}",
                format_fr(p, Unit::Decimal),
                if p.abs() >= 2.0 { "s" } else { "" }
            )
        }
        other => format_fr(x, other),
    }
}

/// The current value shrunk towards `reference`, with its reliability.
fn shrunk(input: &Inputs, reference: f64, spec: &ObjectivesSpec) -> (f64, Option<f64>) {
    let v = input.value;
    if !spec.shrink {
        return (v, None);
    }
    let (Some(sigma2), Some(tau2)) = (input.sampling_variance, input.between_variance) else {
        return (v, None);
    };
    if (sigma2 + tau2).is_nan() || sigma2 + tau2 <= 0.0 {
        return (v, None);
    }
    let reliability = tau2 / (tau2 + sigma2);
    (reference + reliability * (v - reference), Some(reliability))
}

/// The proposed objective, or None for a neutral indicator.
pub fn propose(input: Inputs, spec: &ObjectivesSpec) -> Option<Objective> {
    let sign = match input.direction {
        Direction::Higher => 1.0,
        Direction::Lower => -1.0,
        Direction::Neutral => return None,
    };
    let v = input.value;
    if !v.is_finite() {
        return None;
    }
    let tolerance = input
        .sampling_variance
        .map(|var| spec.tolerance_z * var.sqrt())
        .filter(|t| t.is_finite())
        .unwrap_or(0.0);
    let better = |a: f64, b: f64| if (a - b) * sign >= 0.0 { a } else { b };
    let (reference, kind) = match (input.peer_median, input.expected) {
        (Some(p), Some(e)) if better(p, e) == p => (Some(p), PEERS),
        (Some(_), Some(e)) => (Some(e), EXPECTED),
        (Some(p), None) => (Some(p), PEERS),
        (None, Some(e)) => (Some(e), EXPECTED),
        (None, None) => match input.regional_median {
            Some(r) => (Some(r), "médiane régionale"),
            None => (None, "aucune"),
        },
    };
    let alternative = match kind {
        PEERS => input.expected,
        EXPECTED => input.peer_median,
        _ => None,
    };
    let mut why = ObjectiveWhy {
        observed: v,
        alternative,
        gap: 0.0,
        step_share: spec.step,
        bound: 0.0,
        shown_unit: input.shown_unit,
    };
    let Some(r) = reference.filter(|r| r.is_finite()) else {
        return Some(Objective {
            value: v,
            level: v,
            reliability: None,
            tolerance,
            reference: None,
            reference_kind: kind,
            step: 0.0,
            bounded: false,
            why,
        });
    };
    let (level, reliability) = shrunk(&input, r, spec);
    let gap = (r - level) * sign;
    why.gap = gap;
    if gap <= 0.0 {
        return Some(Objective {
            value: level,
            level,
            reliability,
            tolerance,
            reference: Some(r),
            reference_kind: kind,
            step: 0.0,
            bounded: false,
            why,
        });
    }
    let wanted = spec.step * gap;
    let bound = match input.unit {
        Unit::Fraction => spec.max_step_points,
        _ => spec.max_step_relative * level.abs().max(r.abs() * 0.1),
    };
    why.bound = bound;
    let bounded = wanted > bound;
    let step = wanted.min(bound).max(0.0);
    let mut value = level + sign * step;
    if input.unit == Unit::Fraction {
        // A share stays within [0, 1], but never moves below (or above) its level.
        value = value.clamp(0.0_f64.min(level), 1.0_f64.max(level));
    }
    Some(Objective {
        value,
        level,
        reliability,
        tolerance,
        reference: Some(r),
        reference_kind: kind,
        step,
        bounded,
        why,
    })
}

/// The two references a proposal chooses between, as the rationale names them.
const PEERS: &str = "médiane des pairs";
const EXPECTED: &str = "valeur attendue";

impl Objective {
    /// The rationale in French (the workbook's « Justification », the JSON's `rationale`):
    /// the reference and why, the share of the gap that is chance, the gap and the step, the
    /// tolerance band.
    pub fn rationale(&self) -> String {
        let unit = self.why.shown_unit;
        let tolerance_text = if self.tolerance > 0.0 {
            format!(
                " Atteint à {} près (le hasard des effectifs).",
                points(self.tolerance, unit)
            )
        } else {
            String::new()
        };
        let Some(r) = self.reference else {
            return format!(
                "Aucune référence disponible (ni pairs, ni valeur attendue, ni médiane régionale) : maintenir le niveau actuel.{tolerance_text}"
            );
        };
        let kind = self.reference_kind;
        let alternative = match (kind, self.why.alternative) {
            (PEERS, Some(e)) => format!(
                ", meilleure que la valeur attendue ({})",
                format_fr(e, unit)
            ),
            (EXPECTED, Some(p)) => format!(
                ", meilleure que la médiane des pairs ({})",
                format_fr(p, unit)
            ),
            _ => String::new(),
        };
        let v = self.why.observed;
        let level = self.level;
        let level_text = match self.reliability {
            // Said only when the share shown is not « 0 % ».
            Some(b) if (level - v).abs() > 1e-12 && (1.0 - b) * 100.0 >= 0.5 => format!(
                " Valeur observée {}, dont {} % de l'écart à la référence tient au hasard des effectifs : niveau retenu {}.",
                format_fr(v, unit),
                crate::fr::number((1.0 - b) * 100.0, 0),
                format_fr(level, unit)
            ),
            _ => String::new(),
        };
        if self.why.gap <= 0.0 {
            return format!(
                "Référence : {kind} ({}){alternative}.{level_text} La structure l'atteint déjà ({}) : maintenir au moins ce niveau.{tolerance_text}",
                format_fr(r, unit),
                format_fr(v, unit)
            );
        }
        format!(
            "Référence : {kind} ({}){alternative}.{level_text} Écart : {} ; pas proposé : {:.0} % de l'écart, soit {}{}.{tolerance_text}",
            format_fr(r, unit),
            points(self.why.gap, unit),
            self.why.step_share * 100.0,
            points(self.step, unit),
            if self.bounded {
                format!(
                    ", plafonné au pas maximal ({})",
                    points(self.why.bound, unit)
                )
            } else {
                String::new()
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn spec() -> ObjectivesSpec {
        ObjectivesSpec {
            step: 0.5,
            max_step_points: 0.05,
            max_step_relative: 0.10,
            ..ObjectivesSpec::default()
        }
    }

    fn fraction(value: f64, peers: Option<f64>, expected: Option<f64>) -> Inputs {
        Inputs {
            value,
            unit: Unit::Fraction,
            shown_unit: Unit::Fraction,
            direction: Direction::Higher,
            peer_median: peers,
            expected,
            regional_median: Some(0.40),
            sampling_variance: None,
            between_variance: None,
        }
    }

    #[test]
    fn a_step_of_half_the_gap_towards_the_better_reference() {
        // Peers 0.38, expected 0.40: the reference is 0.40; gap 0.08; half = 0.04 < 0.05.
        let o = propose(fraction(0.32, Some(0.38), Some(0.40)), &spec()).unwrap();
        assert_eq!(o.reference, Some(0.40));
        assert_eq!(o.reference_kind, "valeur attendue");
        assert!((o.value - 0.36).abs() < 1e-12);
        assert!(!o.bounded);
        assert!(
            o.rationale().contains("meilleure que la médiane des pairs"),
            "{}",
            o.rationale()
        );
    }

    #[test]
    fn the_step_is_bounded_by_the_packs_maximum() {
        // Reference 0.50, gap 0.30, half = 0.15 > 0.05 points: 0.20 + 0.05 = 0.25.
        let o = propose(fraction(0.20, Some(0.50), None), &spec()).unwrap();
        assert!((o.value - 0.25).abs() < 1e-12);
        assert!(o.bounded);
        assert!(o.rationale().contains("plafonné"), "{}", o.rationale());
    }

    #[test]
    fn a_structure_beyond_its_reference_holds_its_level() {
        let o = propose(fraction(0.55, Some(0.40), Some(0.42)), &spec()).unwrap();
        assert_eq!(o.value, 0.55);
        assert_eq!(o.step, 0.0);
        assert!(
            o.rationale()
                .contains("La structure l'atteint déjà (55,0 %) : maintenir au moins"),
            "{}",
            o.rationale()
        );
    }

    /// With shrinkage, the retained level comes before « l'atteint déjà », as its own
    /// sentence; a share of chance that rounds to 0 % is not said.
    #[test]
    fn the_rationale_of_a_level_already_reached_reads_in_order() {
        let mut input = fraction(0.55, Some(0.40), Some(0.42));
        input.sampling_variance = Some(0.01);
        input.between_variance = Some(0.01);
        let o = propose(input, &spec()).unwrap();
        let level = o
            .rationale()
            .find("niveau retenu")
            .expect("the level is said");
        let reached = o.rationale().find("l'atteint déjà").expect("reached");
        assert!(level < reached, "{}", o.rationale());
        assert!(!o.rationale().contains(": Valeur"), "{}", o.rationale());
        input.sampling_variance = Some(1e-9);
        let o = propose(input, &spec()).unwrap();
        assert!(!o.rationale().contains("dont 0 %"), "{}", o.rationale());
    }

    #[test]
    fn a_count_steps_relative_to_its_value() {
        // Offers per FTE 20, peers 30: half the gap is 5, bound 10 % of 20 = 2: 22.
        let o = propose(
            Inputs {
                value: 20.0,
                unit: Unit::Ratio,
                shown_unit: Unit::Ratio,
                direction: Direction::Higher,
                peer_median: Some(30.0),
                expected: None,
                regional_median: None,
                sampling_variance: None,
                between_variance: None,
            },
            &spec(),
        )
        .unwrap();
        assert!((o.value - 22.0).abs() < 1e-12);
        assert!(o.bounded);
    }

    #[test]
    fn lower_is_better_moves_down() {
        let o = propose(
            Inputs {
                value: 0.30,
                unit: Unit::Fraction,
                shown_unit: Unit::Fraction,
                direction: Direction::Lower,
                peer_median: Some(0.26),
                expected: Some(0.20),
                regional_median: None,
                sampling_variance: None,
                between_variance: None,
            },
            &spec(),
        )
        .unwrap();
        // The better reference is the lower one, 0.20; gap 0.10, step 0.05: 0.25.
        assert_eq!(o.reference, Some(0.20));
        assert!((o.value - 0.25).abs() < 1e-12);
    }

    #[test]
    fn neutral_indicators_get_no_objective() {
        let mut i = fraction(0.3, Some(0.4), None);
        i.direction = Direction::Neutral;
        assert!(propose(i, &spec()).is_none());
    }

    #[test]
    fn a_value_measured_on_few_young_people_is_shrunk_towards_its_reference() {
        // v = 0.60 on 100 young people: σ² = 0.6 · 0.4 / 100 = 0.0024; τ² = 0.0036:
        // reliability 0.0036 / 0.006 = 0.6; level 0.40 + 0.6 × 0.20 = 0.52, above the
        // reference: hold 0.52. Tolerance 1.28 × sqrt(0.0024) = 0.0627.
        let mut input = fraction(0.60, Some(0.40), None);
        input.sampling_variance = Some(0.0024);
        input.between_variance = Some(0.0036);
        let o = propose(input, &spec()).unwrap();
        assert!((o.reliability.unwrap() - 0.6).abs() < 1e-12);
        assert!((o.level - 0.52).abs() < 1e-12);
        assert!((o.value - 0.52).abs() < 1e-12);
        assert!((o.tolerance - 1.28 * 0.0024f64.sqrt()).abs() < 1e-12);
        assert!(
            o.rationale().contains("niveau retenu 52,0 %"),
            "{}",
            o.rationale()
        );
        // Met within the band, missed beyond it.
        assert_eq!(o.met(0.46, Direction::Higher), Some(true));
        assert_eq!(o.met(0.45, Direction::Higher), Some(false));
        // Below the reference: v = 0.30, level 0.40 - 0.6 × 0.10 = 0.34, gap 0.06, step 0.03.
        let mut input = fraction(0.30, Some(0.40), None);
        input.sampling_variance = Some(0.0024);
        input.between_variance = Some(0.0036);
        let o = propose(input, &spec()).unwrap();
        assert!((o.level - 0.34).abs() < 1e-12 && (o.value - 0.37).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn a_proposal_is_never_worse_than_the_current_value(
            v in 0.0..1.0f64,
            p in proptest::option::of(0.0..1.0f64),
            e in proptest::option::of(-0.2..1.2f64),
            r in proptest::option::of(0.0..1.0f64),
            step in 0.0..1.0f64,
        ) {
            let spec = ObjectivesSpec { step, ..spec() };
            let mut input = fraction(v, p, e);
            input.regional_median = r;
            let o = propose(input, &spec).unwrap();
            prop_assert!(o.value >= v - 1e-12);
            prop_assert!(o.value - v <= spec.max_step_points + 1e-12);
            prop_assert!((0.0..=1.0).contains(&o.value));
        }

        #[test]
        fn a_share_already_beyond_one_is_never_lowered(v in 1.0..3.0f64, p in 0.0..3.0f64) {
            let o = propose(fraction(v, Some(p), None), &spec()).unwrap();
            prop_assert!(o.value >= v);
        }
    }
}
