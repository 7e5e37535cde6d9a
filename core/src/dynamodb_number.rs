//! Which JSON numbers DynamoDB stores exactly: at most 38 significant digits, magnitude
//! from 1E-130 to 9.99...E+125. Read from the number's decimal text (never through f64),
//! so `12345678901234567890123456789012345678` passes and `1e-999` does not.
//!
//! DynamoDB keeps a number's value and its significant digits, and spells it its own way
//! when read back: zeros that carry no digit are dropped (`1.50` reads back as `1.5`,
//! `100.0` as `100`), exponents are written out. That is what "digit for digit" means for
//! the cloud record; the local record and the notification keep the text as sent.

use crate::contract::{DYNAMODB_MAX_EXPONENT, DYNAMODB_MAX_NUMBER_DIGITS, DYNAMODB_MIN_EXPONENT};

/// A number's decimal shape: how many significant digits it has, and the power of ten of
/// the first one (`123.4` is 4 digits, exponent 2; `0.005` is 1 digit, exponent -3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalShape {
    pub significant_digits: usize,
    /// `None` for zero (any spelling of it), which DynamoDB stores.
    pub exponent: Option<i64>,
}

/// Why DynamoDB would refuse a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unstorable {
    /// More significant digits than DynamoDB keeps.
    TooManyDigits(usize),
    /// Magnitude below 1E-130 or from 1E+126.
    OutOfRange,
}

/// The shape of a JSON number's text (`-?int(.frac)?([eE][+-]?exp)?`); `None` when the
/// text is not one. An exponent too large for `i64` saturates, which is out of range
/// either way.
pub fn shape(text: &str) -> Option<DecimalShape> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], parse_exponent(&unsigned[at + 1..])?),
        None => (unsigned, 0),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((_, "")) => return None,
        Some(parts) => parts,
        None => (mantissa, ""),
    };
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = || int.bytes().chain(frac.bytes());
    let Some(first) = digits().position(|b| b != b'0') else {
        return Some(DecimalShape {
            significant_digits: 0,
            exponent: None,
        });
    };
    let total = int.len() + frac.len();
    let trailing_zeros = digits().rev().take_while(|&b| b == b'0').count();
    let significant_digits = total - first - trailing_zeros;
    // The power of ten of the digit at `first`, before the exponent part.
    let place = i64::try_from(int.len()).ok()? - 1 - i64::try_from(first).ok()?;
    Some(DecimalShape {
        significant_digits,
        exponent: Some(place.saturating_add(exponent)),
    })
}

fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.bytes().fold(0i64, |n, b| {
        n.saturating_mul(10).saturating_add(i64::from(b - b'0'))
    });
    Some(if negative { -magnitude } else { magnitude })
}

/// The number written as `text` in one spelling per value: its sign, its significant
/// digits and the power of ten of the first (`-1.50e2` and `-150` are both `-15e2`; every
/// zero is `0`). Two spellings of one value with the same significant digits agree,
/// which is how a number read back from DynamoDB is compared with the one sent.
pub fn canonical(text: &str) -> Option<String> {
    let shape = shape(text)?;
    let Some(exponent) = shape.exponent else {
        return Some("0".to_owned());
    };
    let sign = if text.starts_with('-') { "-" } else { "" };
    let digits: String = text
        .trim_start_matches('-')
        .split(['e', 'E'])
        .next()?
        .chars()
        .filter(char::is_ascii_digit)
        .skip_while(|&c| c == '0')
        .take(shape.significant_digits)
        .collect();
    Some(format!("{sign}{digits}e{exponent}"))
}

/// Whether DynamoDB stores the number written as `text` exactly.
pub fn check(text: &str) -> Result<(), Unstorable> {
    let Some(shape) = shape(text) else {
        return Ok(());
    };
    if shape.significant_digits > DYNAMODB_MAX_NUMBER_DIGITS {
        return Err(Unstorable::TooManyDigits(shape.significant_digits));
    }
    match shape.exponent {
        Some(e) if !(DYNAMODB_MIN_EXPONENT..=DYNAMODB_MAX_EXPONENT).contains(&e) => {
            Err(Unstorable::OutOfRange)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits_and_exponent(text: &str) -> (usize, Option<i64>) {
        let s = shape(text).unwrap();
        (s.significant_digits, s.exponent)
    }

    #[test]
    fn shapes_of_numbers() {
        assert_eq!(digits_and_exponent("123.4"), (4, Some(2)));
        assert_eq!(digits_and_exponent("0.005"), (1, Some(-3)));
        assert_eq!(digits_and_exponent("-1.50"), (2, Some(0)));
        assert_eq!(digits_and_exponent("100"), (1, Some(2)));
        assert_eq!(digits_and_exponent("1.2E+3"), (2, Some(3)));
        assert_eq!(digits_and_exponent("120e-2"), (2, Some(0)));
        assert_eq!(digits_and_exponent("0"), (0, None));
        assert_eq!(digits_and_exponent("-0.000e99"), (0, None));
        assert_eq!(
            digits_and_exponent("1e99999999999999999999999"),
            (1, Some(i64::MAX))
        );
        assert_eq!(shape("1.e5"), None);
        assert_eq!(shape("abc"), None);
    }

    #[test]
    fn one_canonical_spelling_per_value() {
        let c = |t: &str| canonical(t).unwrap();
        assert_eq!(c("-1.50e2"), "-15e2");
        assert_eq!(c("-150"), "-15e2");
        assert_eq!(c("0.0015"), "15e-3");
        assert_eq!(c("1.5E-3"), "15e-3");
        assert_eq!(c("-0.00"), "0");
        assert_ne!(c("1.5"), c("1.05"));
    }

    #[test]
    fn the_examples_of_issue_11() {
        assert_eq!(check("12345678901234567890123456789012345678"), Ok(()));
        assert_eq!(check("18446744073709551616"), Ok(()));
        assert_eq!(check("123456789.123456789123"), Ok(()));
        assert_eq!(check("1e-999"), Err(Unstorable::OutOfRange));
    }

    #[test]
    fn the_edges_of_dynamodb_s_range_and_precision() {
        let max = format!("9.{}E+125", "9".repeat(37));
        assert_eq!(check(&max), Ok(()));
        assert_eq!(check("1E+126"), Err(Unstorable::OutOfRange));
        assert_eq!(check("-1E+126"), Err(Unstorable::OutOfRange));
        assert_eq!(check("1E-130"), Ok(()));
        assert_eq!(check("0.9E-130"), Err(Unstorable::OutOfRange));
        assert_eq!(
            check("123456789012345678901234567890123456789"),
            Err(Unstorable::TooManyDigits(39))
        );
        // Zeros that carry no digit do not count: 1E39 written out is one digit.
        assert_eq!(check(&format!("1{}", "0".repeat(39))), Ok(()));
        assert_eq!(check(&format!("0.{}1", "0".repeat(60))), Ok(()));
        assert_eq!(check("-0"), Ok(()));
    }
}
