//! Any text, every policy kind: parsing never panics; a policy that parses prints to text
//! that parses to the same policy; evaluating it never panics.
#![no_main]

use iam_core::policy::print::print_policy;
use iam_core::policy::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for kind in [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Trust] {
        let parsed = parse_policy(text, kind);
        let Some(policy) = parsed.policy else { continue };
        let printed = print_policy(&policy);
        let again = parse_policy(&printed, kind).policy.expect("a printed policy parses");
        assert_eq!(print_policy(&again), printed, "printing is stable");

        let facts = GlobalFacts { now: 1_796_000_000, user_name: Some("ann".into()), ..Default::default() };
        let principal = Principal::new(PrincipalKind::User, "arn:aws:iam::123456789012:user/ann", "123456789012");
        let request = Request::new(principal, "s3:GetObject", "arn:aws:s3:::bucket/key").with_globals(&facts);
        let set = if kind == PolicyKind::Identity {
            PolicySet { identity: vec![Named { id: "p", policy: &policy }], ..Default::default() }
        } else {
            PolicySet { resource: vec![Named { id: "p", policy: &policy }], ..Default::default() }
        };
        let decision = evaluate(&request, &set);
        let _ = decision.explain(&request, &set);
    }
});
