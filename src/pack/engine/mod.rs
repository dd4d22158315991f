//! The sandboxed Rhai engine: set-up, limits, compilation with strict variables, and
//! evaluation of one structure at a time. The functions scripts may call are declared in
//! [`api`].
//!
//! Sandbox: Rhai has no file, network or environment access of its own; modules (`import`)
//! are compiled out (`no_module`), `eval`, `print` and `debug` are disabled, so a script can
//! only read what it is given and return decisions. Every evaluation runs under limits on
//! operations, call depth, expression depth, string, array and map sizes, memory (the bytes
//! allocated, [`memory`]) and a wall-clock guard, the last two checked through `on_progress`.

pub mod api;
pub mod errors;
pub mod limits;
pub mod memory;
pub mod view;

pub use limits::Limits;

use crate::pack::Pack;
use crate::pack::decisions::{FindingKind, RuleRef, ThresholdUse};
use crate::pack::engine::errors::{ScriptError, describe_eval_error, describe_parse_error};
use crate::pack::engine::view::{IndicatorView, RegionData, StructureData, StructureView};
use crate::pack::manifest::{Manifest, Unit};
use rhai::{AST, Dynamic, Engine, Position, Scope};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// A decision a script made, with where.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<T> {
    pub what: T,
    pub rule: RuleRef,
    pub thresholds: Vec<ThresholdUse>,
}

/// A finding returned by the findings script.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingValue {
    pub kind: FindingKind,
    pub reason: String,
    pub position: Position,
}

/// Per-evaluation state reached by native functions (one evaluation runs on one thread).
struct EvalState {
    region: String,
    deadline: Instant,
    /// Thresholds read, with the script line of the read.
    thresholds_used: Vec<(ThresholdUse, usize)>,
    recommended: Vec<(String, Position)>,
    manifest: Arc<Manifest>,
    /// The region examined by the regions script, and the priorities it chose.
    region_data: Option<Arc<RegionData>>,
    prioritised: Vec<(String, Position)>,
}

thread_local! {
    static STATE: RefCell<Option<EvalState>> = const { RefCell::new(None) };
}

fn with_state<R>(f: impl FnOnce(&mut EvalState) -> R) -> Option<R> {
    STATE.with(|s| s.borrow_mut().as_mut().map(f))
}

/// A value in the unit's French notation, as explanations write it.
pub fn format_fr(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Fraction => crate::fr::percent(value, 1),
        Unit::Count => crate::fr::fixed(value, 0),
        Unit::Decimal => crate::fr::fixed(value, 1),
        Unit::Ratio => crate::fr::fixed(value, 2),
    }
}

/// Builds the sandboxed engine with the script API registered.
pub fn build_engine(limits: Limits) -> Engine {
    let mut engine = Engine::new();
    engine.set_strict_variables(true);
    // Registered operators (missing values, text against numbers) must win over built-ins.
    engine.set_fast_operators(false);
    engine.set_max_operations(limits.max_operations);
    engine.set_max_call_levels(limits.max_call_levels);
    engine.set_max_expr_depths(limits.max_expr_depth, limits.max_function_expr_depth);
    engine.set_max_string_size(limits.max_string_size);
    engine.set_max_array_size(limits.max_array_size);
    engine.set_max_map_size(limits.max_map_size);
    engine.set_max_variables(1_000);
    engine.set_max_functions(500);
    engine.set_fail_on_invalid_map_property(true);
    for symbol in ["eval", "print", "debug"] {
        engine.disable_symbol(symbol);
    }
    engine.on_progress(|ops| {
        if memory::over_budget() {
            return Some(Dynamic::from(memory::OVER_BUDGET.to_string()));
        }
        if ops % 4096 != 0 {
            return None;
        }
        let late = with_state(|s| Instant::now() > s.deadline).unwrap_or(false);
        late.then(|| Dynamic::from("délai dépassé".to_string()))
    });
    api::register(&mut engine);
    memory::register(&mut engine);
    engine
}

/// A compiled pack: the engine, the scripts, the variable names they may use.
pub struct CompiledPack {
    pub pack: Pack,
    pub manifest: Arc<Manifest>,
    /// Shared with the packs [`CompiledPack::with_manifest`] derives.
    engine: Arc<Engine>,
    findings: AST,
    recommendations: AST,
    /// The regions script, when the pack has one.
    regions: Option<AST>,
    /// Indicator ids in the order scripts receive them (numeric columns, then derived).
    pub indicator_ids: Vec<String>,
    /// First line of each top-level statement (a rule) of each script, ascending.
    findings_rules: Vec<usize>,
    recommendations_rules: Vec<usize>,
    regions_rules: Vec<usize>,
    /// Each script's name and trimmed lines, shared by every rule reference a decision
    /// carries (one allocation per line of the pack, not per structure).
    script_lines: BTreeMap<String, (Arc<str>, Vec<Arc<str>>)>,
    limits: Limits,
}

