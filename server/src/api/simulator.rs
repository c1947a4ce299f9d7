//! The policy simulator, one page of results per call.

use super::lists::max_items;
use super::registry::Cx;
use super::xml::el;
use super::xml::ApiError;
use super::Params;
use iam_core::policy::Explanation;
use iam_core::policy::Outcome;
use iam_service::ops::simulate;
use iam_service::ops::simulate::Paging;
use iam_service::ops::simulate::Scenario;
use iam_service::ops::simulate::Subject;
use iam_service::Caller;

super::registry::actions! {
    "SimulatePrincipalPolicy" => simulate,
    "SimulateCustomPolicy" => simulate,
}

pub(super) fn evaluation_xml(e: &Explanation) -> String {
    let decision = match e.decision {
        Outcome::Allowed => "allowed",
        Outcome::ExplicitDeny => "explicitDeny",
        Outcome::ImplicitDeny => "implicitDeny",
    };
    let matched: String = e
        .matched_statements
        .iter()
        .map(|s| {
            format!(
                "<member>{}{}</member>",
                el("SourcePolicyId", &s.policy),
                el("SourcePolicyType", "IAM Policy")
            )
        })
        .collect();
    format!(
        "<member>{}{}{}<MatchedStatements>{matched}</MatchedStatements><MissingContextValues/></member>",
        el("EvalActionName", &e.action),
        el("EvalResourceName", &e.resource),
        el("EvalDecision", decision)
    )
}

/// One page of a simulation: AWS's MaxItems and Marker in, IsTruncated and Marker out.
pub(super) async fn simulation(
    pool: &sqlx::PgPool,
    caller: &Caller<'_>,
    action: &str,
    params: &Params,
) -> Result<String, ApiError> {
    let subject = if action == "SimulateCustomPolicy" {
        Subject::Custom(params.members("PolicyInputList"))
    } else {
        let arn = params.required("PolicySourceArn")?;
        let name = arn.rsplit('/').next().unwrap_or(arn).to_owned();
        if arn.contains(":group/") {
            Subject::Group(name)
        } else if arn.contains(":role/") {
            Subject::Role(name)
        } else {
            Subject::User(name)
        }
    };
    let context = (1..)
        .map_while(|i| {
            let key = params.get(&format!("ContextEntries.member.{i}.ContextKeyName"))?;
            let value = params
                .get(&format!("ContextEntries.member.{i}.ContextKeyValues.member.1"))
                .unwrap_or("");
            Some((key.to_owned(), value.to_owned()))
        })
        .collect();
    let scenario = Scenario {
        actions: params.members("ActionNames"),
        resources: params.members("ResourceArns"),
        context,
    };
    let paging = Paging {
        marker: params.get("Marker").map(str::to_owned),
        max_items: usize::try_from(max_items(params)?).unwrap_or(simulate::DEFAULT_ITEMS),
    };
    let page = simulate::simulate(pool, caller, &subject, &scenario, &paging).await?;
    let results: String = page.results.iter().map(evaluation_xml).collect();
    let more = match &page.marker {
        Some(marker) => format!("<IsTruncated>true</IsTruncated>{}", el("Marker", marker)),
        None => "<IsTruncated>false</IsTruncated>".to_owned(),
    };
    Ok(format!("<EvaluationResults>{results}</EvaluationResults>{more}"))
}

/// `SimulatePrincipalPolicy` / `SimulateCustomPolicy`.
async fn simulate(cx: &Cx<'_>) -> Result<String, ApiError> {
    let pool = cx.pool();
    let caller = cx.caller;
    let params = cx.params;
    let action = cx.action;
    simulation(pool, caller, action, params).await
}
