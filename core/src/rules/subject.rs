//! `subject` templates: literal text with `{/json/pointer}` placeholders (`{{` and `}}`
//! for braces). An absent value renders as `(none)`. SNS's subject rules (at most 100
//! printable ASCII characters, no line breaks) are checked on the literal text when the
//! rules are read, and enforced on what a message renders: another character becomes
//! `?`, and the subject is cut at 100.

use serde_json::Value;

use super::pointer::{Found, Pointer};
use crate::contract::rules::{ABSENT_VALUE_TEXT, MAX_SUBJECT_TEMPLATE_CHARS, WITHHELD_VALUE_TEXT};
use crate::contract::MAX_SUBJECT_CHARS;
use crate::message::Message;
use crate::notification::{sns_subject, NotificationContent};

/// A checked `subject` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectTemplate {
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Value(Pointer),
}

impl SubjectTemplate {
    /// Reads a template, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let chars = text.chars().count();
        if chars > MAX_SUBJECT_TEMPLATE_CHARS {
            return Err(format!(
                "{chars} characters; the limit is {MAX_SUBJECT_TEMPLATE_CHARS} (what it renders is cut to SNS's {MAX_SUBJECT_CHARS})"
            ));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text.char_indices().peekable();
        while let Some((at, c)) = rest.next() {
            match c {
                '{' if rest.peek().map(|&(_, n)| n) == Some('{') => {
                    rest.next();
                    literal.push('{');
                }
                '}' if rest.peek().map(|&(_, n)| n) == Some('}') => {
                    rest.next();
                    literal.push('}');
                }
                '{' => {
                    let end = text[at..].find('}').ok_or_else(|| {
                        format!("the placeholder at character {} has no closing \"}}\" (write \"{{{{\" for a brace)", char_at(text, at))
                    })?;
                    let pointer = Pointer::parse(&text[at + 1..at + end])
                        .map_err(|why| format!("placeholder {}: {why}", &text[at..=at + end]))?;
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Value(pointer));
                    while rest.peek().is_some_and(|&(i, _)| i <= at + end) {
                        rest.next();
                    }
                }
                '}' => {
                    return Err(format!(
                    "a \"}}\" at character {} closes no placeholder (write \"}}}}\" for a brace)",
                    char_at(text, at)
                ))
                }
                c if c == ' ' || c.is_ascii_graphic() => literal.push(c),
                c => {
                    return Err(format!(
                        "character {} is {}; an SNS subject is printable ASCII without line breaks",
                        char_at(text, at),
                        crate::error::quote(&c.to_string())
                    ))
                }
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        let literal_chars: usize = parts
            .iter()
            .map(|p| match p {
                Part::Literal(l) => l.len(),
                Part::Value(_) => 0,
            })
            .sum();
        if literal_chars > MAX_SUBJECT_CHARS {
            return Err(format!(
                "its text without placeholders is {literal_chars} characters; an SNS subject is at most {MAX_SUBJECT_CHARS}"
            ));
        }
        if parts.is_empty() {
            return Err("is empty; leave it out for the default subject".into());
        }
        Ok(Self {
            text: text.to_owned(),
            parts,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The subject for `message`: values as their JSON text (strings unquoted), `(none)`
    /// where the body has none, `(withheld)` for every value unless notifications carry
    /// the caller's content; then made SNS-safe.
    pub fn render(&self, message: &Message, content: NotificationContent) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Value(_) if !content.includes_data() => out.push_str(WITHHELD_VALUE_TEXT),
                Part::Value(pointer) => match pointer.resolve(message) {
                    None => out.push_str(ABSENT_VALUE_TEXT),
                    Some(Found::Insert(s)) => out.push_str(s),
                    Some(Found::Value(Value::String(s))) => out.push_str(s),
                    Some(Found::Value(v)) => out.push_str(&v.to_string()),
                    Some(Found::Data(map)) => {
                        out.push_str(&serde_json::to_string(map).unwrap_or_default())
                    }
                },
            }
            if out.len() > MAX_SUBJECT_CHARS * 4 {
                break;
            }
        }
        sns_subject(&out)
    }
}

/// The 1-based character position of byte offset `at`.
fn char_at(text: &str, at: usize) -> usize {
    text[..at].chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse_message;

    const WITH_DATA: NotificationContent = NotificationContent::WithCallerData;

    fn render(template: &str, body: &str) -> String {
        let m = parse_message(body.as_bytes()).unwrap();
        SubjectTemplate::parse(template)
            .unwrap()
            .render(&m, WITH_DATA)
    }

    #[test]
    fn placeholders_render_values_and_absent_ones_as_none() {
        let body = r#"{"Insert":"iot","data":{"temperature":81.50,"sensor":"s-1","ok":true}}"#;
        assert_eq!(
            render("Temperature {/data/temperature} at {/data/sensor}", body),
            "Temperature 81.50 at s-1"
        );
        assert_eq!(
            render("{/data/humidity} {/data/ok} {/Insert}", body),
            "(none) true iot"
        );
        assert_eq!(render("{{literal}} {/data/sensor}", body), "{literal} s-1");
    }

    #[test]
    fn rendered_subjects_keep_sns_rules() {
        let body = format!(
            r#"{{"Insert":"x","data":{{"s":"line\nbreak é {}"}}}}"#,
            "y".repeat(300)
        );
        let s = render("Alert: {/data/s}", &body);
        assert_eq!(s.len(), MAX_SUBJECT_CHARS);
        assert!(s.starts_with("Alert: line?break ? yyy"), "{s}");
        assert!(s.chars().all(|c| c == ' ' || c.is_ascii_graphic()));
    }

    #[test]
    fn without_the_callers_content_values_are_withheld() {
        let m = parse_message(br#"{"Insert":"x","data":{"t":1}}"#).unwrap();
        let t = SubjectTemplate::parse("T {/data/t} {/data/u}").unwrap();
        assert_eq!(
            t.render(&m, NotificationContent::IdsOnly),
            "T (withheld) (withheld)"
        );
    }

    #[test]
    fn bad_templates_say_why() {
        let why = |t: &str| SubjectTemplate::parse(t).unwrap_err();
        assert!(
            why("a {/data/x").contains("no closing"),
            "{}",
            why("a {/data/x")
        );
        assert!(why("a } b").contains("closes no placeholder"));
        assert!(why("a\nb").contains("printable ASCII without line breaks"));
        assert!(why("é").contains("printable ASCII"));
        assert!(why("{data}").starts_with("placeholder {data}: "));
        assert!(why(&"x".repeat(101)).contains("at most 100"));
        assert!(why(&"x".repeat(201)).contains("the limit is 200"));
        assert!(why("").contains("is empty"));
    }
}
