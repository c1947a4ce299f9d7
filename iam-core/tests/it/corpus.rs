//! The golden corpus: each file in tests/corpus holds policies, a request and the expected
//! decision with the statements that matched.

use iam_core::policy::*;
use serde_json::Value;
use std::path::Path;

struct Case {
    name: String,
    json: Value,
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .flat_map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let json: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let list = match json {
                Value::Array(items) => items,
                one => vec![one],
            };
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            list.into_iter().map(move |json| Case {
                name: format!("{stem}: {}", json["name"].as_str().unwrap_or("?")),
                json,
            })
        })
        .collect()
}

fn group_policies(json: &Value, group: &str, kind: PolicyKind) -> Vec<(String, Policy)> {
    let Some(list) = json["policies"][group].as_array() else {
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .map(|(i, p)| {
            let id = p["id"]
                .as_str()
                .map_or_else(|| format!("{group}{i}"), str::to_owned);
            let text = serde_json::to_string_pretty(&p["document"]).unwrap();
            let parsed = parse_policy(&text, kind);
            let policy = parsed
                .policy
                .unwrap_or_else(|| panic!("{id}: {:?}", parsed.diagnostics));
            (id, policy)
        })
        .collect()
}

fn named(list: &[(String, Policy)]) -> Vec<Named<'_>> {
    list.iter().map(|(id, policy)| Named { id, policy }).collect()
}

fn principal(json: &Value) -> Principal {
    let kind = match json["kind"].as_str().unwrap_or("User") {
        "User" => PrincipalKind::User,
        "AssumedRole" => PrincipalKind::AssumedRole,
        "Root" => PrincipalKind::Root,
        "Service" => PrincipalKind::Service,
        "FederatedUser" => PrincipalKind::FederatedUser,
        other => panic!("unknown principal kind {other}"),
    };
    let mut p = Principal::new(
        kind,
        json["arn"].as_str().unwrap(),
        json["account"].as_str().unwrap(),
    );
    p.role_arn = json["roleArn"].as_str().map(str::to_owned);
    p.service = json["service"].as_str().map(str::to_owned);
    p
}

#[test]
fn golden_corpus() {
    let cases = cases();
    assert!(cases.len() >= 10, "the corpus has {} cases", cases.len());
    for case in cases {
        let j = &case.json;
        let identity = group_policies(j, "identity", PolicyKind::Identity);
        let resource_kind = if j["policies"]["resourceKind"] == "trust" {
            PolicyKind::Trust
        } else {
            PolicyKind::Resource
        };
        let resource = group_policies(j, "resource", resource_kind);
        let boundary = group_policies(j, "boundary", PolicyKind::Boundary);
        let session = group_policies(j, "session", PolicyKind::Session);
        let set = PolicySet {
            identity: named(&identity),
            resource: named(&resource),
            boundary: named(&boundary).into_iter().next(),
            session: named(&session),
            resource_owner: j["resourceOwner"].as_str(),
            resource_must_allow: j["resourceMustAllow"].as_bool().unwrap_or(false),
        };
        let rq = &j["request"];
        let mut request = Request::new(
            principal(&rq["principal"]),
            rq["action"].as_str().unwrap(),
            rq["resource"].as_str().unwrap(),
        );
        if let Some(context) = rq["context"].as_object() {
            for (key, value) in context {
                match value {
                    Value::Array(items) => {
                        request.context.set_list(
                            key,
                            items.iter().map(|v| v.as_str().unwrap().to_owned()).collect(),
                        );
                    }
                    other => {
                        request.context.set(key, other.as_str().unwrap());
                    }
                }
            }
        }
        let decision = evaluate(&request, &set);
        let explanation = decision.explain(&request, &set);
        let expected = serde_json::to_value(explanation.decision).unwrap();
        assert_eq!(
            expected, j["expect"]["decision"],
            "{}: {}",
            case.name, explanation.reason
        );
        let matched: Vec<String> = explanation
            .matched_statements
            .iter()
            .map(|s| format!("{}#{}", s.policy, s.index))
            .collect();
        let want: Vec<String> = j["expect"]["matched"]
            .as_array()
            .map(|m| m.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default();
        assert_eq!(matched, want, "{}", case.name);
        if let Some(reason) = j["expect"]["reason"].as_str() {
            assert_eq!(explanation.reason, reason, "{}", case.name);
        }
    }
}
