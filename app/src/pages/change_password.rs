//! The password change a user must make before the console opens: an administrator asked
//! for it, or the password expired.

use crate::api::settings::password_rules;
use crate::api::ChangeExpiredPassword;
use crate::components::form::{Field, FormAlert, NewPasswordField};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let action = ServerAction::<ChangeExpiredPassword>::new();
    let errors = Signal::derive(move || action.value().get().and_then(Result::err));
    let rules = Resource::new(|| (), |_| password_rules());
    let policy = Signal::derive(move || rules.get().and_then(Result::ok).flatten());
    view! {
        <Title text="Change password" />
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Change password"</h1>
                <p class="muted">"You must change your password to continue."</p>
                <FormAlert errors />
                <ActionForm action>
                    <Field label="Old password" name="current_password" kind="password" autocomplete="current-password" errors />
                    <NewPasswordField label="New password" name="new_password" errors policy reset=action.version() />
                    <Field label="Retype new password" name="confirm_password" kind="password" autocomplete="new-password" maxlength=128u32 errors />
                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Confirm password change"</button>
                </ActionForm>
            </div>
        </main>
    }
}
