//! Condition operators: parsing their names and evaluating them against the context.
//! Semantics follow AWS: a missing key makes a condition false except for the negated
//! operators; `...IfExists` makes a missing key true; `ForAllValues:` is true for an empty
//! or missing key; `ForAnyValue:` needs at least one value.

use super::ast::{Condition, ConditionValue};
use super::context::Context;
use super::pattern::{arn_like, glob, split_arn};
use super::values::{parse_base64, parse_cidr, parse_date_millis, parse_number};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    ArnEquals,
    ArnLike,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub base: Base,
    pub negated: bool,
    pub if_exists: bool,
    pub set: Option<SetQualifier>,
}

/// Every operator name without qualifiers: (name, base, negated).
const NAMES: [(&str, Base, bool); 27] = [
    ("StringEquals", Base::StringEquals, false),
    ("StringNotEquals", Base::StringEquals, true),
    ("StringEqualsIgnoreCase", Base::StringEqualsIgnoreCase, false),
    ("StringNotEqualsIgnoreCase", Base::StringEqualsIgnoreCase, true),
    ("StringLike", Base::StringLike, false),
    ("StringNotLike", Base::StringLike, true),
    ("NumericEquals", Base::NumericEquals, false),
    ("NumericNotEquals", Base::NumericEquals, true),
    ("NumericLessThan", Base::NumericLessThan, false),
    ("NumericLessThanEquals", Base::NumericLessThanEquals, false),
    ("NumericGreaterThan", Base::NumericGreaterThan, false),
    ("NumericGreaterThanEquals", Base::NumericGreaterThanEquals, false),
    ("DateEquals", Base::DateEquals, false),
    ("DateNotEquals", Base::DateEquals, true),
    ("DateLessThan", Base::DateLessThan, false),
    ("DateLessThanEquals", Base::DateLessThanEquals, false),
    ("DateGreaterThan", Base::DateGreaterThan, false),
    ("DateGreaterThanEquals", Base::DateGreaterThanEquals, false),
    ("Bool", Base::Bool, false),
    ("BinaryEquals", Base::BinaryEquals, false),
    ("IpAddress", Base::IpAddress, false),
    ("NotIpAddress", Base::IpAddress, true),
    ("ArnEquals", Base::ArnEquals, false),
    ("ArnNotEquals", Base::ArnEquals, true),
    ("ArnLike", Base::ArnLike, false),
    ("ArnNotLike", Base::ArnLike, true),
    ("Null", Base::Null, false),
];

impl Operator {
    /// Parses a name such as `ForAnyValue:StringLikeIfExists`. Names are case-sensitive.
    pub fn parse(name: &str) -> Option<Self> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, name)
        };
        let (if_exists, rest) = match rest.strip_suffix("IfExists") {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let &(_, base, negated) = NAMES.iter().find(|(n, _, _)| *n == rest)?;
        if base == Base::Null && (if_exists || set.is_some()) {
            return None;
        }
        Some(Self {
            base,
            negated,
            if_exists,
            set,
        })
    }

    pub fn name(&self) -> String {
        let base = NAMES
            .iter()
            .find(|(_, b, n)| *b == self.base && *n == self.negated)
            .map_or("?", |(name, _, _)| name);
        let prefix = match self.set {
            Some(SetQualifier::ForAllValues) => "ForAllValues:",
            Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
            None => "",
        };
        let suffix = if self.if_exists { "IfExists" } else { "" };
        format!("{prefix}{base}{suffix}")
    }
}

