//! The AWS Budgets API (JSON 1.1 protocol, `X-Amz-Target: AWSBudgetServiceGateway.*`, SigV4
//! service `budgets`): budgets and their notifications and subscribers, answered by the same
//! iam-service operations as the console's budget pages.

use super::xml::ApiError;
use crate::state::AppState;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use iam_core::billing::budget::{Alert, BudgetKind, BudgetSpec, ThresholdType, Trigger};
use iam_core::billing::forecast::Period;
use iam_core::billing::view::BudgetStatus;
use iam_core::billing::{Day, Micros};
use iam_service::ops::billing;
use iam_service::{Caller, ServiceError};
use serde_json::{json, Value};

pub const TARGET_PREFIX: &str = "AWSBudgetServiceGateway.";
/// This console's own billing operations (SigV4 service `billing`): cost report imports.
pub const BILLING_TARGET_PREFIX: &str = "IamConsoleBilling.";

/// A Budgets error: AWS's exception name and message.
pub struct BudgetsError {
    status: StatusCode,
    kind: &'static str,
    message: String,
}

fn invalid(message: impl Into<String>) -> BudgetsError {
    BudgetsError {
        status: StatusCode::BAD_REQUEST,
        kind: "InvalidParameterException",
        message: message.into(),
    }
}

impl From<ServiceError> for BudgetsError {
    fn from(error: ServiceError) -> Self {
        let (status, kind, message) = match error {
            ServiceError::AccessDenied(m) => (StatusCode::BAD_REQUEST, "AccessDeniedException", m),
            ServiceError::NoSuchEntity(m) => (StatusCode::BAD_REQUEST, "NotFoundException", m),
            ServiceError::AlreadyExists(m) => (StatusCode::BAD_REQUEST, "DuplicateRecordException", m),
            ServiceError::LimitExceeded(m) => (StatusCode::BAD_REQUEST, "CreationLimitExceededException", m),
            ServiceError::Invalid(errors) => (
                StatusCode::BAD_REQUEST,
                "InvalidParameterException",
                errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => {
                let api = ApiError::from(other);
                return BudgetsError {
                    status: api.status,
                    kind: api.code,
                    message: api.message,
                };
            }
        };
        BudgetsError {
            status,
            kind,
            message,
        }
    }
}

impl From<ApiError> for BudgetsError {
    fn from(error: ApiError) -> Self {
        BudgetsError {
            status: error.status,
            kind: error.code,
            message: error.message,
        }
    }
}

/// The JSON answer, or AWS's JSON error with the request ID.
pub fn respond(result: Result<Value, BudgetsError>, request_id: &str) -> Response {
    let (status, body) = match result {
        Ok(value) => (StatusCode::OK, value),
        Err(e) => (e.status, json!({ "__type": e.kind, "Message": e.message })),
    };
    (
        status,
        [
            (header::CONTENT_TYPE, "application/x-amz-json-1.1".to_owned()),
            (
                header::HeaderName::from_static("x-amzn-requestid"),
                request_id.to_owned(),
            ),
        ],
        body.to_string(),
    )
        .into_response()
}

fn text<'a>(value: &'a Value, field: &str) -> Result<&'a str, BudgetsError> {
    value
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| invalid(format!("{field} is required")))
}

fn amount(spend: &Value, field: &str) -> Result<Micros, BudgetsError> {
    let limit = spend
        .get(field)
        .ok_or_else(|| invalid(format!("{field} is required")))?;
    // Cost budgets are in USD; a usage budget's unit is its usage type's.
    let raw = text(limit, "Amount")?;
    Micros::parse(raw).ok_or_else(|| invalid(format!("amount `{raw}` is not a number")))
}

fn day_of(value: Option<&Value>) -> Option<Day> {
    value.and_then(Value::as_f64).map(|s| Day::from_unix(s as i64))
}

