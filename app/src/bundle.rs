//! Which browser bundle hydrates which page, and how a bundle hands the pages it lacks over.

use crate::OUTPUT_NAME;

/// The browser bundles. Each page is hydrated by the smallest that has it: the pages a person
/// lands on first (sign-in, the dashboard) have bundles of their own, so their first load
/// carries none of the rest of the console. A bundle loads any page it lacks whole
/// (`keep_to_own_pages`; `LoadWhole` where its router is asked for one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    /// `SignInApp`: sign-in, sign-up, the MFA step, a required password change.
    SignIn,
    /// `DashboardApp`: the console's frame and its dashboard.
    Dashboard,
    /// `App`: every page.
    Console,
}

impl Bundle {
    /// The smallest bundle that hydrates the page at `path`.
    pub fn for_path(path: &str) -> Self {
        let signin = matches!(path, "/signin" | "/signup" | "/signin/mfa" | "/change-password")
            || path
                .strip_prefix("/signin/")
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'));
        match path {
            _ if signin => Self::SignIn,
            "/" => Self::Dashboard,
            _ => Self::Console,
        }
    }

    /// The name of its files under `/pkg` (`scripts/build.sh` gives the same names).
    pub fn output_name(self) -> &'static str {
        match self {
            Self::SignIn => "iam-signin",
            Self::Dashboard => "iam-dashboard",
            Self::Console => OUTPUT_NAME,
        }
    }
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

#[cfg(feature = "hydrate")]
mod client {
    use super::Bundle;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    pub fn keep_to_own_pages(bundle: Bundle) {
        // Set before the router sets its own: the first hook set is the one kept.
        let _ = leptos::server_fn::redirect::set_redirect_hook(|to: &str| {
            let _ = leptos::prelude::window().location().assign(to);
        });
        // A link to another bundle's page is left to the browser: stopped in the capture
        // phase, the router never sees the click and the browser follows the link itself.
        let links = Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
            if let Some(path) = same_origin_link(&ev) {
                if Bundle::for_path(&path) != bundle {
                    ev.stop_propagation();
                }
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

    /// The path a click on a same-origin link leads to.
    fn same_origin_link(ev: &web_sys::MouseEvent) -> Option<String> {
        let anchor = ev
            .target()?
            .dyn_into::<web_sys::Element>()
            .ok()?
            .closest("a[href]")
            .ok()??;
        let location = leptos::prelude::window().location();
        let here = location.href().ok()?;
        let url = web_sys::Url::new_with_base(&anchor.get_attribute("href")?, &here).ok()?;
        (url.origin() == location.origin().ok()?).then(|| url.pathname())
    }
}

#[cfg(test)]
mod tests {
    use super::Bundle;

    #[test]
    fn pages_go_to_the_smallest_bundle_that_has_them() {
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
        for path in [
            "/users",
            "/users/create",
            "/signin/a/b",
            "/signin/",
            "/signup/x",
            "/policies/create",
            "/nowhere",
        ] {
            assert_eq!(Bundle::for_path(path), Bundle::Console, "{path}");
        }
    }
}
