//! The console's frame: top bar with the identity menu, side navigation, content.

use crate::api::{session_info, SignOut, Whoami};
use crate::components::copy_button::CopyButton;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

/// Wraps every signed-in page; sends everyone else to sign-in.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let info = Resource::new(|| (), |_| session_info());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(info) => view! { <Frame info /> }.into_any(),
                    Err(AppError::NotSignedIn) => view! { <Redirect path="/signin" /> }.into_any(),
                    Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(info: Whoami) -> impl IntoView {
    provide_context(info.clone());
    let expires_in = info.password_expires_in_days;
    view! {
        <div class="console">
            <TopBar info />
            <div class="console-body">
                <SideNav />
                <main class="content" id="main">
                    {expires_in.map(|days| view! {
                        <div class="alert alert-warning" role="status">
                            {match days {
                                0 => "Your password expires today. ".to_string(),
                                1 => "Your password expires in 1 day. ".to_string(),
                                n => format!("Your password expires in {n} days. "),
                            }}
                            <A href="/security-credentials">"Change it now"</A>
                        </div>
                    })}
                    <Outlet />
                </main>
            </div>
        </div>
    }
}

#[component]
fn TopBar(info: Whoami) -> impl IntoView {
    let signout = ServerAction::<SignOut>::new();
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <A href="/" attr:class="brand">"IAM console"</A>
            <span class="region" title="IAM is global: it has no region">"Global"</span>
            <details class="identity-menu">
                <summary>
                    <span class="identity-principal">{info.principal.clone()}</span>
                    " @ "
                    <span class="identity-account">{info.account_name.clone()}</span>
                    <span class="identity-account-id">" (" {info.account_id.clone()} ")"</span>
                </summary>
                <div class="identity-panel">
                    <dl>
                        <dt>"Account name"</dt>
                        <dd>{info.account_name.clone()}</dd>
                        <dt>"Account ID"</dt>
                        <dd class="with-copy">
                            <code data-testid="menu-account-id">{info.account_id.clone()}</code>
                            <CopyButton value=info.account_id.clone() what="account ID" />
                        </dd>
                        <dt>"Signed in as"</dt>
                        <dd><code>{info.arn.clone()}</code></dd>
                    </dl>
                    <A href="/security-credentials" attr:class="menu-link">"Security credentials"</A>
                    <ActionForm action=signout>
                        <button type="submit" class="button">"Sign out"</button>
                    </ActionForm>
                </div>
            </details>
        </header>
    }
}

/// AWS's order. Areas join the list as they are built; none is listed before it works.
#[component]
fn SideNav() -> impl IntoView {
    view! {
        <nav class="sidenav" aria-label="Identity and Access Management">
            <h2 class="sidenav-title">"Identity and Access Management (IAM)"</h2>
            <ul>
                <li><A href="/" exact=true>"Dashboard"</A></li>
            </ul>
            <h3 class="sidenav-group">"Access management"</h3>
            <ul>
                <li><A href="/groups">"User groups"</A></li>
                <li><A href="/users">"Users"</A></li>
                <li><A href="/policies">"Policies"</A></li>
                <li><A href="/account-settings">"Account settings"</A></li>
            </ul>
            <h3 class="sidenav-group">"Access reports"</h3>
            <ul>
                <li><A href="/simulator">"Policy simulator"</A></li>
                <li><A href="/event-history">"Event history"</A></li>
            </ul>
            <h3 class="sidenav-group">"Billing"</h3>
            <ul>
                <li><A href="/billing">"Billing dashboard"</A></li>
                <li><A href="/billing/budgets">"Budgets"</A></li>
            </ul>
        </nav>
    }
}
