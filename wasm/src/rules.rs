//! The routing rules' exports, for the Pulumi program (check a `routingRules` setting
//! before anything is declared; publish the rules beside the page) and the test page
//! (list the rules in force, preview what a body does while it is typed). One line of glue each, over
//! `core::rules`.

use private_ingest_core::rules::{preview, read_in_force};
use private_ingest_core::{parse_rules, NotificationContent, Rules};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::js_json::to_js;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** The answer of `checkRules`: the document as compact JSON (what the Lambda's
 * ROUTING_RULES holds), or every problem (`rules[i].field: reason`). */
export type RulesCheck =
  | { readonly ok: true; readonly compact: string; readonly ruleNames: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

/** How urgent a rule's notification is. */
export type Severity = "info" | "low" | "medium" | "high" | "critical";

/** What the routing does with one body (`previewRules`). */
export interface RulesPreview {
  /** Whether the API accepts the body; when not, `errors` says why and nothing happens. */
  readonly valid: boolean;
  readonly errors: readonly string[];
  /** The rules that fire, in the document's order. */
  readonly fired: readonly { readonly name: string; readonly severity: Severity }[];
  readonly store: boolean;
  readonly notify: boolean;
  readonly subject: string | null;
  readonly severity: Severity | null;
}

/** One rule as the page lists it. */
export interface RuleLine {
  readonly name: string;
  readonly description: string | null;
  /** The condition as one line (`/data/temperature gt 80`). */
  readonly when: string;
  readonly then: readonly ("store" | "notify")[];
  readonly severity: Severity;
  readonly subject: string | null;
}

/** The answer of `readRulesInForce`. */
export type RulesInForceView =
  | {
      readonly ok: true;
      /** The document as compact JSON, for `previewRules`; null: the routing on `Insert`. */
      readonly rules: string | null;
      readonly lines: readonly RuleLine[];
      /** What a message no rule fires for gets (empty without rules). */
      readonly otherwise: readonly ("store" | "notify")[];
      readonly notificationIncludesData: boolean;
    }
  | { readonly ok: false; readonly errors: readonly string[] };
"#;

/// The answer of [`check_rules`], as `RulesCheck`.
#[cfg(feature = "pulumi")]
#[derive(Serialize)]
#[serde(untagged)]
enum RulesCheck {
    Ok {
        ok: bool,
        compact: String,
        #[serde(rename = "ruleNames")]
        rule_names: Vec<String>,
    },
    Refused {
        ok: bool,
        errors: Vec<String>,
    },
}

/// Reads a rules document: its compact JSON, or every problem with it (Pulumi, before it
/// declares anything).
#[cfg(feature = "pulumi")]
#[wasm_bindgen(js_name = checkRules, unchecked_return_type = "RulesCheck")]
pub fn check_rules(text: &str) -> Result<JsValue, JsError> {
    to_js(&match parse_rules(text) {
        Ok(rules) => RulesCheck::Ok {
            ok: true,
            compact: rules.to_json().to_owned(),
            rule_names: rules.rules.iter().map(|r| r.name.clone()).collect(),
        },
        Err(errors) => RulesCheck::Refused {
            ok: false,
            errors: errors.messages(),
        },
    })
}

/// What `rules` (a rules document; `null`: the routing on `Insert`) does with `body`;
/// an error when the rules themselves are invalid.
#[wasm_bindgen(js_name = previewRules, unchecked_return_type = "RulesPreview")]
pub fn preview_rules(
    rules: Option<String>,
    body: &str,
    #[wasm_bindgen(js_name = includesData)] includes_data: bool,
) -> Result<JsValue, JsError> {
    let content = NotificationContent::from_includes_data(includes_data);
    to_js(&preview(body, rules_of(rules)?.as_ref(), content))
}

/// The rules in force as the page reads them (`routing-rules.json` beside the page in the
/// cloud, `GET /rules` locally), as JSON text; an error when the rules are invalid. Pulumi
/// writes `routing-rules.json` with it.
#[cfg(feature = "pulumi")]
#[wasm_bindgen(js_name = rulesInForce)]
pub fn rules_in_force(
    rules: Option<String>,
    #[wasm_bindgen(js_name = includesData)] includes_data: bool,
) -> Result<String, JsError> {
    Ok(private_ingest_core::rules::in_force(
        rules_of(rules)?.as_ref(),
        NotificationContent::from_includes_data(includes_data),
    ))
}

/// The rules of a document given as text (none for none); an error naming every problem.
fn rules_of(text: Option<String>) -> Result<Option<Rules>, JsError> {
    text.map(|text| parse_rules(&text))
        .transpose()
        .map_err(|errors| JsError::new(&errors.to_string()))
}

/// One rule as the page lists it.
#[derive(Serialize)]
struct RuleLine {
    name: String,
    description: Option<String>,
    /// The condition as one line (`/data/temperature gt 80`).
    when: String,
    then: Vec<&'static str>,
    severity: &'static str,
    subject: Option<String>,
}

/// The answer of [`read_rules_in_force`], as `RulesInForceView`.
#[derive(Serialize)]
#[serde(untagged)]
enum RulesInForceView {
    Ok {
        ok: bool,
        /// The document as compact JSON, for `previewRules`; null: the routing on `Insert`.
        rules: Option<String>,
        lines: Vec<RuleLine>,
        otherwise: Vec<&'static str>,
        #[serde(rename = "notificationIncludesData")]
        notification_includes_data: bool,
    },
    Refused {
        ok: bool,
        errors: Vec<String>,
    },
}

/// Reads the rules in force as the local stack's `GET /rules` or the cloud's
/// `routing-rules.json` answer them (given as text, so no number is rounded).
#[wasm_bindgen(js_name = readRulesInForce, unchecked_return_type = "RulesInForceView")]
pub fn read_rules_in_force(text: &str) -> Result<JsValue, JsError> {
    to_js(&match read_in_force(text) {
        Ok((rules, content)) => RulesInForceView::Ok {
            ok: true,
            rules: rules.as_ref().map(|r| r.to_json().to_owned()),
            lines: rules
                .iter()
                .flat_map(|r| &r.rules)
                .map(|r| RuleLine {
                    name: r.name.clone(),
                    description: r.description.clone(),
                    when: r.when.to_string(),
                    then: r.then.names(),
                    severity: r.severity.as_str(),
                    subject: r.subject.as_ref().map(|s| s.as_str().to_owned()),
                })
                .collect(),
            otherwise: rules
                .as_ref()
                .map(|r| r.otherwise.names())
                .unwrap_or_default(),
            notification_includes_data: content.includes_data(),
        },
        Err(errors) => RulesInForceView::Refused {
            ok: false,
            errors: errors.messages(),
        },
    })
}
