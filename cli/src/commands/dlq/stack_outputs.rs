//! `--stack-outputs FILE`: what `pulumi stack output --json` prints for this stack (the
//! outputs `pulumi/index.ts` exports), of which `dlq` takes the two queue URLs.

use std::path::Path;

use serde_json::Value;

use crate::failure::Failure;

/// The Pulumi program's output names (pulumi/index.ts).
pub const DEAD_LETTER_QUEUE_URL: &str = "deadLetterQueueUrl";
pub const QUEUE_URL: &str = "queueUrl";

/// Largest file read: the program exports ten short strings.
const MAX_BYTES: u64 = 1 << 20;

/// The two queue URLs of a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackQueues {
    pub dlq_url: String,
    pub queue_url: Option<String>,
}

pub fn read(path: &Path) -> Result<StackQueues, Failure> {
    let shown = path.display();
    let size = std::fs::metadata(path)
        .map_err(|e| Failure::invalid(format!("--stack-outputs {shown}: {e}")))?
        .len();
    if size > MAX_BYTES {
        return Err(Failure::invalid(format!(
            "--stack-outputs {shown}: {size} bytes is not `pulumi stack output --json` of this stack"
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::invalid(format!("--stack-outputs {shown}: {e}")))?;
    parse(&text).map_err(|reason| Failure::invalid(format!("--stack-outputs {shown}: {reason}")))
}

pub fn parse(text: &str) -> Result<StackQueues, String> {
    let outputs: Value = serde_json::from_str(text)
        .map_err(|e| format!("not JSON ({e}); save `pulumi stack output --json` to it"))?;
    if !outputs.is_object() {
        return Err("expected the JSON object `pulumi stack output --json` prints".into());
    }
    let url = |name: &str| outputs.get(name).and_then(Value::as_str).map(str::to_owned);
    let dlq_url = url(DEAD_LETTER_QUEUE_URL)
        .ok_or_else(|| format!("has no {DEAD_LETTER_QUEUE_URL} (is it this project's stack?)"))?;
    Ok(StackQueues {
        dlq_url,
        queue_url: url(QUEUE_URL),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_queue_urls_the_program_exports() {
        let text = r#"{"privateUrl":"https://api.example.internal/","queueUrl":"https://sqs.eu-west-1.amazonaws.com/1/q",
                      "deadLetterQueueUrl":"https://sqs.eu-west-1.amazonaws.com/1/q-dlq","tableName":"t"}"#;
        assert_eq!(
            parse(text).unwrap(),
            StackQueues {
                dlq_url: "https://sqs.eu-west-1.amazonaws.com/1/q-dlq".into(),
                queue_url: Some("https://sqs.eu-west-1.amazonaws.com/1/q".into()),
            }
        );
        assert!(parse(r#"{"queueUrl":"x"}"#)
            .unwrap_err()
            .contains("deadLetterQueueUrl"));
        assert!(parse("[]").is_err());
        assert!(parse("nope").unwrap_err().contains("not JSON"));
    }

    #[test]
    fn the_names_are_the_ones_the_pulumi_program_exports() {
        let program = include_str!("../../../../pulumi/index.ts");
        for name in [DEAD_LETTER_QUEUE_URL, QUEUE_URL] {
            assert!(
                program.contains(&format!("{name}: s.{name}")),
                "{name} in pulumi/index.ts"
            );
        }
    }
}
