//! The routing rules the stack runs with (`--rules FILE`): read and checked by the core
//! once at start, so a bad file stops the start with every problem named, before the
//! database is opened or a message is received.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use private_ingest_core::contract::rules::MAX_RULES_TEXT_BYTES;
use private_ingest_core::{parse_rules_bytes, Rules};

/// Why `--rules` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RulesFileError {
    #[error("could not read the routing rules {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the routing rules {path} are invalid:\n{}", lines(.errors))]
    Invalid { path: PathBuf, errors: Vec<String> },
}

fn lines(errors: &[String]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads and checks the rules file at `path`. At most one byte past the core's limit is
/// read, so a huge or endless file (a FIFO, `/dev/zero`) is refused, not slurped.
pub fn load(path: &Path) -> Result<Rules, RulesFileError> {
    let read_error = |source| RulesFileError::Read {
        path: path.to_owned(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| {
            file.take(MAX_RULES_TEXT_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(read_error)?;
    parse_rules_bytes(&bytes).map_err(|errors| RulesFileError::Invalid {
        path: path.to_owned(),
        errors: errors.messages(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, content).unwrap();
        f
    }

    #[test]
    fn the_iot_fixture_loads() {
        let f = file(include_bytes!("../../fixtures/rules/iot-thresholds.json"));
        assert_eq!(load(f.path()).unwrap().rules.len(), 3);
    }

    #[test]
    fn a_bad_file_names_every_problem() {
        let f = file(br#"{"rules":[{"name":"a","when":{"path":"/data/t","op":"gte","value":1}}]}"#);
        let error = load(f.path()).unwrap_err().to_string();
        assert!(error.starts_with("the routing rules "), "{error}");
        assert!(error.ends_with(
            " are invalid:\n  rules[0].when.op: \"gte\" is not an operator; one of eq, ne, lt, le, gt, ge, exists, in, prefix (did you mean \"ge\"?)\n  rules[0].then: is required ([\"store\"], [\"notify\"] or both)"
        ), "{error}");
    }

    #[test]
    fn a_missing_huge_or_binary_file_is_refused() {
        let missing = load(Path::new("/nonexistent/rules.json")).unwrap_err();
        assert!(matches!(missing, RulesFileError::Read { .. }), "{missing}");
        let huge = file(&vec![b' '; MAX_RULES_TEXT_BYTES + 10]);
        assert!(load(huge.path())
            .unwrap_err()
            .to_string()
            .contains("the limit is 65536"));
        let binary = file(b"{\xff}");
        assert!(load(binary.path())
            .unwrap_err()
            .to_string()
            .contains("not UTF-8"));
    }
}
