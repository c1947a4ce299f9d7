//! Root sign-in: email address and password.

use crate::api::SignIn;
use crate::components::form::{Field, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let errors = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="Sign in" />
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Sign in"</h1>
                <p class="auth-kind">"Root user"</p>
                <p class="muted">"Account owner that performs tasks requiring unrestricted access."</p>
                <FormAlert errors />
                <ActionForm action>
                    <Field label="Root user email address" name="email" kind="email" autocomplete="username" maxlength=254u32 errors />
                    <Field label="Password" name="password" kind="password" autocomplete="current-password" maxlength=128u32 errors />
                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                        "Sign in"
                    </button>
                </ActionForm>
                <p class="auth-switch">"New here? " <A href="/signup">"Create an account"</A></p>
            </div>
        </main>
    }
}
