#![recursion_limit = "256"]
//! The browser bundle of the sign-in pages (sign-in, sign-up, the MFA step, a required password change): see `app::Bundle`.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::bundle::hydrate(app::Bundle::SignIn, app::SignInApp);
}