impl std::fmt::Debug for CompiledPack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledPack")
            .field("pack", &self.pack.manifest.pack.name)
            .finish()
    }
}

/// Variables every script sees besides the indicators.
pub const STRUCTURE_VARIABLE: &str = "ml";
/// The variable of the findings script holding the indicator examined.
pub const INDICATOR_VARIABLE: &str = "ind";

/// Indicator ids as scripts see them: numeric columns, then derived indicators.
pub fn indicator_ids(manifest: &Manifest) -> Vec<String> {
    manifest
        .columns
        .iter()
        .filter(|c| c.role.is_numeric())
        .map(|c| c.id.clone())
        .chain(manifest.indicators.iter().map(|d| d.id.clone()))
        .collect()
}

impl CompiledPack {
    /// Compiles every script once, with strict variables: the structures' scripts against
    /// the pack's indicators and `ml`, the regions script (which reads the region through
    /// functions) against nothing.
    pub fn compile(pack: &Pack) -> Result<CompiledPack, ScriptError> {
        CompiledPack::compile_with_limits(pack, Limits::default())
    }

    pub fn compile_with_limits(pack: &Pack, limits: Limits) -> Result<CompiledPack, ScriptError> {
        let engine = build_engine(limits);
        let ids = indicator_ids(&pack.manifest);
        let manifest = Arc::new(pack.manifest.clone());
        let compile = |script: &str, with_indicator: Option<bool>| -> Result<AST, ScriptError> {
            let text = pack.files.get(script).map(String::as_str).unwrap_or("");
            let mut scope = Scope::new();
            if let Some(with_indicator) = with_indicator {
                for id in &ids {
                    scope.push_constant(id.as_str(), ());
                }
                scope.push_constant(STRUCTURE_VARIABLE, ());
                if with_indicator {
                    scope.push_constant(INDICATOR_VARIABLE, ());
                }
            }
            engine
                .compile_with_scope(&scope, text)
                .map_err(|e| describe_parse_error(script, text, &e, &scope_names(&scope)))
        };
        let findings = compile(&pack.manifest.scripts.findings, Some(true))?;
        let recommendations = compile(&pack.manifest.scripts.recommendations, Some(false))?;
        let regions = match &pack.manifest.scripts.regions {
            Some(script) => Some(compile(script, None)?),
            None => None,
        };
        let script_lines = pack
            .files
            .iter()
            .map(|(name, text)| {
                let lines = text.lines().map(|l| Arc::from(l.trim())).collect();
                (name.clone(), (Arc::from(name.as_str()), lines))
            })
            .collect();
        Ok(CompiledPack {
            pack: pack.clone(),
            manifest,
            engine: Arc::new(engine),
            script_lines,
            findings_rules: rule_starts(&findings),
            recommendations_rules: rule_starts(&recommendations),
            regions_rules: regions.as_ref().map(rule_starts).unwrap_or_default(),
            findings,
            recommendations,
            regions,
            indicator_ids: ids,
            limits,
        })
    }

    /// The same compiled scripts under another manifest, which must declare the same
    /// indicators and scripts (a method variant: other normalisation, frames, weights or
    /// z): the engine is shared, nothing is compiled again.
    pub fn with_manifest(&self, manifest: Manifest) -> CompiledPack {
        debug_assert_eq!(indicator_ids(&manifest), self.indicator_ids);
        let mut pack = self.pack.clone();
        pack.manifest = manifest;
        CompiledPack {
            manifest: Arc::new(pack.manifest.clone()),
            pack,
            engine: Arc::clone(&self.engine),
            findings: self.findings.clone(),
            recommendations: self.recommendations.clone(),
            regions: self.regions.clone(),
            indicator_ids: self.indicator_ids.clone(),
            findings_rules: self.findings_rules.clone(),
            recommendations_rules: self.recommendations_rules.clone(),
            regions_rules: self.regions_rules.clone(),
            script_lines: self.script_lines.clone(),
            limits: self.limits,
        }
    }

