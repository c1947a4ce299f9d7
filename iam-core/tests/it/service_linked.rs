//! Service-linked roles: AWS's names, suffix rules and the trust policy only the service meets.

use iam_core::policy::{parse_policy, PolicyKind};
use iam_core::service_linked::{check_service_name, find};

#[test]
fn known_services_give_aws_names_paths_and_policies() {
    let autoscaling = find("autoscaling.amazonaws.com").expect("autoscaling has a linked role");
    assert_eq!(
        autoscaling.role_name_with(None).unwrap(),
        "AWSServiceRoleForAutoScaling"
    );
    assert_eq!(autoscaling.path(), "/aws-service-role/autoscaling.amazonaws.com/");
    assert_eq!(
        autoscaling.policy_arns(),
        ["arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"]
    );
    // Every policy a service names is shipped, parses, and is findable by its ARN.
    for arn in autoscaling.policy_arns() {
        let m = iam_core::policy::managed::find(&arn).expect("shipped");
        assert!(m.for_service_role(), "{arn}");
    }
    assert!(find("example.amazonaws.com").is_none());
}

#[test]
fn a_suffix_only_where_the_service_allows_one() {
    let autoscaling = find("autoscaling.amazonaws.com").unwrap();
    assert_eq!(
        autoscaling.role_name_with(Some("fleet")).unwrap(),
        "AWSServiceRoleForAutoScaling_fleet"
    );
    let too_long = "x".repeat(40);
    assert!(autoscaling.role_name_with(Some(&too_long)).is_err());
    assert!(autoscaling
        .role_name_with(Some("a b"))
        .unwrap_err()
        .message
        .contains("customSuffix"));
    let ecs = find("ecs.amazonaws.com").unwrap();
    assert_eq!(
        ecs.role_name_with(Some("x")).unwrap_err().message,
        "Custom suffix is not allowed for ecs.amazonaws.com"
    );
}

#[test]
fn service_names_follow_aws_rules() {
    assert!(check_service_name("ecs.amazonaws.com").is_ok());
    assert!(check_service_name("").is_err());
    assert!(check_service_name("ecs amazonaws")
        .unwrap_err()
        .message
        .contains("aWSServiceName"));
    assert!(check_service_name(&"a".repeat(129)).is_err());
}

#[test]
fn the_trust_policy_names_only_the_service() {
    let ecs = find("ecs.amazonaws.com").unwrap();
    let parsed = parse_policy(&ecs.trust_policy(), PolicyKind::Trust);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert!(ecs.trust_policy().contains(r#""Service":"ecs.amazonaws.com""#));
}
