//! Money as whole micro-dollars: exact sums of Cost and Usage Report amounts, which carry up
//! to 10 decimals (anything past the sixth is rounded).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Micros(pub i64);

impl Micros {
    pub const ZERO: Micros = Micros(0);

    /// `12`, `12.5`, `-0.000001`, `1.2E-5`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Micros> {
        let text = text.trim().trim_start_matches('$');
        if text.is_empty() || text.len() > 40 {
            return None;
        }
        if text.contains(['e', 'E']) {
            let value: f64 = text.parse().ok()?;
            return (value.is_finite() && value.abs() < 9.0e12).then(|| Micros((value * 1e6).round() as i64));
        }
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || whole.len() > 12
        {
            return None;
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
        let mut micros = 0i64;
        for (i, b) in fraction.bytes().take(7).enumerate() {
            let digit = i64::from(b - b'0');
            if i < 6 {
                micros = micros * 10 + digit;
            } else if digit >= 5 {
                micros += 1; // round half up on the seventh decimal
            }
        }
        for _ in fraction.len().min(6)..6 {
            micros *= 10;
        }
        let value = whole * 1_000_000 + micros;
        Some(Micros(if negative { -value } else { value }))
    }

    pub fn from_cents(cents: i64) -> Micros {
        Micros(cents * 10_000)
    }

    pub fn dollars(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// `$1,234.57`, rounded to the cent.
    pub fn display(self) -> String {
        let cents = (self.0 as i128 + if self.0 >= 0 { 5_000 } else { -5_000 }) / 10_000;
        let (sign, cents) = if cents < 0 { ("-", -cents) } else { ("", cents) };
        let whole = (cents / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}${grouped}.{:02}", cents % 100)
    }
}

impl std::ops::Add for Micros {
    type Output = Micros;
    fn add(self, other: Micros) -> Micros {
        Micros(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Micros {
    fn sum<I: Iterator<Item = Micros>>(iter: I) -> Micros {
        iter.fold(Micros::ZERO, |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cost_report_amounts_exactly() {
        assert_eq!(Micros::parse("12"), Some(Micros(12_000_000)));
        assert_eq!(Micros::parse("0.0000125"), Some(Micros(13)));
        assert_eq!(Micros::parse("-1.5"), Some(Micros(-1_500_000)));
        assert_eq!(Micros::parse("1.2E-5"), Some(Micros(12)));
        assert_eq!(Micros::parse(".25"), Some(Micros(250_000)));
        for bad in ["", "abc", "1.2.3", "1,5", "-", ".", "12a", "1e400"] {
            assert_eq!(Micros::parse(bad), None, "{bad}");
        }
        assert_eq!(Micros(1_234_567_890).display(), "$1,234.57");
        assert_eq!(Micros(-5_000).display(), "-$0.01");
        assert_eq!(Micros(0).display(), "$0.00");
    }
}
