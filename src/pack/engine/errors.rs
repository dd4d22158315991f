//! Script errors that point: the file, line and column, the offending line with a marker,
//! and what is wrong in French (close names for an unknown one, the types for a mismatch).

pub use crate::error::ScriptError;
use crate::fr::suggest;
use crate::pack::engine::api::{self, type_fr};
use crate::pack::engine::limits::Limits;
use rhai::{EvalAltResult, ParseError, ParseErrorType, Position};

impl ScriptError {
    pub fn plain(script: &str, message: String) -> ScriptError {
        ScriptError {
            script: script.to_string(),
            line: None,
            column: None,
            snippet: None,
            message,
        }
    }

    fn at(script: &str, text: &str, pos: Position, message: String) -> ScriptError {
        let line = pos.line();
        let snippet = line.and_then(|l| text.lines().nth(l.saturating_sub(1)).map(str::to_string));
        ScriptError {
            script: script.to_string(),
            line,
            column: pos.position(),
            snippet,
            message,
        }
    }
}

/// Turns `>(f64, ())` into `> (nombre décimal, valeur manquante ())`.
fn describe_signature(sig: &str) -> Option<(String, Vec<String>)> {
    let open = sig.find('(')?;
    let name = sig[..open].trim().to_string();
    let args = sig[open + 1..]
        .strip_suffix(')')
        .unwrap_or(&sig[open + 1..]);
    let types = if args.trim().is_empty() {
        Vec::new()
    } else {
        args.split(',').map(type_fr).collect()
    };
    Some((name, types))
}

pub fn describe_parse_error(
    script: &str,
    text: &str,
    e: &ParseError,
    scope: &[String],
) -> ScriptError {
    let message = match e.err_type() {
        ParseErrorType::VariableUndefined(name) => format!(
            "variable ou indicateur inconnu « {name} »{}",
            suggest(name, scope.iter().map(String::as_str))
        ),
        ParseErrorType::Reserved(word) if matches!(word.as_str(), "eval" | "print" | "debug") => {
            format!(
                "« {word} » est interdit dans les règles (bac à sable) : une règle ne peut que lire les indicateurs et rendre des constats ou des recommandations"
            )
        }
        ParseErrorType::Reserved(word) => {
            format!("« {word} » est un mot réservé et ne peut pas servir ici")
        }
        ParseErrorType::MissingToken(token, _) => {
            format!(
                "« {token} » attendu ici (une parenthèse, une accolade ou un point-virgule manque ?)"
            )
        }
        ParseErrorType::UnknownOperator(op) => format!("opérateur inconnu « {op} »"),
        ParseErrorType::UnexpectedEOF => {
            "fin du script inattendue (une accolade ou une parenthèse n'est pas fermée ?)".into()
        }
        ParseErrorType::ExprTooDeep => "expression trop profondément imbriquée".into(),
        ParseErrorType::AssignmentToConstant(name) => format!(
            "« {name} » ne peut pas être modifié : les indicateurs et la mission locale sont en lecture seule"
        ),
        ParseErrorType::VariableExists(name) | ParseErrorType::ForbiddenVariable(name) => {
            format!("le nom « {name} » est déjà pris par un indicateur ou une variable du moteur")
        }
        ParseErrorType::BadInput(lex) => {
            let text = lex.to_string();
            match ["eval", "print", "debug"]
                .iter()
                .find(|w| text.contains(&format!("'{w}' is disabled")))
            {
                Some(word) => format!(
                    "« {word} » est interdit dans les règles (bac à sable) : une règle ne peut que lire les indicateurs et rendre des constats ou des recommandations"
                ),
                None => format!("saisie invalide : {text}"),
            }
        }
        other => format!("erreur de syntaxe : {other}"),
    };
    ScriptError::at(script, text, e.position(), message)
}

