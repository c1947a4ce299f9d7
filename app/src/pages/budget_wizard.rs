//! "Customize (advanced)": the budget wizard. 1 budget type, 2 the budget (name, period,
//! renewal, amount), 3 alerts (up to five: % or absolute, actual or forecasted, recipients),
//! 4 review with "Edit" per step, then "Create budget". Each step is checked with iam-core's
//! rules before the next; the server checks everything again.

use crate::api::billing::{CreateCustomBudget, UpdateBudget};
use crate::components::widgets::{ActionResult, WizardSteps};
use iam_core::billing::budget::{self, Alert, BudgetKind, BudgetSpec, ThresholdType, Trigger};
use iam_core::billing::forecast::Period;
use iam_core::billing::{Day, Micros};
use iam_core::field::FieldError;
use leptos::prelude::*;

const STEPS: [&str; 4] = [
    "Choose budget type",
    "Set your budget",
    "Configure alerts",
    "Review and create",
];

#[derive(Debug, Clone, PartialEq)]
struct AlertDraft {
    threshold: String,
    absolute: bool,
    forecasted: bool,
    recipients: String,
}

impl Default for AlertDraft {
    fn default() -> Self {
        Self {
            threshold: "80".into(),
            absolute: false,
            forecasted: false,
            recipients: String::new(),
        }
    }
}

fn recipients(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

fn month(text: &str) -> Option<Day> {
    Day::parse(&format!("{}-01", text.trim()))
}

#[derive(Clone, Copy)]
struct Draft {
    /// Empty for a cost budget; the usage type of a usage budget.
    usage: RwSignal<Option<String>>,
    name: RwSignal<String>,
    period: RwSignal<String>,
    expiring: RwSignal<bool>,
    start: RwSignal<String>,
    end: RwSignal<String>,
    amount: RwSignal<String>,
    alerts: RwSignal<Vec<AlertDraft>>,
}

impl Draft {
    /// The budget as far as it is filled in, or every problem (with the field it concerns).
    fn spec(&self, today: Day) -> Result<BudgetSpec, Vec<FieldError>> {
        let mut errors = Vec::new();
        let amount = Micros::parse(&self.amount.get()).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "amount",
                format!(
                    "the budgeted amount must be like 100.00; got `{}`",
                    self.amount.get()
                ),
            ));
            Micros::ZERO
        });
        let start = match self.start.get().trim() {
            "" => today.month_start(),
            text => month(text).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "start",
                    format!("`{text}` is not a month like 2026-11"),
                ));
                today.month_start()
            }),
        };
        let end = if self.expiring.get() {
            let text = self.end.get();
            match month(&text) {
                Some(day) => Some(day),
                None => {
                    errors.push(FieldError::new("end", "an expiring budget needs an end month"));
                    None
                }
            }
        } else {
            None
        };
        let alerts = self
            .alerts
            .get()
            .iter()
            .map(|a| Alert {
                threshold: Micros::parse(&a.threshold).unwrap_or_else(|| {
                    errors.push(FieldError::new(
                        "threshold",
                        format!("threshold `{}` must be a number like 80", a.threshold),
                    ));
                    Micros::ZERO
                }),
                threshold_type: if a.absolute {
                    ThresholdType::Absolute
                } else {
                    ThresholdType::Percentage
                },
                trigger: if a.forecasted {
                    Trigger::Forecasted
                } else {
                    Trigger::Actual
                },
                recipients: recipients(&a.recipients),
            })
            .collect();
        let spec = BudgetSpec {
            kind: match self.usage.get() {
                Some(usage_type) => BudgetKind::Usage {
                    usage_type: usage_type.trim().to_owned(),
                },
                None => BudgetKind::Cost,
            },
            name: self.name.get().trim().to_owned(),
            amount,
            period: Period::parse(&self.period.get()).unwrap_or(Period::Monthly),
            start,
            end,
            alerts,
        };
        // The rules' own messages, for fields not already explained above.
        let rules: Vec<FieldError> = budget::check(&spec)
            .into_iter()
            .filter(|e| !errors.iter().any(|x| x.field == e.field))
            .collect();
        errors.extend(rules);
        if errors.is_empty() {
            Ok(spec)
        } else {
            Err(errors)
        }
    }
}

/// Which fields each step owns, for its messages.
fn step_fields(step: usize) -> &'static [&'static str] {
    match step {
        1 => &["name", "amount", "start", "end", "usage_type"],
        2 => &["threshold", "recipients", "alerts"],
        _ => &[],
    }
}

