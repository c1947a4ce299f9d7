#![recursion_limit = "256"]
//! The browser bundles: each hydrates the server-rendered page and nothing else. Built once
//! per `app::Bundle`: the console's by default, the others with the feature named for them.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    #[cfg(feature = "signin")]
    {
        app::bundle::keep_to_own_pages(app::Bundle::SignIn);
        leptos::mount::hydrate_body(app::SignInApp);
    }
    #[cfg(all(feature = "dashboard", not(feature = "signin")))]
    {
        app::bundle::keep_to_own_pages(app::Bundle::Dashboard);
        leptos::mount::hydrate_body(app::DashboardApp);
    }
    #[cfg(not(any(feature = "signin", feature = "dashboard")))]
    leptos::mount::hydrate_body(app::App);
}
