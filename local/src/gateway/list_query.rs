//! The query string of `GET /notifications` and `GET /dead-letters`: `limit` (entries
//! per page) and `cursor` (the `next` of the page before). Parsed by hand so that every
//! mistake, a duplicate included, is answered in the contract's JSON naming the
//! parameter, rather than the framework's plain-text rejection.

use super::response::ApiError;

/// Entries a page holds unless `limit` says otherwise, and the most it may ask for.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 1_000;
/// Longest parameter name or value echoed back in an error.
const MAX_ECHOED: usize = 100;

/// One page's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListQuery {
    pub limit: u32,
    /// Entries strictly older than this one (from the previous page's `next`).
    pub cursor: Option<i64>,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            cursor: None,
        }
    }
}

impl ListQuery {
    /// Parses the raw query string (`None`: no `?`). Every problem is reported at once.
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let mut query = Self::default();
        let mut errors = Vec::new();
        let (mut limits, mut cursors) = (0, 0);
        for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match name.as_ref() {
                "limit" => {
                    limits += 1;
                    match value.parse::<u32>() {
                        Ok(n) if (1..=MAX_LIMIT).contains(&n) => query.limit = n,
                        _ => errors.push(format!(
                            "/limit: {:?} is not a whole number from 1 to {MAX_LIMIT}",
                            shown(&value)
                        )),
                    }
                }
                "cursor" => {
                    cursors += 1;
                    match value.parse::<i64>() {
                        Ok(n) if n > 0 => query.cursor = Some(n),
                        _ => errors.push(format!(
                            "/cursor: {:?} is not a cursor this server gave out (pass the \"next\" of the previous page)",
                            shown(&value)
                        )),
                    }
                }
                other => errors.push(format!(
                    "/{}: unknown parameter; allowed parameters are limit, cursor",
                    shown(other)
                )),
            }
        }
        for (name, count) in [("limit", limits), ("cursor", cursors)] {
            if count > 1 {
                errors.push(format!("/{name}: given {count} times; give it once"));
            }
        }
        if errors.is_empty() {
            Ok(query)
        } else {
            Err(ApiError::bad_parameters(errors))
        }
    }
}

fn shown(text: &str) -> String {
    text.chars().take(MAX_ECHOED).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(raw: &str) -> Vec<String> {
        let error = ListQuery::parse(Some(raw)).unwrap_err();
        assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
        assert_eq!(error.message, "Invalid request parameters");
        error.errors
    }

    #[test]
    fn no_query_is_the_first_page_of_the_default_size() {
        assert_eq!(ListQuery::parse(None).unwrap(), ListQuery::default());
        assert_eq!(ListQuery::parse(Some("")).unwrap(), ListQuery::default());
        assert_eq!(
            ListQuery::parse(Some("limit=1000&cursor=42")).unwrap(),
            ListQuery {
                limit: 1_000,
                cursor: Some(42)
            }
        );
    }

    #[test]
    fn each_mistake_names_its_parameter() {
        assert_eq!(
            errors("limit=abc"),
            [r#"/limit: "abc" is not a whole number from 1 to 1000"#]
        );
        assert_eq!(
            errors("limit=0"),
            [r#"/limit: "0" is not a whole number from 1 to 1000"#]
        );
        assert_eq!(
            errors("limit=1001"),
            [r#"/limit: "1001" is not a whole number from 1 to 1000"#]
        );
        assert_eq!(
            errors("limit=5&limit=6"),
            ["/limit: given 2 times; give it once"]
        );
        assert!(errors("cursor=-1")[0].starts_with(r#"/cursor: "-1" is not a cursor"#));
        assert_eq!(
            errors("limti=5"),
            ["/limti: unknown parameter; allowed parameters are limit, cursor"]
        );
        assert_eq!(errors("limit=%FF&x=1").len(), 2, "every problem at once");
    }

    #[test]
    fn echoed_values_are_bounded() {
        let long = "9".repeat(10_000);
        let line = &errors(&format!("limit={long}"))[0];
        assert!(line.len() < 200, "{line}");
    }
}
