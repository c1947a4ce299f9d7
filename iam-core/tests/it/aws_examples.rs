//! The AWS documentation's example policies, evaluated as AWS would.

use crate::*;

/// "Allows MFA-authenticated IAM users to manage their own MFA device" (and nothing else
/// without MFA): the BoolIfExists deny with NotAction.
const OWN_MFA: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowViewAccountInfo", "Effect": "Allow", "Action": "iam:ListVirtualMFADevices", "Resource": "*"},
    {"Sid": "AllowManageOwnVirtualMFADevice", "Effect": "Allow",
     "Action": ["iam:CreateVirtualMFADevice"], "Resource": "arn:aws:iam::*:mfa/*"},
    {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow",
     "Action": ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ResyncMFADevice"],
     "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
     "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
                   "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
     "Resource": "*",
     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
  ]
}"#;

fn console_request(name: &str, action: &str, resource: &str, mfa: Option<i64>) -> Request {
    // A console session: temporary credentials, MFA present or explicitly absent.
    let facts = GlobalFacts {
        now: 1_796_000_000,
        user_name: Some(name.into()),
        mfa_age: mfa,
        token_issued_at: Some(1_795_999_000),
        ..Default::default()
    };
    Request::new(user(name), action, resource).with_globals(&facts)
}

#[test]
fn manage_own_mfa_and_nothing_else_without_mfa() {
    let p = identity(OWN_MFA);
    let admin =
        identity(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
    let me = "arn:aws:iam::123456789012:user/ann";
    let mfa = "arn:aws:iam::123456789012:mfa/ann";
    // Without MFA: enrol own device, yes; anything else, no (even with AdministratorAccess).
    assert_eq!(
        decide(
            &[&p],
            &console_request("ann", "iam:CreateVirtualMFADevice", mfa, None)
        ),
        Outcome::Allowed
    );
    assert_eq!(
        decide(&[&p], &console_request("ann", "iam:EnableMFADevice", me, None)),
        Outcome::Allowed
    );
    assert_eq!(
        decide(
            &[&p],
            &console_request(
                "ann",
                "iam:EnableMFADevice",
                "arn:aws:iam::123456789012:user/bob",
                None
            )
        ),
        Outcome::ImplicitDeny
    );
    assert_eq!(
        decide(
            &[&p, &admin],
            &console_request("ann", "s3:ListBuckets", "*", None)
        ),
        Outcome::ExplicitDeny
    );
    assert_eq!(
        decide(
            &[&p],
            &console_request("ann", "iam:DeactivateMFADevice", me, None)
        ),
        Outcome::ExplicitDeny
    );
    // With MFA the deny does not apply.
    assert_eq!(
        decide(
            &[&p, &admin],
            &console_request("ann", "s3:ListBuckets", "*", Some(30))
        ),
        Outcome::Allowed
    );
    assert_eq!(
        decide(
            &[&p],
            &console_request("ann", "iam:DeactivateMFADevice", me, Some(30))
        ),
        Outcome::Allowed
    );
    // Long-term access keys carry no MFA key at all: BoolIfExists counts that as "no MFA",
    // so calls with access keys are denied too.
    assert_eq!(
        decide(&[&p, &admin], &request("ann", "s3:ListBuckets", "*")),
        Outcome::ExplicitDeny
    );
    assert_eq!(
        decide(&[&p], &request("ann", "iam:EnableMFADevice", me)),
        Outcome::Allowed
    );
}

#[test]
fn deny_outside_an_ip_range() {
    let p = identity(
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}}]}"#,
    );
    let mut r = request("ann", "ec2:RunInstances", "*");
    r.context.set("aws:SourceIp", "203.0.113.50");
    assert_eq!(decide(&[&p], &r), Outcome::Allowed);
    r.context.set("aws:SourceIp", "198.51.100.7");
    assert_eq!(decide(&[&p], &r), Outcome::ExplicitDeny);
}

#[test]
fn allow_within_a_time_window() {
    let p = identity(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*",
        "Condition":{"DateGreaterThan":{"aws:CurrentTime":"2026-11-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2026-12-31T23:59:59Z"}}}]}"#,
    );
    let at = |now: i64| {
        let facts = GlobalFacts {
            now,
            user_name: Some("ann".into()),
            ..Default::default()
        };
        Request::new(user("ann"), "ec2:StartInstances", "*").with_globals(&facts)
    };
    assert_eq!(decide(&[&p], &at(1_796_000_000)), Outcome::Allowed);
    assert_eq!(decide(&[&p], &at(1_700_000_000)), Outcome::ImplicitDeny);
    assert_eq!(decide(&[&p], &at(1_900_000_000)), Outcome::ImplicitDeny);
}

#[test]
fn manage_own_access_keys_only() {
    let p = identity(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"ManageOwnAccessKeys","Effect":"Allow",
        "Action":["iam:CreateAccessKey","iam:DeleteAccessKey","iam:GetAccessKeyLastUsed","iam:GetUser","iam:ListAccessKeys","iam:UpdateAccessKey"],
        "Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#,
    );
    let own = request("ann", "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/ann");
    let other = request("ann", "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/bob");
    assert_eq!(decide(&[&p], &own), Outcome::Allowed);
    assert_eq!(decide(&[&p], &other), Outcome::ImplicitDeny);
}

#[test]
fn cross_account_trust_with_external_id_and_mfa() {
    let trust = policy(
        PolicyKind::Trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole",
        "Condition":{"StringEquals":{"sts:ExternalId":"Unique-4711"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
    );
    let caller = identity(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::210987654321:role/Auditor"}]}"#,
    );
    let check = |external_id: Option<&str>, mfa: Option<i64>| {
        let mut r = console_request(
            "ann",
            "sts:AssumeRole",
            "arn:aws:iam::210987654321:role/Auditor",
            mfa,
        );
        if let Some(id) = external_id {
            r.context.set("sts:ExternalId", id);
        }
        let set = PolicySet {
            identity: vec![Named {
                id: "caller",
                policy: &caller,
            }],
            resource: vec![Named {
                id: "arn:aws:iam::210987654321:role/Auditor",
                policy: &trust,
            }],
            resource_owner: Some("210987654321"),
            resource_must_allow: true,
            ..Default::default()
        };
        evaluate(&r, &set).outcome
    };
    assert_eq!(check(Some("Unique-4711"), Some(10)), Outcome::Allowed);
    assert_eq!(check(Some("Unique-4711"), None), Outcome::ImplicitDeny);
    assert_eq!(check(Some("guess"), Some(10)), Outcome::ImplicitDeny);
    assert_eq!(check(None, Some(10)), Outcome::ImplicitDeny);
}
