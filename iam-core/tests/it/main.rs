//! The policy engine's tests: validation, every operator, every element, AWS's examples, a
//! golden corpus, and properties.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aws_examples;
mod corpus;
mod elements;
mod operators;
mod properties;
mod service_linked;
mod sigv4;
mod validation;

use iam_core::policy::*;

pub const ACCOUNT: &str = "123456789012";

pub fn policy(kind: PolicyKind, text: &str) -> Policy {
    let parsed = parse_policy(text, kind);
    match parsed.policy {
        Some(p) => p,
        None => panic!("policy did not parse: {:#?}\n{text}", parsed.diagnostics),
    }
}

pub fn identity(text: &str) -> Policy {
    policy(PolicyKind::Identity, text)
}

pub fn user(name: &str) -> Principal {
    Principal::new(
        PrincipalKind::User,
        format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        ACCOUNT,
    )
}

/// A request by user `name` with the global keys for that user (no MFA, long-term keys).
pub fn request(name: &str, action: &str, resource: &str) -> Request {
    let facts = GlobalFacts {
        now: 1_796_000_000,
        user_name: Some(name.into()),
        user_id: Some("AIDAEXAMPLEUSERID123".into()),
        ..Default::default()
    };
    Request::new(user(name), action, resource).with_globals(&facts)
}

pub fn decide(policies: &[&Policy], request: &Request) -> Outcome {
    let named: Vec<Named> = policies
        .iter()
        .map(|p| Named {
            id: "test-policy",
            policy: p,
        })
        .collect();
    let set = PolicySet {
        identity: named,
        ..Default::default()
    };
    evaluate(request, &set).outcome
}
