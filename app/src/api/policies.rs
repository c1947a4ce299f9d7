//! Policies, the policy simulator, the dashboard's summary and the event history.

use crate::error::AppError;
use iam_core::model::{AccountSummary, AuditEntry, Page, PolicyDetail, PolicySummary};
use iam_core::policy::Explanation;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

#[server(endpoint = "list_policies")]
pub async fn list_policies(
    filter: String,
    search: String,
    page: i64,
) -> Result<Page<PolicySummary>, AppError> {
    use iam_service::ops::policies::PolicyFilter;
    let (ctx, who) = crate::ssr::caller().await?;
    let size = super::iam::PAGE_SIZE;
    Ok(iam_service::ops::policies::list_policies(
        &ctx.pool,
        &who.caller(),
        &PolicyFilter {
            types: iam_core::model::PolicyType::parse(&filter).into_iter().collect(),
            search,
            ..PolicyFilter::default()
        },
        (page.max(1) - 1) * size,
        size,
    )
    .await?)
}

/// Every policy's name and ARN, for the pickers that attach policies.
#[server(endpoint = "policy_choices")]
pub async fn policy_choices() -> Result<Vec<(String, String, String)>, AppError> {
    use iam_service::ops::policies::PolicyFilter;
    let (ctx, who) = crate::ssr::caller().await?;
    let page = iam_service::ops::policies::list_policies(
        &ctx.pool,
        &who.caller(),
        &PolicyFilter::default(),
        0,
        1000,
    )
    .await?;
    // A service-linked role's policies go on no one else's (AWS's PolicyNotAttachable).
    Ok(page
        .items
        .into_iter()
        .filter(|p| !p.path.starts_with(iam_core::service_linked::PATH_PREFIX))
        .map(|p| (p.policy_name, p.arn, p.policy_type.label().to_owned()))
        .collect())
}

#[server(endpoint = "get_policy")]
pub async fn get_policy(arn: String) -> Result<PolicyDetail, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::policies::get_policy(&ctx.pool, &who.caller(), &arn).await?)
}

#[server(endpoint = "create_policy")]
pub async fn create_policy(
    policy_name: String,
    description: String,
    document: String,
) -> Result<PolicySummary, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::policies::create_policy(
        &ctx.pool,
        &who.caller(),
        policy_name.trim(),
        "/",
        description.trim(),
        &document,
    )
    .await?)
}

#[server(endpoint = "create_policy_version")]
pub async fn create_policy_version(
    arn: String,
    document: String,
    set_default: Option<String>,
) -> Result<String, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::policies::create_version(
        &ctx.pool,
        &who.caller(),
        &arn,
        &document,
        set_default.is_some(),
    )
    .await?)
}

#[server(endpoint = "set_default_policy_version")]
pub async fn set_default_policy_version(arn: String, version_id: String) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::policies::set_default_version(&ctx.pool, &who.caller(), &arn, &version_id).await?)
}

#[server(endpoint = "delete_policy_version")]
pub async fn delete_policy_version(arn: String, version_id: String) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::policies::delete_version(&ctx.pool, &who.caller(), &arn, &version_id).await?)
}

#[server(endpoint = "delete_policy")]
pub async fn delete_policy(arn: String, confirm: String) -> Result<(), AppError> {
    let name = arn.rsplit('/').next().unwrap_or_default().to_owned();
    if confirm.trim() != name {
        return Err(AppError::Invalid(vec![iam_core::field::FieldError::new(
            "confirm",
            format!("type `{name}` to confirm"),
        )]));
    }
    let (ctx, who) = crate::ssr::caller().await?;
    iam_service::ops::policies::delete_policy(&ctx.pool, &who.caller(), &arn, true).await?;
    leptos_axum::redirect("/policies");
    Ok(())
}

#[server(endpoint = "account_summary")]
pub async fn get_account_summary() -> Result<AccountSummary, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::summary::account_summary(&ctx.pool, &who.caller()).await?)
}

/// Event history; times are `YYYY-MM-DDTHH:MM` in UTC as a datetime-local input sends them.
#[server(endpoint = "lookup_events")]
pub async fn lookup_events(
    actor: String,
    action: String,
    from: String,
    to: String,
    before_id: Option<i64>,
) -> Result<Vec<AuditEntry>, AppError> {
    use iam_service::ops::history::HistoryFilter;
    let (ctx, who) = crate::ssr::caller().await?;
    let parse = |field: &str, text: &str| -> Result<Option<time::OffsetDateTime>, AppError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
        time::PrimitiveDateTime::parse(text.trim(), &format)
            .map(|t| Some(t.assume_utc()))
            .map_err(|_| {
                AppError::Invalid(vec![iam_core::field::FieldError::new(
                    field,
                    format!("`{text}` is not a date and time like 2026-11-29T14:30"),
                )])
            })
    };
    let filter = HistoryFilter {
        actor,
        action,
        from: parse("from", &from)?,
        to: parse("to", &to)?,
        before_id,
        limit: 50,
    };
    Ok(iam_service::ops::history::lookup_events(&ctx.pool, &who.caller(), &filter).await?)
}

/// What the simulator page sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulationInput {
    /// `user`, `group` or `custom`.
    pub subject: String,
    pub name: String,
    pub policies: Vec<String>,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    /// `key=value` lines.
    pub context: Vec<String>,
    /// The `marker` of the page before, to continue the same simulation.
    #[serde(default)]
    pub marker: Option<String>,
}

/// One page of the simulator's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationResults {
    pub results: Vec<Explanation>,
    /// Where `results` start among all of them: 0 for a new simulation.
    pub start: usize,
    /// Results over all pages.
    pub total: usize,
    /// Asks for the next page; `None` on the last.
    pub marker: Option<String>,
}

#[server(endpoint = "simulate", input = Json)]
pub async fn simulate(input: SimulationInput) -> Result<SimulationResults, AppError> {
    use iam_service::ops::simulate::{Paging, Scenario, Subject};
    let (ctx, who) = crate::ssr::caller().await?;
    let subject = match input.subject.as_str() {
        "user" => Subject::User(input.name.trim().to_owned()),
        "group" => Subject::Group(input.name.trim().to_owned()),
        _ => Subject::Custom(input.policies),
    };
    let mut context = Vec::new();
    for line in input.context.iter().filter(|l| !l.trim().is_empty()) {
        match line.split_once('=') {
            Some((key, value)) => context.push((key.trim().to_owned(), value.trim().to_owned())),
            None => {
                return Err(AppError::Invalid(vec![iam_core::field::FieldError::new(
                    "context",
                    format!("`{line}` is not key=value"),
                )]))
            }
        }
    }
    let clean = |v: Vec<String>| {
        v.into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let scenario = Scenario {
        actions: clean(input.actions),
        resources: clean(input.resources),
        context,
    };
    if scenario.actions.is_empty() {
        return Err(AppError::Invalid(vec![iam_core::field::FieldError::new(
            "actions",
            "name at least one action, e.g. iam:CreateUser",
        )]));
    }
    // One page per call, as the API: the page offers the next one.
    let paging = Paging {
        marker: input.marker,
        ..Paging::default()
    };
    let page =
        iam_service::ops::simulate::simulate(&ctx.pool, &who.caller(), &subject, &scenario, &paging).await?;
    Ok(SimulationResults {
        results: page.results,
        start: page.start,
        total: page.total,
        marker: page.marker,
    })
}
