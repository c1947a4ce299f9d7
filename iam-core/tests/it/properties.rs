//! Properties: parse -> print -> parse is stable; the parser and evaluator never panic.

use iam_core::policy::print::print_policy;
use iam_core::policy::*;
use proptest::prelude::*;

fn action() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_string()),
        ("(iam|s3|ec2|sts)", "[A-Z][a-z]{1,8}\\*?").prop_map(|(v, a)| format!("{v}:{a}")),
    ]
}

fn resource() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*".to_string()),
        "[a-z0-9/*?]{0,12}".prop_map(|r| format!("arn:aws:s3:::{r}")),
        "[a-z]{1,8}".prop_map(|u| format!("arn:aws:iam::123456789012:user/{u}")),
        Just("arn:aws:iam::*:user/${aws:username}".to_string()),
    ]
}

fn condition() -> impl Strategy<Value = String> {
    let op = prop_oneof![
        Just("StringEquals"),
        Just("StringNotLike"),
        Just("ForAnyValue:StringLike"),
        Just("NumericLessThan"),
        Just("BoolIfExists"),
        Just("IpAddress"),
        Just("DateGreaterThan"),
        Just("Null"),
    ];
    (op, "[a-z]{1,6}", "[a-z0-9]{0,6}").prop_map(|(op, key, v)| {
        let value = match op {
            "NumericLessThan" => "10".to_string(),
            "BoolIfExists" | "Null" => "true".to_string(),
            "IpAddress" => "10.0.0.0/8".to_string(),
            "DateGreaterThan" => "2026-01-01T00:00:00Z".to_string(),
            _ => v,
        };
        format!(r#""{op}": {{"aws:{key}": ["{value}"]}}"#)
    })
}

prop_compose! {
    fn statement()(
        deny in any::<bool>(),
        not_action in any::<bool>(),
        actions in prop::collection::vec(action(), 1..4),
        resources in prop::collection::vec(resource(), 1..3),
        conditions in prop::collection::vec(condition(), 0..3),
        sid in proptest::option::of("[A-Za-z0-9]{1,8}"),
    ) -> String {
        let list = |v: &[String]| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(",");
        let mut fields = vec![
            format!("\"Effect\": \"{}\"", if deny { "Deny" } else { "Allow" }),
            format!("\"{}\": [{}]", if not_action { "NotAction" } else { "Action" }, list(&actions)),
            format!("\"Resource\": [{}]", list(&resources)),
        ];
        if let Some(sid) = sid {
            fields.insert(0, format!("\"Sid\": \"{sid}\""));
        }
        // One operator once per statement: duplicates are refused by validation.
        let mut seen = std::collections::HashSet::new();
        let conditions: Vec<String> = conditions.into_iter().filter(|c| seen.insert(c.split(':').next().unwrap_or("").to_owned())).collect();
        if !conditions.is_empty() {
            fields.push(format!("\"Condition\": {{{}}}", conditions.join(",")));
        }
        format!("{{{}}}", fields.join(","))
    }
}

prop_compose! {
    fn policy_text()(statements in prop::collection::vec(statement(), 1..5)) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(","))
    }
}

const CASES: u32 = 300;

/// Runs `check` on `CASES` generated values and returns how many it really checked (those
/// that made a valid policy; it says so by returning true). A generator that stopped making
/// valid policies would otherwise pass without checking anything.
fn checked_cases<S: Strategy>(strategy: S, check: impl Fn(S::Value) -> Result<bool, TestCaseError>) -> u32 {
    let checked = std::sync::atomic::AtomicU32::new(0);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(CASES));
    let outcome = runner.run(&strategy, |value| {
        if check(value)? {
            checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    checked.into_inner()
}

/// Most generated policies are valid (a few repeat a random Sid and are refused).
fn assert_mostly_checked(checked: u32) {
    assert!(
        checked >= CASES * 9 / 10,
        "only {checked} of {CASES} cases made a valid policy"
    );
}

#[test]
fn print_then_parse_is_stable() {
    let checked = checked_cases(policy_text(), |text| {
        let Some(policy) = parse_policy(&text, PolicyKind::Identity).policy else {
            return Ok(false);
        };
        let printed = print_policy(&policy);
        let again = parse_policy(&printed, PolicyKind::Identity)
            .policy
            .expect("printed policy parses");
        prop_assert_eq!(&again.statements.len(), &policy.statements.len());
        prop_assert_eq!(print_policy(&again), printed);
        Ok(true)
    });
    assert_mostly_checked(checked);
}

#[test]
fn evaluation_never_panics() {
    let inputs = (
        policy_text(),
        action(),
        resource(),
        "[a-z]{1,6}",
        prop::collection::vec(("aws:[a-z]{1,6}", "[a-z0-9./]{0,8}"), 0..4),
    );
    let checked = checked_cases(inputs, |(text, action, resource, name, ctx)| {
        let Some(policy) = parse_policy(&text, PolicyKind::Identity).policy else {
            return Ok(false);
        };
        let facts = GlobalFacts {
            now: 1_796_000_000,
            user_name: Some(name.clone()),
            ..Default::default()
        };
        let principal = Principal::new(
            PrincipalKind::User,
            format!("arn:aws:iam::123456789012:user/{name}"),
            "123456789012",
        );
        let mut request = Request::new(principal, action, resource).with_globals(&facts);
        for (k, v) in ctx {
            request.context.set(&k, v);
        }
        let set = PolicySet {
            identity: vec![Named {
                id: "p",
                policy: &policy,
            }],
            ..Default::default()
        };
        let decision = evaluate(&request, &set);
        let explanation = decision.explain(&request, &set);
        prop_assert_eq!(
            explanation.matched_statements.len() + explanation.not_matched.len(),
            policy.statements.len()
        );
        Ok(true)
    });
    assert_mostly_checked(checked);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn parsing_never_panics(text in "\\PC{0,200}") {
        let _ = parse_policy(&text, PolicyKind::Identity);
        let _ = parse_policy(&text, PolicyKind::Trust);
    }

    #[test]
    fn parsing_mangled_policies_never_panics(text in policy_text(), cut in 0usize..400, insert in "[\\[\\]{}\":,\\\\ ]") {
        let mut mangled = text.clone();
        let at = cut.min(mangled.len());
        if mangled.is_char_boundary(at) {
            mangled.insert_str(at, &insert);
        }
        let _ = parse_policy(&mangled, PolicyKind::Identity);
    }
}
