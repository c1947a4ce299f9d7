//! What one simulation may ask for, and which slice of its results one call evaluates: AWS's
//! MaxItems and Marker, with caps on the lists so no request can ask for unbounded work.

use super::{Paging, Scenario, Subject};
use crate::ServiceError;
use iam_core::field::FieldErrors;
use sha2::{Digest, Sha256};

/// AWS's MaxItems: 1 to 1000, 100 when not given.
pub const MAX_ITEMS: usize = 1000;
pub const DEFAULT_ITEMS: usize = 100;

/// How many items one simulation's lists may hold. AWS documents only each item's length;
/// these keep the product (and a request's parsing) bounded.
pub const MAX_ACTIONS: usize = 1000;
pub const MAX_RESOURCES: usize = 1000;
pub const MAX_POLICIES: usize = 100;
pub const MAX_CONTEXT_ENTRIES: usize = 100;

/// AWS's item lengths, in characters: ActionNames 3-128, ResourceArns 1-2048,
/// PolicyInputList 1-131072, ContextKeyName 5-256.
const ACTION_LEN: (usize, usize) = (3, 128);
const RESOURCE_LEN: (usize, usize) = (1, 2048);
const POLICY_LEN: (usize, usize) = (1, 131_072);
const CONTEXT_KEY_LEN: (usize, usize) = (5, 256);

/// The results one call evaluates: `start..end` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: usize,
    pub end: usize,
    pub total: usize,
    fingerprint: u64,
}

impl Window {
    /// The same window holding only its first `len` results.
    pub fn shortened_to(self, len: usize) -> Self {
        Self {
            end: self.end.min(self.start + len),
            ..self
        }
    }

    /// The marker that asks for the results after this window; `None` after the last.
    pub fn next_marker(&self) -> Option<String> {
        (self.end < self.total).then(|| marker(self.fingerprint, self.end))
    }
}

/// Checks the inputs against the caps and the marker against them; the window to evaluate.
pub fn window(subject: &Subject, scenario: &Scenario, paging: &Paging) -> Result<Window, ServiceError> {
    check_inputs(subject, scenario)?;
    if !(1..=MAX_ITEMS).contains(&paging.max_items) {
        return Err(ServiceError::field(
            "maxItems",
            format!(
                "max items `{}` is not between 1 and {MAX_ITEMS}",
                paging.max_items
            ),
        ));
    }
    let total = scenario.actions.len() * scenario.resources.len().max(1);
    let fingerprint = fingerprint(subject, scenario);
    let start = match &paging.marker {
        None => 0,
        Some(m) => parse_marker(m, fingerprint)
            .filter(|offset| (1..total).contains(offset))
            .ok_or_else(|| {
                ServiceError::field(
                    "marker",
                    format!("`{}` is not a marker of this simulation", shown(m)),
                )
            })?,
    };
    Ok(Window {
        start,
        end: (start + paging.max_items).min(total),
        total,
        fingerprint,
    })
}

fn check_inputs(subject: &Subject, scenario: &Scenario) -> Result<(), ServiceError> {
    let mut errors = FieldErrors::default();
    check_list(
        &mut errors,
        "actionNames",
        "action name",
        &strs(&scenario.actions),
        MAX_ACTIONS,
        ACTION_LEN,
    );
    check_list(
        &mut errors,
        "resourceArns",
        "resource ARN",
        &strs(&scenario.resources),
        MAX_RESOURCES,
        RESOURCE_LEN,
    );
    let keys: Vec<&str> = scenario.context.iter().map(|(k, _)| k.as_str()).collect();
    check_list(
        &mut errors,
        "contextEntries",
        "context key",
        &keys,
        MAX_CONTEXT_ENTRIES,
        CONTEXT_KEY_LEN,
    );
    if let Subject::Custom(documents) = subject {
        check_list(
            &mut errors,
            "policyInputList",
            "policy document",
            &strs(documents),
            MAX_POLICIES,
            POLICY_LEN,
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors.into_vec()))
    }
}

