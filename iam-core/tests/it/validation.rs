//! Validation: every error at its line and column, in AWS's words where AWS has them.

use iam_core::policy::*;

/// Errors as `line:col: message`.
fn errors(kind: PolicyKind, text: &str) -> Vec<String> {
    parse_policy(text, kind)
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}:{}: {}", d.loc.line, d.loc.column, d.message))
        .collect()
}

fn warnings(kind: PolicyKind, text: &str) -> Vec<String> {
    parse_policy(text, kind)
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn syntax_errors_point_at_the_place() {
    let e = errors(
        PolicyKind::Identity,
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}",
    );
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("4:1: Syntax errors in policy."), "{e:?}");
}

#[test]
fn collects_every_error_with_locations() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "bad sid",
      "Effect": "Alow",
      "Action": ["s3GetObject", "iam:GetUser"],
      "Resource": ["bucket", "*"],
      "Condition": {"StringEqual": {"aws:username": "ann"}, "StringEquals": {"username": "ann"}}
    },
    {
      "Effect": "Allow",
      "Principal": {"AWS": "*"},
      "Resource": "*"
    }
  ]
}"#;
    assert_eq!(
        errors(PolicyKind::Identity, text),
        [
            "5:14: Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
            "6:17: Invalid effect: Alow. Effect must be Allow or Deny",
            "7:18: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
            "8:20: Resource bucket must be in ARN format or \"*\".",
            "9:21: Invalid Condition type : StringEqual",
            "9:78: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
            "13:7: Has prohibited field Principal.",
            "11:5: Policy statement must contain actions.",
        ]
    );
}

#[test]
fn aws_messages_for_missing_and_prohibited_elements() {
    let cases: [(PolicyKind, &str, &str); 9] = [
        (
            PolicyKind::Identity,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
            "Policy statement must contain actions.",
        ),
        (
            PolicyKind::Identity,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}"#,
            "Policy statement must contain resources.",
        ),
        (
            PolicyKind::Trust,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#,
            "Missing required field Principal",
        ),
        (
            PolicyKind::Trust,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}"#,
            "Has prohibited field Resource.",
        ),
        (
            PolicyKind::Identity,
            r#"{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
            "Policy document must be version 2012-10-17 or greater.",
        ),
        (
            PolicyKind::Identity,
            r#"{"Version":"2012-10-17"}"#,
            "Missing required field Statement",
        ),
        (
            PolicyKind::Identity,
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
            "Statement IDs (SID) in a single policy must be unique.",
        ),
        (
            PolicyKind::Trust,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}]}"#,
            "Invalid principal in policy: \"AWS\":\"bob\"",
        ),
        (
            PolicyKind::Identity,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}]}"#,
            "`ten` is not a number, so NumericLessThan can never match it",
        ),
    ];
    for (kind, text, message) in cases {
        let e = errors(kind, text);
        assert!(
            e.iter().any(|m| m.ends_with(message)),
            "{kind:?} {text}\nexpected {message}\ngot {e:?}"
        );
    }
}

#[test]
fn sizes_are_counted_without_whitespace() {
    let statement = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/key"}"#;
    let many = |n: usize| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            vec![statement; n].join(",")
        )
    };
    let trust_ok = many(20);
    assert!(parse::counted_size(&trust_ok) < 2048);
    let padded = trust_ok.replace(',', ",      \n   ");
    assert!(padded.len() > 2048 || parse::counted_size(&padded) == parse::counted_size(&trust_ok));
    let big = many(80);
    assert!(parse::counted_size(&big) > 6144);
    assert_eq!(
        errors(PolicyKind::Identity, &big),
        ["1:1: Cannot exceed quota for PolicySize: 6144"]
    );
    assert!(errors(PolicyKind::Identity, &many(60)).is_empty());
}

#[test]
fn warnings_are_apart_from_errors() {
    let no_version = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let parsed = parse_policy(no_version, PolicyKind::Identity);
    assert!(parsed.policy.is_some(), "warnings do not stop a policy");
    assert_eq!(warnings(PolicyKind::Identity, no_version).len(), 1);
    let old = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}]}"#;
    assert!(warnings(PolicyKind::Identity, old)[0].contains("policy variables"));
}

#[test]
fn statement_may_be_a_single_object_and_values_single_strings() {
    let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":10}}}}"#;
    let p = parse_policy(text, PolicyKind::Identity).policy.unwrap();
    assert_eq!(p.statements.len(), 1);
    assert_eq!(p.statements[0].conditions[0].values[0].text(), "true");
    assert_eq!(p.statements[0].conditions[1].values[0].text(), "10");
}

#[test]
fn unknown_and_duplicate_elements() {
    let text = r#"{"Version":"2012-10-17","Version":"2012-10-17","Statment":[],"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Resources":"*"}]}"#;
    let e = errors(PolicyKind::Identity, text);
    assert!(
        e.iter().any(|m| m.contains("duplicate element `Version`")),
        "{e:?}"
    );
    assert!(
        e.iter().any(|m| m.contains("unknown element `Statment`")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|m| m.contains("unknown element `Resources` in a statement")),
        "{e:?}"
    );
}

#[test]
fn federation_condition_keys_only_where_a_trust_decides() {
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.example.com/t"},
        "Action":"sts:AssumeRoleWithWebIdentity",
        "Condition":{"StringEquals":{"token.example.com/t:aud":"web","token.example.com/t:sub":"repo:x"}}}]}"#;
    assert_eq!(errors(PolicyKind::Trust, trust), Vec::<String>::new());
    // In an identity policy such a key is a typo that would never match: refused.
    let identity = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
        "Condition":{"NotIpAddress":{"aws_:SourceIp":"10.0.0.0/8"}}}]}"#;
    assert_eq!(
        errors(PolicyKind::Identity, identity),
        ["2:38: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."]
    );
}