pub fn describe_eval_error(
    script: &str,
    text: &str,
    e: &EvalAltResult,
    context: &str,
    limits: &Limits,
) -> ScriptError {
    // Errors inside a script function: point at the innermost place.
    if let EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = e {
        return describe_eval_error(script, text, inner, context, limits);
    }
    let message = match e {
        EvalAltResult::ErrorTooManyOperations(_) => format!(
            "le script a dépassé {} opérations (boucle sans fin ?) ; arrêté",
            limits.max_operations
        ),
        EvalAltResult::ErrorStackOverflow(_) => format!(
            "appels imbriqués au-delà de {} niveaux (récursion sans fin ?) ; arrêté",
            limits.max_call_levels
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => format!(
            "donnée trop grande ({what}) : au-delà des limites (texte {} caractères, liste {} éléments, table {} entrées) ; arrêté",
            limits.max_string_size, limits.max_array_size, limits.max_map_size
        ),
        EvalAltResult::ErrorTerminated(token, _)
            if token.clone().into_string().ok().as_deref()
                == Some(crate::pack::engine::memory::OVER_BUDGET) =>
        {
            format!(
                "le script a dépassé la mémoire permise ({} Mio par évaluation : liste, table, texte ou pointeur de fonction trop gros ?) ; arrêté",
                limits.max_memory / (1024 * 1024)
            )
        }
        EvalAltResult::ErrorTerminated(_, _) => format!(
            "le script a dépassé le temps permis ({} s) ; arrêté",
            limits.time_budget.as_secs_f64()
        ),
        EvalAltResult::ErrorFunctionNotFound(sig, _) => match describe_signature(sig) {
            Some((name, types))
                if types.iter().any(|t| t.contains("manquante"))
                    || [
                        "<", ">", "<=", ">=", "+", "-", "*", "/", "==", "!=", "&&", "||",
                    ]
                    .contains(&name.as_str()) =>
            {
                format!(
                    "types incompatibles pour « {name} » : {} ; une valeur manquante se teste avec .disponible",
                    types.join(" et ")
                )
            }
            Some((name, types)) => format!(
                "fonction inconnue ou mal appelée « {name} » avec ({}){}",
                types.join(", "),
                suggest(&name, api::names())
            ),
            None => format!("fonction inconnue « {sig} »"),
        },
        EvalAltResult::ErrorPropertyNotFound(name, _) => format!(
            "propriété inconnue « {name} »{}",
            suggest(name, api::names())
        ),
        EvalAltResult::ErrorVariableNotFound(name, _) => format!("variable inconnue « {name} »"),
        EvalAltResult::ErrorMismatchDataType(want, got, _) => {
            format!(
                "types incompatibles : {} attendu, {} reçu",
                type_fr(want),
                type_fr(got)
            )
        }
        EvalAltResult::ErrorMismatchOutputType(want, got, _) => {
            format!(
                "résultat de type {} au lieu de {}",
                type_fr(got),
                type_fr(want)
            )
        }
        EvalAltResult::ErrorArithmetic(what, _) if what.contains("zero") => {
            "erreur de calcul : division par zéro".to_string()
        }
        EvalAltResult::ErrorArithmetic(what, _) => format!("erreur de calcul : {what}"),
        EvalAltResult::ErrorDotExpr(what, _) => match what.split('\'').nth(1) {
            Some(name) if what.starts_with("Unknown property") => format!(
                "propriété inconnue « {name} »{}",
                suggest(name, api::names())
            ),
            _ => format!("accès invalide : {what}"),
        },
        EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
        EvalAltResult::ErrorIndexingType(t, _) => format!("« {} » ne s'indexe pas", type_fr(t)),
        EvalAltResult::ErrorArrayBounds(len, i, _) => {
            format!("indice {i} hors de la liste ({len} éléments)")
        }
        EvalAltResult::ErrorAssignmentToConstant(name, _) => {
            format!("« {name} » est en lecture seule")
        }
        other => format!("erreur d'exécution : {other}"),
    };
    ScriptError::at(
        script,
        text,
        e.position(),
        format!("{message} (pendant l'évaluation : {context})"),
    )
}