fn strs(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// At most `max` items, each `len.0` to `len.1` characters long.
fn check_list(
    errors: &mut FieldErrors,
    field: &str,
    what: &str,
    items: &[&str],
    max: usize,
    len: (usize, usize),
) {
    if items.len() > max {
        errors.push(
            field,
            format!(
                "`{}` {what}s are more than one simulation takes ({max} at most)",
                items.len()
            ),
        );
    } else if let Some(bad) = items
        .iter()
        .find(|i| !(len.0..=len.1).contains(&i.chars().count()))
    {
        errors.push(
            field,
            format!(
                "{what} `{}` is not {}-{} characters long",
                shown(bad),
                len.0,
                len.1
            ),
        );
    }
}

/// At most 40 characters of an input, for messages (a policy may be 128 KiB).
fn shown(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A digest of everything that decides the results' order and count: a marker from another
/// simulation is refused instead of silently paging through different results.
fn fingerprint(subject: &Subject, scenario: &Scenario) -> u64 {
    let mut hash = Sha256::new();
    let mut field = |text: &str| {
        hash.update((text.len() as u64).to_be_bytes());
        hash.update(text.as_bytes());
    };
    match subject {
        Subject::User(name) => ["user", name.as_str()].into_iter().for_each(&mut field),
        Subject::Group(name) => ["group", name.as_str()].into_iter().for_each(&mut field),
        Subject::Role(name) => ["role", name.as_str()].into_iter().for_each(&mut field),
        Subject::Custom(documents) => {
            field("custom");
            documents.iter().for_each(|d| field(d.as_str()));
        }
    }
    for list in [&scenario.actions, &scenario.resources] {
        field(&list.len().to_string());
        list.iter().for_each(|item| field(item.as_str()));
    }
    for (key, value) in &scenario.context {
        field(key);
        field(value);
    }
    let digest = hash.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

/// Opaque to clients: the simulation's fingerprint and the next result's position, in hex.
fn marker(fingerprint: u64, offset: usize) -> String {
    format!("{fingerprint:016x}{offset:08x}")
}

fn parse_marker(text: &str, fingerprint: u64) -> Option<usize> {
    let offset = text.get(16..).and_then(|o| usize::from_str_radix(o, 16).ok())?;
    // Exactly what `marker` writes: no sign, case or length variants.
    (marker(fingerprint, offset) == text).then_some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(actions: usize, resources: usize) -> Scenario {
        Scenario {
            actions: (0..actions).map(|i| format!("iam:Action{i}")).collect(),
            resources: (0..resources).map(|i| format!("arn:aws:s3:::b{i}")).collect(),
            context: Vec::new(),
        }
    }

    fn paging(marker: Option<String>, max_items: usize) -> Paging {
        Paging { marker, max_items }
    }

    #[test]
    fn markers_walk_every_result_once_and_only_their_own_simulation() {
        let subject = Subject::User("alice".into());
        let s = scenario(7, 3);
        let mut seen = Vec::new();
        let mut marker = None;
        loop {
            let w = window(&subject, &s, &paging(marker, 5)).unwrap();
            seen.extend(w.start..w.end);
            marker = w.next_marker();
            if marker.is_none() {
                break;
            }
        }
        assert_eq!(seen, (0..21).collect::<Vec<_>>());

        let first = window(&subject, &s, &paging(None, 5))
            .unwrap()
            .next_marker()
            .unwrap();
        let other = Subject::User("bob".into());
        for bad in [
            first.to_uppercase(),
            format!("+{first}"),
            first[..23].to_owned(),
            "not a marker".to_owned(),
            marker_of(&s, 0),
            marker_of(&s, 21),
        ] {
            assert!(
                window(&subject, &s, &paging(Some(bad.clone()), 5)).is_err(),
                "{bad}"
            );
        }
        assert!(window(&other, &s, &paging(Some(first.clone()), 5)).is_err());
        assert!(window(&subject, &scenario(7, 4), &paging(Some(first), 5)).is_err());
    }

    fn marker_of(s: &Scenario, offset: usize) -> String {
        marker(fingerprint(&Subject::User("alice".into()), s), offset)
    }

    #[test]
    fn lists_and_items_over_the_caps_are_refused() {
        let user = Subject::User("alice".into());
        assert!(window(&user, &scenario(1000, 1000), &paging(None, 1000)).is_ok());
        assert!(window(&user, &scenario(1001, 1), &paging(None, 10)).is_err());
        assert!(window(&user, &scenario(1, 1001), &paging(None, 10)).is_err());
        assert!(window(&user, &scenario(1, 1), &paging(None, 0)).is_err());
        assert!(window(&user, &scenario(1, 1), &paging(None, 1001)).is_err());
        let mut long = scenario(1, 1);
        long.actions[0] = format!("iam:{}", "x".repeat(125));
        let Err(ServiceError::Invalid(errors)) = window(&user, &long, &paging(None, 10)) else {
            panic!("a 129-character action name was accepted");
        };
        assert_eq!(errors[0].field, "actionNames");
        assert!(
            errors[0].message.starts_with("action name `iam:xxxx"),
            "{}",
            errors[0].message
        );
        let many = Subject::Custom(vec!["{}".into(); 101]);
        assert!(window(&many, &scenario(1, 1), &paging(None, 10)).is_err());
    }
}