fn budget_spec(budget: &Value, alerts: Vec<Alert>, today: Day) -> Result<BudgetSpec, BudgetsError> {
    let kind = match budget.get("BudgetType").and_then(Value::as_str) {
        None | Some("COST") => BudgetKind::Cost,
        // A usage budget names its one usage type in CostFilters, as AWS's do.
        Some("USAGE") => {
            let types: Vec<&str> = budget
                .pointer("/CostFilters/UsageType")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match types.as_slice() {
                [one] => BudgetKind::Usage {
                    usage_type: (*one).to_owned(),
                },
                _ => {
                    return Err(invalid(
                        "a USAGE budget needs CostFilters with exactly one UsageType",
                    ))
                }
            }
        }
        Some(other) => {
            return Err(invalid(format!(
                "budget type `{other}` is not supported; use COST or USAGE"
            )))
        }
    };
    let period_text = text(budget, "TimeUnit")?;
    let period = Period::parse(period_text).ok_or_else(|| {
        invalid(format!(
            "time unit `{period_text}` is not one of DAILY, MONTHLY, QUARTERLY, ANNUALLY"
        ))
    })?;
    let window = budget.get("TimePeriod");
    let start = day_of(window.and_then(|w| w.get("Start")))
        .unwrap_or(today)
        .month_start();
    // AWS writes a far-future end (2087) for budgets that do not expire.
    let end = day_of(window.and_then(|w| w.get("End"))).filter(|e| e.ymd().0 < 2080);
    Ok(BudgetSpec {
        kind,
        name: text(budget, "BudgetName")?.to_owned(),
        amount: amount(budget, "BudgetLimit")?,
        period,
        start,
        end,
        alerts,
    })
}

fn notification(value: &Value) -> Result<Alert, BudgetsError> {
    let trigger = match text(value, "NotificationType")? {
        "ACTUAL" => Trigger::Actual,
        "FORECASTED" => Trigger::Forecasted,
        other => {
            return Err(invalid(format!(
                "notification type `{other}` is not ACTUAL or FORECASTED"
            )))
        }
    };
    match value.get("ComparisonOperator").and_then(Value::as_str) {
        None | Some("GREATER_THAN") => {}
        Some(other) => {
            return Err(invalid(format!(
                "comparison `{other}` is not supported; use GREATER_THAN"
            )))
        }
    }
    let threshold_type = match value.get("ThresholdType").and_then(Value::as_str) {
        None | Some("PERCENTAGE") => ThresholdType::Percentage,
        Some("ABSOLUTE_VALUE") => ThresholdType::Absolute,
        Some(other) => {
            return Err(invalid(format!(
                "threshold type `{other}` is not PERCENTAGE or ABSOLUTE_VALUE"
            )))
        }
    };
    let threshold = value
        .get("Threshold")
        .and_then(Value::as_f64)
        .ok_or_else(|| invalid("Threshold is required"))?;
    Ok(Alert {
        threshold: Micros((threshold * 1e6).round() as i64),
        threshold_type,
        trigger,
        recipients: Vec::new(),
    })
}

fn subscribers(list: Option<&Value>) -> Result<Vec<String>, BudgetsError> {
    list.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|s| match s.get("SubscriptionType").and_then(Value::as_str) {
                    Some("EMAIL") => Ok(text(s, "Address")?.to_owned()),
                    other => Err(invalid(format!(
                        "subscription type `{}` is not supported; use EMAIL",
                        other.unwrap_or("")
                    ))),
                })
                .collect()
        })
        .unwrap_or_else(|| Ok(Vec::new()))
}

fn same_notification(a: &Alert, b: &Alert) -> bool {
    a.threshold == b.threshold && a.threshold_type == b.threshold_type && a.trigger == b.trigger
}

/// AWS writes amounts like `200.0` and `12.34`.
fn money(m: Micros) -> Value {
    let dollars = m.dollars();
    let amount = if dollars.fract() == 0.0 {
        format!("{dollars:.1}")
    } else {
        format!("{dollars}")
    };
    json!({ "Amount": amount, "Unit": "USD" })
}

fn epoch(day: Day) -> i64 {
    i64::from(day.0) * 86_400
}

