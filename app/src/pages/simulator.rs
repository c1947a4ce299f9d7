//! The policy simulator: a user's, a group's or pasted policies against actions, resources
//! and context keys; the engine's decision per action with the statements that decided.

use crate::api::policies::{Simulate, SimulationInput};
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
    let submit = move |_| {
        run.dispatch(Simulate {
            input: SimulationInput {
                subject: subject.get(),
                name: name.get(),
                policies: vec![policy.get()],
                actions: lines(&actions.get()),
                resources: lines(&resources.get()),
                context: lines(&context.get()),
            },
        });
    };
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
        {move || match run.value().get() {
            Some(Ok(results)) => Some(view! { <Results results /> }),
            _ => None,
        }}
    }
}

#[component]
fn Results(results: Vec<Explanation>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Results"</h2>
            <table class="table" data-testid="simulation-results">
                <thead><tr><th>"Action"</th><th>"Resource"</th><th>"Permission"</th><th>"Why"</th></tr></thead>
                <tbody>{results.into_iter().map(|r| {
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
        </section>
    }
}
