//! Budgets: the list, "Create budget" (a template or a customized budget), and a budget's
//! page with its current period and alerts.

use crate::api::billing::{get_budget, list_budgets, CreateBudget, DeleteBudget};
use crate::components::form::{Field, FormAlert};
use crate::components::widgets::{encode, Breadcrumbs, ErrorView};
use iam_core::billing::budget::BudgetKind;
use iam_core::billing::view::BudgetStatus;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn health(b: &BudgetStatus) -> &'static str {
    if b.actual > b.spec.amount {
        "Exceeded"
    } else if b.forecast > b.spec.amount {
        "Forecast to exceed"
    } else {
        "OK"
    }
}

#[component]
pub fn BudgetsPage() -> impl IntoView {
    let budgets = Resource::new(|| (), |_| list_budgets());
    view! {
        <Title text="Budgets" />
        <Breadcrumbs items=vec![("", "Billing".into()), ("", "Budgets".into())] />
        <Suspense fallback=|| view! { <p class="loading">"Loading budgets…"</p> }>
            {move || Suspend::new(async move {
                match budgets.await {
                    Ok(list) => view! {
                        <div class="panel-header">
                            <h1>{format!("Budgets ({})", list.len())}</h1>
                            <a class="button button-primary" href="/billing/budgets/create">"Create budget"</a>
                        </div>
                        <p><a href="/billing/notifications">"Budget notifications"</a></p>
                        <section class="panel">
                            {if list.is_empty() {
                                view! { <p class="empty">"No budgets. " <a href="/billing/budgets/create">"Create budget"</a></p> }.into_any()
                            } else {
                                view! {
                                    <table class="table" data-testid="budgets-table">
                                        <thead><tr><th>"Name"</th><th>"Period"</th><th>"Type"</th><th class="number">"Budgeted amount"</th><th class="number">"Current spend"</th><th class="number">"Forecasted spend"</th><th>"Status"</th></tr></thead>
                                        <tbody>{list.into_iter().map(|b| view! {
                                            <tr>
                                                <td><a href=format!("/billing/budgets/view?name={}", encode(&b.spec.name))>{b.spec.name.clone()}</a></td>
                                                <td>{b.spec.period.label()}</td>
                                                <td>{match &b.spec.kind { BudgetKind::Cost => "Cost".to_string(), BudgetKind::Usage { usage_type } => format!("Usage ({usage_type})") }}</td>
                                                <td class="number">{b.spec.show(b.spec.amount)}</td>
                                                <td class="number">{b.spec.show(b.actual)}</td>
                                                <td class="number">{b.spec.show(b.forecast)}</td>
                                                <td>{health(&b)}</td>
                                            </tr>
                                        }).collect_view()}</tbody>
                                    </table>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(e) => view! { <h1>"Budgets"</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn CreateBudgetPage() -> impl IntoView {
    let create = ServerAction::<CreateBudget>::new();
    let errors = Signal::derive(move || create.value().get().and_then(Result::err));
    let (mode, set_mode) = signal("monthly".to_string());
    // Without JavaScript every section shows; after hydration only the chosen one does.
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    let shown = move |which: &'static [&'static str]| {
        move || {
            if !hydrated.get() || which.contains(&mode.get().as_str()) {
                "block"
            } else {
                "none"
            }
        }
    };
    let choice = move |value: &'static str, label: &'static str, hint: &'static str| {
        view! {
            <div class="check">
                <input type="radio" id=format!("mode-{value}") name="mode" value=value
                    checked=value == "monthly" on:change=move |_| set_mode.set(value.into()) />
                <label for=format!("mode-{value}")>{label}</label>
                <p class="field-hint">{hint}</p>
            </div>
        }
    };
    view! {
        <Title text="Create budget" />
        <Breadcrumbs items=vec![("", "Billing".into()), ("/billing/budgets", "Budgets".into()), ("", "Create budget".into())] />
        <h1>"Create budget"</h1>
        <Show when=move || hydrated.get() && mode.get() == "custom">
            <p><button type="button" class="button" on:click=move |_| set_mode.set("monthly".into())>"Back to the templates"</button></p>
            <crate::pages::budget_wizard::BudgetWizard />
        </Show>
        <div style:display=move || if hydrated.get() && mode.get() == "custom" { "none" } else { "block" }>
        <FormAlert errors />
        <ActionForm action=create>
            <section class="panel">
                <h2>"Budget setup"</h2>
                <fieldset>
                    <legend>"Use a template (simplified)"</legend>
                    {choice("zero-spend", "Zero spend budget", "Notifies you once your spending exceeds $0.01.")}
                    {choice("monthly", "Monthly cost budget", "Notifies you when spending, or forecasted spending, exceeds the budgeted amount: actual 85%, actual 100% and forecasted 100%.")}
                </fieldset>
                <fieldset>
                    <legend>"Customize (advanced)"</legend>
                    {choice("custom", "Customize (advanced)", "Choose the period, renewal, amount and up to five alerts, step by step.")}
                </fieldset>
            </section>
            <section class="panel">
                <h2>"Details"</h2>
                <Field label="Budget name" name="name" errors maxlength=100u32 hint="1 to 100 characters, without : or \\." />
                <div style:display=shown(&["monthly", "custom"])>
                    <Field label="Enter your budgeted amount ($)" name="amount" errors required=false hint="For example 100.00." />
                </div>
                <div style:display=shown(&["custom"])>
                    <div class="field">
                        <label for="field-period">"Period"</label>
                        <select id="field-period" name="period">
                            <option value="DAILY">"Daily"</option>
                            <option value="MONTHLY" selected=true>"Monthly"</option>
                            <option value="QUARTERLY">"Quarterly"</option>
                            <option value="ANNUALLY">"Annually"</option>
                        </select>
                    </div>
                    <Field label="Start month" name="start" kind="month" errors required=false hint="Leave empty to start this month." />
                    <Field label="End month - optional" name="end" kind="month" errors required=false hint="Empty for a recurring budget; otherwise it expires at the start of this month." />
                    <fieldset>
                        <legend>"Alert threshold"</legend>
                        <Field label="Threshold" name="threshold" errors required=false value="80" />
                        <div class="field">
                            <label for="field-threshold_type">"Threshold type"</label>
                            <select id="field-threshold_type" name="threshold_type">
                                <option value="percentage" selected=true>"% of budgeted amount"</option>
                                <option value="absolute">"Absolute value ($)"</option>
                            </select>
                        </div>
                        <div class="field">
                            <label for="field-trigger">"Trigger"</label>
                            <select id="field-trigger" name="trigger">
                                <option value="actual" selected=true>"Actual"</option>
                                <option value="forecasted">"Forecasted"</option>
                            </select>
                        </div>
                    </fieldset>
                </div>
                <Field label="Email recipients" name="recipients" errors required=false
                    hint="Up to 10 addresses, separated by commas. Alerts also show under Budget notifications." />
            </section>
            <div class="actions">
                <a class="button" href="/billing/budgets">"Cancel"</a>
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create budget"</button>
            </div>
        </ActionForm>
        </div>
    }
}

#[component]
pub fn BudgetDetailPage() -> impl IntoView {
    let query = use_query_map();
    let name = Memo::new(move |_| query.read().get("name").unwrap_or_default());
    let budget = Resource::new(move || name.get(), get_budget);
    let delete = ServerAction::<DeleteBudget>::new();
    view! {
        <Title text="Budget" />
        <Suspense fallback=|| view! { <p class="loading">"Loading budget…"</p> }>
            {move || Suspend::new(async move {
                match budget.await {
                    Ok(detail) => { let b = detail.status.clone(); view! {
                        <Breadcrumbs items=vec![("", "Billing".into()), ("/billing/budgets", "Budgets".into()), ("", b.spec.name.clone())] />
                        <h1>{b.spec.name.clone()}</h1>
                        <section class="panel">
                            <dl class="facts" data-testid="budget-facts">
                                <dt>"Period"</dt><dd>{format!("{} ({} to {})", b.spec.period.label(), b.period.0.iso(), iam_core::billing::Day(b.period.1 .0 - 1).iso())}</dd>
                                <dt>"Budgeted amount"</dt><dd>{b.spec.show(b.spec.amount)}</dd>
                                <dt>"Current spend"</dt><dd>{b.spec.show(b.actual)}</dd>
                                <dt>"Forecasted spend"</dt><dd>{b.spec.show(b.forecast)}</dd>
                                <dt>"Status"</dt><dd>{health(&b)}</dd>
                                <dt>"Renewal"</dt><dd>{b.spec.end.map_or("Recurring".to_string(), |e| format!("Expires {}", e.iso()))}</dd>
                            </dl>
                        </section>
                        <section class="panel">
                            <h2>{format!("Alerts ({})", b.spec.alerts.len())}</h2>
                            <table class="table" data-testid="alerts">
                                <thead><tr><th>"Threshold"</th><th class="number">"Fires above"</th><th>"Email recipients"</th><th>"This period"</th></tr></thead>
                                <tbody>{b.spec.alerts.iter().enumerate().map(|(i, a)| view! {
                                    <tr>
                                        <td>{a.describe(&b.spec.kind)}</td>
                                        <td class="number">{b.spec.show(a.limit(b.spec.amount))}</td>
                                        <td>{if a.recipients.is_empty() { "None".to_string() } else { a.recipients.join(", ") }}</td>
                                        <td>{if b.fired.contains(&i) { "Exceeded" } else { "Not exceeded" }}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        </section>
                        <section class="panel">
                            <h2>"History"</h2>
                            <table class="table" data-testid="history">
                                <thead><tr><th>"Period"</th><th class="number">"Spend"</th><th class="number">"Budgeted"</th><th>"Alerts that fired"</th></tr></thead>
                                <tbody>{detail.history.iter().map(|p| view! {
                                    <tr>
                                        <td>{format!("{} to {}", p.start.iso(), iam_core::billing::Day(p.end.0 - 1).iso())}</td>
                                        <td class="number">{b.spec.show(p.spend)}</td>
                                        <td class="number">{b.spec.show(b.spec.amount)}</td>
                                        <td>{if p.fired.is_empty() { "None".to_string() } else {
                                            p.fired.iter().filter_map(|i| b.spec.alerts.get(*i)).map(|a| a.describe(&b.spec.kind)).collect::<Vec<_>>().join("; ")
                                        }}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        </section>
                        <div class="actions">
                            <a class="button" href=format!("/billing/budgets/edit?name={}", encode(&b.spec.name))>"Edit budget"</a>
                            <ActionForm action=delete>
                                <input type="hidden" name="name" value=b.spec.name.clone() />
                                <button type="submit" class="button">"Delete budget"</button>
                            </ActionForm>
                        </div>
                        {move || delete.value().get().and_then(Result::err).map(|e| view! { <ErrorView error=e /> })}
                    }.into_any() }
                    Err(e) => view! { <h1>"Budget"</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn EditBudgetPage() -> impl IntoView {
    let query = use_query_map();
    let name = Memo::new(move |_| query.read().get("name").unwrap_or_default());
    let budget = Resource::new(move || name.get(), get_budget);
    view! {
        <Title text="Edit budget" />
        <Suspense fallback=|| view! { <p class="loading">"Loading budget…"</p> }>
            {move || Suspend::new(async move {
                match budget.await {
                    Ok(detail) => {
                        let spec = detail.status.spec;
                        view! {
                            <Breadcrumbs items=vec![("", "Billing".into()), ("/billing/budgets", "Budgets".into()), ("", format!("Edit {}", spec.name))] />
                            <h1>{format!("Edit budget {}", spec.name)}</h1>
                            <crate::pages::budget_wizard::BudgetWizard initial=spec />
                        }.into_any()
                    }
                    Err(e) => view! { <h1>"Edit budget"</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