    fn scope_for<'a>(&self, data: &Arc<StructureData>, indicator: Option<usize>) -> Scope<'a> {
        let mut scope = Scope::new();
        for (index, id) in self.indicator_ids.iter().enumerate() {
            scope.push_constant(
                id.as_str(),
                IndicatorView {
                    data: Arc::clone(data),
                    index,
                },
            );
        }
        scope.push_constant(
            STRUCTURE_VARIABLE,
            StructureView {
                data: Arc::clone(data),
            },
        );
        if let Some(index) = indicator {
            scope.push_constant(
                INDICATOR_VARIABLE,
                IndicatorView {
                    data: Arc::clone(data),
                    index,
                },
            );
        }
        scope
    }

    /// Evaluates `ast` in `scope` under the limits, with fresh per-evaluation state, for
    /// structure `data` (and its indicator) or for a region.
    #[allow(clippy::too_many_arguments)]
    fn eval_in(
        &self,
        script: &str,
        ast: &AST,
        scope: &mut Scope,
        subject: Subject,
        indicator: Option<usize>,
        run_deadline: Option<Instant>,
    ) -> Result<(Dynamic, EvalState), ScriptError> {
        let own = Instant::now() + self.limits.time_budget;
        let (region, region_data) = match subject {
            Subject::Structure(data) => (data.region.clone(), None),
            Subject::Region(data) => (data.name.clone(), Some(Arc::clone(data))),
        };
        let state = EvalState {
            region,
            deadline: run_deadline.map_or(own, |r| r.min(own)),
            thresholds_used: Vec::new(),
            recommended: Vec::new(),
            manifest: Arc::clone(&self.manifest),
            region_data,
            prioritised: Vec::new(),
        };
        STATE.with(|s| *s.borrow_mut() = Some(state));
        let budget = memory::Budget::start(self.limits.max_memory);
        let result = self.engine.eval_ast_with_scope::<Dynamic>(scope, ast);
        drop(budget);
        let state = STATE.with(|s| s.borrow_mut().take());
        match (result, state) {
            (Ok(value), Some(state)) => Ok((value, state)),
            (Err(e), _) => {
                let text = self
                    .pack
                    .files
                    .get(script)
                    .map(String::as_str)
                    .unwrap_or("");
                let context = match (subject, indicator) {
                    (Subject::Structure(data), Some(i)) => format!(
                        "structure {} ({}), indicateur {}",
                        data.code, data.name, self.indicator_ids[i]
                    ),
                    (Subject::Structure(data), None) => {
                        format!("structure {} ({})", data.code, data.name)
                    }
                    (Subject::Region(data), _) => format!("région {}", data.name),
                };
                Err(describe_eval_error(
                    script,
                    text,
                    &e,
                    &context,
                    &self.limits,
                ))
            }
            (Ok(_), None) => Err(ScriptError::plain(script, "état d'évaluation perdu".into())),
        }
    }

    fn rule_ref(&self, script: &str, pos: Position) -> RuleRef {
        let line = pos.line().unwrap_or(0);
        let (name, lines) = match self.script_lines.get(script) {
            Some((name, lines)) => (Arc::clone(name), Some(lines)),
            None => (Arc::from(script), None),
        };
        let text = lines
            .and_then(|l| l.get(line.saturating_sub(1)))
            .map(Arc::clone)
            .unwrap_or_else(|| Arc::from(""));
        RuleRef {
            script: name,
            line,
            text,
        }
    }

    /// Runs the findings script for several indicators of one structure, in order. The
    /// scope holding the structure's indicators is built once; each evaluation starts
    /// from it with `ind` bound to the indicator examined (locals of the previous
    /// evaluation are rewound away).
    pub fn findings(
        &self,
        data: &Arc<StructureData>,
        indicators: &[usize],
    ) -> Result<Vec<Option<Decision<FindingValue>>>, ScriptError> {
        self.findings_until(data, indicators, None)
    }

