//! Every condition operator: plain, negated, IfExists, missing keys, and the set qualifiers.

use crate::*;

/// Whether an Allow statement with one condition allows a request with `context` set.
fn cond(operator: &str, key: &str, values: &str, context: &[(&str, &[&str])]) -> bool {
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
            "Condition":{{"{operator}":{{"{key}":{values}}}}}}}]}}"#
    );
    let p = identity(&text);
    let mut r = request("ann", "s3:GetObject", "arn:aws:s3:::b/k");
    for (k, vals) in context {
        r.context
            .set_list(k, vals.iter().map(|v| v.to_string()).collect());
    }
    decide(&[&p], &r) == Outcome::Allowed
}

type Case<'a> = (&'a str, &'a str, &'a [&'a str], bool);

fn table(key: &str, cases: &[Case<'_>]) {
    for (operator, values, context, expected) in cases {
        let ctx: Vec<(&str, &[&str])> = vec![(key, context)];
        let ctx = if context.is_empty() { Vec::new() } else { ctx };
        assert_eq!(
            cond(operator, key, values, &ctx),
            *expected,
            "{operator} {values} with {key}={context:?}"
        );
    }
}

#[test]
fn string_operators() {
    table(
        "s3:prefix",
        &[
            ("StringEquals", r#""home/ann""#, &["home/ann"], true),
            ("StringEquals", r#""home/ann""#, &["home/Ann"], false),
            ("StringEquals", r#"["a","home/ann"]"#, &["home/ann"], true),
            ("StringEquals", r#""home/*""#, &["home/ann"], false),
            ("StringEquals", r#""x""#, &[], false),
            ("StringNotEquals", r#""home/ann""#, &["home/bob"], true),
            ("StringNotEquals", r#""home/ann""#, &["home/ann"], false),
            ("StringNotEquals", r#"["a","b"]"#, &["b"], false),
            ("StringNotEquals", r#""x""#, &[], true),
            ("StringEqualsIgnoreCase", r#""HOME/Ann""#, &["home/aNN"], true),
            ("StringEqualsIgnoreCase", r#""home""#, &["homes"], false),
            ("StringNotEqualsIgnoreCase", r#""HOME""#, &["home"], false),
            ("StringNotEqualsIgnoreCase", r#""HOME""#, &["away"], true),
            ("StringLike", r#""home/*""#, &["home/ann/x"], true),
            ("StringLike", r#""home/?nn""#, &["home/ann"], true),
            ("StringLike", r#""home/?nn""#, &["home/nn"], false),
            ("StringLike", r#""home/*""#, &["Home/ann"], false),
            ("StringLike", r#""x""#, &[], false),
            ("StringNotLike", r#""home/*""#, &["work/x"], true),
            ("StringNotLike", r#""home/*""#, &["home/x"], false),
            ("StringNotLike", r#""home/*""#, &[], true),
            ("StringEqualsIfExists", r#""x""#, &[], true),
            ("StringEqualsIfExists", r#""x""#, &["y"], false),
            ("StringLikeIfExists", r#""x*""#, &["xy"], true),
        ],
    );
}

#[test]
fn numeric_operators() {
    table(
        "s3:max-keys",
        &[
            ("NumericEquals", r#""10""#, &["10"], true),
            ("NumericEquals", "10", &["10.0"], true),
            ("NumericEquals", r#""10""#, &["11"], false),
            ("NumericEquals", r#""10""#, &["ten"], false),
            ("NumericNotEquals", r#""10""#, &["11"], true),
            ("NumericNotEquals", r#""10""#, &["10"], false),
            ("NumericNotEquals", r#""10""#, &[], true),
            ("NumericLessThan", r#""10""#, &["9"], true),
            ("NumericLessThan", r#""10""#, &["10"], false),
            ("NumericLessThanEquals", r#""10""#, &["10"], true),
            ("NumericLessThanEquals", r#""10""#, &["10.5"], false),
            ("NumericGreaterThan", r#""10""#, &["11"], true),
            ("NumericGreaterThan", r#""10""#, &["10"], false),
            ("NumericGreaterThanEquals", r#""10""#, &["10"], true),
            ("NumericGreaterThanEquals", r#""10""#, &["-3"], false),
            ("NumericLessThan", r#""10""#, &[], false),
            ("NumericLessThanIfExists", r#""10""#, &[], true),
            ("NumericLessThanIfExists", r#""10""#, &["12"], false),
        ],
    );
}

#[test]
fn date_operators() {
    table(
        "aws:TokenIssueTime",
        &[
            (
                "DateEquals",
                r#""2026-11-29T00:00:00Z""#,
                &["2026-11-29T01:00:00+01:00"],
                true,
            ),
            ("DateEquals", r#""2026-11-29""#, &["2026-11-29T00:00:00Z"], true),
            ("DateNotEquals", r#""2026-11-29""#, &["2026-11-30"], true),
            ("DateNotEquals", r#""2026-11-29""#, &[], true),
            (
                "DateLessThan",
                r#""2026-11-29T00:00:00Z""#,
                &["2026-11-28T23:59:59Z"],
                true,
            ),
            (
                "DateLessThan",
                r#""2026-11-29T00:00:00Z""#,
                &["2026-11-29T00:00:00Z"],
                false,
            ),
            (
                "DateLessThanEquals",
                r#""2026-11-29T00:00:00Z""#,
                &["2026-11-29T00:00:00Z"],
                true,
            ),
            (
                "DateGreaterThan",
                r#""2026-11-29T00:00:00Z""#,
                &["1796000000"],
                true,
            ),
            (
                "DateGreaterThan",
                r#""1796000000""#,
                &["2026-11-30T00:53:19Z"],
                false,
            ),
            (
                "DateGreaterThanEquals",
                r#""1796000000""#,
                &["2026-11-30T00:53:20Z"],
                true,
            ),
            ("DateGreaterThan", r#""2026-11-29""#, &[], false),
            ("DateGreaterThanIfExists", r#""2026-11-29""#, &[], true),
            ("DateLessThan", r#""2026-11-29""#, &["not a date"], false),
        ],
    );
}

#[test]
fn bool_binary_ip_and_arn_operators() {
    table(
        "aws:ViaAWSService",
        &[
            ("Bool", r#""true""#, &["true"], true),
            ("Bool", "true", &["TRUE"], true),
            ("Bool", r#""true""#, &["false"], false),
            ("Bool", r#""false""#, &[], false),
            ("BoolIfExists", r#""false""#, &[], true),
        ],
    );
    table(
        "s3:signature",
        &[
            ("BinaryEquals", r#""aGVsbG8=""#, &["aGVsbG8"], true),
            ("BinaryEquals", r#""aGVsbG8=""#, &["d29ybGQ="], false),
        ],
    );
    table(
        "aws:SourceIp",
        &[
            ("IpAddress", r#""203.0.113.0/24""#, &["203.0.113.9"], true),
            (
                "IpAddress",
                r#"["10.0.0.0/8","203.0.113.0/24"]"#,
                &["10.1.2.3"],
                true,
            ),
            ("IpAddress", r#""203.0.113.0/24""#, &["198.51.100.1"], false),
            ("IpAddress", r#""2001:db8::/32""#, &["2001:db8::1"], true),
            ("IpAddress", r#""203.0.113.0/24""#, &[], false),
            ("NotIpAddress", r#""203.0.113.0/24""#, &["198.51.100.1"], true),
            ("NotIpAddress", r#""203.0.113.0/24""#, &["203.0.113.1"], false),
            ("NotIpAddress", r#""203.0.113.0/24""#, &[], true),
        ],
    );
    table(
        "aws:SourceArn",
        &[
            (
                "ArnEquals",
                r#""arn:aws:s3:::bucket""#,
                &["arn:aws:s3:::bucket"],
                true,
            ),
            (
                "ArnEquals",
                r#""arn:aws:s3:::bucket""#,
                &["arn:aws:s3:::other"],
                false,
            ),
            (
                "ArnLike",
                r#""arn:aws:sns:*:123456789012:topic-*""#,
                &["arn:aws:sns:us-east-1:123456789012:topic-a"],
                true,
            ),
            (
                "ArnLike",
                r#""arn:aws:sns:*:123456789012:*""#,
                &["arn:aws:sns:us-east-1:210987654321:t"],
                false,
            ),
            ("ArnLike", r#""arn:aws:s3:::*""#, &["not-an-arn"], false),
            (
                "ArnNotEquals",
                r#""arn:aws:s3:::bucket""#,
                &["arn:aws:s3:::other"],
                true,
            ),
            (
                "ArnNotLike",
                r#""arn:aws:s3:::b*""#,
                &["arn:aws:s3:::bucket"],
                false,
            ),
            ("ArnNotLike", r#""arn:aws:s3:::b*""#, &[], true),
            ("ArnLikeIfExists", r#""arn:aws:s3:::b*""#, &[], true),
        ],
    );
}

#[test]
fn null_operator() {
    table(
        "aws:TokenIssueTime",
        &[
            ("Null", r#""true""#, &[], true),
            ("Null", r#""true""#, &["2026-11-29"], false),
            ("Null", r#""false""#, &["2026-11-29"], true),
            ("Null", r#""false""#, &[], false),
        ],
    );
}

#[test]
fn set_qualifiers() {
    let tags = "aws:TagKeys";
    table(
        tags,
        &[
            ("ForAllValues:StringEquals", r#"["env","team"]"#, &["env"], true),
            (
                "ForAllValues:StringEquals",
                r#"["env","team"]"#,
                &["env", "team"],
                true,
            ),
            (
                "ForAllValues:StringEquals",
                r#"["env","team"]"#,
                &["env", "cost"],
                false,
            ),
            ("ForAllValues:StringEquals", r#"["env"]"#, &[], true),
            (
                "ForAnyValue:StringEquals",
                r#"["env","team"]"#,
                &["cost", "team"],
                true,
            ),
            ("ForAnyValue:StringEquals", r#"["env"]"#, &["cost"], false),
            ("ForAnyValue:StringEquals", r#"["env"]"#, &[], false),
            (
                "ForAllValues:StringNotEquals",
                r#"["secret"]"#,
                &["env", "team"],
                true,
            ),
            (
                "ForAllValues:StringNotEquals",
                r#"["secret"]"#,
                &["env", "secret"],
                false,
            ),
            (
                "ForAnyValue:StringNotEquals",
                r#"["env"]"#,
                &["env", "team"],
                true,
            ),
            ("ForAnyValue:StringNotEquals", r#"["env"]"#, &["env"], false),
            ("ForAnyValue:StringLike", r#"["team-*"]"#, &["x", "team-a"], true),
            ("ForAllValues:StringLikeIfExists", r#"["t*"]"#, &[], true),
            // Without a qualifier a multi-valued key matches when any value does.
            ("StringEquals", r#""team""#, &["env", "team"], true),
            ("StringNotEquals", r#""team""#, &["env", "team"], false),
        ],
    );
}

#[test]
fn keys_are_case_insensitive_and_values_are_not() {
    assert!(cond(
        "StringEquals",
        "AWS:SourceVpc",
        r#""vpc-1""#,
        &[("aws:sourcevpc", &["vpc-1"])]
    ));
    assert!(!cond(
        "StringEquals",
        "aws:SourceVpc",
        r#""VPC-1""#,
        &[("aws:SourceVpc", &["vpc-1"])]
    ));
}

#[test]
fn several_conditions_must_all_hold() {
    let p = identity(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",
            "Condition":{"StringEquals":{"s3:prefix":"a","s3:delimiter":"/"},"Bool":{"aws:SecureTransport":"true"}}}]}"#,
    );
    let mut r = request("ann", "s3:ListBucket", "arn:aws:s3:::b");
    r.context
        .set("s3:prefix", "a")
        .set("s3:delimiter", "/")
        .set("aws:SecureTransport", "true");
    assert_eq!(decide(&[&p], &r), Outcome::Allowed);
    r.context.set("s3:delimiter", "-");
    assert_eq!(decide(&[&p], &r), Outcome::ImplicitDeny);
}