fn budget_json(b: &BudgetStatus) -> Value {
    let mut period = json!({ "Start": epoch(b.spec.start) });
    if let Some(end) = b.spec.end {
        period["End"] = json!(epoch(end));
    }
    let mut out = json!({
        "BudgetName": b.spec.name,
        "BudgetLimit": money(b.spec.amount),
        "TimeUnit": b.spec.period.as_str(),
        "TimePeriod": period,
        "BudgetType": "COST",
        "CalculatedSpend": { "ActualSpend": money(b.actual), "ForecastedSpend": money(b.forecast) },
    });
    // A usage budget: its usage type filters it and is the unit of its amounts.
    if let BudgetKind::Usage { usage_type } = &b.spec.kind {
        out["BudgetType"] = json!("USAGE");
        out["CostFilters"] = json!({ "UsageType": [usage_type] });
        out["BudgetLimit"]["Unit"] = json!(usage_type);
        out["CalculatedSpend"]["ActualSpend"]["Unit"] = json!(usage_type);
        out["CalculatedSpend"]["ForecastedSpend"]["Unit"] = json!(usage_type);
    }
    out
}

fn notification_json(a: &Alert) -> Value {
    json!({
        "NotificationType": if a.trigger == Trigger::Forecasted { "FORECASTED" } else { "ACTUAL" },
        "ComparisonOperator": "GREATER_THAN",
        "Threshold": a.threshold.0 as f64 / 1e6,
        "ThresholdType": if a.threshold_type == ThresholdType::Absolute { "ABSOLUTE_VALUE" } else { "PERCENTAGE" },
    })
}

async fn spec_of(state: &AppState, caller: &Caller<'_>, name: &str) -> Result<BudgetSpec, BudgetsError> {
    Ok(billing::get_budget(&state.ctx.pool, caller, name)
        .await?
        .status
        .spec)
}

/// The request's JSON, when it names the caller's own account (`what` it was after, for the
/// refusal).
fn own_account_input(caller: &Caller<'_>, body: &[u8], what: &str) -> Result<Value, BudgetsError> {
    let input: Value =
        serde_json::from_slice(if body.is_empty() { b"{}" } else { body }).map_err(|e| BudgetsError {
            status: StatusCode::BAD_REQUEST,
            kind: "SerializationException",
            message: format!("the request body is not JSON: {e}"),
        })?;
    let account = text(&input, "AccountId")?;
    if account != caller.account() {
        return Err(BudgetsError {
            status: StatusCode::BAD_REQUEST,
            kind: "AccessDeniedException",
            message: format!(
                "{} is not authorized to access {what} of account {account}",
                caller.identity.arn()
            ),
        });
    }
    Ok(input)
}

fn unknown_operation(operation: &str) -> BudgetsError {
    BudgetsError {
        status: StatusCode::BAD_REQUEST,
        kind: "UnknownOperationException",
        message: format!("operation `{operation}` is not supported"),
    }
}