/// An amount as the wizard's inputs show it, e.g. `100.00`.
fn plain(m: Micros) -> String {
    format!("{:.2}", m.dollars())
}

fn month_text(day: Day) -> String {
    day.iso()[..7].to_owned()
}

impl Draft {
    fn new(initial: Option<&BudgetSpec>) -> Self {
        let alerts = match initial {
            Some(spec) => spec
                .alerts
                .iter()
                .map(|a| AlertDraft {
                    threshold: match a.threshold_type {
                        ThresholdType::Percentage => format!("{}", a.threshold.0 as f64 / 1e6),
                        ThresholdType::Absolute => plain(a.threshold),
                    },
                    absolute: a.threshold_type == ThresholdType::Absolute,
                    forecasted: a.trigger == Trigger::Forecasted,
                    recipients: a.recipients.join(", "),
                })
                .collect(),
            None => vec![AlertDraft::default()],
        };
        Draft {
            usage: RwSignal::new(initial.and_then(|s| match &s.kind {
                BudgetKind::Usage { usage_type } => Some(usage_type.clone()),
                BudgetKind::Cost => None,
            })),
            name: RwSignal::new(initial.map(|s| s.name.clone()).unwrap_or_default()),
            period: RwSignal::new(initial.map_or("MONTHLY", |s| s.period.as_str()).into()),
            expiring: RwSignal::new(initial.is_some_and(|s| s.end.is_some())),
            start: RwSignal::new(initial.map(|s| month_text(s.start)).unwrap_or_default()),
            end: RwSignal::new(initial.and_then(|s| s.end).map(month_text).unwrap_or_default()),
            amount: RwSignal::new(initial.map(|s| plain(s.amount)).unwrap_or_default()),
            alerts: RwSignal::new(alerts),
        }
    }
}

/// The wizard; with `initial`, it edits that budget (its name stays) and saves it.
#[component]
pub fn BudgetWizard(#[prop(optional)] initial: Option<BudgetSpec>) -> impl IntoView {
    let today = Day::from_unix(use_context::<crate::api::Whoami>().map_or(0, |w| w.now));
    let editing = initial.is_some();
    let step = RwSignal::new(if editing { 1usize } else { 0 });
    let draft = Draft::new(initial.as_ref());
    let messages = RwSignal::new(Vec::<String>::new());
    let create = ServerAction::<CreateCustomBudget>::new();
    let save = ServerAction::<UpdateBudget>::new();
    let next = move |_| {
        let problems: Vec<String> = match draft.spec(today) {
            Ok(_) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .filter(|e| step_fields(step.get()).contains(&e.field.as_str()))
                .map(|e| e.message)
                .collect(),
        };
        messages.set(problems.clone());
        if problems.is_empty() {
            step.update(|s| *s = (*s + 1).min(3));
        }
    };
    let submit = move |_| match draft.spec(today) {
        Ok(spec) => {
            messages.set(Vec::new());
            if editing {
                save.dispatch(UpdateBudget { spec });
            } else {
                create.dispatch(CreateCustomBudget { spec });
            }
        }
        Err(errors) => messages.set(errors.into_iter().map(|e| e.message).collect()),
    };
    view! {
        <div class="wizard-layout" data-testid="budget-wizard">
            <WizardSteps steps=&STEPS step />
            <section class="panel wizard-body">
                <h2>{move || STEPS[step.get()]}</h2>
                <Show when=move || step.get() == 0>
                    <BudgetType usage=draft.usage />
                </Show>
                <Show when=move || step.get() == 1>
                    <Amount draft editing />
                </Show>
                <Show when=move || step.get() == 2>
                    <Alerts draft />
                </Show>
                <Show when=move || step.get() == 3>
                    <Review draft step today />
                </Show>
                <Show when=move || !messages.get().is_empty()>
                    <div class="alert alert-error" role="alert">
                        <ul>{move || messages.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                    </div>
                </Show>
                <ActionResult value=create.value() success="" />
                <ActionResult value=save.value() success="" />
                <div class="actions">
                    <a class="button" href="/billing/budgets">"Cancel"</a>
                    <Show when=move || step.get() != 0>
                        <button type="button" class="button" on:click=move |_| step.update(|s| *s = s.saturating_sub(1))>"Previous"</button>
                    </Show>
                    <Show when=move || step.get() < 3 fallback=move || view! {
                        <button type="button" class="button button-primary" disabled=move || { create.pending().get() || save.pending().get() } on:click=submit>
                            {if editing { "Save budget" } else { "Create budget" }}
                        </button>
                    }>
                        <button type="button" class="button button-primary" on:click=next>"Next"</button>
                    </Show>
                </div>
            </section>
        </div>
    }
}

#[component]
fn BudgetType(usage: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Budget types"</legend>
            <div class="check">
                <input type="radio" id="type-cost" name="budget_type" prop:checked=move || usage.get().is_none()
                    on:change=move |_| usage.set(None) />
                <label for="type-cost">"Cost budget - Recommended"</label>
                <p class="field-hint">"Monitor your costs against a specified dollar amount and receive alerts when your user-defined thresholds are met."</p>
            </div>
            <div class="check">
                <input type="radio" id="type-usage" name="budget_type" prop:checked=move || usage.get().is_some()
                    on:change=move |_| usage.set(Some(String::new())) />
                <label for="type-usage">"Usage budget"</label>
                <p class="field-hint">"Monitor the quantity of one usage type (the report's lineItem/UsageType and lineItem/UsageAmount columns), for example hours of BoxUsage:t3.micro."</p>
            </div>
        </fieldset>
    }
}

