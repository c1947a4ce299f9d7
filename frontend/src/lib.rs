#![recursion_limit = "256"]
//! The console's browser bundle: every page (`app::App`). The pages are served with their
//! area's smaller bundle (`bundles/`, `app::Bundle`); this one is what a build that makes
//! only it (cargo-leptos) serves them all with.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::bundle::hydrate(app::Bundle::Console, app::App);
}
