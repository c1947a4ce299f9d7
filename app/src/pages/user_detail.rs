//! A user's page: summary, and tabs for permissions, groups, tags and security credentials.

use crate::api::iam::{
    get_user, list_groups, AddUserToGroup, DeactivateUserMfa, DeleteConsolePassword, DeleteInlinePolicy,
    DeleteUser, DetachPolicy, RemoveUserFromGroup, SetConsolePassword, TagUser, UntagUser,
};
use crate::components::permissions::{PermissionActions, PermissionsHeader};
use crate::components::widgets::{
    age, counted, part_view, when, ActionResult, Breadcrumbs, ConfirmDelete, DeniedView, ErrorView,
};
use iam_core::model::{AttachedPolicy, Denied, InlinePolicyEntry, MfaDeviceInfo, Part, UserDetail};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Every change the page can make; the user is reloaded after any of them.
#[derive(Clone, Copy)]
struct Actions {
    perms: PermissionActions,
    add_group: ServerAction<AddUserToGroup>,
    remove_group: ServerAction<RemoveUserFromGroup>,
    tag: ServerAction<TagUser>,
    untag: ServerAction<UntagUser>,
    set_password: ServerAction<SetConsolePassword>,
    delete_password: ServerAction<DeleteConsolePassword>,
    deactivate_mfa: ServerAction<DeactivateUserMfa>,
}

impl Actions {
    fn new() -> Self {
        Self {
            perms: PermissionActions::new(),
            add_group: ServerAction::new(),
            remove_group: ServerAction::new(),
            tag: ServerAction::new(),
            untag: ServerAction::new(),
            set_password: ServerAction::new(),
            delete_password: ServerAction::new(),
            deactivate_mfa: ServerAction::new(),
        }
    }

    fn versions(&self) -> [usize; 8] {
        [
            self.perms.version(),
            self.add_group.version().get(),
            self.remove_group.version().get(),
            self.tag.version().get(),
            self.untag.version().get(),
            self.set_password.version().get(),
            self.delete_password.version().get(),
            self.deactivate_mfa.version().get(),
        ]
    }
}