/// Whether `condition` holds for `context`.
pub fn holds(condition: &Condition, context: &Context) -> bool {
    let op = condition.operator;
    let present = context.get(&condition.key_lower).filter(|v| !v.is_empty());
    if op.base == Base::Null {
        // `"true"`: the key must be absent; `"false"`: present. Several values: any.
        return condition
            .values
            .iter()
            .any(|v| v.plain().is_some_and(|t| t.eq_ignore_ascii_case("true")) == present.is_none());
    }
    let Some(found) = present else {
        return match (op.if_exists, op.set) {
            (true, _) => true,
            (false, Some(SetQualifier::ForAllValues)) => true,
            (false, Some(SetQualifier::ForAnyValue)) => false,
            (false, None) => op.negated,
        };
    };
    let matches_any = |actual: &String| {
        condition
            .values
            .iter()
            .any(|expected| compare(op.base, actual, expected, context))
    };
    match (op.set, op.negated) {
        (None, false) | (Some(SetQualifier::ForAnyValue), false) => found.iter().any(matches_any),
        (None, true) => !found.iter().any(matches_any),
        (Some(SetQualifier::ForAnyValue), true) => found.iter().any(|a| !matches_any(a)),
        (Some(SetQualifier::ForAllValues), false) => found.iter().all(matches_any),
        (Some(SetQualifier::ForAllValues), true) => found.iter().all(|a| !matches_any(a)),
    }
}

/// The positive comparison of one request value with one policy value.
fn compare(base: Base, actual: &str, expected: &ConditionValue, context: &Context) -> bool {
    let text = || match &expected.fixed {
        Some(fixed) => Some(std::borrow::Cow::Borrowed(fixed.as_str())),
        None => expected
            .template
            .resolve_text(context)
            .map(std::borrow::Cow::Owned),
    };
    let number = |f: fn(f64, f64) -> bool| match (parse_number(actual), text().and_then(|t| parse_number(&t)))
    {
        (Some(a), Some(e)) => f(a, e),
        _ => false,
    };
    let date = |f: fn(i128, i128) -> bool| match (
        parse_date_millis(actual),
        text().and_then(|t| parse_date_millis(&t)),
    ) {
        (Some(a), Some(e)) => f(a, e),
        _ => false,
    };
    match base {
        Base::StringEquals => text().is_some_and(|e| e == actual),
        Base::StringEqualsIgnoreCase => text().is_some_and(|e| e.to_lowercase() == actual.to_lowercase()),
        Base::StringLike => with_parts(expected, context, |parts| glob(parts, actual)),
        Base::NumericEquals => number(|a, e| a == e),
        Base::NumericLessThan => number(|a, e| a < e),
        Base::NumericLessThanEquals => number(|a, e| a <= e),
        Base::NumericGreaterThan => number(|a, e| a > e),
        Base::NumericGreaterThanEquals => number(|a, e| a >= e),
        Base::DateEquals => date(|a, e| a == e),
        Base::DateLessThan => date(|a, e| a < e),
        Base::DateLessThanEquals => date(|a, e| a <= e),
        Base::DateGreaterThan => date(|a, e| a > e),
        Base::DateGreaterThanEquals => date(|a, e| a >= e),
        Base::Bool => text().is_some_and(|e| e.eq_ignore_ascii_case(actual)),
        Base::BinaryEquals => match (parse_base64(actual), text().and_then(|t| parse_base64(&t))) {
            (Some(a), Some(e)) => a == e,
            _ => false,
        },
        Base::IpAddress => match (
            actual.trim().parse::<std::net::IpAddr>(),
            text().and_then(|t| parse_cidr(&t)),
        ) {
            (Ok(ip), Some(net)) => net.contains(ip),
            _ => false,
        },
        Base::ArnEquals | Base::ArnLike => {
            split_arn(actual).is_some() && with_parts(expected, context, |parts| arn_like(parts, actual))
        }
        Base::Null => false,
    }
}

fn with_parts(
    value: &ConditionValue,
    context: &Context,
    f: impl Fn(&[super::pattern::Part]) -> bool,
) -> bool {
    if value.template.has_variables() {
        value.template.resolve(context).is_some_and(|parts| f(&parts))
    } else {
        f(&value.template.parts)
    }
}
