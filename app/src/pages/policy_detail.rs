//! A policy's page: its document, the entities attached, versions (edit as a new version,
//! set default, delete, compare two side by side), delete.

use crate::api::policies::{
    get_policy, CreatePolicyVersion, DeletePolicy, DeletePolicyVersion, SetDefaultPolicyVersion,
};
use crate::components::policy_editor::{has_errors, PolicyEditor};
use crate::components::widgets::{
    counted, part_view, when, ActionResult, Breadcrumbs, ConfirmDelete, ErrorView,
};
use crate::pages::policies::server_problems;
use iam_core::model::{PolicyDetail, PolicyType, PolicyVersionEntry};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreatePolicyVersion>,
    set_default: ServerAction<SetDefaultPolicyVersion>,
    delete_version: ServerAction<DeletePolicyVersion>,
    delete: ServerAction<DeletePolicy>,
}

#[component]
pub fn PolicyDetailPage() -> impl IntoView {
    let query = use_query_map();
    let arn = Memo::new(move |_| query.read().get("arn").unwrap_or_default());
    let actions = Actions {
        create: ServerAction::new(),
        set_default: ServerAction::new(),
        delete_version: ServerAction::new(),
        delete: ServerAction::new(),
    };
    let policy = Resource::new(
        move || {
            (
                arn.get(),
                actions.create.version().get()
                    + actions.set_default.version().get()
                    + actions.delete_version.version().get(),
            )
        },
        |(arn, _)| get_policy(arn),
    );
    let short = move || arn.get().rsplit('/').next().unwrap_or_default().to_owned();
    view! {
        <Title text=move || format!("{} | Policies", short()) />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("/policies", "Policies".into()), ("", short())] />
        <Suspense fallback=|| view! { <p class="loading">"Loading policy…"</p> }>
            {move || Suspend::new(async move {
                match policy.await {
                    Ok(detail) => view! { <PolicyView detail actions /> }.into_any(),
                    Err(e) => view! { <h1>{short()}</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PolicyView(detail: PolicyDetail, actions: Actions) -> impl IntoView {
    let s = detail.summary.clone();
    let customer = s.policy_type == PolicyType::CustomerManaged;
    let editing = RwSignal::new(false);
    let deleting = RwSignal::new(false);
    // An edit starts from the document in force, when the caller may read it.
    let document = RwSignal::new(detail.document.clone().unwrap_or_default());
    let set_default = RwSignal::new(true);
    let arn = s.arn.clone();
    let save_arn = arn.clone();
    let save = move |_| {
        actions.create.dispatch(CreatePolicyVersion {
            arn: save_arn.clone(),
            document: document.get(),
            set_default: set_default.get().then(|| "on".into()),
        });
        editing.set(false);
    };
    let delete_arn = arn.clone();
    let on_delete = Callback::new(move |confirm: String| {
        actions.delete.dispatch(DeletePolicy {
            arn: delete_arn.clone(),
            confirm,
        });
    });
    view! {
        <div class="panel-header">
            <h1>{s.policy_name.clone()}</h1>
            {customer.then(|| view! {
                <div class="actions">
                    <button type="button" class="button" on:click=move |_| deleting.update(|d| *d = !*d)>"Delete"</button>
                    <button type="button" class="button button-primary" on:click=move |_| editing.update(|e| *e = !*e)>"Edit"</button>
                </div>
            })}
        </div>
        <Show when=move || deleting.get()>
            <ConfirmDelete name=s.policy_name.clone() what="policy" on_delete pending=actions.delete.pending().into() />
        </Show>
        <ActionResult value=actions.delete.value() success="Policy deleted." />
        <ActionResult value=actions.create.value() success="New version saved." />
        <ActionResult value=actions.set_default.value() success="Default version set." />
        <ActionResult value=actions.delete_version.value() success="Version deleted." />
        <section class="panel">
            <h2>"Policy details"</h2>
            <dl class="facts">
                <dt>"Type"</dt><dd>{s.policy_type.label()}</dd>
                <dt>"ARN"</dt><dd><code>{arn.clone()}</code></dd>
                <dt>"Description"</dt><dd>{s.description.clone()}</dd>
                <dt>"Default version"</dt><dd>{s.default_version.clone()}</dd>
                <dt>"Edited time"</dt><dd>{s.updated_at.map(when).unwrap_or_else(|| "-".into())}</dd>
            </dl>
        </section>
        <Show when=move || editing.get()>
            <section class="panel">
                <h2>"Edit policy (saved as a new version)"</h2>
                <PolicyEditor document server_errors=Signal::derive(move || server_problems(actions.create.value().get())) />
                <label class="check"><input type="checkbox" prop:checked=move || set_default.get()
                    on:change=move |ev| set_default.set(event_target_checked(&ev)) />"Set this new version as the default."</label>
                <div class="actions"><button type="button" class="button button-primary"
                    disabled=move || has_errors(&document.get()) on:click=save.clone()>"Save changes"</button></div>
            </section>
        </Show>
        <section class="panel">
            <h2>"Permissions defined in this policy"</h2>
            {part_view(detail.document, |document| view! {
                <pre class="policy-document" data-testid="policy-document">{document}</pre>
            })}
        </section>
        <section class="panel">
            <h2>{format!("Entities attached{}", counted(&detail.entities))}</h2>
            {part_view(detail.entities, |entities| view! {
            <table class="table" data-testid="policy-entities">
                <thead><tr><th>"Entity name"</th><th>"Entity type"</th></tr></thead>
                <tbody>{entities.into_iter().map(|e| {
                    // Roles have no console page yet: their name is shown without a link.
                    let href = match e.kind.as_str() {
                        "User" => Some(format!("/users/{}", e.name)),
                        "Group" => Some(format!("/groups/{}", e.name)),
                        _ => None,
                    };
                    view! { <tr><td><a href=href>{e.name}</a></td><td>{e.kind}</td></tr> }
                }).collect_view()}</tbody>
            </table>
            })}
        </section>
        <section class="panel">
            <h2>{format!("Policy versions{}", counted(&detail.versions))}</h2>
            {part_view(detail.versions, |versions| view! { <Versions versions arn customer actions /> })}
        </section>
    }
}

/// The versions: set default, delete, and two compared side by side.
#[component]
fn Versions(
    versions: Vec<PolicyVersionEntry>,
    arn: String,
    customer: bool,
    actions: Actions,
) -> impl IntoView {
    let compare = RwSignal::new(Vec::<String>::new());
    let all = versions.clone();
    let compared = move || {
        let chosen = compare.get();
        (chosen.len() == 2).then(|| {
            chosen
                .iter()
                .filter_map(|id| all.iter().find(|v| &v.version_id == id).cloned())
                .collect::<Vec<_>>()
        })
    };
    view! {
        <p class="muted">"Select two versions to compare them side by side."</p>
        <table class="table" data-testid="policy-versions">
            <thead><tr><th><span class="visually-hidden">"Compare"</span></th><th>"Version"</th><th>"Created"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>{versions.into_iter().map(|v| {
                let id = v.version_id.clone();
                let toggle = id.clone();
                let (a1, a2) = (arn.clone(), arn.clone());
                let (v1, v2) = (id.clone(), id.clone());
                view! {
                    <tr>
                        <td><input type="checkbox" id=format!("compare-{id}") aria-label=format!("Compare {id}")
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                compare.update(|c| { c.retain(|x| x != &toggle); if on { c.push(toggle.clone()); } });
                            } /></td>
                        <td>{id.clone()}{v.is_default.then_some(" (Default)")}</td>
                        <td>{v.created_at.map(when).unwrap_or_else(|| "-".into())}</td>
                        <td>{(customer && !v.is_default).then(|| view! {
                            <button type="button" class="link-button" on:click=move |_| {
                                actions.set_default.dispatch(SetDefaultPolicyVersion { arn: a1.clone(), version_id: v1.clone() });
                            }>"Set as default"</button>
                            " "
                            <button type="button" class="link-button" on:click=move |_| {
                                actions.delete_version.dispatch(DeletePolicyVersion { arn: a2.clone(), version_id: v2.clone() });
                            }>"Delete"</button>
                        })}</td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table>
        {move || compared().map(|pair| view! {
            <div class="compare" data-testid="version-compare">
                {pair.into_iter().map(|v| view! {
                    <div><h3>{v.version_id}</h3>
                        {part_view(v.document, |document| view! { <pre class="policy-document">{document}</pre> })}
                    </div>
                }).collect_view()}
            </div>
        })}
    }
}
