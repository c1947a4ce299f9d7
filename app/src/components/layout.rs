//! The console's frame: top bar with the identity menu, side navigation, content.

use crate::api::roles::{SwitchBack, SwitchRole};
use crate::api::{session_info, RecentRole, SignOut, Whoami};
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
    let menu = NodeRef::<leptos::html::Details>::new();
    let (open, set_open) = signal(false);
    dismiss_on_escape_or_outside(menu, open, set_open);
    // Choosing an item (a link or a form's button, not the copy button) closes the menu.
    let chose_item = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let item = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("a, button[type=submit]").ok().flatten());
        if item.is_some() {
            set_open.set(false);
        }
    };
    view! {
        <header class="topbar">
            <a class="skip-link" href="#main">"Skip to content"</a>
            <A href="/" attr:class="brand">"IAM console"</A>
            <span class="region" title="IAM is global: it has no region">"Global"</span>
            // A <details>, so the menu opens without the wasm too; a button to assistive technology.
            <details class="identity-menu" node_ref=menu prop:open=move || open.get()
                on:toggle=move |_| set_open.set(menu.get_untracked().is_some_and(|d| d.open()))>
                <summary role="button" aria-haspopup="true" aria-expanded=move || open.get().to_string()>
                    {match info.switched.clone() {
                        Some(role) => view! {
                            <span class="switched-role" data-color=role.color data-testid="switched-role">{role.display_name}</span>
                        }.into_any(),
                        None => view! {
                            <span class="identity-principal">{info.principal.clone()}</span>
                            " @ "
                            <span class="identity-account">{info.account_name.clone()}</span>
                            <span class="identity-account-id">" (" {info.account_id.clone()} ")"</span>
                        }.into_any(),
                    }}
                </summary>
                <div class="identity-panel" on:click=chose_item>
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
                        {info.switched.clone().map(|role| view! {
                            <dt>"Currently active as"</dt>
                            <dd><code>{role.arn}</code></dd>
                        })}
                    </dl>
                    <RoleSwitcher info=info.clone() />
                    <A href="/security-credentials" attr:class="menu-link">"Security credentials"</A>
                    <ActionForm action=signout>
                        <button type="submit" class="button">"Sign out"</button>
                    </ActionForm>
                </div>
            </details>
        </header>
    }
}

/// Escape, or a click anywhere outside it, closes the open menu; Escape hands the focus back
/// to the menu's button.
fn dismiss_on_escape_or_outside(
    menu: NodeRef<leptos::html::Details>,
    open: ReadSignal<bool>,
    set_open: WriteSignal<bool>,
) {
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && open.get_untracked() {
            set_open.set(false);
            if let Some(summary) = menu
                .get_untracked()
                .and_then(|d| d.query_selector("summary").ok().flatten())
            {
                use wasm_bindgen::JsCast;
                if let Ok(summary) = summary.dyn_into::<web_sys::HtmlElement>() {
                    let _ = summary.focus();
                }
            }
        }
    });
    let clicks = window_event_listener(leptos::ev::click, move |ev| {
        use wasm_bindgen::JsCast;
        if !open.get_untracked() {
            return;
        }
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = menu.get_untracked().is_some_and(|d| d.contains(target.as_ref()));
        if !inside {
            set_open.set(false);
        }
    });
    on_cleanup(move || {
        keys.remove();
        clicks.remove();
    });
}

/// A whole new page once the console acts as someone else: every part of it, the top bar
/// included, must be loaded again as that identity.
pub fn reload_after<T: Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) {
    Effect::new(move |_| {
        if matches!(value.get(), Some(Ok(_))) {
            let _ = window().location().set_href("/");
        }
    });
}

/// Switch back, the last roles switched to, and Switch role.
#[component]
fn RoleSwitcher(info: Whoami) -> impl IntoView {
    let back = ServerAction::<SwitchBack>::new();
    let again = ServerAction::<SwitchRole>::new();
    reload_after(back.value());
    reload_after(again.value());
    let switched = info.switched.is_some();
    view! {
        <Show when=move || switched>
            <ActionForm action=back>
                <button type="submit" class="button">"Switch back"</button>
            </ActionForm>
        </Show>
        <ul class="recent-roles" aria-label="Role history">
            {info.recent_roles.into_iter().map(|role: RecentRole| view! {
                <li>
                    <ActionForm action=again>
                        <input type="hidden" name="account" value=role.account />
                        <input type="hidden" name="role_name" value=role.role_name />
                        <input type="hidden" name="display_name" value=role.display_name.clone() />
                        <input type="hidden" name="color" value=role.color.clone() />
                        <button type="submit" class="link-button">
                            <span class="color-swatch switched-role" data-color=role.color></span>" "{role.display_name}
                        </button>
                    </ActionForm>
                </li>
            }).collect_view()}
        </ul>
        <A href="/switch-role" attr:class="menu-link">"Switch role"</A>
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
                <li><A href="/roles">"Roles"</A></li>
                <li><A href="/policies">"Policies"</A></li>
                <li><A href="/identity-providers">"Identity providers"</A></li>
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
