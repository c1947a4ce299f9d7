#![recursion_limit = "256"]
//! The browser bundle of the people pages (users, groups, security credentials, account settings): see `app::Bundle`.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::bundle::hydrate(app::Bundle::People, app::PeopleApp);
}
