//! The billing dashboard (spend, forecast, services, the chart), importing a Cost and Usage
//! Report, and the alert notifications.

use crate::api::billing::{billing_notifications, get_billing_dashboard, ImportCosts};
use crate::components::cost_chart::CostChart;
use crate::components::form::FormAlert;
use crate::components::widgets::{when, Breadcrumbs, ErrorView};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn BillingDashboardPage() -> impl IntoView {
    let import = ServerAction::<ImportCosts>::new();
    let csv = RwSignal::new(String::new());
    let dashboard = Resource::new(move || import.version().get(), |_| get_billing_dashboard());
    let errors = Signal::derive(move || import.value().get().and_then(Result::err));
    let file_messages = move || errors.get().map(|e| e.field_messages("file")).unwrap_or_default();
    view! {
        <Title text="Billing dashboard" />
        <Breadcrumbs items=vec![("", "Billing".into()), ("", "Billing dashboard".into())] />
        <h1>"Billing dashboard"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading costs…"</p> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(d) => {
                        let (y, m, _) = d.today.ymd();
                        view! {
                            <div class="cards" data-testid="billing-summary">
                                <section class="panel card">
                                    <h2>"Month-to-date cost"</h2>
                                    <p class="figure" data-testid="month-to-date">{d.month_to_date.display()}</p>
                                    <p class="field-hint">{format!("{y:04}-{m:02}, through {}", d.today.iso())}</p>
                                </section>
                                <section class="panel card">
                                    <h2>"Forecasted month-end cost"</h2>
                                    <p class="figure" data-testid="forecast">{d.forecast.display()}</p>
                                    <p class="field-hint">{format!("Daily run rate: month to date ÷ {} days elapsed × {} days", d.cumulative.len(), d.days_in_month)}</p>
                                </section>
                                <section class="panel card">
                                    <h2>"Last month's cost"</h2>
                                    <p class="figure" data-testid="last-month">{d.last_month.display()}</p>
                                </section>
                            </div>
                            <section class="panel">
                                <h2>"Cumulative daily spend"</h2>
                                <CostChart dashboard=d.clone() />
                            </section>
                            <section class="panel">
                                <h2>"Month-to-date cost by service"</h2>
                                {if d.by_service.is_empty() {
                                    view! { <p class="empty">"No costs this month yet. Import a Cost and Usage Report below."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="by-service">
                                            <thead><tr><th>"Service"</th><th class="number">"Cost"</th></tr></thead>
                                            <tbody>{d.by_service.into_iter().map(|(service, cost)| view! {
                                                <tr><td>{service}</td><td class="number">{cost.display()}</td></tr>
                                            }).collect_view()}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel" aria-labelledby="import-heading">
            <h2 id="import-heading">"Import costs"</h2>
            <p>"Paste a Cost and Usage Report (CSV) with the columns lineItem/UsageStartDate, lineItem/ProductCode and lineItem/UnblendedCost. Costs of the days and services in the file replace what those days had; a file with any bad line imports nothing."</p>
            <FormAlert errors />
            {move || import.value().get().and_then(Result::ok).map(|s| view! {
                <div class="alert alert-success" role="status" data-testid="import-result">
                    {format!("Imported {} lines: {} days, {} services, {}.", s.lines, s.days, s.services, s.total.display())}
                    {(s.notifications > 0).then(|| view! { " " <a href="/billing/notifications">{format!("{} new budget alerts", s.notifications)}</a> })}
                </div>
            })}
            <ActionForm action=import>
                <div class="field">
                    <label for="field-csv-file">"Choose a CSV file"</label>
                    <p class="field-hint">"Its text goes into the box below, where you can check it before importing."</p>
                    <input id="field-csv-file" type="file" accept=".csv,text/csv" on:change=move |ev| read_file(ev, csv) />
                </div>
                <div class="field" class:field-invalid=move || !file_messages().is_empty()>
                    <label for="field-csv">"Cost and Usage Report (CSV)"</label>
                    <textarea id="field-csv" name="csv" rows="8" required=true spellcheck="false"
                        prop:value=move || csv.get() on:input=move |ev| csv.set(event_target_value(&ev))
                        aria-describedby="field-csv-messages"></textarea>
                    <ul class="field-messages" id="field-csv-messages" aria-live="polite">
                        {move || file_messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                    </ul>
                </div>
                <button type="submit" class="button button-primary" disabled=move || import.pending().get()>"Import"</button>
            </ActionForm>
        </section>
    }
}

/// Reads the chosen file's text into `csv` (in the browser; nothing is sent yet).
fn read_file(ev: leptos::ev::Event, csv: RwSignal<String>) {
    use wasm_bindgen::JsCast;
    let file = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0));
    if let Some(file) = file {
        leptos::task::spawn_local(async move {
            if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                csv.set(text.as_string().unwrap_or_default());
            }
        });
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| billing_notifications());
    view! {
        <Title text="Budget notifications" />
        <Breadcrumbs items=vec![("", "Billing".into()), ("/billing/budgets", "Budgets".into()), ("", "Notifications".into())] />
        <h1>"Budget notifications"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading notifications…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok((items, _)) if items.is_empty() => view! {
                        <p class="empty">"No alerts have fired. Alerts fire once per budget period when spend crosses their threshold."</p>
                    }.into_any(),
                    Ok((items, email)) => view! {
                        {(!email).then(|| view! {
                            <div class="alert alert-info" role="status">"Email delivery is not configured on this console (IAM_SMTP_RELAY): alert emails wait here and go out once it is."</div>
                        })}
                        <table class="table" data-testid="notifications">
                            <thead><tr><th>"Time"</th><th>"Budget"</th><th>"Alert"</th><th>"Email recipients"</th><th>"Delivery"</th></tr></thead>
                            <tbody>{items.into_iter().map(|n| view! {
                                <tr>
                                    <td>{when(n.created_at)}</td>
                                    <td><a href=format!("/billing/budgets/view?name={}", crate::components::widgets::encode(&n.budget_name))>{n.budget_name.clone()}</a></td>
                                    <td><strong>{n.subject}</strong><br />{n.body}</td>
                                    <td>{if n.recipients.is_empty() { "None".to_string() } else { n.recipients.join(", ") }}</td>
                                    <td data-testid="delivery">{match (n.delivery.as_str(), n.last_error) {
                                        ("console", _) => "Console only (no email recipients)".to_string(),
                                        ("pending", None) => "Queued for email".to_string(),
                                        ("pending", Some(e)) => format!("Retrying ({} failed attempts; last: {e})", n.attempts),
                                        ("sent", _) => "Emailed".to_string(),
                                        (_, e) => format!("Not delivered after {} attempts: {}", n.attempts, e.unwrap_or_default()),
                                    }}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
