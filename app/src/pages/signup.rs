//! Sign-up: a new account and its root user.

use crate::api::{sign_up_state, SignUp};
use crate::components::form::{Field, FormAlert, NewPasswordField};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let state = Resource::new(|| (), |_| sign_up_state());
    view! {
        <Title text="Sign up" />
        <main class="auth-page">
            <div class="auth-card">
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match state.await {
                            Ok(s) if s.open => view! { <SignUpForm first=s.first_account /> }.into_any(),
                            Ok(_) => view! {
                                <h1>"Sign-up is turned off"</h1>
                                <p>"Ask this console's administrator for access."</p>
                                <A href="/signin">"Sign in"</A>
                            }.into_any(),
                            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}

#[component]
fn SignUpForm(first: bool) -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let errors = Signal::derive(move || action.value().get().and_then(Result::err));
    // No account yet: the default rules, checked as the person types.
    let policy = Signal::derive(|| None);
    view! {
        <h1>"Sign up"</h1>
        <p class="muted">
            {if first {
                "No account exists yet. Create the first one: you become its root user."
            } else {
                "Create an account. You become its root user."
            }}
        </p>
        <FormAlert errors />
        <ActionForm action>
            <Field label="Root user email address" name="email" kind="email" autocomplete="email" maxlength=254u32 errors
                hint="Used to sign in as the root user." />
            <NewPasswordField label="Password" name="password" errors policy reset=action.version()
                hint="8 to 128 characters, mixing at least three of: uppercase letters, lowercase letters, numbers, symbols." />
            <Field label="Confirm password" name="password_confirm" kind="password" autocomplete="new-password" maxlength=128u32 errors />
            <Field label="Account name" name="account_name" autocomplete="organization" maxlength=50u32 errors
                hint="A name for the account, e.g. your team or project. You can change it later." />
            <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                "Create account"
            </button>
        </ActionForm>
        <p class="auth-switch">"Already have an account? " <A href="/signin">"Sign in"</A></p>
    }
}
