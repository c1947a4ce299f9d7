//! Sign-in: the root user with email and password, or an IAM user with the account, user
//! name and password. `/signin/<account>` opens the IAM-user form for that account.

use crate::api::providers::signin_providers;
use crate::api::SignIn;
use crate::components::form::{Field, FormAlert};
use crate::components::widgets::encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let errors = Signal::derive(move || action.value().get().and_then(Result::err));
    let params = use_params_map();
    let account = params.get_untracked().get("account");
    let (as_user, set_as_user) = signal(account.is_some());
    let links = account.clone().map(|account| view! { <ProviderLinks account /> });
    view! {
        <Title text="Sign in" />
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Sign in"</h1>
                <fieldset class="kind-choice">
                    <legend class="visually-hidden">"Sign in as"</legend>
                    <div class="check">
                        <input type="radio" id="as-root" name="signin-as" checked=move || !as_user.get()
                            on:change=move |_| set_as_user.set(false) />
                        <label for="as-root"><strong>"Root user"</strong>" — account owner that performs tasks requiring unrestricted access."</label>
                    </div>
                    <div class="check">
                        <input type="radio" id="as-user" name="signin-as" checked=move || as_user.get()
                            on:change=move |_| set_as_user.set(true) />
                        <label for="as-user"><strong>"IAM user"</strong>" — user within an account that performs daily tasks."</label>
                    </div>
                </fieldset>
                <FormAlert errors />
                <ActionForm action>
                    <Show
                        when=move || as_user.get()
                        fallback=move || view! {
                            <Field label="Root user email address" name="email" kind="email" autocomplete="username" maxlength=254u32 errors />
                        }
                    >
                        <Field label="Account ID (12 digits) or account alias" name="account" autocomplete="organization"
                            value=account.clone().unwrap_or_default() maxlength=63u32 errors />
                        <Field label="IAM user name" name="user_name" autocomplete="username" maxlength=64u32 errors />
                    </Show>
                    <Field label="Password" name="password" kind="password" autocomplete="current-password" maxlength=128u32 errors />
                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                        "Sign in"
                    </button>
                </ActionForm>
                {links}
                <p class="auth-switch">"New here? " <A href="/signup">"Create an account"</A></p>
            </div>
        </main>
    }
}

/// "Sign in with <provider>" for the OpenID Connect providers the account opened for console
/// sign-in: plain links, so they work before and without the wasm.
#[component]
fn ProviderLinks(account: String) -> impl IntoView {
    let asked = account.clone();
    let providers = Resource::new(move || asked.clone(), signin_providers);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let account = account.clone();
                Suspend::new(async move {
                    let list = providers.await.unwrap_or_default();
                    (!list.is_empty()).then(|| view! {
                        <div class="federated-signin" data-testid="signin-providers">
                            <p>"Or sign in through your organization:"</p>
                            {list.into_iter().map(|url| {
                                let href = format!("/oidc/start?account={}&provider={}", encode(&account), encode(&url));
                                view! { <a class="button" href=href rel="external">{format!("Sign in with https://{url}")}</a> }
                            }).collect_view()}
                        </div>
                    })
                })
            }}
        </Suspense>
    }
}
