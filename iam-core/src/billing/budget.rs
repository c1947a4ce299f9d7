//! Budgets and their alerts: AWS's templates, the rules for names and recipients, and which
//! alerts are due. An alert fires once per budget period; which have fired is the caller's
//! record (in Postgres), passed in.

use super::forecast::Period;
use super::Micros;
use crate::field::FieldError;
use serde::{Deserialize, Serialize};

pub const MAX_RECIPIENTS: usize = 10;
pub const MAX_ALERTS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThresholdType {
    Percentage,
    Absolute,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trigger {
    Actual,
    Forecasted,
}

impl Trigger {
    pub fn label(self) -> &'static str {
        match self {
            Trigger::Actual => "Actual",
            Trigger::Forecasted => "Forecasted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// A percentage of the budget (85 % is `Micros(85_000_000)`) or an amount in dollars.
    pub threshold: Micros,
    pub threshold_type: ThresholdType,
    pub trigger: Trigger,
    pub recipients: Vec<String>,
}

impl Alert {
    /// The spend above which the alert fires.
    pub fn limit(&self, budget: Micros) -> Micros {
        match self.threshold_type {
            ThresholdType::Absolute => self.threshold,
            ThresholdType::Percentage => {
                Micros((i128::from(budget.0) * i128::from(self.threshold.0) / 100_000_000) as i64)
            }
        }
    }

    /// "Actual cost above 85%", "Forecasted usage above 100 BoxUsage:t3.micro".
    pub fn describe(&self, kind: &BudgetKind) -> String {
        let threshold = match self.threshold_type {
            ThresholdType::Percentage => format!("{}%", self.threshold.0 as f64 / 1e6),
            ThresholdType::Absolute => show(kind, self.threshold),
        };
        format!("{} {} above {threshold}", self.trigger.label(), kind.word())
    }
}

/// What a budget measures: dollars, or the quantity of one usage type (e.g. hours of
/// `BoxUsage:t3.micro`), as the Cost and Usage Report counts it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BudgetKind {
    #[default]
    Cost,
    Usage {
        usage_type: String,
    },
}

impl BudgetKind {
    /// The word alerts use: "cost" or "usage".
    pub fn word(&self) -> &'static str {
        match self {
            BudgetKind::Cost => "cost",
            BudgetKind::Usage { .. } => "usage",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetSpec {
    #[serde(default)]
    pub kind: BudgetKind,
    pub name: String,
    pub amount: Micros,
    pub period: Period,
    /// Day numbers; `end` is `None` for a recurring budget.
    pub start: super::Day,
    pub end: Option<super::Day>,
    pub alerts: Vec<Alert>,
}

/// An amount of a budget of `kind`: dollars (`$1,234.57`), or a usage quantity
/// (`12.5 BoxUsage:t3.micro`).
pub fn show(kind: &BudgetKind, amount: Micros) -> String {
    match kind {
        BudgetKind::Cost => amount.display(),
        BudgetKind::Usage { usage_type } => {
            let quantity = format!("{:.2}", amount.dollars());
            let quantity = quantity.trim_end_matches('0').trim_end_matches('.');
            format!("{quantity} {usage_type}")
        }
    }
}

impl BudgetSpec {
    /// One of this budget's amounts, as `show` writes it.
    pub fn show(&self, amount: Micros) -> String {
        show(&self.kind, amount)
    }
}

/// AWS's "Zero spend budget": an alert when actual spend exceeds $0.01.
pub fn zero_spend(name: &str, start: super::Day, recipients: Vec<String>) -> BudgetSpec {
    BudgetSpec {
        kind: BudgetKind::Cost,
        name: name.to_owned(),
        amount: Micros::from_cents(100),
        period: Period::Monthly,
        start,
        end: None,
        alerts: vec![Alert {
            threshold: Micros::from_cents(1),
            threshold_type: ThresholdType::Absolute,
            trigger: Trigger::Actual,
            recipients,
        }],
    }
}

/// AWS's "Monthly cost budget": alerts at actual 85 %, actual 100 % and forecasted 100 %.
pub fn monthly_cost(name: &str, amount: Micros, start: super::Day, recipients: Vec<String>) -> BudgetSpec {
    let alert = |percent: i64, trigger| Alert {
        threshold: Micros(percent * 1_000_000),
        threshold_type: ThresholdType::Percentage,
        trigger,
        recipients: recipients.clone(),
    };
    BudgetSpec {
        kind: BudgetKind::Cost,
        name: name.to_owned(),
        amount,
        period: Period::Monthly,
        start,
        end: None,
        alerts: vec![
            alert(85, Trigger::Actual),
            alert(100, Trigger::Actual),
            alert(100, Trigger::Forecasted),
        ],
    }
}

fn plausible_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && address.len() <= 254
        && !address.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// Every rule a budget breaks, each under its field.
pub fn check(spec: &BudgetSpec) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = spec.name.as_str();
    if name.is_empty() || name.chars().count() > 100 || name.contains([':', '\\']) {
        errors.push(FieldError::new(
            "name",
            format!("budget name `{name}` must be 1 to 100 characters, without `:` or `\\`"),
        ));
    }
    if spec.amount.0 <= 0 {
        errors.push(FieldError::new(
            "amount",
            "the budgeted amount must be more than $0.00",
        ));
    }
    if let BudgetKind::Usage { usage_type } = &spec.kind {
        if usage_type.trim().is_empty() || usage_type.len() > 100 {
            errors.push(FieldError::new(
                "usage_type",
                "a usage budget needs a usage type of 1 to 100 characters, e.g. BoxUsage:t3.micro",
            ));
        }
    }
    if spec.end.is_some_and(|end| end <= spec.start) {
        errors.push(FieldError::new(
            "end",
            "the end month must come after the start month",
        ));
    }
    if spec.alerts.len() > MAX_ALERTS {
        errors.push(FieldError::new(
            "alerts",
            format!("a budget has at most {MAX_ALERTS} alerts"),
        ));
    }
    for alert in &spec.alerts {
        if alert.threshold.0 <= 0 {
            errors.push(FieldError::new(
                "threshold",
                "an alert threshold must be more than 0",
            ));
        }
        if alert.recipients.len() > MAX_RECIPIENTS {
            errors.push(FieldError::new(
                "recipients",
                format!("an alert has at most {MAX_RECIPIENTS} email recipients"),
            ));
        }
        for r in alert.recipients.iter().filter(|r| !plausible_email(r)) {
            errors.push(FieldError::new(
                "recipients",
                format!("`{r}` is not an email address"),
            ));
        }
    }
    errors
}

/// The alerts (by index) that are due: their spend (actual, or the period's forecast) is
/// above their limit, and they have not fired in this period.
pub fn due(spec: &BudgetSpec, actual: Micros, forecast: Micros, fired: &[usize]) -> Vec<usize> {
    spec.alerts
        .iter()
        .enumerate()
        .filter(|(i, alert)| {
            let spend = match alert.trigger {
                Trigger::Actual => actual,
                Trigger::Forecasted => forecast,
            };
            !fired.contains(i) && spend > alert.limit(spec.amount)
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::Day;

    #[test]
    fn alerts_fire_above_their_threshold_once_per_period() {
        let start = Day::from_ymd(2026, 11, 1).unwrap();
        let spec = monthly_cost(
            "Monthly",
            Micros::from_cents(10_000),
            start,
            vec!["a@example.com".into()],
        );
        let dollars = |d: i64| Micros(d * 1_000_000);
        assert_eq!(due(&spec, dollars(84), dollars(90), &[]), Vec::<usize>::new());
        assert_eq!(due(&spec, dollars(86), dollars(99), &[]), vec![0]);
        assert_eq!(due(&spec, dollars(86), dollars(101), &[]), vec![0, 2]);
        assert_eq!(due(&spec, dollars(86), dollars(101), &[0]), vec![2], "fired once");
        assert_eq!(due(&spec, dollars(101), dollars(101), &[0, 2]), vec![1]);
        let zero = zero_spend("Zero", start, vec![]);
        assert_eq!(
            due(&zero, Micros::from_cents(1), Micros::ZERO, &[]),
            Vec::<usize>::new()
        );
        assert_eq!(due(&zero, Micros::from_cents(2), Micros::ZERO, &[]), vec![0]);
    }

    #[test]
    fn names_amounts_and_recipients_follow_the_rules() {
        let start = Day::from_ymd(2026, 11, 1).unwrap();
        assert!(check(&monthly_cost("Team: ops", Micros(1), start, vec![]))[0]
            .message
            .contains("`Team: ops`"));
        assert!(check(&monthly_cost(&"x".repeat(101), Micros(1), start, vec![])).len() == 1);
        assert!(check(&monthly_cost("ok", Micros(0), start, vec![]))[0]
            .message
            .contains("more than $0.00"));
        let many: Vec<String> = (0..11).map(|i| format!("u{i}@example.com")).collect();
        assert_eq!(
            check(&monthly_cost("ok", Micros(1), start, many)).len(),
            3,
            "one per alert"
        );
        let bad = check(&zero_spend("ok", start, vec!["not-an-address".into()]));
        assert_eq!(bad[0].message, "`not-an-address` is not an email address");
        assert!(check(&monthly_cost(
            "ok",
            Micros(1),
            start,
            vec!["a@example.com".into()]
        ))
        .is_empty());
        let mut usage = monthly_cost("hours", Micros(720_000_000), start, vec![]);
        usage.kind = BudgetKind::Usage {
            usage_type: " ".into(),
        };
        assert_eq!(check(&usage)[0].field, "usage_type");
        usage.kind = BudgetKind::Usage {
            usage_type: "BoxUsage:t3.micro".into(),
        };
        assert!(check(&usage).is_empty());
        assert_eq!(usage.show(Micros(12_500_000)), "12.5 BoxUsage:t3.micro");
        assert_eq!(usage.alerts[0].describe(&usage.kind), "Actual usage above 85%");
    }
}
