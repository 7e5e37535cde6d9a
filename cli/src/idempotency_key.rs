//! The `Idempotency-Key` header's rule, checked before a send: 1 to 128 of
//! `A-Z a-z 0-9 - _ . :` (the design's rule, which the coming idempotency keys put in the
//! core as `parse_idempotency_key`; this check then becomes a call to it). Without it a
//! bad key would leave the host, and in the cloud (where the edge cannot check a
//! header's shape) come back as a "rejected" notification instead of an error here.

/// Longest key, in characters.
const MAX_CHARS: usize = 128;
const PUNCTUATION: [char; 4] = ['-', '_', '.', ':'];

/// `Err` is the `Idempotency-Key: <reason>` line.
pub fn check(key: &str) -> Result<(), String> {
    let rule = format!("1 to {MAX_CHARS} of A-Z a-z 0-9 - _ . :");
    if key.is_empty() {
        return Err(format!("Idempotency-Key: must not be empty ({rule})"));
    }
    let chars = key.chars().count();
    if chars > MAX_CHARS {
        return Err(format!(
            "Idempotency-Key: is {chars} characters long ({rule})"
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || PUNCTUATION.contains(&c);
    match key.chars().enumerate().find(|&(_, c)| !allowed(c)) {
        Some((at, c)) => Err(format!(
            "Idempotency-Key: character {c:?} at position {} is not allowed ({rule})",
            at + 1
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_rule() {
        assert!(check("order-7:retry_2.a").is_ok());
        assert!(check(&"k".repeat(128)).is_ok());
        assert!(check("").unwrap_err().contains("must not be empty"));
        assert!(check(&"k".repeat(129))
            .unwrap_err()
            .contains("129 characters"));
        assert_eq!(
            check("a b").unwrap_err(),
            "Idempotency-Key: character ' ' at position 2 is not allowed (1 to 128 of A-Z a-z 0-9 - _ . :)"
        );
        assert!(check("ключ").is_err());
    }
}
