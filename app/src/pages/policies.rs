//! Policies: the list filtered by type with search, and the create page with the editor.

use crate::api::iam::PAGE_SIZE;
use crate::api::policies::{list_policies, CreatePolicy};
use crate::components::policy_editor::{has_errors, PolicyEditor, STARTER};
use crate::components::widgets::encode;
use crate::components::widgets::{ActionResult, Breadcrumbs, ErrorView, Pager};
use crate::error::AppError;
use iam_core::model::PolicyType;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let query = use_query_map();
    let state = Memo::new(move |_| {
        let q = query.read();
        (
            q.get("type").unwrap_or_default(),
            q.get("q").unwrap_or_default(),
            q.get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(1)
                .max(1),
        )
    });
    let policies = Resource::new(
        move || state.get(),
        |(kind, search, page)| list_policies(kind, search, page),
    );
    let types = [
        PolicyType::AwsManaged,
        PolicyType::CustomerManaged,
        PolicyType::AwsManagedJobFunction,
    ];
    view! {
        <Title text="Policies" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("", "Policies".into())] />
        <Suspense fallback=|| view! { <p class="loading">"Loading policies…"</p> }>
            {move || Suspend::new(async move {
                let (kind, search, page_number) = state.get();
                match policies.await {
                    Ok(page) => {
                        let (k, q) = (encode(&kind), encode(&search));
                        let href = Callback::new(move |n: i64| format!("/policies?page={n}&type={k}&q={q}"));
                        view! {
                            <div class="panel-header">
                                <h1>{format!("Policies ({})", page.total)}</h1>
                                <a class="button button-primary" href="/policies/create">"Create policy"</a>
                            </div>
                            <section class="panel">
                                <form method="get" action="/policies" class="inline-form" role="search">
                                    <label class="visually-hidden" for="policy-search">"Find policies by name"</label>
                                    <input id="policy-search" type="search" name="q" placeholder="Filter policies by property or policy name" value=search />
                                    <label for="policy-type">"Filter by Type"</label>
                                    <select id="policy-type" name="type">
                                        <option value="" selected=kind.is_empty()>"All types"</option>
                                        {types.into_iter().map(|t| view! {
                                            <option value=t.label() selected=kind == t.label()>{t.label()}</option>
                                        }).collect_view()}
                                    </select>
                                    <button class="button" type="submit">"Search"</button>
                                </form>
                                <table class="table" data-testid="policies-table">
                                    <thead><tr><th>"Policy name"</th><th>"Type"</th><th>"Used as"</th><th>"Description"</th></tr></thead>
                                    <tbody>{page.items.into_iter().map(|p| view! {
                                        <tr>
                                            <td><a href=format!("/policies/view?arn={}", encode(&p.arn))>{p.policy_name.clone()}</a></td>
                                            <td>{p.policy_type.label()}</td>
                                            <td>{if p.attachments == 0 { "None".to_string() } else { format!("Permissions policy ({})", p.attachments) }}</td>
                                            <td>{p.description}</td>
                                        </tr>
                                    }).collect_view()}</tbody>
                                </table>
                                <Pager total=page.total page=page_number page_size=PAGE_SIZE href />
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <h1>"Policies"</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The server's MalformedPolicyDocument problems, for the editor.
pub fn server_problems(value: Option<Result<impl Clone, AppError>>) -> Vec<String> {
    match value {
        Some(Err(AppError::MalformedPolicy(problems))) => problems,
        _ => Vec::new(),
    }
}

#[component]
pub fn CreatePolicyPage() -> impl IntoView {
    let document = RwSignal::new(STARTER.to_string());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let create = ServerAction::<CreatePolicy>::new();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(policy)) = create.value().get() {
            navigate(
                &format!("/policies/view?arn={}", encode(&policy.arn)),
                Default::default(),
            );
        }
    });
    let server_errors = Signal::derive(move || server_problems(create.value().get()));
    view! {
        <Title text="Create policy" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("/policies", "Policies".into()), ("", "Create policy".into())] />
        <h1>"Create policy"</h1>
        <section class="panel">
            <h2>"Specify permissions"</h2>
            <PolicyEditor document server_errors />
        </section>
        <section class="panel">
            <h2>"Policy details"</h2>
            <div class="field">
                <label for="field-policy_name">"Policy name"</label>
                <p class="field-hint">"Up to 128 letters, digits and + = , . @ _ -"</p>
                <input id="field-policy_name" maxlength="128" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <div class="field">
                <label for="field-description">"Description - optional"</label>
                <input id="field-description" maxlength="1000" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
            </div>
        </section>
        <ActionResult value=create.value() success="Policy created." />
        <div class="actions">
            <a class="button" href="/policies">"Cancel"</a>
            <button type="button" class="button button-primary"
                disabled=move || create.pending().get() || has_errors(&document.get())
                on:click=move |_| { create.dispatch(CreatePolicy { policy_name: name.get(), description: description.get(), document: document.get() }); }>
                "Create policy"</button>
        </div>
    }
}
