//! The routing rules' exports, for the Pulumi program (check a `routingRules` setting
//! before anything is declared; publish the rules beside the page) and the test page
//! (preview what a body does while it is typed). One line of glue each, over
//! `core::rules`.

use private_ingest_core::rules::{in_force, preview};
use private_ingest_core::{parse_rules, NotificationContent};
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
"#;

/// The answer of [`check_rules`], as `RulesCheck`.
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

/// Reads a rules document: its compact JSON, or every problem with it.
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
    let rules = rules
        .map(|text| parse_rules(&text))
        .transpose()
        .map_err(|errors| JsError::new(&errors.to_string()))?;
    let content = NotificationContent::from_includes_data(includes_data);
    to_js(&preview(body, rules.as_ref(), content))
}

/// The rules in force as the page reads them (`routing-rules.json` beside the page in the
/// cloud, `GET /rules` locally), as JSON text; an error when the rules are invalid.
#[wasm_bindgen(js_name = rulesInForce)]
pub fn rules_in_force(
    rules: Option<String>,
    #[wasm_bindgen(js_name = includesData)] includes_data: bool,
) -> Result<String, JsError> {
    let rules = rules
        .map(|text| parse_rules(&text))
        .transpose()
        .map_err(|errors| JsError::new(&errors.to_string()))?;
    Ok(in_force(
        rules.as_ref(),
        NotificationContent::from_includes_data(includes_data),
    ))
}
