//! Typed condition values: numbers, dates, base64, IP networks.

use std::net::IpAddr;

pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let ok = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    if !ok {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A date as milliseconds since the Unix epoch. Accepts ISO 8601 (`2026-11-29`,
/// `2026-11-29T10:00:00Z`, fractions, `+01:00` offsets) and epoch seconds (`1796000000`).
pub fn parse_date_millis(text: &str) -> Option<i128> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<i128>().ok().map(|s| s * 1000);
    }
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis: i128 = i128::from(days_from_civil(year, month, day)) * 86_400_000;
    let mut rest = &text[10..];
    if rest.is_empty() {
        return Some(millis);
    }
    rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix('t'))?;
    let (hh, mm) = (num_str(rest.get(0..2)?)?, num_str(rest.get(3..5)?)?);
    if rest.as_bytes().get(2) != Some(&b':') || hh > 23 || mm > 59 {
        return None;
    }
    rest = &rest[5..];
    let mut seconds = 0i64;
    let mut fraction_ms = 0i64;
    if let Some(r) = rest.strip_prefix(':') {
        seconds = num_str(r.get(0..2)?)?;
        if seconds > 60 {
            return None;
        }
        rest = &r[2..];
        if let Some(r) = rest.strip_prefix('.') {
            let digits = r.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let ms_digits = &r[..digits.min(3)];
            fraction_ms = num_str(ms_digits)? * 10i64.pow(3 - ms_digits.len() as u32);
            rest = &r[digits..];
        }
    }
    millis += i128::from(((hh * 60 + mm) * 60 + seconds) * 1000 + fraction_ms);
    let offset_minutes = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let r = &rest[1..];
            let (oh, om) = match r.len() {
                5 if r.as_bytes()[2] == b':' => (num_str(&r[0..2])?, num_str(&r[3..5])?),
                4 => (num_str(&r[0..2])?, num_str(&r[2..4])?),
                2 => (num_str(r)?, 0),
                _ => return None,
            };
            sign * (oh * 60 + om)
        }
    };
    Some(millis - i128::from(offset_minutes) * 60_000)
}

fn num_str(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats epoch seconds as `YYYY-MM-DDTHH:MM:SSZ` (for `aws:CurrentTime`).
pub fn format_iso8601(epoch_seconds: i64) -> String {
    let days = epoch_seconds.div_euclid(86_400);
    let secs = epoch_seconds.rem_euclid(86_400);
    // Inverse of days_from_civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

pub fn parse_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub network: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => masked(
                u128::from(u32::from(net)),
                u128::from(u32::from(ip)),
                32,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => masked(u128::from(net), u128::from(ip), 128, self.prefix),
            (IpAddr::V4(net), IpAddr::V6(ip)) => ip.to_ipv4_mapped().is_some_and(|ip| {
                masked(
                    u128::from(u32::from(net)),
                    u128::from(u32::from(ip)),
                    32,
                    self.prefix,
                )
            }),
            _ => false,
        }
    }
}

fn masked(net: u128, ip: u128, width: u32, prefix: u8) -> bool {
    let prefix = u32::from(prefix);
    if prefix == 0 {
        return true;
    }
    let shift = width - prefix;
    (net >> shift) == (ip >> shift)
}

/// `203.0.113.0/24`, `2001:db8::/32`, or a single address.
pub fn parse_cidr(text: &str) -> Option<Cidr> {
    let text = text.trim();
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
        None => (text, None),
    };
    let network: IpAddr = addr.parse().ok()?;
    let max = if network.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(max);
    (prefix <= max).then_some(Cidr { network, prefix })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d = |s| parse_date_millis(s);
        assert_eq!(d("1970-01-01"), Some(0));
        assert_eq!(d("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(d("2026-11-29T10:00:00Z"), d("2026-11-29T11:00:00+01:00"));
        assert_eq!(
            d("2026-11-29T10:00:00.5Z")
                .zip(d("2026-11-29T10:00:00Z"))
                .map(|(a, b)| a - b),
            Some(500)
        );
        assert_eq!(d("1796000000"), Some(1_796_000_000_000));
        assert_eq!(
            d("2024-02-29"),
            Some(i128::from(days_from_civil(2024, 2, 29)) * 86_400_000)
        );
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-11-29T25:00:00Z",
            "yesterday",
            "2026-11-29T10:00:00X",
            "",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
        assert_eq!(format_iso8601(1_796_000_000), "2026-11-30T00:53:20Z");
        assert_eq!(d(&format_iso8601(1_796_000_000)), Some(1_796_000_000_000));
        assert_eq!(format_iso8601(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn networks() {
        let net = parse_cidr("203.0.113.0/24").unwrap();
        assert!(net.contains("203.0.113.77".parse().unwrap()));
        assert!(!net.contains("203.0.114.1".parse().unwrap()));
        assert!(net.contains("::ffff:203.0.113.5".parse().unwrap()));
        let v6 = parse_cidr("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:1::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        assert!(parse_cidr("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert!(parse_cidr("10.0.0.1")
            .unwrap()
            .contains("10.0.0.1".parse().unwrap()));
        assert_eq!(parse_cidr("10.0.0.0/33"), None);
        assert_eq!(parse_cidr("nope"), None);
    }

    #[test]
    fn numbers_and_base64() {
        assert_eq!(parse_number(" 42 "), Some(42.0));
        assert_eq!(parse_number("-1.5e2"), Some(-150.0));
        assert_eq!(parse_number("0x10"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(parse_base64("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(parse_base64("a b"), None);
    }
}