    /// [`CompiledPack::findings`], stopping at the analysis' overall deadline.
    pub fn findings_until(
        &self,
        data: &Arc<StructureData>,
        indicators: &[usize],
        run_deadline: Option<Instant>,
    ) -> Result<Vec<Option<Decision<FindingValue>>>, ScriptError> {
        let script = &self.manifest.scripts.findings;
        let mut scope = self.scope_for(data, None);
        let base = scope.len();
        let mut out = Vec::with_capacity(indicators.len());
        for &index in indicators {
            scope.rewind(base);
            scope.push_constant(
                INDICATOR_VARIABLE,
                IndicatorView {
                    data: Arc::clone(data),
                    index,
                },
            );
            let (value, state) = self.eval_in(
                script,
                &self.findings,
                &mut scope,
                Subject::Structure(data),
                Some(index),
                run_deadline,
            )?;
            if value.is_unit() {
                out.push(None);
                continue;
            }
            match value.try_cast::<FindingValue>() {
                Some(f) => out.push(Some(Decision {
                    rule: self.rule_ref(script, f.position),
                    thresholds: rule_thresholds(
                        &state.thresholds_used,
                        &self.findings_rules,
                        f.position,
                    ),
                    what: f,
                })),
                None => {
                    return Err(ScriptError::plain(
                        script,
                        "le script des constats doit se terminer par force(...), axe_de_progres(...), vigilance(...) ou ne rien renvoyer ; il a renvoyé une autre valeur".into(),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Runs the recommendations script for one structure.
    pub fn recommendations(
        &self,
        data: &Arc<StructureData>,
    ) -> Result<Vec<Decision<String>>, ScriptError> {
        self.recommendations_until(data, None)
    }

    /// [`CompiledPack::recommendations`], stopping at the analysis' overall deadline.
    pub fn recommendations_until(
        &self,
        data: &Arc<StructureData>,
        run_deadline: Option<Instant>,
    ) -> Result<Vec<Decision<String>>, ScriptError> {
        let script = &self.manifest.scripts.recommendations;
        let mut scope = self.scope_for(data, None);
        let (_, state) = self.eval_in(
            script,
            &self.recommendations,
            &mut scope,
            Subject::Structure(data),
            None,
            run_deadline,
        )?;
        Ok(state
            .recommended
            .iter()
            .map(|(id, pos)| Decision {
                what: id.clone(),
                rule: self.rule_ref(script, *pos),
                thresholds: rule_thresholds(
                    &state.thresholds_used,
                    &self.recommendations_rules,
                    *pos,
                ),
            })
            .collect())
    }

    /// The limits evaluations run under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn script_names(&self) -> Vec<&str> {
        self.manifest.scripts.all()
    }

    /// Does the pack decide regional priorities with a script (rather than the built-in
    /// rule)?
    pub fn has_regions_script(&self) -> bool {
        self.regions.is_some()
    }

    /// Runs the regions script for one region: the priorities it chose, in the order it
    /// chose them, each with the line that did; None without a regions script.
    pub fn regional_priorities(
        &self,
        data: &Arc<RegionData>,
        run_deadline: Option<Instant>,
    ) -> Option<Result<Vec<Decision<String>>, ScriptError>> {
        let (Some(ast), Some(script)) = (&self.regions, &self.manifest.scripts.regions) else {
            return None;
        };
        let mut scope = Scope::new();
        let evaluated = self.eval_in(
            script,
            ast,
            &mut scope,
            Subject::Region(data),
            None,
            run_deadline,
        );
        Some(evaluated.map(|(_, state)| {
            state
                .prioritised
                .iter()
                .map(|(id, pos)| Decision {
                    what: id.clone(),
                    rule: self.rule_ref(script, *pos),
                    thresholds: rule_thresholds(&state.thresholds_used, &self.regions_rules, *pos),
                })
                .collect()
        }))
    }
}

/// What an evaluation examines: one structure, or one region (the regions script).
#[derive(Clone, Copy)]
enum Subject<'a> {
    Structure(&'a StructureData),
    Region(&'a Arc<RegionData>),
}

/// First lines of the top-level statements of a script: each is a rule.
fn rule_starts(ast: &AST) -> Vec<usize> {
    let mut starts: Vec<usize> = ast
        .statements()
        .iter()
        .filter_map(|s| s.position().line())
        .collect();
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// The thresholds read by the rule (top-level statement) holding the decision at `pos`.
fn rule_thresholds(
    used: &[(ThresholdUse, usize)],
    starts: &[usize],
    pos: Position,
) -> Vec<ThresholdUse> {
    let line = pos.line().unwrap_or(0);
    let start = starts
        .iter()
        .rev()
        .find(|&&s| s <= line)
        .copied()
        .unwrap_or(0);
    let end = starts
        .iter()
        .find(|&&s| s > line)
        .copied()
        .unwrap_or(usize::MAX);
    let mut out: Vec<ThresholdUse> = Vec::new();
    for (t, l) in used {
        if (start..end).contains(l) && !out.iter().any(|o| o.name == t.name) {
            out.push(t.clone());
        }
    }
    out
}

fn scope_names(scope: &Scope) -> Vec<String> {
    scope
        .iter_raw()
        .map(|(name, _, _)| name.to_string())
        .collect()
}