/// A labelled text input bound to a signal.
#[component]
fn Input(
    label: &'static str,
    id: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="field-hint">{hint}</p> })}
            <input id=id type=kind prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        </div>
    }
}

#[component]
fn Amount(draft: Draft, editing: bool) -> impl IntoView {
    // Only whether it is a usage budget: the usage type's own keystrokes must not rebuild
    // its input.
    let is_usage = Memo::new(move |_| draft.usage.get().is_some());
    view! {
        {if editing {
            view! { <p>"Budget name: " <strong>{move || draft.name.get()}</strong></p> }.into_any()
        } else {
            view! { <Input label="Budget name" id="wizard-name" value=draft.name hint="1 to 100 characters, without : or \\." /> }.into_any()
        }}
        <div class="field">
            <label for="wizard-period">"Period"</label>
            <select id="wizard-period" prop:value=move || draft.period.get() on:change=move |ev| draft.period.set(event_target_value(&ev))>
                {[Period::Daily, Period::Monthly, Period::Quarterly, Period::Annually].into_iter().map(|p| view! {
                    <option value=p.as_str() selected=move || draft.period.get() == p.as_str()>{p.label()}</option>
                }).collect_view()}
            </select>
        </div>
        <fieldset>
            <legend>"Budget renewal type"</legend>
            <div class="check">
                <input type="radio" id="renew-recurring" name="renewal" prop:checked=move || !draft.expiring.get() on:change=move |_| draft.expiring.set(false) />
                <label for="renew-recurring">"Recurring budget"</label>
            </div>
            <div class="check">
                <input type="radio" id="renew-expiring" name="renewal" prop:checked=move || draft.expiring.get() on:change=move |_| draft.expiring.set(true) />
                <label for="renew-expiring">"Expiring budget"</label>
            </div>
        </fieldset>
        <Input label="Start month" id="wizard-start" kind="month" value=draft.start hint="Empty: this month." />
        <Show when=move || draft.expiring.get()>
            <Input label="End month" id="wizard-end" kind="month" value=draft.end hint="The budget ends when this month begins." />
        </Show>
        {move || is_usage.get().then(|| {
            let usage_type = RwSignal::new(draft.usage.get_untracked().unwrap_or_default());
            Effect::new(move |_| draft.usage.set(Some(usage_type.get())));
            view! { <Input label="Usage type" id="wizard-usage-type" value=usage_type hint="As the report writes it, e.g. BoxUsage:t3.micro." /> }
        })}
        <Show when=move || is_usage.get() fallback=move || view! {
            <Input label="Enter your budgeted amount ($)" id="wizard-amount" value=draft.amount hint="Fixed: the same amount every period." />
        }>
            <Input label="Enter your budgeted usage" id="wizard-amount" value=draft.amount hint="In the usage type's unit (hours, GB, requests), the same every period." />
        </Show>
    }
}

