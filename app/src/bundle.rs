//! Which browser bundle hydrates which page, and how a bundle hands the pages it lacks over.

use crate::OUTPUT_NAME;

/// The browser bundles. Each page is hydrated by the bundle of its area, so a page's first
/// load carries the frame and its own area, not the whole console, and a new page grows only
/// its area's bundle. A bundle loads any page it lacks whole (`keep_to_own_pages`; `LoadWhole`
/// where its router is asked for one). Each has an app in `routes` with exactly its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    /// `SignInApp`: sign-in, sign-up, the MFA step, a required password change.
    SignIn,
    /// `DashboardApp`: the console's frame and its dashboard.
    Dashboard,
    /// `PeopleApp`: users, groups, security credentials, account settings.
    People,
    /// `AccessApp`: roles, switch role, identity providers.
    Access,
    /// `PolicyApp`: policies, the simulator, event history.
    Policies,
    /// `BillingApp`: the billing dashboard, preferences, budgets.
    Billing,
    /// `App`: every page (and the pages no area has: not found).
    Console,
}

impl Bundle {
    /// The bundle that hydrates the page at `path`.
    pub fn for_path(path: &str) -> Self {
        // `path` itself or a page under it.
        let under = |area: &str| {
            path.strip_prefix(area)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        let signin = matches!(path, "/signin" | "/signup" | "/signin/mfa" | "/change-password")
            || path
                .strip_prefix("/signin/")
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'));
        match path {
            _ if signin => Self::SignIn,
            "/" => Self::Dashboard,
            "/security-credentials" | "/account-settings" => Self::People,
            _ if under("/users") || under("/groups") => Self::People,
            "/switch-role" => Self::Access,
            _ if under("/roles") || under("/identity-providers") => Self::Access,
            "/simulator" | "/event-history" => Self::Policies,
            _ if under("/policies") => Self::Policies,
            _ if under("/billing") => Self::Billing,
            _ => Self::Console,
        }
    }

    /// The name of its files under `/pkg` (`scripts/build.sh` gives the same names).
    pub fn output_name(self) -> &'static str {
        match self {
            Self::SignIn => "iam-signin",
            Self::Dashboard => "iam-dashboard",
            Self::People => "iam-people",
            Self::Access => "iam-access",
            Self::Policies => "iam-policies",
            Self::Billing => "iam-billing",
            Self::Console => OUTPUT_NAME,
        }
    }
}

/// Hydrates the page with `app`, the app of `bundle`. The bundle crates' entry point.
pub fn hydrate<V: leptos::prelude::IntoView + 'static>(bundle: Bundle, app: fn() -> V) {
    if bundle != Bundle::Console {
        keep_to_own_pages(bundle);
    }
    #[cfg(feature = "hydrate")]
    leptos::mount::hydrate_body(app);
    #[cfg(not(feature = "hydrate"))]
    let _ = app;
}

/// In a bundle that lacks some pages: links to them and redirects from server functions load
/// the next page whole (with the bundle that has it), rather than the router pushing an address
/// it cannot show. Call before hydrating.
pub fn keep_to_own_pages(bundle: Bundle) {
    #[cfg(feature = "hydrate")]
    client::keep_to_own_pages(bundle);
    #[cfg(not(feature = "hydrate"))]
    let _ = bundle;
}

/// Called inside the `Router`: where `keep_to_own_pages` finds it to redirect within the page.
pub fn remember_router() {
    #[cfg(feature = "hydrate")]
    client::remember_router();
}

#[cfg(feature = "hydrate")]
mod client {
    use super::Bundle;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    thread_local! {
        /// The router's owner, where its location lives (`remember_router`).
        static ROUTER: std::cell::RefCell<Option<leptos::prelude::Owner>> = const { std::cell::RefCell::new(None) };
    }

    pub fn remember_router() {
        ROUTER.with(|r| *r.borrow_mut() = leptos::prelude::Owner::current());
    }

    pub fn keep_to_own_pages(bundle: Bundle) {
        // Set before the router sets its own (the first hook set is the one kept): a redirect to
        // one of this bundle's pages stays in the page, as the router's would; any other page
        // loads whole.
        let _ = leptos::server_fn::redirect::set_redirect_hook(move |to: &str| {
            use leptos_router::location::{BrowserUrl, LocationProvider};
            let router = ROUTER.with(|r| r.borrow().clone());
            match router {
                Some(owner) if path_of(to).is_some_and(|path| Bundle::for_path(&path) == bundle) => {
                    owner.with(|| BrowserUrl::redirect(to));
                }
                _ => {
                    let _ = leptos::prelude::window().location().assign(to);
                }
            }
        });
        // A link to another bundle's page is left to the browser: stopped in the capture
        // phase, the router never sees the click and the browser follows the link itself.
        let links = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
            let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            let href = target
                .and_then(|el| el.closest("a[href]").ok().flatten())
                .and_then(|a| a.get_attribute("href"));
            if href
                .and_then(|href| path_of(&href))
                .is_some_and(|path| Bundle::for_path(&path) != bundle)
            {
                ev.stop_propagation();
            }
        });
        let _ = leptos::prelude::document().add_event_listener_with_callback_and_bool(
            "click",
            links.as_ref().unchecked_ref(),
            true,
        );
        // Lives as long as the page.
        links.forget();
    }

    /// The path of a same-origin address (`None` for another origin's).
    fn path_of(address: &str) -> Option<String> {
        let location = leptos::prelude::window().location();
        let url = web_sys::Url::new_with_base(address, &location.href().ok()?).ok()?;
        (url.origin() == location.origin().ok()?).then(|| url.pathname())
    }
}

#[cfg(test)]
mod tests {
    use super::Bundle;

    #[test]
    fn pages_go_to_the_bundle_of_their_area() {
        for path in [
            "/signin",
            "/signup",
            "/signin/mfa",
            "/change-password",
            "/signin/123456789012",
            "/signin/my-alias",
        ] {
            assert_eq!(Bundle::for_path(path), Bundle::SignIn, "{path}");
        }
        assert_eq!(Bundle::for_path("/"), Bundle::Dashboard);
        for (path, bundle) in [
            ("/users", Bundle::People),
            ("/users/create", Bundle::People),
            ("/groups/admins", Bundle::People),
            ("/account-settings", Bundle::People),
            ("/roles/create", Bundle::Access),
            ("/switch-role", Bundle::Access),
            ("/identity-providers/view", Bundle::Access),
            ("/policies/create", Bundle::Policies),
            ("/event-history", Bundle::Policies),
            ("/billing/budgets/edit", Bundle::Billing),
        ] {
            assert_eq!(Bundle::for_path(path), bundle, "{path}");
        }
        for path in [
            "/signin/a/b",
            "/signin/",
            "/signup/x",
            "/usersx",
            "/billingx",
            "/nowhere",
        ] {
            assert_eq!(Bundle::for_path(path), Bundle::Console, "{path}");
        }
    }
}
