#![recursion_limit = "256"]
//! The browser bundle of the access pages (roles, switch role, identity providers): see `app::Bundle`.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::bundle::hydrate(app::Bundle::Access, app::AccessApp);
}