#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let actions = Actions::new();
    let user = Resource::new(move || (name.get(), actions.versions()), |(n, _)| get_user(n));
    let tab = RwSignal::new("permissions");
    view! {
        <Title text=move || format!("{} | Users", name.get()) />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("/users", "Users".into()), ("", name.get_untracked())] />
        <Suspense fallback=|| view! { <p class="loading">"Loading user…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(detail) => view! { <UserView detail actions tab /> }.into_any(),
                    Err(e) => view! { <h1>{name.get()}</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserView(detail: UserDetail, actions: Actions, tab: RwSignal<&'static str>) -> impl IntoView {
    let now = use_context::<crate::api::Whoami>().map_or(0, |w| w.now);
    let s = detail.summary.clone();
    let delete = ServerAction::<DeleteUser>::new();
    let deleting = RwSignal::new(false);
    let user_name = s.user_name.clone();
    let on_delete = Callback::new(move |confirm: String| {
        delete.dispatch(DeleteUser {
            user_name: user_name.clone(),
            confirm,
        });
    });
    let tabs = [
        ("permissions", "Permissions"),
        ("groups", "Groups"),
        ("tags", "Tags"),
        ("credentials", "Security credentials"),
    ];
    view! {
        <div class="panel-header">
            <h1>{s.user_name.clone()}</h1>
            <button type="button" class="button" on:click=move |_| deleting.update(|d| *d = !*d)>"Delete"</button>
        </div>
        <Show when=move || deleting.get()>
            <ConfirmDelete name=s.user_name.clone() what="user" on_delete pending=delete.pending().into() />
        </Show>
        <ActionResult value=delete.value() success="User deleted." />
        <section class="panel">
            <h2>"Summary"</h2>
            <dl class="facts">
                <dt>"ARN"</dt><dd><code>{s.arn.clone()}</code></dd>
                <dt>"Created"</dt><dd>{when(s.created_at)}</dd>
                <dt>"Console access"</dt><dd>{if s.password_enabled { "Enabled" } else { "Disabled" }}</dd>
                <dt>"Last console sign-in"</dt><dd>{s.password_last_used.map(when).unwrap_or_else(|| "Never".into())}</dd>
                <dt>"Password age"</dt><dd>{s.password_changed_at.map(|t| age(t, now)).unwrap_or_else(|| "-".into())}</dd>
            </dl>
        </section>
        <div role="tablist" class="tabs" aria-label="User details">
            {tabs.into_iter().map(|(id, label)| view! {
                <button type="button" role="tab" id=format!("tab-{id}") aria-selected=move || (tab.get() == id).to_string()
                    on:click=move |_| tab.set(id)>{label}</button>
            }).collect_view()}
        </div>
        <section class="panel" role="tabpanel">
            {move || match tab.get() {
                "groups" => view! { <GroupsTab detail=detail.clone() actions /> }.into_any(),
                "tags" => view! { <TagsTab detail=detail.clone() actions /> }.into_any(),
                "credentials" => view! { <CredentialsTab detail=detail.clone() actions /> }.into_any(),
                _ => view! { <PermissionsTab detail=detail.clone() actions /> }.into_any(),
            }}
        </section>
    }
}

/// Adds a shown list's rows to `rows`, a refused one's refusal to `denials`.
fn gather<T>(part: Part<Vec<T>>, rows: &mut Vec<T>, denials: &mut Vec<Denied>) {
    match part {
        Ok(list) => rows.extend(list),
        Err(denied) => denials.push(denied),
    }
}

/// Every policy the user has, a row each: attached directly, through groups, inline. Each
/// list the caller may not read is replaced by its refusal above the table.
#[component]
fn PermissionsTab(detail: UserDetail, actions: Actions) -> impl IntoView {
    let name = detail.summary.user_name.clone();
    let (mut rows, mut inline, mut denials) = (Vec::new(), Vec::new(), Vec::new());
    gather(detail.policies, &mut rows, &mut denials);
    match detail.group_policies {
        Ok(groups) => {
            for group in groups {
                gather(group.attached, &mut rows, &mut denials);
                gather(group.inline, &mut rows, &mut denials);
            }
        }
        Err(denied) => denials.push(denied),
    }
    gather(detail.inline_policies, &mut inline, &mut denials);
    let count = rows.len() + inline.len();
    view! {
        <PermissionsHeader kind="user" name=name.clone() count actions=actions.perms />
        {denials.into_iter().map(|denied| view! { <DeniedView denied /> }).collect_view()}
        <table class="table" data-testid="user-policies">
            <thead><tr><th>"Policy name"</th><th>"Type"</th><th>"Attached via"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>
                {rows.into_iter().map(|policy| view! { <PolicyRow policy user=name.clone() actions /> }).collect_view()}
                {inline.into_iter().map(|policy| view! { <InlineRow policy user=name.clone() actions /> }).collect_view()}
            </tbody>
        </table>
    }
}

/// A managed policy (or a group's inline policy) the user has; those attached directly can
/// be removed here.
#[component]
fn PolicyRow(policy: AttachedPolicy, user: String, actions: Actions) -> impl IntoView {
    let p = policy;
    let direct = p.attached_via == "Directly";
    let arn = p.policy_arn.clone();
    let link = (!p.policy_arn.is_empty()).then(|| {
        format!(
            "/policies/view?arn={}",
            crate::components::widgets::encode(&p.policy_arn)
        )
    });
    view! {
        <tr>
            <td>{match link { Some(href) => view! { <a href=href>{p.policy_name.clone()}</a> }.into_any(), None => view! { <span>{p.policy_name.clone()}</span> }.into_any() }}</td>
            <td>{p.policy_type}</td>
            <td>{p.attached_via}</td>
            <td>{direct.then(|| view! {
                <button type="button" class="link-button" on:click=move |_| {
                    actions.perms.detach.dispatch(DetachPolicy { kind: "user".into(), name: user.clone(), policy_arn: arn.clone() });
                }>"Remove"</button>
            })}</td>
        </tr>
    }
}

/// One of the user's inline policies, its document (or the refusal) under its name.
#[component]
fn InlineRow(policy: InlinePolicyEntry, user: String, actions: Actions) -> impl IntoView {
    let name = policy.policy_name.clone();
    view! {
        <tr>
            <td><details><summary>{policy.policy_name}</summary>
                {part_view(policy.document, |document| view! { <pre>{document}</pre> })}
            </details></td>
            <td>"Customer inline"</td>
            <td>"Directly"</td>
            <td><button type="button" class="link-button" on:click=move |_| {
                actions.perms.delete_inline.dispatch(DeleteInlinePolicy { kind: "user".into(), name: user.clone(), policy_name: name.clone() });
            }>"Remove"</button></td>
        </tr>
    }
}

#[component]
fn GroupsTab(detail: UserDetail, actions: Actions) -> impl IntoView {
    let groups = Resource::new(|| (), |_| list_groups(String::new(), 1));
    let name = detail.summary.user_name.clone();
    let chosen = RwSignal::new(String::new());
    let add_name = name.clone();
    view! {
        <h2>{format!("User groups membership{}", counted(&detail.groups))}</h2>
        <ActionResult value=actions.add_group.value() success="User added to group." />
        <ActionResult value=actions.remove_group.value() success="User removed from group." />
        <Suspense fallback=|| ()>
            {move || Suspend::new({
                let add_name = add_name.clone();
                async move {
                    groups.await.ok().map(|page| {
                        let add_name = add_name.clone();
                        view! {
                            <div class="inline-form">
                                <label for="field-add-group">"Add user to group"</label>
                                <select id="field-add-group" on:change=move |ev| chosen.set(event_target_value(&ev))>
                                    <option value="">"Choose a group"</option>
                                    {page.items.into_iter().map(|g| view! { <option value=g.group_name.clone()>{g.group_name.clone()}</option> }).collect_view()}
                                </select>
                                <button type="button" class="button" on:click=move |_| {
                                    if !chosen.get().is_empty() {
                                        actions.add_group.dispatch(AddUserToGroup { group_name: chosen.get(), user_name: add_name.clone() });
                                    }
                                }>"Add"</button>
                            </div>
                        }
                    })
                }
            })}
        </Suspense>
        {part_view(detail.groups, |groups| view! {
        <table class="table" data-testid="user-groups">
            <thead><tr><th>"Group name"</th><th>"Attached policies"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>{groups.into_iter().map(|g| {
                let user = name.clone();
                let group = g.group_name.clone();
                view! {
                    <tr>
                        <td><a href=format!("/groups/{}", g.group_name)>{g.group_name.clone()}</a></td>
                        <td>{g.policies}</td>
                        <td><button type="button" class="link-button" on:click=move |_| {
                            actions.remove_group.dispatch(RemoveUserFromGroup { group_name: group.clone(), user_name: user.clone() });
                        }>"Remove"</button></td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table>
        })}
    }
}

#[component]
fn TagsTab(detail: UserDetail, actions: Actions) -> impl IntoView {
    let name = detail.summary.user_name.clone();
    let hidden_name = name.clone();
    view! {
        <h2>{format!("Tags{}", counted(&detail.tags))}</h2>
        <ActionResult value=actions.tag.value() success="Tag saved." />
        <ActionResult value=actions.untag.value() success="Tag removed." />
        <ActionForm action=actions.tag attr:class="inline-form">
            <input type="hidden" name="user_name" value=hidden_name />
            <label for="field-tag-key">"Key"</label><input id="field-tag-key" name="key" required />
            <label for="field-tag-value">"Value"</label><input id="field-tag-value" name="value" />
            <button type="submit" class="button">"Add tag"</button>
        </ActionForm>
        {part_view(detail.tags, |tags| view! {
        <table class="table" data-testid="user-tags">
            <thead><tr><th>"Key"</th><th>"Value"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>{tags.into_iter().map(|t| {
                let user = name.clone();
                let key = t.key.clone();
                view! {
                    <tr><td>{t.key}</td><td>{t.value}</td>
                        <td><button type="button" class="link-button" on:click=move |_| {
                            actions.untag.dispatch(UntagUser { user_name: user.clone(), key: key.clone() });
                        }>"Remove"</button></td></tr>
                }
            }).collect_view()}</tbody>
        </table>
        })}
    }
}

#[component]
fn CredentialsTab(detail: UserDetail, actions: Actions) -> impl IntoView {
    let name = detail.summary.user_name.clone();
    let enabled = detail.summary.password_enabled;
    let managing = RwSignal::new(false);
    let generated = move || match actions.set_password.value().get() {
        Some(Ok(Some(password))) => Some(password),
        _ => None,
    };
    let disable_name = name.clone();
    let form_name = name.clone();
    view! {
        <h2>"Console sign-in"</h2>
        <dl class="facts">
            <dt>"Console access"</dt><dd data-testid="console-access">{if enabled { "Enabled" } else { "Disabled" }}</dd>
            <dt>"Require password reset"</dt><dd>{part_view(detail.password_reset_required, |reset| if reset { "Yes" } else { "No" })}</dd>
        </dl>
        <ActionResult value=actions.set_password.value() success="Console password set." />
        <ActionResult value=actions.delete_password.value() success="Console access disabled." />
        {move || generated().map(|p| view! {
            <div class="alert alert-success" role="status">"Console password (shown once): " <code data-testid="new-password">{p}</code></div>
        })}
        <div class="actions">
            <button type="button" class="button" on:click=move |_| managing.update(|m| *m = !*m)>
                {if enabled { "Reset password" } else { "Enable console access" }}</button>
            {enabled.then(|| view! {
                <button type="button" class="button" on:click=move |_| {
                    actions.delete_password.dispatch(DeleteConsolePassword { user_name: disable_name.clone() });
                }>"Disable console access"</button>
            })}
        </div>
        <Show when=move || managing.get()>
            {
                let hidden_name = form_name.clone();
                view! {
            <ActionForm action=actions.set_password attr:class="wizard">
                <input type="hidden" name="user_name" value=hidden_name />
                <div class="field">
                    <label for="field-custom_password">"Custom password (leave empty to autogenerate)"</label>
                    <input id="field-custom_password" name="custom_password" type="password" autocomplete="new-password" />
                </div>
                <label class="check"><input type="checkbox" name="require_reset" checked />"Users must create a new password at next sign-in"</label>
                <div class="actions"><button type="submit" class="button button-primary">"Apply"</button></div>
            </ActionForm>
                }
            }
        </Show>
        <MfaDevices devices=detail.mfa_devices user=name.clone() actions />
        <crate::components::access_keys::AccessKeysPanel user_name=name.clone() />
    }
}

/// The user's MFA devices (or the refusal), each removable by an administrator.
#[component]
fn MfaDevices(devices: Part<Vec<MfaDeviceInfo>>, user: String, actions: Actions) -> impl IntoView {
    view! {
        <h2>{format!("Multi-factor authentication (MFA){}", counted(&devices))}</h2>
        <ActionResult value=actions.deactivate_mfa.value() success="MFA device removed; the user can assign a new one." />
        {part_view(devices, |devices| view! {
        <table class="table" data-testid="user-mfa">
            <thead><tr><th>"Device name"</th><th>"Identifier"</th><th>"Assigned"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>{devices.into_iter().map(|d| {
                let user = user.clone();
                let device = d.name.clone();
                view! {
                    <tr><td>{d.name}</td><td><code>{d.serial}</code></td><td>{d.enabled_at.map(when).unwrap_or_default()}</td>
                        <td><button type="button" class="link-button" on:click=move |_| {
                            actions.deactivate_mfa.dispatch(DeactivateUserMfa { user_name: user.clone(), device: device.clone() });
                        }>"Remove"</button></td></tr>
                }
            }).collect_view()}</tbody>
        </table>
        })}
    }
}
