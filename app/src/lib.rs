#![recursion_limit = "256"]
//! The console: routes, pages, components, and the thin server functions behind them.

pub mod api;
pub mod bundle;
pub mod components;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
pub mod switched;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub use bundle::Bundle;

/// The name the build gives the wasm bundle, script and stylesheet under `/pkg`.
pub const OUTPUT_NAME: &str = "iam-console";

/// Keeps what a person does before the wasm arrives (see the script).
const EVENT_REPLAY: &str = include_str!("scripts/event_replay.js");

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let options = bundle_for_page(options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="data:," />
                <script inner_html=EVENT_REPLAY></script>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Which bundle hydrates the page being rendered.
#[cfg_attr(not(feature = "ssr"), allow(unused_mut))]
fn bundle_for_page(mut options: LeptosOptions) -> LeptosOptions {
    #[cfg(feature = "ssr")]
    {
        if let Some(parts) = use_context::<axum::http::request::Parts>() {
            let name = Bundle::for_path(parts.uri.path()).output_name();
            // A build that made only the console's bundle (cargo-leptos) still serves every page.
            let built = std::path::Path::new(&*options.site_root)
                .join(&*options.site_pkg_dir)
                .join(format!("{name}.wasm"))
                .exists();
            if built {
                options.output_name = name.into();
            }
        }
    }
    options
}

/// What every page has around its routes: meta tags, the stylesheet, the hydration mark.
/// `routes` is called inside the `Router`, which it needs.
fn frame<V: IntoView + 'static>(routes: impl FnOnce() -> V + Send + 'static) -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: this marks the page as hydrated (tests wait for it).
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    // Pages wait for their data on the server, so the first response is the whole page:
    // readable without the wasm, and redirects can still be sent as HTTP redirects.
    view! {
        <Stylesheet id="leptos" href=format!("/pkg/{OUTPUT_NAME}.css") />
        <Title formatter=|page: String| format!("{page} | IAM console") />
        <Router>{routes()}</Router>
    }
}

/// The pages before the console: sign-in, sign-up, the MFA step, a required password change.
#[component(transparent)]
fn SignInRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/signin") view=pages::signin::SignInPage ssr=SsrMode::Async />
        <Route path=path!("/signup") view=pages::signup::SignUpPage ssr=SsrMode::Async />
        <Route path=path!("/signin/mfa") view=pages::signin_mfa::SignInMfaPage ssr=SsrMode::Async />
        <Route path=path!("/signin/:account") view=pages::signin::SignInPage ssr=SsrMode::Async />
        <Route path=path!("/change-password") view=pages::change_password::ChangePasswordPage ssr=SsrMode::Async />
    }
    .into_inner()
}

/// The sign-in pages alone, hydrated by their own small bundle. Leaving them (signed in, to
/// the console) loads the next page whole, with the console's bundle.
#[component]
pub fn SignInApp() -> impl IntoView {
    frame(|| {
        view! {
            <Routes fallback=pages::not_found::LoadWhole>
                <SignInRoutes />
            </Routes>
        }
    })
}

/// The console's frame and dashboard alone: where a person arrives after signing in.
#[component]
pub fn DashboardApp() -> impl IntoView {
    frame(|| {
        view! {
            <Routes fallback=pages::not_found::LoadWhole>
                <ParentRoute path=path!("") view=components::layout::ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=pages::dashboard::DashboardPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        }
    })
}

#[component]
pub fn App() -> impl IntoView {
    frame(|| {
        view! {
                <Routes fallback=pages::not_found::NotFound>
                    <SignInRoutes />
                    <ParentRoute path=path!("") view=components::layout::ConsoleLayout ssr=SsrMode::Async>
                        <Route path=path!("") view=pages::dashboard::DashboardPage ssr=SsrMode::Async />
                        <Route path=path!("/security-credentials") view=pages::security_credentials::SecurityCredentialsPage ssr=SsrMode::Async />
                        <Route path=path!("/account-settings") view=pages::account_settings::AccountSettingsPage ssr=SsrMode::Async />
                        <Route path=path!("/users") view=pages::users::UsersPage ssr=SsrMode::Async />
                        <Route path=path!("/users/create") view=pages::user_create::CreateUserPage ssr=SsrMode::Async />
                        <Route path=path!("/users/:name") view=pages::user_detail::UserDetailPage ssr=SsrMode::Async />
                        <Route path=path!("/groups") view=pages::groups::GroupsPage ssr=SsrMode::Async />
                        <Route path=path!("/groups/create") view=pages::groups::CreateGroupPage ssr=SsrMode::Async />
                        <Route path=path!("/groups/:name") view=pages::group_detail::GroupDetailPage ssr=SsrMode::Async />
                        <Route path=path!("/roles") view=pages::roles::RolesPage ssr=SsrMode::Async />
                        <Route path=path!("/roles/create") view=pages::role_create::CreateRolePage ssr=SsrMode::Async />
                        <Route path=path!("/roles/:name") view=pages::role_detail::RoleDetailPage ssr=SsrMode::Async />
                        <Route path=path!("/switch-role") view=pages::switch_role::SwitchRolePage ssr=SsrMode::Async />
                        <Route path=path!("/policies") view=pages::policies::PoliciesPage ssr=SsrMode::Async />
                        <Route path=path!("/identity-providers") view=pages::identity_providers::IdentityProvidersPage ssr=SsrMode::Async />
                        <Route path=path!("/identity-providers/create") view=pages::identity_providers::AddProviderPage ssr=SsrMode::Async />
                        <Route path=path!("/identity-providers/view") view=pages::identity_provider_detail::IdentityProviderPage ssr=SsrMode::Async />
                        <Route path=path!("/policies/create") view=pages::policies::CreatePolicyPage ssr=SsrMode::Async />
                        <Route path=path!("/policies/view") view=pages::policy_detail::PolicyDetailPage ssr=SsrMode::Async />
                        <Route path=path!("/simulator") view=pages::simulator::SimulatorPage ssr=SsrMode::Async />
                        <Route path=path!("/event-history") view=pages::event_history::EventHistoryPage ssr=SsrMode::Async />
                        <Route path=path!("/billing") view=pages::billing::BillingDashboardPage ssr=SsrMode::Async />
                        <Route path=path!("/billing/notifications") view=pages::billing::NotificationsPage ssr=SsrMode::Async />
                        <Route path=path!("/billing/budgets") view=pages::budgets::BudgetsPage ssr=SsrMode::Async />
                        <Route path=path!("/billing/budgets/create") view=pages::budgets::CreateBudgetPage ssr=SsrMode::Async />
                        <Route path=path!("/billing/budgets/view") view=pages::budgets::BudgetDetailPage ssr=SsrMode::Async />
                        <Route path=path!("/billing/budgets/edit") view=pages::budgets::EditBudgetPage ssr=SsrMode::Async />
                    </ParentRoute>
                </Routes>
        }
    })
}
