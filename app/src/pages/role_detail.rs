//! A role's page: summary with its ARN and the switch-role link, trust relationships (edit),
//! permissions (managed and inline), permissions boundary, tags, "Revoke active sessions",
//! and delete after typing its name. A service-linked role's trust and permissions are
//! shown but not editable: they are its service's.

use crate::api::roles::{get_role, DeleteRole, RevokeRoleSessions, UpdateTrustPolicy};
use crate::components::permissions::{EntityPolicies, PermissionActions};
use crate::components::policy_editor::PolicyEditor;
use crate::components::widgets::{age, when, ActionResult, Breadcrumbs, ConfirmDelete, ErrorView};
use iam_core::model::RoleDetail;
use iam_core::policy::PolicyKind;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[derive(Clone, Copy)]
struct Actions {
    trust: ServerAction<UpdateTrustPolicy>,
    revoke: ServerAction<RevokeRoleSessions>,
    perms: PermissionActions,
}

#[component]
pub fn RoleDetailPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let actions = Actions {
        trust: ServerAction::new(),
        revoke: ServerAction::new(),
        perms: PermissionActions::new(),
    };
    let role = Resource::new(
        move || {
            (
                name.get(),
                actions.trust.version().get() + actions.revoke.version().get() + actions.perms.version(),
            )
        },
        |(n, _)| get_role(n),
    );
    view! {
        <Title text=move || format!("{} | Roles", name.get()) />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("/roles", "Roles".into()), ("", name.get_untracked())] />
        <Suspense fallback=|| view! { <p class="loading">"Loading role…"</p> }>
            {move || Suspend::new(async move {
                match role.await {
                    Ok(detail) => view! { <RoleView detail actions /> }.into_any(),
                    Err(e) => view! { <h1>{name.get()}</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RoleView(detail: RoleDetail, actions: Actions) -> impl IntoView {
    let info = use_context::<crate::api::Whoami>();
    let now = info.as_ref().map_or(0, |w| w.now);
    let base = info
        .as_ref()
        .map(|w| {
            w.signin_url
                .split("/signin/")
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .unwrap_or_default();
    let name = detail.summary.role_name.clone();
    let account = detail
        .summary
        .arn
        .split(':')
        .nth(4)
        .unwrap_or_default()
        .to_owned();
    let switch_link = format!(
        "{base}/switch-role?account={account}&roleName={}",
        crate::components::widgets::encode(&name)
    );
    let delete = ServerAction::<DeleteRole>::new();
    let deleting = RwSignal::new(false);
    let delete_name = name.clone();
    let linked = detail.linked_service.clone();
    let service_linked = linked.is_some();
    let on_delete = Callback::new(move |confirm: String| {
        delete.dispatch(DeleteRole {
            role_name: delete_name.clone(),
            confirm,
            service_linked,
        });
    });
    let confirm_name = name.clone();
    let revoke_name = name.clone();
    let summary = detail.summary.clone();
    view! {
        <div class="panel-header">
            <h1>{name.clone()}</h1>
            <button type="button" class="button" on:click=move |_| deleting.update(|d| *d = !*d)>"Delete"</button>
        </div>
        <Show when=move || deleting.get()>
            <ConfirmDelete name=confirm_name.clone() what="role" on_delete pending=delete.pending().into() />
        </Show>
        <ActionResult value=delete.value() success="Role deleted." />
        {linked.map(|service| view! {
            <p class="alert alert-info" role="note" data-testid="service-linked">{format!(
                "This is a service-linked role: it belongs to the AWS service {service}, which alone changes its trust and permissions. Delete it only when the service no longer needs it."
            )}</p>
        })}
        <section class="panel">
            <h2>"Summary"</h2>
            <dl class="facts" data-testid="role-summary">
                <dt>"ARN"</dt><dd><code>{summary.arn.clone()}</code></dd>
                <dt>"Description"</dt><dd>{if summary.description.is_empty() { "-".to_string() } else { summary.description.clone() }}</dd>
                <dt>"Creation date"</dt><dd>{when(summary.created_at)}</dd>
                <dt>"Last activity"</dt><dd>{summary.last_used_at.map_or_else(|| "-".to_string(), |at| age(at, now))}</dd>
                <dt>"Maximum session duration"</dt><dd>{format!("{} hour(s)", detail.max_session_duration / 3600)}</dd>
                <dt>"Link to switch roles in console"</dt><dd><code data-testid="switch-link">{switch_link}</code></dd>
                <dt>"Permissions boundary"</dt><dd>{detail.permissions_boundary.clone().unwrap_or_else(|| "Not set".into())}</dd>
            </dl>
        </section>
        <TrustPanel name=name.clone() document=detail.trust_policy.clone() trusted=summary.trusted.clone() actions editable=!service_linked />
        <Show when={
            let ec2 = summary.trusted.iter().any(|t| t == "AWS service: ec2");
            move || ec2
        }>
            <WorkloadHowTo role=name.clone() account=account.clone() />
        </Show>
        <RolePermissions detail=detail.clone() actions />
        <section class="panel">
            <h2>{format!("Tags ({})", detail.tags.len())}</h2>
            <table class="table" data-testid="role-tags">
                <thead><tr><th>"Key"</th><th>"Value"</th></tr></thead>
                <tbody>{detail.tags.iter().map(|t| view! { <tr><td>{t.key.clone()}</td><td>{t.value.clone()}</td></tr> }).collect_view()}</tbody>
            </table>
        </section>
        <section class="panel" style:display=if service_linked { "none" } else { "" }>
            <h2>"Revoke sessions"</h2>
            <p>"Denies every permission to sessions of this role issued before now: anyone using them must assume the role again. AWS's inline policy AWSRevokeOlderSessions is added to the role."</p>
            <ActionResult value=actions.revoke.value() success="Active sessions revoked." />
            <button type="button" class="button" disabled=move || actions.revoke.pending().get()
                on:click=move |_| { actions.revoke.dispatch(RevokeRoleSessions { role_name: revoke_name.clone() }); }>"Revoke active sessions"</button>
        </section>
    }
}

#[component]
fn TrustPanel(
    name: String,
    document: String,
    trusted: Vec<String>,
    actions: Actions,
    editable: bool,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(document.clone());
    view! {
        <section class="panel">
            <div class="panel-header">
                <h2>"Trust relationships"</h2>
                {editable.then(|| view! {
                    <button type="button" class="button" on:click=move |_| editing.update(|e| *e = !*e)>"Edit trust policy"</button>
                })}
            </div>
            <p>"Trusted entities: " {trusted.join(", ")}</p>
            <ActionResult value=actions.trust.value() success="Trust policy updated." />
            <Show when=move || editing.get() fallback={
                let document = document.clone();
                move || view! { <pre data-testid="trust-policy">{document.clone()}</pre> }
            }>
                <PolicyEditor document=draft label="Trust policy" kind=PolicyKind::Trust />
                <button type="button" class="button button-primary" disabled=move || actions.trust.pending().get()
                    on:click={
                        let name = name.clone();
                        move |_| { actions.trust.dispatch(UpdateTrustPolicy { role_name: name.clone(), document: draft.get() }); }
                    }>"Update policy"</button>
            </Show>
        </section>
    }
}

#[component]
fn RolePermissions(detail: RoleDetail, actions: Actions) -> impl IntoView {
    let editable = detail.linked_service.is_none();
    view! {
        <EntityPolicies kind="role" name=detail.summary.role_name policies=detail.policies
            inline=detail.inline_policies actions=actions.perms testid="role-policies" editable />
    }
}

/// How a workload gets this role's credentials: an instance profile, a registration, and an
/// unmodified SDK pointed at the metadata endpoint.
#[component]
fn WorkloadHowTo(role: String, account: String) -> impl IntoView {
    view! {
        <section class="panel" data-testid="workload-how-to">
            <h2>"Use this role from a workload"</h2>
            <ol>
                <li>"Put the role in an instance profile: "
                    <code>{format!("aws iam create-instance-profile --instance-profile-name {role}")}</code>" and "
                    <code>{format!("aws iam add-role-to-instance-profile --instance-profile-name {role} --role-name {role}")}</code></li>
                <li>"Register the workload's address on the server (the operator): "
                    <code>{format!("server workload register --account {account} --instance-profile {role} --address <IP>")}</code></li>
                <li>"Start the server with " <code>"IAM_METADATA_LISTEN"</code> " set, and point the workload's AWS SDK or CLI at it: "
                    <code>"AWS_EC2_METADATA_SERVICE_ENDPOINT=http://<host>:<port>/"</code>
                    ". It receives rotating credentials of this role; no secret is stored on the workload."</li>
            </ol>
        </section>
    }
}
