//! Budget periods and forecasts. The forecast is the daily run rate: what was spent in the
//! period so far (today included), divided by the days elapsed, times the period's days.

use super::{Day, Micros};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Period {
    Daily,
    Monthly,
    Quarterly,
    Annually,
}

impl Period {
    pub fn parse(text: &str) -> Option<Period> {
        Some(match text.to_ascii_uppercase().as_str() {
            "DAILY" => Period::Daily,
            "MONTHLY" => Period::Monthly,
            "QUARTERLY" => Period::Quarterly,
            "ANNUALLY" => Period::Annually,
            _ => return None,
        })
    }

    /// AWS's TimeUnit spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Daily => "DAILY",
            Period::Monthly => "MONTHLY",
            Period::Quarterly => "QUARTERLY",
            Period::Annually => "ANNUALLY",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Period::Daily => "Daily",
            Period::Monthly => "Monthly",
            Period::Quarterly => "Quarterly",
            Period::Annually => "Annually",
        }
    }

    /// The period `day` falls in: its first day and the day after its last.
    pub fn bounds(self, day: Day) -> (Day, Day) {
        let month = day.month_start();
        let (_, m, _) = day.ymd();
        match self {
            Period::Daily => (day, day.next()),
            Period::Monthly => (month, month.add_months(1)),
            Period::Quarterly => {
                let start = month.add_months(-(((m - 1) % 3) as i32));
                (start, start.add_months(3))
            }
            Period::Annually => {
                let start = month.add_months(-((m - 1) as i32));
                (start, start.add_months(12))
            }
        }
    }
}

/// The run-rate forecast for a period `[start, end)`, `spent` so far, on `today`.
pub fn run_rate(spent: Micros, start: Day, end: Day, today: Day) -> Micros {
    let total = i64::from((end.0 - start.0).max(1));
    let elapsed = i64::from((today.0 - start.0 + 1).clamp(1, end.0 - start.0));
    Micros((i128::from(spent.0) * i128::from(total) / i128::from(elapsed)) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).unwrap()
    }

    #[test]
    fn periods_and_the_daily_run_rate() {
        assert_eq!(
            Period::Quarterly.bounds(day(2026, 11, 29)),
            (day(2026, 10, 1), day(2027, 1, 1))
        );
        assert_eq!(
            Period::Annually.bounds(day(2026, 2, 3)),
            (day(2026, 1, 1), day(2027, 1, 1))
        );
        assert_eq!(
            Period::Monthly.bounds(day(2026, 2, 3)),
            (day(2026, 2, 1), day(2026, 3, 1))
        );
        let (start, end) = Period::Monthly.bounds(day(2026, 11, 10));
        // $100 in 10 days of a 30-day month: $300.
        assert_eq!(
            run_rate(Micros(100_000_000), start, end, day(2026, 11, 10)),
            Micros(300_000_000)
        );
        // On the last day the forecast is what was spent.
        assert_eq!(run_rate(Micros(7), start, end, day(2026, 11, 30)), Micros(7));
        // Past the period's end, likewise.
        assert_eq!(run_rate(Micros(7), start, end, day(2026, 12, 30)), Micros(7));
    }
}
