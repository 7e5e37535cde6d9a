//! JSON pointers (RFC 6901) into a valid body: read once with the rules, resolved against
//! each message without building a JSON value of the whole body.

use serde_json::{Map, Value};

use crate::contract::rules::MAX_POINTER_CHARS;
use crate::contract::{DATA, INSERT};
use crate::error::quote_short;
use crate::message::Message;

/// A JSON pointer, split into its reference tokens (`~1` and `~0` decoded) when read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    pub text: String,
    tokens: Vec<String>,
}

/// What a pointer found in a body.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Found<'a> {
    /// `/Insert`
    Insert(&'a str),
    /// `/data` itself
    Data(&'a Map<String, Value>),
    /// anything inside `/data`
    Value(&'a Value),
}

impl Pointer {
    /// Reads `text`, or says why it is not a pointer into a body.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.chars().count() > MAX_POINTER_CHARS {
            return Err(format!(
                "a pointer of {} characters; the limit is {MAX_POINTER_CHARS}",
                text.chars().count()
            ));
        }
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!(
                "{} is not a JSON pointer into the body; it starts with \"/\" (\"/data/temperature\")",
                quote_short(text, 64)
            ));
        };
        let tokens = rest
            .split('/')
            .map(unescape)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                format!(
                    "{}: \"~\" is followed by 0 or 1 in a JSON pointer (\"~0\" is \"~\", \"~1\" is \"/\")",
                    quote_short(text, 64)
                )
            })?;
        if tokens[0] != INSERT && tokens[0] != DATA {
            return Err(format!(
                "{} points outside the body's fields; a body has /{INSERT} and /{DATA}",
                quote_short(text, 64)
            ));
        }
        if tokens[0] == INSERT && tokens.len() > 1 {
            return Err(format!(
                "{} points inside /{INSERT}, which is a string",
                quote_short(text, 64)
            ));
        }
        Ok(Pointer {
            text: text.to_owned(),
            tokens,
        })
    }

    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The value at this pointer in `message`; `None` when there is none.
    pub fn resolve<'a>(&self, message: &'a Message) -> Option<Found<'a>> {
        let (first, rest) = self.tokens.split_first()?;
        if first == INSERT {
            return Some(Found::Insert(&message.insert));
        }
        let data = message.data.as_ref()?;
        let Some((second, rest)) = rest.split_first() else {
            return Some(Found::Data(data));
        };
        let mut value = data.get(second)?;
        for token in rest {
            value = match value {
                Value::Object(map) => map.get(token)?,
                Value::Array(items) => items.get(array_index(token)?)?,
                _ => return None,
            };
        }
        Some(Found::Value(value))
    }
}

/// A token as an array index: digits without a leading zero (RFC 6901 section 4).
fn array_index(token: &str) -> Option<usize> {
    let well_formed = token == "0"
        || (!token.starts_with('0')
            && !token.is_empty()
            && token.bytes().all(|b| b.is_ascii_digit()));
    well_formed.then(|| token.parse().ok()).flatten()
}

fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        match c {
            '~' => match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse_message;

    fn at<'a>(pointer: &str, message: &'a Message) -> Option<Found<'a>> {
        Pointer::parse(pointer).unwrap().resolve(message)
    }

    #[test]
    fn resolves_insert_data_and_nested_values() {
        let m = parse_message(br#"{"Insert":"x","data":{"a/b":{"~":[10,20]},"t":80,"n":null}}"#)
            .unwrap();
        assert_eq!(at("/Insert", &m), Some(Found::Insert("x")));
        assert!(matches!(at("/data", &m), Some(Found::Data(_))));
        assert_eq!(
            at("/data/a~1b/~0/1", &m),
            Some(Found::Value(&Value::from(20)))
        );
        assert_eq!(at("/data/n", &m), Some(Found::Value(&Value::Null)));
        for absent in [
            "/data/missing",
            "/data/t/x",
            "/data/a~1b/~0/2",
            "/data/a~1b/~0/01",
        ] {
            assert_eq!(at(absent, &m), None, "{absent}");
        }
        let no_data = parse_message(br#"{"Insert":"x"}"#).unwrap();
        assert_eq!(at("/data/t", &no_data), None);
    }

    #[test]
    fn says_why_a_pointer_is_refused() {
        let reason = |text: &str| Pointer::parse(text).unwrap_err();
        assert!(reason("data/t").contains("starts with \"/\""));
        assert!(reason("/data/~2").contains("\"~\" is followed by 0 or 1"));
        assert!(reason("/Data/t").contains("outside the body's fields"));
        assert!(reason("/Insert/0").contains("inside /Insert"));
        assert!(reason(&format!("/data/{}", "k".repeat(300))).contains("the limit is 256"));
    }
}
