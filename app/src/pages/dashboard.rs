//! The IAM dashboard: the account and the sign-in link for its IAM users.

use crate::api::Whoami;
use crate::components::copy_button::CopyButton;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    // Provided by the console layout, which loaded it for the top bar.
    let info = use_context::<Whoami>();
    let summary = Resource::new(|| (), |_| crate::api::policies::get_account_summary());
    view! {
        <Title text="IAM Dashboard" />
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <ol>
                <li>"IAM"</li>
                <li aria-current="page">"Dashboard"</li>
            </ol>
        </nav>
        <h1>"IAM Dashboard"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(s) => view! { <Overview s /> }.into_any(),
                    Err(e) => view! { <crate::components::widgets::ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
        {info.map(|info| view! {
            <section class="panel" aria-labelledby="account-heading">
                <h2 id="account-heading">"AWS Account"</h2>
                <dl class="facts">
                    <dt>"Account ID"</dt>
                    <dd class="with-copy">
                        <code data-testid="account-id">{info.account_id.clone()}</code>
                        <CopyButton value=info.account_id.clone() what="account ID" />
                    </dd>
                    <dt>"Account name"</dt>
                    <dd>{info.account_name.clone()}</dd>
                    <dt>"Sign-in URL for IAM users in this account"</dt>
                    <dd class="with-copy">
                        <code data-testid="signin-url">{info.signin_url.clone()}</code>
                        <CopyButton value=info.signin_url.clone() what="sign-in URL" />
                    </dd>
                    <dt>"Region"</dt>
                    <dd>"Global" <span class="muted">" (IAM is not tied to a region)"</span></dd>
                </dl>
            </section>
        })}
    }
}

/// IAM resources and security recommendations, as AWS's dashboard shows them.
#[component]
fn Overview(s: iam_core::model::AccountSummary) -> impl IntoView {
    let counts = [
        ("User groups", s.groups, "/groups"),
        ("Users", s.users, "/users"),
        ("Roles", s.roles, "/roles"),
        (
            "Policies",
            s.customer_policies,
            "/policies?type=Customer%20managed",
        ),
        ("Identity providers", s.identity_providers, "/identity-providers"),
    ];
    let mut advice: Vec<(bool, String)> = vec![
        (
            s.root_mfa,
            if s.root_mfa {
                "Root user has MFA".into()
            } else {
                "Add MFA for root user".into()
            },
        ),
        if s.root_access_keys == 0 {
            (true, "Root user has no active access keys".into())
        } else {
            (
                false,
                format!(
                    "Root user has {} active access key(s): delete them and use IAM users",
                    s.root_access_keys
                ),
            )
        },
    ];
    if s.old_access_keys > 0 {
        advice.push((
            false,
            format!(
                "{} active access key(s) older than 90 days: rotate them",
                s.old_access_keys
            ),
        ));
    }
    if s.users_without_mfa > 0 {
        advice.push((
            false,
            format!("{} user(s) with console access have no MFA", s.users_without_mfa),
        ));
    }
    if s.unused_passwords > 0 {
        advice.push((
            false,
            format!(
                "{} console password(s) unused for 90 days or more",
                s.unused_passwords
            ),
        ));
    }
    view! {
        <section class="panel" aria-labelledby="resources-heading">
            <h2 id="resources-heading">"IAM resources"</h2>
            <dl class="counts" data-testid="iam-resources">
                {counts.into_iter().map(|(label, n, href)| view! {
                    <div><dt>{label}</dt><dd>{if href.is_empty() {
                        view! { <span>{n}</span> }.into_any()
                    } else {
                        view! { <a href=href>{n}</a> }.into_any()
                    }}</dd></div>
                }).collect_view()}
            </dl>
        </section>
        <section class="panel" aria-labelledby="advice-heading">
            <h2 id="advice-heading">"Security recommendations"</h2>
            <ul class="advice" data-testid="recommendations">
                {advice.into_iter().map(|(ok, text)| view! {
                    <li class=if ok { "advice-ok" } else { "advice-todo" }>{if ok { "✔ " } else { "⚠ " }}{text}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}
