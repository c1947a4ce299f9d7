//! Every element: Action/NotAction, Resource/NotResource, Principal/NotPrincipal, Effect,
//! variables; and the evaluation order across policy types.

use crate::*;

fn allow(statement_body: &str) -> Policy {
    identity(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",{statement_body}}}]}}"#
    ))
}

#[test]
fn actions_match_case_insensitively_with_wildcards() {
    let p = allow(r#""Action":["iam:Get*","s3:List?ucket"],"Resource":"*""#);
    for (action, expected) in [
        ("iam:GetUser", true),
        ("IAM:getuser", true),
        ("iam:ListUsers", false),
        ("s3:ListBucket", true),
        ("s3:ListBuckets", false),
    ] {
        let r = request("ann", action, "*");
        assert_eq!(decide(&[&p], &r) == Outcome::Allowed, expected, "{action}");
    }
}

#[test]
fn not_action_matches_everything_else() {
    let p = allow(r#""NotAction":"iam:*","Resource":"*""#);
    assert_eq!(
        decide(&[&p], &request("ann", "s3:GetObject", "*")),
        Outcome::Allowed
    );
    assert_eq!(
        decide(&[&p], &request("ann", "iam:CreateUser", "*")),
        Outcome::ImplicitDeny
    );
}

#[test]
fn resources_match_case_sensitively_part_by_part() {
    let p = allow(r#""Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/home/*""#);
    for (resource, expected) in [
        ("arn:aws:s3:::bucket/home/ann/notes.txt", true),
        ("arn:aws:s3:::bucket/Home/ann", false),
        ("arn:aws:s3:::bucket/work/x", false),
        ("arn:aws:s3:::bucket2/home/x", false),
    ] {
        assert_eq!(
            decide(&[&p], &request("ann", "s3:GetObject", resource)) == Outcome::Allowed,
            expected,
            "{resource}"
        );
    }
    let p = allow(r#""Action":"iam:*","NotResource":"arn:aws:iam::*:user/admin""#);
    assert_eq!(
        decide(
            &[&p],
            &request("ann", "iam:GetUser", "arn:aws:iam::123456789012:user/ann")
        ),
        Outcome::Allowed
    );
    assert_eq!(
        decide(
            &[&p],
            &request("ann", "iam:GetUser", "arn:aws:iam::123456789012:user/admin")
        ),
        Outcome::ImplicitDeny
    );
}

#[test]
fn policy_variables_in_resources_and_conditions() {
    let p = allow(
        r#""Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket",
           "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}"#,
    );
    let mut r = request("ann", "s3:ListBucket", "arn:aws:s3:::bucket");
    r.context.set("s3:prefix", "home/ann/docs");
    assert_eq!(decide(&[&p], &r), Outcome::Allowed);
    r.context.set("s3:prefix", "home/bob/docs");
    assert_eq!(decide(&[&p], &r), Outcome::ImplicitDeny);

    let tag =
        allow(r#""Action":"ec2:*","Resource":"arn:aws:ec2:*:*:instance/${aws:PrincipalTag/team, 'none'}-*""#);
    let mut r = request(
        "ann",
        "ec2:StopInstances",
        "arn:aws:ec2:us-east-1:123456789012:instance/none-1",
    );
    assert_eq!(
        decide(&[&tag], &r),
        Outcome::Allowed,
        "default used when the tag is missing"
    );
    r.context.set("aws:PrincipalTag/team", "red");
    assert_eq!(decide(&[&tag], &r), Outcome::ImplicitDeny);
    r.resource = "arn:aws:ec2:us-east-1:123456789012:instance/red-1".into();
    assert_eq!(decide(&[&tag], &r), Outcome::Allowed);

    // A variable with no value and no default matches nothing.
    let p = allow(r#""Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/x}""#);
    assert_eq!(
        decide(&[&p], &request("ann", "s3:GetObject", "arn:aws:s3:::b/")),
        Outcome::ImplicitDeny
    );
}

#[test]
fn variables_are_literal_in_version_2008() {
    let p = identity(
        r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}]}"#,
    );
    assert_eq!(
        decide(&[&p], &request("ann", "s3:GetObject", "arn:aws:s3:::b/ann")),
        Outcome::ImplicitDeny
    );
    assert_eq!(
        decide(
            &[&p],
            &request("ann", "s3:GetObject", "arn:aws:s3:::b/${aws:username}")
        ),
        Outcome::Allowed
    );
}

#[test]
fn explicit_deny_wins_and_is_explained() {
    let allow_all = allow(r#""Action":"*","Resource":"*""#);
    let deny = identity(
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoIam","Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
    );
    let r = request("bob", "iam:CreateUser", "arn:aws:iam::123456789012:user/alice");
    let set = PolicySet {
        identity: vec![
            Named {
                id: "arn:aws:iam::aws:policy/AdministratorAccess",
                policy: &allow_all,
            },
            Named {
                id: "arn:aws:iam::123456789012:policy/NoIam",
                policy: &deny,
            },
        ],
        ..Default::default()
    };
    let d = evaluate(&r, &set);
    assert_eq!(d.outcome, Outcome::ExplicitDeny);
    assert_eq!(
        d.denial_message(&r, &set),
        "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on resource: \
         arn:aws:iam::123456789012:user/alice with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/NoIam"
    );
    let e = d.explain(&r, &set);
    assert_eq!(e.matched_statements.len(), 2);
    assert_eq!(e.matched_statements[1].sid.as_deref(), Some("NoIam"));
}

#[test]
fn implicit_deny_says_why_each_statement_missed() {
    let p = identity(
        r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Sid":"B","Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::*:group/*"},
            {"Sid":"C","Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
    );
    let r = request("bob", "iam:CreateUser", "arn:aws:iam::123456789012:user/alice");
    let set = PolicySet {
        identity: vec![Named { id: "P", policy: &p }],
        ..Default::default()
    };
    let d = evaluate(&r, &set);
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert!(d
        .denial_message(&r, &set)
        .ends_with("because no identity-based policy allows the iam:CreateUser action"));
    let because: Vec<String> = d
        .explain(&r, &set)
        .not_matched
        .into_iter()
        .map(|n| n.because)
        .collect();
    assert_eq!(
        because,
        [
            "the action iam:CreateUser does not match",
            "the resource arn:aws:iam::123456789012:user/alice does not match",
            "the condition Bool on aws:MultiFactorAuthPresent is not met",
        ]
    );
}

#[test]
fn boundaries_and_session_policies_limit_what_identity_policies_grant() {
    let all = allow(r#""Action":"*","Resource":"*""#);
    let s3_only = allow(r#""Action":"s3:*","Resource":"*""#);
    let r_iam = request("ann", "iam:ListUsers", "*");
    let r_s3 = request("ann", "s3:GetObject", "arn:aws:s3:::b/k");
    for (boundary, session) in [(true, false), (false, true)] {
        let set = PolicySet {
            identity: vec![Named {
                id: "all",
                policy: &all,
            }],
            boundary: boundary.then_some(Named {
                id: "boundary",
                policy: &s3_only,
            }),
            session: if session {
                vec![Named {
                    id: "session",
                    policy: &s3_only,
                }]
            } else {
                vec![]
            },
            ..Default::default()
        };
        assert_eq!(evaluate(&r_s3, &set).outcome, Outcome::Allowed);
        let d = evaluate(&r_iam, &set);
        assert_eq!(d.outcome, Outcome::ImplicitDeny);
        let words = if boundary {
            "no permissions boundary allows"
        } else {
            "no session policy allows"
        };
        assert!(d.reason_text(&r_iam, &set).contains(words));
    }
    // A boundary grants nothing on its own.
    let set = PolicySet {
        boundary: Some(Named {
            id: "b",
            policy: &all,
        }),
        ..Default::default()
    };
    assert_eq!(evaluate(&r_s3, &set).outcome, Outcome::ImplicitDeny);
}

fn trust(principal: &str) -> Policy {
    policy(
        PolicyKind::Trust,
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}]}}"#
        ),
    )
}

#[test]
fn role_trust_policies() {
    let role = "arn:aws:iam::123456789012:role/deploy";
    let r = request("ann", "sts:AssumeRole", role);
    let assume = allow(r#""Action":"sts:AssumeRole","Resource":"*""#);
    let check = |trust: &Policy, identity: Option<&Policy>| {
        let set = PolicySet {
            identity: identity
                .map(|p| Named { id: "id", policy: p })
                .into_iter()
                .collect(),
            resource: vec![Named {
                id: role,
                policy: trust,
            }],
            resource_must_allow: true,
            ..Default::default()
        };
        evaluate(&r, &set).outcome
    };
    // Naming the user: enough on its own in the same account.
    let named = trust(r#"{"AWS":"arn:aws:iam::123456789012:user/ann"}"#);
    assert_eq!(check(&named, None), Outcome::Allowed);
    // Naming the account delegates to the user's own policies.
    let account = trust(r#"{"AWS":"123456789012"}"#);
    assert_eq!(check(&account, None), Outcome::ImplicitDeny);
    assert_eq!(check(&account, Some(&assume)), Outcome::Allowed);
    // Naming someone else: no identity policy can make up for it.
    let other = trust(r#"{"AWS":"arn:aws:iam::123456789012:user/bob"}"#);
    assert_eq!(check(&other, Some(&assume)), Outcome::ImplicitDeny);
    let service = trust(r#"{"Service":"ec2.amazonaws.com"}"#);
    assert_eq!(check(&service, Some(&assume)), Outcome::ImplicitDeny);
    let everyone_but_bob = policy(
        PolicyKind::Trust,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"sts:AssumeRole"}]}"#,
    );
    assert_eq!(check(&everyone_but_bob, None), Outcome::Allowed);
}

#[test]
fn a_federated_caller_is_reached_only_by_its_provider() {
    let role = "arn:aws:iam::123456789012:role/web";
    let provider = "arn:aws:iam::123456789012:oidc-provider/idp.example.com";
    let mut principal = Principal::new(PrincipalKind::WebIdentity, provider, "123456789012");
    principal.federated = Some(provider.to_owned());
    let r =
        Request::new(principal, "sts:AssumeRoleWithWebIdentity", role).with_globals(&GlobalFacts::default());
    let check = |principal: &str| {
        let trust = policy(
            PolicyKind::Trust,
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"sts:*"}}]}}"#
            ),
        );
        let set = PolicySet {
            resource: vec![Named {
                id: role,
                policy: &trust,
            }],
            resource_owner: Some("123456789012"),
            resource_must_allow: true,
            ..Default::default()
        };
        evaluate(&r, &set).outcome
    };
    assert_eq!(
        check(&format!(r#"{{"Federated":"{provider}"}}"#)),
        Outcome::Allowed
    );
    assert_eq!(
        check(r#"{"Federated":"arn:aws:iam::123456789012:oidc-provider/other.example.com"}"#),
        Outcome::ImplicitDeny
    );
    // Someone a provider vouches for is no principal of the role's account, nor "anyone".
    assert_eq!(check(r#""*""#), Outcome::ImplicitDeny);
    assert_eq!(check(r#"{"AWS":"*"}"#), Outcome::ImplicitDeny);
    assert_eq!(check(r#"{"AWS":"123456789012"}"#), Outcome::ImplicitDeny);
    assert!(r.context.get("aws:principalaccount").is_none());
}

#[test]
fn cross_account_needs_both_sides() {
    let role = "arn:aws:iam::210987654321:role/audit";
    let r = request("ann", "sts:AssumeRole", role);
    let assume = allow(r#""Action":"sts:AssumeRole","Resource":"arn:aws:iam::210987654321:role/*""#);
    let trusts_account = trust(r#"{"AWS":"arn:aws:iam::123456789012:root"}"#);
    let trusts_other = trust(r#"{"AWS":"arn:aws:iam::999999999999:root"}"#);
    let check = |trust: &Policy, identity: Option<&Policy>| {
        let set = PolicySet {
            identity: identity
                .map(|p| Named { id: "id", policy: p })
                .into_iter()
                .collect(),
            resource: vec![Named {
                id: role,
                policy: trust,
            }],
            resource_owner: Some("210987654321"),
            resource_must_allow: true,
            ..Default::default()
        };
        evaluate(&r, &set).outcome
    };
    assert_eq!(check(&trusts_account, Some(&assume)), Outcome::Allowed);
    assert_eq!(check(&trusts_account, None), Outcome::ImplicitDeny);
    assert_eq!(check(&trusts_other, Some(&assume)), Outcome::ImplicitDeny);
}

#[test]
fn managed_policies_parse_and_grant_what_they_say() {
    for m in iam_core::policy::managed::all() {
        let parsed = parse_policy(m.document, PolicyKind::AwsManaged);
        assert!(
            parsed.diagnostics.is_empty(),
            "{}: {:?}",
            m.name,
            parsed.diagnostics
        );
        assert!(m.arn().starts_with("arn:aws:iam::aws:policy/"), "{}", m.arn());
    }
    let get = |name: &str| iam_core::policy::managed::find(name).unwrap().policy().unwrap();
    let admin = get("AdministratorAccess");
    let power = get("PowerUserAccess");
    let read = get("IAMReadOnlyAccess");
    let change = get("IAMUserChangePassword");
    let create = request("ann", "iam:CreateUser", "arn:aws:iam::123456789012:user/x");
    assert_eq!(decide(&[&admin], &create), Outcome::Allowed);
    assert_eq!(decide(&[&power], &create), Outcome::ImplicitDeny);
    assert_eq!(
        decide(&[&power], &request("ann", "ec2:RunInstances", "*")),
        Outcome::Allowed
    );
    assert_eq!(
        decide(&[&read], &request("ann", "iam:ListUsers", "*")),
        Outcome::Allowed
    );
    assert_eq!(decide(&[&read], &create), Outcome::ImplicitDeny);
    let own = request("ann", "iam:ChangePassword", "arn:aws:iam::123456789012:user/ann");
    let other = request("ann", "iam:ChangePassword", "arn:aws:iam::123456789012:user/bob");
    assert_eq!(decide(&[&change], &own), Outcome::Allowed);
    assert_eq!(decide(&[&change], &other), Outcome::ImplicitDeny);
    assert_eq!(
        iam_core::policy::managed::find("ViewOnlyAccess").unwrap().arn(),
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
    );
}
