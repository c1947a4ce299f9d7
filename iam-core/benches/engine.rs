//! Benchmarks of the policy engine.
//!   decision:        one decision for a user with 10 attached policies, 40 statements with
//!                    wildcards, three of them with conditions (target: median < 2 µs)
//!   parse_validate:  parse and validate a 6 KB policy (target: < 50 µs)
//! Run: cargo bench -p iam-core --bench engine
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use iam_core::policy::*;

/// Ten policies of four statements: services and resources vary, wildcards throughout;
/// three statements carry conditions (MFA, source IP, a tag matched to the user).
fn ten_policies() -> Vec<Policy> {
    let services = [
        "s3",
        "ec2",
        "dynamodb",
        "sqs",
        "sns",
        "lambda",
        "logs",
        "cloudwatch",
        "kms",
        "iam",
    ];
    services
        .iter()
        .enumerate()
        .map(|(i, service)| {
            let mut statements = [
                format!(r#"{{"Sid":"Read{i}","Effect":"Allow","Action":["{service}:Get*","{service}:List*","{service}:Describe*"],"Resource":"*"}}"#),
                format!(r#"{{"Sid":"Write{i}","Effect":"Allow","Action":["{service}:Put*","{service}:Create*"],"Resource":"arn:aws:{service}:*:123456789012:team-{i}/*"}}"#),
                format!(r#"{{"Sid":"Own{i}","Effect":"Allow","Action":"{service}:Update*","Resource":"arn:aws:{service}:*:123456789012:user/${{aws:username}}/*"}}"#),
                format!(r#"{{"Sid":"NoDelete{i}","Effect":"Deny","Action":"{service}:Delete*","Resource":"arn:aws:{service}:*:*:prod-*"}}"#),
            ];
            match i {
                3 => statements[1] = format!(r#"{{"Sid":"Write{i}","Effect":"Allow","Action":"{service}:*","Resource":"*","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"true"}}}}}}"#),
                6 => statements[1] = format!(r#"{{"Sid":"Write{i}","Effect":"Allow","Action":"{service}:*","Resource":"*","Condition":{{"IpAddress":{{"aws:SourceIp":["10.0.0.0/8","192.0.2.0/24"]}}}}}}"#),
                9 => statements[0] = format!(r#"{{"Sid":"Read{i}","Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{{"StringEquals":{{"aws:ResourceTag/team":"${{aws:PrincipalTag/team}}"}}}}}}"#),
                _ => {}
            }
            let text = format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","));
            parse_policy(&text, PolicyKind::Identity).policy.expect("bench policy parses")
        })
        .collect()
}

fn request() -> Request {
    let facts = GlobalFacts {
        now: 1_796_000_000,
        user_name: Some("ann".into()),
        user_id: Some("AIDAEXAMPLEUSERID123".into()),
        principal_tags: [("team".to_string(), "red".to_string())].into_iter().collect(),
        mfa_age: Some(120),
        token_issued_at: Some(1_795_999_000),
        source_ip: Some("192.0.2.10".into()),
        ..Default::default()
    };
    let principal = Principal::new(
        PrincipalKind::User,
        "arn:aws:iam::123456789012:user/ann",
        "123456789012",
    );
    let mut r =
        Request::new(principal, "iam:CreateUser", "arn:aws:iam::123456789012:user/bob").with_globals(&facts);
    r.context.set("aws:ResourceTag/team", "red");
    r
}

/// A 6 KB customer-managed policy (whitespace not counted), the largest AWS accepts.
fn six_kb_policy() -> String {
    let mut statements = Vec::new();
    let mut i = 0;
    loop {
        let s = format!(
            r#"{{"Sid":"S{i}","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:List*"],"Resource":["arn:aws:s3:::bucket-{i}/home/${{aws:username}}/*"],"Condition":{{"StringLike":{{"s3:prefix":["home/${{aws:username}}/*"]}},"IpAddress":{{"aws:SourceIp":"203.0.113.0/24"}}}}}}"#
        );
        let next = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            [statements.clone(), vec![s.clone()]].concat().join(",")
        );
        if parse::counted_size(&next) > 6144 {
            break;
        }
        statements.push(s);
        i += 1;
    }
    format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {}\n  ]\n}}",
        statements.join(",\n    ")
    )
}

/// A 6 KB policy shaped like AWS's managed policies: a few statements with long action
/// lists and resource ARNs, one condition.
fn managed_style_policy() -> String {
    let verbs = [
        "Get", "List", "Describe", "Put", "Create", "Update", "Tag", "Untag",
    ];
    let nouns = [
        "Bucket", "Object", "Policy", "Instance", "Volume", "Table", "Queue", "Topic", "Function", "Key",
    ];
    let services = ["s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "kms", "logs"];
    let mut statements = Vec::new();
    for (i, service) in services.iter().enumerate() {
        let actions: Vec<String> = verbs
            .iter()
            .flat_map(|v| nouns.iter().take(4).map(move |n| format!("\"{service}:{v}{n}\"")))
            .collect();
        let condition = if i == 0 {
            r#","Condition":{"Bool":{"aws:SecureTransport":"true"}}"#
        } else {
            ""
        };
        statements.push(format!(
            r#"{{"Sid":"Service{i}","Effect":"Allow","Action":[{}],"Resource":["arn:aws:{service}:*:123456789012:*","arn:aws:{service}:*:123456789012:app-{i}/*"]{condition}}}"#,
            actions.join(",")
        ));
    }
    let text = format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {}\n  ]\n}}",
        statements.join(",\n    ")
    );
    text
}

fn benches(c: &mut Criterion) {
    let policies = ten_policies();
    assert_eq!(policies.iter().map(|p| p.statements.len()).sum::<usize>(), 40);
    let set = PolicySet {
        identity: policies
            .iter()
            .map(|policy| Named {
                id: "arn:aws:iam::123456789012:policy/p",
                policy,
            })
            .collect(),
        ..Default::default()
    };
    let request = request();
    assert!(
        evaluate(&request, &set).allowed(),
        "the benchmarked request is allowed by the tag condition"
    );
    c.benchmark_group("decision")
        .bench_function("10 policies, 40 statements, 3 conditions", |b| {
            b.iter(|| evaluate(black_box(&request), black_box(&set)))
        });

    let text = six_kb_policy();
    assert!(
        parse::counted_size(&text) > 5800,
        "{}",
        parse::counted_size(&text)
    );
    assert!(parse_policy(&text, PolicyKind::Identity).policy.is_some());
    c.benchmark_group("parse_validate")
        .bench_function("6 KB policy", |b| {
            b.iter(|| parse_policy(black_box(&text), PolicyKind::Identity))
        });
    let typical = managed_style_policy();
    assert!(
        parse::counted_size(&typical) > 5800,
        "{}",
        parse::counted_size(&typical)
    );
    assert!(parse_policy(&typical, PolicyKind::Identity).policy.is_some());
    c.benchmark_group("parse_validate")
        .bench_function("6 KB policy, managed-policy style", |b| {
            b.iter(|| parse_policy(black_box(&typical), PolicyKind::Identity))
        });
}

criterion_group!(engine, benches);
criterion_main!(engine);
