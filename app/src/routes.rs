//! The routes, by area, and the apps the bundles hydrate: `App` has every page, each of the
//! others one area's (see `Bundle`). The server renders every page with `App`.

use crate::components::layout::ConsoleLayout;
use crate::pages::*;
use crate::{Bundle, OUTPUT_NAME};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, MatchNestedRoutes, SsrMode};

/// What every page has around its routes: meta tags, the stylesheet, the hydration mark.
/// `routes` is called inside the `Router`, which it needs.
fn frame<V: IntoView + 'static>(
    bundle: Bundle,
    routes: impl FnOnce() -> V + Send + 'static,
) -> impl IntoView {
    provide_meta_context();
    provide_context(bundle);
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
        <Router>
            {
                crate::bundle::remember_router();
                routes()
            }
        </Router>
    }
}

/// The pages before the console: sign-in, sign-up, the MFA step, a required password change.
#[component(transparent)]
fn SignInRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/signin") view=signin::SignInPage ssr=SsrMode::Async />
        <Route path=path!("/signup") view=signup::SignUpPage ssr=SsrMode::Async />
        <Route path=path!("/signin/mfa") view=signin_mfa::SignInMfaPage ssr=SsrMode::Async />
        <Route path=path!("/signin/:account") view=signin::SignInPage ssr=SsrMode::Async />
        <Route path=path!("/change-password") view=change_password::ChangePasswordPage ssr=SsrMode::Async />
    }
    .into_inner()
}

/// Users, groups, your own credentials, the account's settings.
#[component(transparent)]
fn PeopleRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/security-credentials") view=security_credentials::SecurityCredentialsPage ssr=SsrMode::Async />
        <Route path=path!("/account-settings") view=account_settings::AccountSettingsPage ssr=SsrMode::Async />
        <Route path=path!("/users") view=users::UsersPage ssr=SsrMode::Async />
        <Route path=path!("/users/create") view=user_create::CreateUserPage ssr=SsrMode::Async />
        <Route path=path!("/users/:name") view=user_detail::UserDetailPage ssr=SsrMode::Async />
        <Route path=path!("/groups") view=groups::GroupsPage ssr=SsrMode::Async />
        <Route path=path!("/groups/create") view=groups::CreateGroupPage ssr=SsrMode::Async />
        <Route path=path!("/groups/:name") view=group_detail::GroupDetailPage ssr=SsrMode::Async />
    }
    .into_inner()
}

/// Roles, switching to one, identity providers.
#[component(transparent)]
fn AccessRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/roles") view=roles::RolesPage ssr=SsrMode::Async />
        <Route path=path!("/roles/create") view=role_create::CreateRolePage ssr=SsrMode::Async />
        <Route path=path!("/roles/:name") view=role_detail::RoleDetailPage ssr=SsrMode::Async />
        <Route path=path!("/switch-role") view=switch_role::SwitchRolePage ssr=SsrMode::Async />
        <Route path=path!("/identity-providers") view=identity_providers::IdentityProvidersPage ssr=SsrMode::Async />
        <Route path=path!("/identity-providers/create") view=identity_providers::AddProviderPage ssr=SsrMode::Async />
        <Route path=path!("/identity-providers/view") view=identity_provider_detail::IdentityProviderPage ssr=SsrMode::Async />
    }
    .into_inner()
}

/// Policies and their editor, the simulator, event history.
#[component(transparent)]
fn PolicyRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/policies") view=policies::PoliciesPage ssr=SsrMode::Async />
        <Route path=path!("/policies/create") view=policies::CreatePolicyPage ssr=SsrMode::Async />
        <Route path=path!("/policies/view") view=policy_detail::PolicyDetailPage ssr=SsrMode::Async />
        <Route path=path!("/simulator") view=simulator::SimulatorPage ssr=SsrMode::Async />
        <Route path=path!("/event-history") view=event_history::EventHistoryPage ssr=SsrMode::Async />
    }
    .into_inner()
}

/// The billing dashboard, alert preferences, budgets.
#[component(transparent)]
fn BillingRoutes() -> impl MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/billing") view=billing::BillingDashboardPage ssr=SsrMode::Async />
        <Route path=path!("/billing/notifications") view=billing::NotificationsPage ssr=SsrMode::Async />
        <Route path=path!("/billing/budgets") view=budgets::BudgetsPage ssr=SsrMode::Async />
        <Route path=path!("/billing/budgets/create") view=budgets::CreateBudgetPage ssr=SsrMode::Async />
        <Route path=path!("/billing/budgets/view") view=budgets::BudgetDetailPage ssr=SsrMode::Async />
        <Route path=path!("/billing/budgets/edit") view=budgets::EditBudgetPage ssr=SsrMode::Async />
    }
    .into_inner()
}

/// Every page: what the server renders, and the bundle of a build that makes only this one.
#[component]
pub fn App() -> impl IntoView {
    frame(Bundle::Console, || {
        view! {
            <Routes fallback=not_found::NotFound>
                <SignInRoutes />
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=dashboard::DashboardPage ssr=SsrMode::Async />
                    <PeopleRoutes />
                    <AccessRoutes />
                    <PolicyRoutes />
                    <BillingRoutes />
                </ParentRoute>
            </Routes>
        }
    })
}

/// The sign-in pages alone: a visitor's first load carries none of the console.
#[component]
pub fn SignInApp() -> impl IntoView {
    frame(Bundle::SignIn, || {
        view! {
            <Routes fallback=not_found::LoadWhole>
                <SignInRoutes />
            </Routes>
        }
    })
}

/// The console's frame and dashboard alone: where a person arrives after signing in.
#[component]
pub fn DashboardApp() -> impl IntoView {
    frame(Bundle::Dashboard, || {
        view! {
            <Routes fallback=not_found::LoadWhole>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=dashboard::DashboardPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        }
    })
}

#[component]
pub fn PeopleApp() -> impl IntoView {
    frame(Bundle::People, || {
        view! {
            <Routes fallback=not_found::LoadWhole>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <PeopleRoutes />
                </ParentRoute>
            </Routes>
        }
    })
}

#[component]
pub fn AccessApp() -> impl IntoView {
    frame(Bundle::Access, || {
        view! {
            <Routes fallback=not_found::LoadWhole>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <AccessRoutes />
                </ParentRoute>
            </Routes>
        }
    })
}

#[component]
pub fn PolicyApp() -> impl IntoView {
    frame(Bundle::Policies, || {
        view! {
            <Routes fallback=not_found::LoadWhole>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <PolicyRoutes />
                </ParentRoute>
            </Routes>
        }
    })
}

#[component]
pub fn BillingApp() -> impl IntoView {
    frame(Bundle::Billing, || {
        view! {
            <Routes fallback=not_found::LoadWhole>
                <ParentRoute path=path!("") view=ConsoleLayout ssr=SsrMode::Async>
                    <BillingRoutes />
                </ParentRoute>
            </Routes>
        }
    })
}
