//! Billing: the dashboard, cost imports, budgets, notifications and the account's billing
//! access setting.
// A form posts one argument per field; the client stub `#[server]` generates keeps them all.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use iam_core::billing::view::{
    BillingDashboard, BudgetDetail, BudgetStatus, ImportSummary, NotificationInfo,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "billing_dashboard")]
pub async fn get_billing_dashboard() -> Result<BillingDashboard, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::billing::dashboard(&ctx.pool, &who.caller()).await?)
}

/// Imports a Cost and Usage Report CSV (pasted or read from a file by the page).
#[server(endpoint = "import_costs")]
pub async fn import_costs(csv: String) -> Result<ImportSummary, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::billing::import_costs(&ctx.pool, &who.caller(), &csv).await?)
}

#[server(endpoint = "list_budgets")]
pub async fn list_budgets() -> Result<Vec<BudgetStatus>, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::billing::list_budgets(&ctx.pool, &who.caller()).await?)
}

#[server(endpoint = "get_budget")]
pub async fn get_budget(name: String) -> Result<BudgetDetail, AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    Ok(iam_service::ops::billing::get_budget(&ctx.pool, &who.caller(), &name).await?)
}

#[server(endpoint = "delete_budget")]
pub async fn delete_budget(name: String) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    iam_service::ops::billing::delete_budget(&ctx.pool, &who.caller(), &name).await?;
    leptos_axum::redirect("/billing/budgets");
    Ok(())
}

/// Creates a budget from the create page: a template (`zero-spend`, `monthly`) or a
/// customized budget with one alert. Redirects to the new budget.
#[server(endpoint = "create_budget")]
pub async fn create_budget(
    mode: String,
    name: String,
    amount: Option<String>,
    recipients: Option<String>,
    period: Option<String>,
    start: Option<String>,
    end: Option<String>,
    threshold: Option<String>,
    threshold_type: Option<String>,
    trigger: Option<String>,
) -> Result<(), AppError> {
    use iam_core::billing::budget::{self, Alert, ThresholdType, Trigger};
    use iam_core::billing::forecast::Period;
    use iam_core::billing::{Day, Micros};
    use iam_core::field::FieldErrors;
    let (ctx, who) = crate::ssr::caller().await?;
    let today = Day::from_unix(who.now.unix_timestamp());
    let mut errors = FieldErrors::default();
    let recipients: Vec<String> = recipients
        .unwrap_or_default()
        .split([',', '\n', ' '])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    let money = |field: &str, text: Option<String>| -> Result<Micros, String> {
        let text = text.unwrap_or_default();
        Micros::parse(&text).ok_or_else(|| format!("{field} must be an amount like 100.00; got `{text}`"))
    };
    let month = |text: Option<String>| -> Result<Option<Day>, String> {
        match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => Day::parse(&format!("{t}-01"))
                .map(Some)
                .ok_or_else(|| format!("`{t}` is not a month like 2026-11")),
        }
    };
    let name = name.trim().to_owned();
    let spec = match mode.as_str() {
        "zero-spend" => Some(budget::zero_spend(&name, today.month_start(), recipients)),
        "monthly" => errors
            .check("amount", money("the budgeted amount", amount))
            .map(|amount| budget::monthly_cost(&name, amount, today.month_start(), recipients)),
        "custom" => {
            let amount = errors.check("amount", money("the budgeted amount", amount));
            let period = errors.check(
                "period",
                Period::parse(period.as_deref().unwrap_or("")).ok_or("choose a period".to_owned()),
            );
            let start = errors
                .check("start", month(start))
                .flatten()
                .unwrap_or(today.month_start());
            let end = errors.check("end", month(end)).flatten();
            let threshold_type = if threshold_type.as_deref() == Some("absolute") {
                ThresholdType::Absolute
            } else {
                ThresholdType::Percentage
            };
            let threshold = errors.check("threshold", money("the alert threshold", threshold));
            let trigger = if trigger.as_deref() == Some("forecasted") {
                Trigger::Forecasted
            } else {
                Trigger::Actual
            };
            match (amount, period, threshold) {
                (Some(amount), Some(period), Some(threshold)) => Some(budget::BudgetSpec {
                    kind: budget::BudgetKind::Cost,
                    name,
                    amount,
                    period,
                    start,
                    end,
                    alerts: vec![Alert {
                        threshold,
                        threshold_type,
                        trigger,
                        recipients,
                    }],
                }),
                _ => None,
            }
        }
        other => {
            errors.check::<()>("mode", Err(format!("unknown kind of budget `{other}`")));
            None
        }
    };
    let Some(spec) = spec.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors.into_vec()));
    };
    iam_service::ops::billing::create_budget(&ctx.pool, &who.caller(), &spec).await?;
    leptos_axum::redirect(&format!(
        "/billing/budgets/view?name={}",
        crate::components::widgets::encode(&spec.name)
    ));
    Ok(())
}

/// The alert notifications, and whether their emails go out.
/// Creates a budget from the "Customize (advanced)" wizard; the server checks it again.
#[server(endpoint = "create_custom_budget", input = Json)]
pub async fn create_custom_budget(spec: iam_core::billing::budget::BudgetSpec) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    iam_service::ops::billing::create_budget(&ctx.pool, &who.caller(), &spec).await?;
    leptos_axum::redirect(&format!(
        "/billing/budgets/view?name={}",
        crate::components::widgets::encode(&spec.name)
    ));
    Ok(())
}

/// Saves an edited budget (everything but its name).
#[server(endpoint = "update_budget", input = Json)]
pub async fn update_budget(spec: iam_core::billing::budget::BudgetSpec) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    iam_service::ops::billing::update_budget(&ctx.pool, &who.caller(), &spec).await?;
    leptos_axum::redirect(&format!(
        "/billing/budgets/view?name={}",
        crate::components::widgets::encode(&spec.name)
    ));
    Ok(())
}

#[server(endpoint = "billing_notifications")]
pub async fn billing_notifications() -> Result<(Vec<NotificationInfo>, bool), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    let list = iam_service::ops::billing::list_notifications(&ctx.pool, &who.caller()).await?;
    Ok((list, ctx.settings.email_configured))
}

/// "IAM user and role access to Billing information": (on, may the caller change it).
#[server(endpoint = "billing_access")]
pub async fn billing_access() -> Result<(bool, bool), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    let on = iam_service::ops::billing::iam_billing_access(&ctx.pool, &who.caller()).await?;
    Ok((on, matches!(who.identity, iam_service::Identity::Root { .. })))
}

#[server(endpoint = "set_billing_access")]
pub async fn set_billing_access(on: String) -> Result<(), AppError> {
    let (ctx, who) = crate::ssr::caller().await?;
    iam_service::ops::billing::set_iam_billing_access(&ctx.pool, &who.caller(), on == "on").await?;
    Ok(())
}
