//! A user group's page: its users (add, remove), its permissions (attach, detach), delete.

use crate::api::iam::{get_group, AddUserToGroup, DeleteGroup, RemoveUserFromGroup};
use crate::components::permissions::{EntityPolicies, PermissionActions};
use crate::components::widgets::{when, ActionResult, Breadcrumbs, ConfirmDelete, ErrorView};
use iam_core::model::{AttachedPolicy, GroupDetail, InlinePolicyEntry, Part};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddUserToGroup>,
    remove: ServerAction<RemoveUserFromGroup>,
    perms: PermissionActions,
}

#[component]
pub fn GroupDetailPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let actions = Actions {
        add: ServerAction::new(),
        remove: ServerAction::new(),
        perms: PermissionActions::new(),
    };
    let group = Resource::new(
        move || {
            (
                name.get(),
                actions.add.version().get() + actions.remove.version().get() + actions.perms.version(),
            )
        },
        |(n, _)| get_group(n),
    );
    view! {
        <Title text=move || format!("{} | User groups", name.get()) />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("/groups", "User groups".into()), ("", name.get_untracked())] />
        <Suspense fallback=|| view! { <p class="loading">"Loading group…"</p> }>
            {move || Suspend::new(async move {
                match group.await {
                    Ok(detail) => view! { <GroupView detail actions /> }.into_any(),
                    Err(e) => view! { <h1>{name.get()}</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn GroupView(detail: GroupDetail, actions: Actions) -> impl IntoView {
    let name = detail.summary.group_name.clone();
    let delete = ServerAction::<DeleteGroup>::new();
    let deleting = RwSignal::new(false);
    let delete_name = name.clone();
    let on_delete = Callback::new(move |confirm: String| {
        delete.dispatch(DeleteGroup {
            group_name: delete_name.clone(),
            confirm,
        });
    });
    let confirm_name = name.clone();
    let hidden_name = name.clone();
    view! {
        <div class="panel-header">
            <h1>{name.clone()}</h1>
            <button type="button" class="button" on:click=move |_| deleting.update(|d| *d = !*d)>"Delete"</button>
        </div>
        <Show when=move || deleting.get()>
            <ConfirmDelete name=confirm_name.clone() what="group" on_delete pending=delete.pending().into() />
        </Show>
        <ActionResult value=delete.value() success="Group deleted." />
        <section class="panel">
            <h2>"Summary"</h2>
            <dl class="facts">
                <dt>"ARN"</dt><dd><code>{detail.summary.arn.clone()}</code></dd>
                <dt>"Creation time"</dt><dd>{when(detail.summary.created_at)}</dd>
            </dl>
        </section>
        <section class="panel">
            <div class="panel-header"><h2>{format!("Users in this group ({})", detail.users.len())}</h2></div>
            <ActionResult value=actions.add.value() success="User added." />
            <ActionResult value=actions.remove.value() success="User removed." />
            <ActionForm action=actions.add attr:class="inline-form">
                <input type="hidden" name="group_name" value=hidden_name />
                <label for="field-add-user">"Add users"</label>
                <input id="field-add-user" name="user_name" placeholder="User name" required />
                <button type="submit" class="button">"Add users"</button>
            </ActionForm>
            <table class="table" data-testid="group-users">
                <thead><tr><th>"User name"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>{detail.users.clone().into_iter().map(|user| {
                    let group = name.clone();
                    let removed = user.clone();
                    view! {
                        <tr><td><a href=format!("/users/{user}")>{user.clone()}</a></td>
                            <td><button type="button" class="link-button" on:click=move |_| {
                                actions.remove.dispatch(RemoveUserFromGroup { group_name: group.clone(), user_name: removed.clone() });
                            }>"Remove"</button></td></tr>
                    }
                }).collect_view()}</tbody>
            </table>
        </section>
        <GroupPermissions name=name.clone() policies=detail.policies inline=detail.inline_policies actions />
    }
}

/// The group's attached and inline policies; a list the caller may not read is replaced by
/// its refusal above the table.
#[component]
fn GroupPermissions(
    name: String,
    policies: Part<Vec<AttachedPolicy>>,
    inline: Part<Vec<InlinePolicyEntry>>,
    actions: Actions,
) -> impl IntoView {
    view! { <EntityPolicies kind="group" name policies inline actions=actions.perms testid="group-policies" /> }
}
