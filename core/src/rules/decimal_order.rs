//! Exact order of two JSON numbers by their decimal text: never through `f64`, so
//! `12345678901234567890123456789012345679 > 12345678901234567890123456789012345678`
//! (38 digits, one apart, the same `f64`) and `0.1 + 0.2`-style surprises cannot happen.
//! The body's numbers keep their text (`strict_json`, serde_json's
//! `arbitrary_precision`), and so do the rules document's.

use std::cmp::Ordering;

use crate::dynamodb_number::shape;

/// A number as sign, significant digits (no leading or trailing zeros) and the power of
/// ten of the first digit; zero has no digits.
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

fn decimal(text: &str) -> Option<Decimal> {
    let shape = shape(text)?;
    let Some(exponent) = shape.exponent else {
        return Some(Decimal {
            negative: false,
            digits: Vec::new(),
            exponent: 0,
        });
    };
    let mantissa = text
        .trim_start_matches('-')
        .split(['e', 'E'])
        .next()
        .unwrap_or_default();
    let digits = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .skip_while(|&b| b == b'0')
        .take(shape.significant_digits)
        .collect();
    Some(Decimal {
        negative: text.starts_with('-'),
        digits,
        exponent,
    })
}

/// Orders the numbers written `a` and `b`; `None` when either is not a JSON number.
pub fn compare(a: &str, b: &str) -> Option<Ordering> {
    let (a, b) = (decimal(a)?, decimal(b)?);
    let sign = |d: &Decimal| match (d.digits.is_empty(), d.negative) {
        (true, _) => 0,
        (false, true) => -1,
        (false, false) => 1,
    };
    let (sa, sb) = (sign(&a), sign(&b));
    if sa != sb || sa == 0 {
        return Some(sa.cmp(&sb));
    }
    let magnitude = a
        .exponent
        .cmp(&b.exponent)
        .then_with(|| digits_order(&a.digits, &b.digits));
    Some(if sa < 0 {
        magnitude.reverse()
    } else {
        magnitude
    })
}

/// Two digit strings with the same leading power of ten: the first differing digit
/// decides, a missing digit counting as zero (so `15` and `150` differ only by length,
/// and the longer has a non-zero digit more: it is larger).
fn digits_order(a: &[u8], b: &[u8]) -> Ordering {
    let len = a.len().max(b.len());
    (0..len)
        .map(|i| {
            let at = |d: &[u8]| d.get(i).copied().unwrap_or(b'0');
            at(a).cmp(&at(b))
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    #[test]
    fn spellings_of_one_value_are_equal() {
        for (a, b) in [
            ("80", "80.0"),
            ("80", "8e1"),
            ("-1.50e2", "-150"),
            ("0", "-0.0"),
            ("0", "0e99"),
            ("0.001", "1E-3"),
        ] {
            assert_eq!(compare(a, b), Some(Equal), "{a} vs {b}");
        }
    }

    #[test]
    fn orders_by_sign_then_magnitude() {
        for (a, b, want) in [
            ("80.5", "80", Greater),
            ("79.999", "80", Less),
            ("-1", "0", Less),
            ("0", "-1", Greater),
            ("-2", "-10", Greater),
            ("-10", "-2", Less),
            ("1e-130", "0", Greater),
            ("9.99e125", "1e125", Greater),
            ("0.1", "0.09", Greater),
        ] {
            assert_eq!(compare(a, b), Some(want), "{a} vs {b}");
        }
    }

    #[test]
    fn thirty_eight_digits_one_apart_are_told_apart() {
        let a = "12345678901234567890123456789012345678";
        let b = "12345678901234567890123456789012345679";
        assert_eq!(a.parse::<f64>().ok(), b.parse::<f64>().ok(), "f64 cannot");
        assert_eq!(compare(a, b), Some(Less));
        assert_eq!(compare(b, a), Some(Greater));
        assert_eq!(compare("0.1", "0.10000000000000000555"), Some(Less));
    }

    #[test]
    fn text_that_is_not_a_number_has_no_order() {
        assert_eq!(compare("abc", "1"), None);
        assert_eq!(compare("1", ""), None);
    }
}
