//! Proposed objectives for next year: a step from the current value towards what the
//! structure can reasonably reach.
//!
//! The reference is the better of the peer median and the expected value (what
//! comparable structures achieve, what the context predicts); without either, the
//! regional median. The proposal moves a share of the gap (`[objectives] step`), at most
//! `max_step_points` for fractions (in points) or `max_step_relative` of the current value
//! for other units. A structure already at or beyond its reference is proposed to hold
//! its level: a proposal is never worse than the current value.

use crate::analysis::evidence::Evidence;
use crate::analysis::results::Objective;
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
}

/// The proposed objectives of structure `s` (an index in `evidence.structures`), per
/// indicator: judged indicators with a value only.
pub fn proposals(spec: &ObjectivesSpec, evidence: &Evidence, s: usize) -> Vec<Option<Objective>> {
    (0..evidence.defs.len())
        .map(|i| {
            let def = &evidence.defs[i];
            let value = evidence.cell(s, i).number().filter(|_| def.judged())?;
            let inputs = Inputs {
                value,
                unit: def.unit,
                shown_unit: def.shown_unit(),
                direction: def.direction,
                peer_median: evidence.median(s, i, FrameKind::Peers),
                expected: evidence.expected(s, i).map(|e| e.value),
                regional_median: evidence.median(s, i, FrameKind::Region),
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
    let better = |a: f64, b: f64| if (a - b) * sign >= 0.0 { a } else { b };
    let (reference, kind) = match (input.peer_median, input.expected) {
        (Some(p), Some(e)) if better(p, e) == p => (Some(p), "médiane des pairs"),
        (Some(_), Some(e)) => (Some(e), "valeur attendue"),
        (Some(p), None) => (Some(p), "médiane des pairs"),
        (None, Some(e)) => (Some(e), "valeur attendue"),
        (None, None) => match input.regional_median {
            Some(r) => (Some(r), "médiane régionale"),
            None => (None, "aucune"),
        },
    };
    let alternative = match kind {
        "médiane des pairs" => input.expected.map(|e| {
            format!(
                ", meilleure que la valeur attendue ({})",
                format_fr(e, input.shown_unit)
            )
        }),
        "valeur attendue" => input.peer_median.map(|p| {
            format!(
                ", meilleure que la médiane des pairs ({})",
                format_fr(p, input.shown_unit)
            )
        }),
        _ => None,
    }
    .unwrap_or_default();
    let Some(r) = reference.filter(|r| r.is_finite()) else {
        return Some(Objective {
            value: v,
            reference: None,
            reference_kind: kind.into(),
            step: 0.0,
            bounded: false,
            rationale: "Aucune référence disponible (ni pairs, ni valeur attendue, ni médiane régionale) : maintenir le niveau actuel.".into(),
        });
    };
    let gap = (r - v) * sign;
    if gap <= 0.0 {
        return Some(Objective {
            value: v,
            reference: Some(r),
            reference_kind: kind.into(),
            step: 0.0,
            bounded: false,
            rationale: format!(
                "Référence : {kind} ({}){alternative}. La structure l'atteint déjà ({}) : maintenir au moins ce niveau.",
                format_fr(r, input.shown_unit),
                format_fr(v, input.shown_unit)
            ),
        });
    }
    let wanted = spec.step * gap;
    let bound = match input.unit {
        Unit::Fraction => spec.max_step_points,
        _ => spec.max_step_relative * v.abs().max(r.abs() * 0.1),
    };
    let bounded = wanted > bound;
    let step = wanted.min(bound).max(0.0);
    let mut value = v + sign * step;
    if input.unit == Unit::Fraction {
        // A share stays within [0, 1], but never moves below (or above) where it already is.
        value = value.clamp(0.0_f64.min(v), 1.0_f64.max(v));
    }
    Some(Objective {
        value,
        reference: Some(r),
        reference_kind: kind.into(),
        step,
        bounded,
        rationale: format!(
            "Référence : {kind} ({}){alternative}. Écart : {} ; pas proposé : {:.0} % de l'écart, soit {}{}.",
            format_fr(r, input.shown_unit),
            points(gap, input.shown_unit),
            spec.step * 100.0,
            points(step, input.shown_unit),
            if bounded {
                format!(
                    ", plafonné au pas maximal ({})",
                    points(bound, input.shown_unit)
                )
            } else {
                String::new()
            }
        ),
    })
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
            o.rationale.contains("meilleure que la médiane des pairs"),
            "{}",
            o.rationale
        );
    }

    #[test]
    fn the_step_is_bounded_by_the_packs_maximum() {
        // Reference 0.50, gap 0.30, half = 0.15 > 0.05 points: 0.20 + 0.05 = 0.25.
        let o = propose(fraction(0.20, Some(0.50), None), &spec()).unwrap();
        assert!((o.value - 0.25).abs() < 1e-12);
        assert!(o.bounded);
        assert!(o.rationale.contains("plafonné"), "{}", o.rationale);
    }

    #[test]
    fn a_structure_beyond_its_reference_holds_its_level() {
        let o = propose(fraction(0.55, Some(0.40), Some(0.42)), &spec()).unwrap();
        assert_eq!(o.value, 0.55);
        assert_eq!(o.step, 0.0);
        assert!(o.rationale.contains("maintenir"));
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