/// Runs one Budgets operation for `caller`, whose account must be the one named.
pub async fn dispatch(
    state: &AppState,
    caller: &Caller<'_>,
    operation: &str,
    body: &[u8],
) -> Result<Value, BudgetsError> {
    let input = own_account_input(caller, body, "budgets")?;
    let pool = &state.ctx.pool;
    let today = Day::from_unix(caller.now.unix_timestamp());
    match operation {
        "CreateBudget" => {
            let mut alerts = Vec::new();
            for item in input
                .get("NotificationsWithSubscribers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let mut alert = notification(item.get("Notification").unwrap_or(&Value::Null))?;
                alert.recipients = subscribers(item.get("Subscribers"))?;
                alerts.push(alert);
            }
            let spec = budget_spec(input.get("Budget").unwrap_or(&Value::Null), alerts, today)?;
            billing::create_budget(pool, caller, &spec).await?;
            Ok(json!({}))
        }
        "UpdateBudget" => {
            let new = input.get("NewBudget").unwrap_or(&Value::Null);
            let current = spec_of(state, caller, text(new, "BudgetName")?).await?;
            let spec = budget_spec(new, current.alerts, today)?;
            billing::update_budget(pool, caller, &spec).await?;
            Ok(json!({}))
        }
        "DescribeBudget" => {
            let detail = billing::get_budget(pool, caller, text(&input, "BudgetName")?).await?;
            Ok(json!({ "Budget": budget_json(&detail.status) }))
        }
        "DescribeBudgets" => {
            let all = billing::list_budgets(pool, caller).await?;
            let size = input
                .get("MaxResults")
                .and_then(Value::as_u64)
                .unwrap_or(100)
                .clamp(1, 100) as usize;
            let from = match input.get("NextToken").and_then(Value::as_str) {
                Some(token) => token.parse::<usize>().map_err(|_| BudgetsError {
                    status: StatusCode::BAD_REQUEST,
                    kind: "InvalidNextTokenException",
                    message: format!("next token `{token}` is not valid"),
                })?,
                None => 0,
            };
            let page: Vec<Value> = all.iter().skip(from).take(size).map(budget_json).collect();
            let mut out = json!({ "Budgets": page });
            if from + size < all.len() {
                out["NextToken"] = json!((from + size).to_string());
            }
            Ok(out)
        }
        "DeleteBudget" => {
            billing::delete_budget(pool, caller, text(&input, "BudgetName")?).await?;
            Ok(json!({}))
        }
        "CreateNotification" => {
            let mut spec = spec_of(state, caller, text(&input, "BudgetName")?).await?;
            let mut alert = notification(input.get("Notification").unwrap_or(&Value::Null))?;
            if spec.alerts.iter().any(|a| same_notification(a, &alert)) {
                return Err(
                    ServiceError::AlreadyExists("the budget already has this notification".into()).into(),
                );
            }
            alert.recipients = subscribers(input.get("Subscribers"))?;
            spec.alerts.push(alert);
            billing::update_budget(pool, caller, &spec).await?;
            Ok(json!({}))
        }
        "CreateSubscriber" | "DeleteNotification" => {
            let mut spec = spec_of(state, caller, text(&input, "BudgetName")?).await?;
            let wanted = notification(input.get("Notification").unwrap_or(&Value::Null))?;
            let index = spec
                .alerts
                .iter()
                .position(|a| same_notification(a, &wanted))
                .ok_or_else(|| {
                    BudgetsError::from(ServiceError::NoSuchEntity(
                        "the budget has no such notification".into(),
                    ))
                })?;
            if operation == "DeleteNotification" {
                spec.alerts.remove(index);
            } else {
                let address = subscribers(input.get("Subscriber").map(|s| json!([s])).as_ref())?;
                let recipients = &mut spec.alerts[index].recipients;
                if address.iter().any(|a| recipients.contains(a)) {
                    return Err(ServiceError::AlreadyExists(
                        "the notification already has this subscriber".into(),
                    )
                    .into());
                }
                recipients.extend(address);
            }
            billing::update_budget(pool, caller, &spec).await?;
            Ok(json!({}))
        }
        "DescribeNotificationsForBudget" => {
            let spec = spec_of(state, caller, text(&input, "BudgetName")?).await?;
            Ok(json!({ "Notifications": spec.alerts.iter().map(notification_json).collect::<Vec<_>>() }))
        }
        "DescribeSubscribersForNotification" => {
            let spec = spec_of(state, caller, text(&input, "BudgetName")?).await?;
            let wanted = notification(input.get("Notification").unwrap_or(&Value::Null))?;
            let alert = spec
                .alerts
                .iter()
                .find(|a| same_notification(a, &wanted))
                .ok_or_else(|| {
                    BudgetsError::from(ServiceError::NoSuchEntity(
                        "the budget has no such notification".into(),
                    ))
                })?;
            Ok(
                json!({ "Subscribers": alert.recipients.iter().map(|r| json!({ "SubscriptionType": "EMAIL", "Address": r })).collect::<Vec<_>>() }),
            )
        }
        other => Err(unknown_operation(other)),
    }
}

/// This console's billing operations: `ImportCostAndUsageReport` with `AccountId` and the
/// report's CSV text as `Report`; a bad line imports nothing and names itself.
pub async fn dispatch_billing(
    state: &AppState,
    caller: &Caller<'_>,
    operation: &str,
    body: &[u8],
) -> Result<Value, BudgetsError> {
    let input = own_account_input(caller, body, "costs")?;
    match operation {
        "ImportCostAndUsageReport" => {
            let summary = billing::import_costs(&state.ctx.pool, caller, text(&input, "Report")?).await?;
            Ok(json!({
                "Lines": summary.lines,
                "Days": summary.days,
                "Services": summary.services,
                "Total": money(summary.total),
                "Notifications": summary.notifications,
            }))
        }
        other => Err(unknown_operation(other)),
    }
}
