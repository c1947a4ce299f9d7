//! Switch role, as AWS's console: account (ID or alias), role name, a display name and a
//! colour; the console then acts as a session of the role until you switch back.

use crate::api::roles::SwitchRole;
use crate::components::widgets::{ActionResult, Breadcrumbs};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// AWS's five colours for a switched role's label.
pub const COLORS: [(&str, &str); 5] = [
    ("red", "#d13212"),
    ("orange", "#ec7211"),
    ("yellow", "#f2c500"),
    ("green", "#1d8102"),
    ("blue", "#0073bb"),
];

#[component]
pub fn SwitchRolePage() -> impl IntoView {
    let query = use_query_map();
    let q = query.get_untracked();
    let switch = ServerAction::<SwitchRole>::new();
    crate::components::layout::reload_after(switch.value());
    view! {
        <Title text="Switch role" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("", "Switch role".into())] />
        <h1>"Switch role"</h1>
        <section class="panel">
            <p>"Act as a role of this or another account, with that role's permissions, for up to an hour. The role's trust policy must let you in."</p>
            <ActionResult value=switch.value() success="" />
            <ActionForm action=switch attr:class="form">
                <div class="field">
                    <label for="field-switch-account">"Account ID or alias"</label>
                    <input id="field-switch-account" name="account" required maxlength="63" value=q.get("account").unwrap_or_default() />
                </div>
                <div class="field">
                    <label for="field-switch-role">"IAM role name"</label>
                    <input id="field-switch-role" name="role_name" required maxlength="64" value=q.get("roleName").unwrap_or_default() />
                </div>
                <div class="field">
                    <label for="field-switch-display">"Display name - optional"</label>
                    <input id="field-switch-display" name="display_name" maxlength="64" value=q.get("displayName").unwrap_or_default() />
                </div>
                <fieldset>
                    <legend>"Display color - optional"</legend>
                    {COLORS.iter().enumerate().map(|(i, (name, hex))| view! {
                        <label class="check">
                            <input type="radio" name="color" value=*name checked=i == 0 />
                            <span class="color-swatch" style=format!("background:{hex}")></span>
                            <span>{*name}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
                <div class="actions">
                    <a class="button" href="/">"Cancel"</a>
                    <button type="submit" class="button button-primary">"Switch role"</button>
                </div>
            </ActionForm>
        </section>
    }
}
