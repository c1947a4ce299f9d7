//! The policy simulator: a user's, a group's or pasted policies against actions, resources
//! and context keys; the engine's decision per action with the statements that decided, a
//! page at a time.

use crate::api::policies::{Simulate, SimulationInput, SimulationResults};
use crate::components::widgets::{ActionResult, Breadcrumbs};
use iam_core::policy::{Explanation, Outcome};
use leptos::prelude::*;
use leptos_meta::Title;

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[component]
pub fn SimulatorPage() -> impl IntoView {
    let subject = RwSignal::new("user".to_string());
    let name = RwSignal::new(String::new());
    let policy = RwSignal::new(String::new());
    let actions = RwSignal::new("iam:ListUsers\niam:CreateUser".to_string());
    let resources = RwSignal::new(String::new());
    let context = RwSignal::new(String::new());
    let run = ServerAction::<Simulate>::new();
    // The simulation being shown: "Load more" asks for its next page, whatever the form holds now.
    let sent = StoredValue::new(SimulationInput::default());
    let shown = RwSignal::new(Shown::default());
    Effect::new(move |_| {
        if let Some(Ok(page)) = run.value().get() {
            shown.update(|s| s.add(page));
        }
    });
    let submit = move |_| {
        let input = SimulationInput {
            subject: subject.get(),
            name: name.get(),
            policies: vec![policy.get()],
            actions: lines(&actions.get()),
            resources: lines(&resources.get()),
            context: lines(&context.get()),
            marker: None,
        };
        sent.set_value(input.clone());
        shown.set(Shown::default());
        run.dispatch(Simulate { input });
    };
    let more = Callback::new(move |_: ()| {
        let mut input = sent.get_value();
        input.marker = shown.with_untracked(|s| s.marker.clone());
        run.dispatch(Simulate { input });
    });
    let text_area = |label: &'static str, id: &'static str, value: RwSignal<String>, hint: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <p class="field-hint">{hint}</p>
                <textarea id=id rows="4" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
            </div>
        }
    };
    view! {
        <Title text="Policy simulator" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("", "Policy simulator".into())] />
        <h1>"Policy simulator"</h1>
        <section class="panel">
            <fieldset>
                <legend>"Simulate for"</legend>
                {[("user", "User"), ("group", "User group"), ("custom", "Pasted policy")].into_iter().map(|(v, label)| view! {
                    <label class="check"><input type="radio" name="subject" prop:checked=move || subject.get() == v
                        on:change=move |_| subject.set(v.into()) />{label}</label>
                }).collect_view()}
            </fieldset>
            <Show when=move || subject.get() != "custom"
                fallback=move || text_area("Policy document", "field-sim-policy", policy, "An identity-based policy in JSON")>
                <div class="field">
                    <label for="field-sim-name">{move || if subject.get() == "user" { "User name" } else { "User group name" }}</label>
                    <input id="field-sim-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
            </Show>
            {text_area("Actions", "field-sim-actions", actions, "One per line, e.g. iam:CreateUser")}
            {text_area("Resources - optional", "field-sim-resources", resources, "One ARN per line; * when empty")}
            {text_area("Context keys - optional", "field-sim-context", context, "key=value per line, e.g. aws:MultiFactorAuthPresent=true")}
            <div class="actions"><button type="button" class="button button-primary" on:click=submit>"Run simulation"</button></div>
        </section>
        <ActionResult value=run.value() success="" />
        <Show when=move || shown.with(|s| !s.rows.is_empty())>
            <Results shown more pending=run.pending() />
        </Show>
    }
}

/// The results loaded so far, one page at a time.
#[derive(Debug, Clone, Default)]
struct Shown {
    rows: Vec<Explanation>,
    total: usize,
    marker: Option<String>,
}

impl Shown {
    /// A page replaces what follows its start: a new simulation starts at 0.
    fn add(&mut self, page: SimulationResults) {
        self.rows.truncate(page.start);
        self.rows.extend(page.results);
        self.total = page.total;
        self.marker = page.marker;
    }
}

#[component]
fn Results(shown: RwSignal<Shown>, more: Callback<()>, pending: Memo<bool>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Results"</h2>
            <p data-testid="simulation-count">
                {move || shown.with(|s| format!("Showing {} of {} results", s.rows.len(), s.total))}
            </p>
            <table class="table" data-testid="simulation-results">
                <thead><tr><th>"Action"</th><th>"Resource"</th><th>"Permission"</th><th>"Why"</th></tr></thead>
                <tbody>{move || shown.with(|s| s.rows.clone()).into_iter().map(|r| {
                    let permission = match r.decision {
                        Outcome::Allowed => "allowed",
                        Outcome::ExplicitDeny => "denied (explicit deny)",
                        Outcome::ImplicitDeny => "denied (implicit deny)",
                    };
                    view! {
                        <tr>
                            <td>{r.action}</td>
                            <td><code>{r.resource}</code></td>
                            <td>{permission}</td>
                            <td>
                                {r.reason}
                                <ul>{r.matched_statements.into_iter().map(|s| view! {
                                    <li>{format!("{:?} by {} statement {}{} (line {})", s.effect, s.policy, s.index + 1,
                                        s.sid.map(|id| format!(" \"{id}\"")).unwrap_or_default(), s.line)}</li>
                                }).collect_view()}</ul>
                            </td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
            <Show when=move || shown.with(|s| s.marker.is_some())>
                <div class="actions">
                    <button type="button" class="button" disabled=move || pending.get()
                        on:click=move |_| more.run(())>"Load more"</button>
                </div>
            </Show>
        </section>
    }
}