#[component]
fn Alerts(draft: Draft) -> impl IntoView {
    let update = move |index: usize, change: Box<dyn Fn(&mut AlertDraft)>| {
        draft.alerts.update(|list| {
            if let Some(a) = list.get_mut(index) {
                change(a);
            }
        })
    };
    view! {
        <p>"Each alert fires once per budget period when actual or forecasted spend passes its threshold; it shows under Budget notifications and is emailed to its recipients."</p>
        {move || draft.alerts.get().into_iter().enumerate().map(|(i, a)| view! {
            <fieldset class="alert-draft">
                <legend>{format!("Alert {}", i + 1)}</legend>
                <div class="field">
                    <label for=format!("alert-{i}-threshold")>"Threshold"</label>
                    <input id=format!("alert-{i}-threshold") prop:value=a.threshold.clone()
                        on:change=move |ev| { let v = event_target_value(&ev); update(i, Box::new(move |a| a.threshold = v.clone())) } />
                </div>
                <div class="field">
                    <label for=format!("alert-{i}-type")>"Threshold type"</label>
                    <select id=format!("alert-{i}-type") on:change=move |ev| { let abs = event_target_value(&ev) == "absolute"; update(i, Box::new(move |a| a.absolute = abs)) }>
                        <option value="percentage" selected=!a.absolute>"% of budgeted amount"</option>
                        <option value="absolute" selected=a.absolute>"Absolute value ($)"</option>
                    </select>
                </div>
                <div class="field">
                    <label for=format!("alert-{i}-trigger")>"Trigger"</label>
                    <select id=format!("alert-{i}-trigger") on:change=move |ev| { let f = event_target_value(&ev) == "forecasted"; update(i, Box::new(move |a| a.forecasted = f)) }>
                        <option value="actual" selected=!a.forecasted>"Actual"</option>
                        <option value="forecasted" selected=a.forecasted>"Forecasted"</option>
                    </select>
                </div>
                <div class="field">
                    <label for=format!("alert-{i}-recipients")>"Email recipients"</label>
                    <p class="field-hint">"Up to 10 addresses, separated by commas."</p>
                    <input id=format!("alert-{i}-recipients") prop:value=a.recipients.clone()
                        on:change=move |ev| { let v = event_target_value(&ev); update(i, Box::new(move |a| a.recipients = v.clone())) } />
                </div>
                <button type="button" class="button" on:click=move |_| draft.alerts.update(|l| { l.remove(i); })>{format!("Remove alert {}", i + 1)}</button>
            </fieldset>
        }).collect_view()}
        <button type="button" class="button" disabled=move || { draft.alerts.get().len() >= budget::MAX_ALERTS }
            on:click=move |_| draft.alerts.update(|l| l.push(AlertDraft::default()))>"Add an alert threshold"</button>
    }
}

#[component]
fn Review(draft: Draft, step: RwSignal<usize>, today: Day) -> impl IntoView {
    let edit = move |to: usize, label: &'static str| {
        view! {
            <button type="button" class="button" on:click=move |_| step.set(to)>{label}</button>
        }
    };
    view! {
        {move || match draft.spec(today) {
            Ok(spec) => view! {
                <section aria-label="Step 1">
                    <div class="panel-header"><h3>"Step 1: Budget type"</h3>{edit(0, "Edit step 1")}</div>
                    <p>{match &spec.kind { BudgetKind::Cost => "Cost budget".to_string(), BudgetKind::Usage { usage_type } => format!("Usage budget: {usage_type}") }}</p>
                </section>
                <section aria-label="Step 2">
                    <div class="panel-header"><h3>"Step 2: Budget"</h3>{edit(1, "Edit step 2")}</div>
                    <dl class="facts" data-testid="review-budget">
                        <dt>"Budget name"</dt><dd>{spec.name.clone()}</dd>
                        <dt>"Period"</dt><dd>{spec.period.label()}</dd>
                        <dt>"Renewal"</dt><dd>{spec.end.map_or("Recurring".to_string(), |e| format!("Expiring, ends {}", e.iso()))}</dd>
                        <dt>"Start"</dt><dd>{spec.start.iso()}</dd>
                        <dt>"Budgeted amount"</dt><dd>{spec.show(spec.amount)}</dd>
                    </dl>
                </section>
                <section aria-label="Step 3">
                    <div class="panel-header"><h3>{format!("Step 3: Alerts ({})", spec.alerts.len())}</h3>{edit(2, "Edit step 3")}</div>
                    <ul data-testid="review-alerts">{spec.alerts.iter().map(|a| view! {
                        <li>{format!("{} (fires above {}) to {}", a.describe(&spec.kind), spec.show(a.limit(spec.amount)),
                            if a.recipients.is_empty() { "no one by email".to_string() } else { a.recipients.join(", ") })}</li>
                    }).collect_view()}</ul>
                </section>
            }.into_any(),
            Err(errors) => view! {
                <ul class="field-messages">{errors.into_iter().map(|e| view! { <li>{e.message}</li> }).collect_view()}</ul>
            }.into_any(),
        }}
    }
}
