//! The "Permissions policies" panel of users and groups: attach managed policies (all in one
//! transaction), create inline policies with the editor, and the outcome of each.

use crate::api::iam::{AttachPolicies, DeleteInlinePolicy, DetachPolicy, PutInlinePolicy};
use crate::components::policy_editor::{has_errors, PolicyEditor, STARTER};
use crate::components::widgets::{part_view, ActionResult, DeniedView, PolicyPicker};
use crate::pages::policies::server_problems;
use iam_core::model::{AttachedPolicy, Denied, InlinePolicyEntry, Part};
use leptos::prelude::*;

/// The actions the panel dispatches; the page reloads the entity after any of them.
#[derive(Clone, Copy)]
pub struct PermissionActions {
    pub attach: ServerAction<AttachPolicies>,
    pub detach: ServerAction<DetachPolicy>,
    pub put_inline: ServerAction<PutInlinePolicy>,
    pub delete_inline: ServerAction<DeleteInlinePolicy>,
}

impl PermissionActions {
    pub fn new() -> Self {
        Self {
            attach: ServerAction::new(),
            detach: ServerAction::new(),
            put_inline: ServerAction::new(),
            delete_inline: ServerAction::new(),
        }
    }

    /// Changes whenever one of the actions completes.
    pub fn version(&self) -> usize {
        self.attach.version().get()
            + self.detach.version().get()
            + self.put_inline.version().get()
            + self.delete_inline.version().get()
    }
}

impl Default for PermissionActions {
    fn default() -> Self {
        Self::new()
    }
}

/// Heading, "Add permissions" and "Create inline policy" for a user or group (`kind`).
#[component]
pub fn PermissionsHeader(
    kind: &'static str,
    name: String,
    count: usize,
    actions: PermissionActions,
) -> impl IntoView {
    let adding = RwSignal::new(false);
    let inline = RwSignal::new(false);
    let selected = RwSignal::new(Vec::<String>::new());
    let attach_name = name.clone();
    let attach = move |_| {
        actions.attach.dispatch(AttachPolicies {
            kind: kind.into(),
            name: attach_name.clone(),
            policy_arns: selected.get(),
        });
        selected.set(Vec::new());
        adding.set(false);
    };
    let document = RwSignal::new(STARTER.to_string());
    let policy_name = RwSignal::new(String::new());
    let save_inline = move |_| {
        actions.put_inline.dispatch(PutInlinePolicy {
            kind: kind.into(),
            name: name.clone(),
            policy_name: policy_name.get(),
            document: document.get(),
        });
    };
    let server_errors = Signal::derive(move || server_problems(actions.put_inline.value().get()));
    view! {
        <div class="panel-header">
            <h2>{format!("Permissions policies ({count})")}</h2>
            <div class="actions">
                <button type="button" class="button" on:click=move |_| inline.update(|v| *v = !*v)>"Create inline policy"</button>
                <button type="button" class="button button-primary" on:click=move |_| adding.update(|v| *v = !*v)>"Add permissions"</button>
            </div>
        </div>
        <ActionResult value=actions.attach.value() success="Policies attached." />
        <ActionResult value=actions.detach.value() success="Policy removed." />
        <ActionResult value=actions.put_inline.value() success="Inline policy saved." />
        <ActionResult value=actions.delete_inline.value() success="Inline policy deleted." />
        <Show when=move || adding.get()>
            <div class="wizard">
                <PolicyPicker selected />
                <div class="actions"><button type="button" class="button button-primary" on:click=attach.clone()>"Attach policies"</button></div>
            </div>
        </Show>
        <Show when=move || inline.get()>
            <div class="wizard">
                <div class="field">
                    <label for="field-policy_name">"Policy name"</label>
                    <input id="field-policy_name" prop:value=move || policy_name.get() on:input=move |ev| policy_name.set(event_target_value(&ev)) />
                </div>
                <PolicyEditor document server_errors />
                <div class="actions"><button type="button" class="button button-primary"
                    disabled=move || has_errors(&document.get()) on:click=save_inline.clone()>"Create policy"</button></div>
            </div>
        </Show>
    }
}

/// A group's or role's (`kind`) attached and inline policies, with the panel's header; a list
/// the caller may not read is replaced by its refusal above the table.
#[component]
pub fn EntityPolicies(
    kind: &'static str,
    name: String,
    policies: Part<Vec<AttachedPolicy>>,
    inline: Part<Vec<InlinePolicyEntry>>,
    actions: PermissionActions,
    testid: &'static str,
    /// False for what only AWS changes (a service-linked role): no add or remove buttons.
    #[prop(default = true)]
    editable: bool,
) -> impl IntoView {
    let count = policies.as_ref().map_or(0, Vec::len) + inline.as_ref().map_or(0, Vec::len);
    let denials: Vec<Denied> = [policies.as_ref().err(), inline.as_ref().err()]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    view! {
        <section class="panel">
            {if editable {
                view! { <PermissionsHeader kind name=name.clone() count actions /> }.into_any()
            } else {
                view! { <h2>{format!("Permissions policies ({count})")}</h2> }.into_any()
            }}
            {denials.into_iter().map(|denied| view! { <DeniedView denied /> }).collect_view()}
            <table class="table" data-testid=testid>
                <thead><tr><th>"Policy name"</th><th>"Type"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>
                    {policies.unwrap_or_default().into_iter().map(|p| {
                        let owner = name.clone();
                        let arn = p.policy_arn.clone();
                        view! {
                            <tr>
                                <td><a href=format!("/policies/view?arn={}", crate::components::widgets::encode(&p.policy_arn))>{p.policy_name}</a></td>
                                <td>{p.policy_type}</td>
                                <td>{editable.then(|| view! { <button type="button" class="link-button" on:click=move |_| {
                                    actions.detach.dispatch(DetachPolicy { kind: kind.into(), name: owner.clone(), policy_arn: arn.clone() });
                                }>"Remove"</button> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                    {inline.unwrap_or_default().into_iter().map(|p| {
                        let owner = name.clone();
                        let policy = p.policy_name.clone();
                        view! {
                            <tr>
                                <td><details><summary>{p.policy_name}</summary>
                                    {part_view(p.document, |document| view! { <pre>{document}</pre> })}
                                </details></td>
                                <td>"Customer inline"</td>
                                <td>{editable.then(|| view! { <button type="button" class="link-button" on:click=move |_| {
                                    actions.delete_inline.dispatch(DeleteInlinePolicy { kind: kind.into(), name: owner.clone(), policy_name: policy.clone() });
                                }>"Remove"</button> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
