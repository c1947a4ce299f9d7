//! Calendar days as days since 1970-01-01 (UTC), with the civil-date conversions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Day(pub i32);

impl Day {
    /// The day of a civil date; `None` when it does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day(era * 146_097 + doe - 719_468))
    }

    pub fn from_unix(seconds: i64) -> Day {
        Day(seconds.div_euclid(86_400) as i32)
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    /// `2026-11-03`, or the date part of `2026-11-03T00:00:00Z` / `2026-11-03 00:00:00`.
    pub fn parse(text: &str) -> Option<Day> {
        let date = text.trim().get(..10)?;
        let mut parts = date.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let rest = &text.trim()[10..];
        if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
            return None;
        }
        Day::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    pub fn month_start(self) -> Day {
        let (y, m, _) = self.ymd();
        Day::from_ymd(y, m, 1).unwrap_or(self)
    }

    /// The first day of the month `months` after this day's month.
    pub fn add_months(self, months: i32) -> Day {
        let (y, m, _) = self.ymd();
        let index = y * 12 + (m as i32 - 1) + months;
        Day::from_ymd(index.div_euclid(12), (index.rem_euclid(12) + 1) as u32, 1).unwrap_or(self)
    }

    pub fn days_in_its_month(self) -> u32 {
        let (y, m, _) = self.ymd();
        days_in_month(y, m)
    }

    pub fn next(self) -> Day {
        Day(self.0 + 1)
    }

    pub fn iso(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}-{m:02}-{d:02}")
    }
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(Day::from_ymd(1970, 1, 1), Some(Day(0)));
        assert_eq!(Day::from_ymd(2026, 11, 29).unwrap().iso(), "2026-11-29");
        for n in -800_000..800_000 {
            if n % 997 == 0 {
                let (y, m, d) = Day(n).ymd();
                assert_eq!(Day::from_ymd(y, m, d), Some(Day(n)));
            }
        }
        assert_eq!(Day::from_ymd(2024, 2, 29).unwrap().days_in_its_month(), 29);
        assert_eq!(Day::from_ymd(2025, 2, 29), None);
        assert_eq!(Day::parse("2026-11-03T05:00:00Z"), Day::from_ymd(2026, 11, 3));
        assert_eq!(Day::parse("2026-13-03"), None);
        assert_eq!(Day::parse("2026-11-03x"), None);
        assert_eq!(
            Day::from_ymd(2026, 12, 15).unwrap().add_months(1).iso(),
            "2027-01-01"
        );
        assert_eq!(
            Day::from_ymd(2026, 1, 15).unwrap().add_months(-1).iso(),
            "2025-12-01"
        );
    }
}
