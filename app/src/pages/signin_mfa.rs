//! The second sign-in step: a code from the MFA device, or a recovery code.

use crate::api::{mfa_pending, VerifyMfa};
use crate::components::form::{Field, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};

#[component]
pub fn SignInMfaPage() -> impl IntoView {
    let pending = Resource::new(|| (), |_| mfa_pending());
    view! {
        <Title text="Multi-factor authentication" />
        <main class="auth-page">
            <div class="auth-card">
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match pending.await {
                            Ok(true) => view! { <MfaForm /> }.into_any(),
                            _ => view! { <Redirect path="/signin" /> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}

#[component]
fn MfaForm() -> impl IntoView {
    let action = ServerAction::<VerifyMfa>::new();
    let errors = Signal::derive(move || action.value().get().and_then(Result::err));
    let (use_recovery, set_use_recovery) = signal(false);
    view! {
        <h1>"Multi-factor authentication"</h1>
        <p class="muted">"Your account is secured using multi-factor authentication (MFA). Enter the code from your authenticator app."</p>
        <FormAlert errors />
        <ActionForm action>
            <Show
                when=move || use_recovery.get()
                fallback=move || view! {
                    <Field label="MFA code" name="code" autocomplete="one-time-code" maxlength=6u32 errors
                        hint="Six digits from your authenticator app." />
                }
            >
                <Field label="Recovery code" name="recovery_code" autocomplete="off" maxlength=11u32 errors
                    hint="One of the codes you saved when you added MFA, e.g. ABCDE-FGHIJ. Each works once." />
            </Show>
            <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Submit"</button>
        </ActionForm>
        <p class="auth-switch">
            <button type="button" class="link-button" on:click=move |_| set_use_recovery.update(|v| *v = !*v)>
                {move || if use_recovery.get() { "Use an MFA code instead" } else { "Use a recovery code" }}
            </button>
            " · "
            <A href="/signin">"Cancel"</A>
        </p>
    }
}
