//! A realistic month of costs for a demo account: a handful of services with their own
//! daily levels, weekday rhythm and noise, from a seed (the same seed, the same month).

use super::{Day, Micros};

/// (service, typical daily cost in cents)
const SERVICES: [(&str, i64); 7] = [
    ("AmazonEC2", 1_840),
    ("AmazonRDS", 960),
    ("AmazonS3", 310),
    ("AWSLambda", 85),
    ("AmazonCloudFront", 140),
    ("AmazonDynamoDB", 120),
    ("AWSDataTransfer", 230),
];

/// Costs per service for every day from the first of last month through `today`.
pub fn generate(today: Day, seed: u64) -> Vec<(Day, &'static str, Micros)> {
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64*: plenty for believable noise.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut out = Vec::new();
    let mut day = today.month_start().add_months(-1);
    while day <= today {
        let weekday = (day.0 + 3).rem_euclid(7); // 0 = Monday
        let weekend = weekday >= 5;
        for (service, cents) in SERVICES {
            let noise = (next() % 41) as i64 - 20; // -20 % .. +20 %
            let rhythm = if weekend && service != "AmazonS3" { 70 } else { 100 };
            let micros = cents * 10_000 * rhythm / 100 * (100 + noise) / 100;
            out.push((day, service, Micros(micros)));
        }
        day = day.next();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_and_a_bit_of_every_service_from_a_seed() {
        let today = Day::from_ymd(2026, 11, 10).unwrap();
        let month = generate(today, 7);
        assert_eq!(month.len(), (31 + 10) * SERVICES.len());
        assert_eq!(month, generate(today, 7));
        assert_ne!(month, generate(today, 8));
        assert!(month.iter().all(|(_, _, m)| m.0 > 0));
    }
}
