//! Account settings: the password policy.

use crate::api::settings::{
    account_alias, get_password_policy, DeleteAccountAlias, DeletePasswordPolicy, SetAccountAlias,
    SetPasswordPolicy,
};
use crate::components::form::{Field, FormAlert};
use iam_core::credentials::password::{PasswordPolicy, SYMBOLS};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    let save = ServerAction::<SetPasswordPolicy>::new();
    let reset = ServerAction::<DeletePasswordPolicy>::new();
    let policy = Resource::new(
        move || (save.version().get(), reset.version().get()),
        |_| get_password_policy(),
    );
    let (editing, set_editing) = signal(false);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(()))) {
            set_editing.set(false);
        }
    });
    view! {
        <Title text="Account settings" />
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <ol><li>"IAM"</li><li aria-current="page">"Account settings"</li></ol>
        </nav>
        <h1>"Account settings"</h1>
        <AliasSection />
        <BillingAccessSection />
        <section class="panel" aria-labelledby="policy-heading">
            <div class="panel-header">
                <h2 id="policy-heading">"Password policy"</h2>
                <Show when=move || !editing.get()>
                    <button type="button" class="button" on:click=move |_| set_editing.set(true)>"Edit"</button>
                </Show>
            </div>
            <Show when=move || matches!(save.value().get(), Some(Ok(()))) && !editing.get()>
                <div class="alert alert-success" role="status">"Password policy updated."</div>
            </Show>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match policy.await {
                        Ok(current) => {
                            if editing.get() {
                                view! { <PolicyForm current=current.clone() save /> }.into_any()
                            } else {
                                view! { <PolicySummary current reset /> }.into_any()
                            }
                        }
                        Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PolicySummary(
    current: Option<PasswordPolicy>,
    reset: ServerAction<DeletePasswordPolicy>,
) -> impl IntoView {
    let Some(p) = current else {
        return view! {
            <p data-testid="policy-summary">"This account uses the default password policy: 8 to 128 characters, with at least three of uppercase letters, lowercase letters, numbers and symbols; not the account name or email address; not easy to guess."</p>
        }
        .into_any();
    };
    let yes_no = |b: bool| if b { "Yes" } else { "No" };
    view! {
        <dl class="facts" data-testid="policy-summary">
            <dt>"Minimum password length"</dt><dd>{format!("{} characters", p.minimum_length)}</dd>
            <dt>"Require at least one uppercase letter (A-Z)"</dt><dd>{yes_no(p.require_uppercase)}</dd>
            <dt>"Require at least one lowercase letter (a-z)"</dt><dd>{yes_no(p.require_lowercase)}</dd>
            <dt>"Require at least one number"</dt><dd>{yes_no(p.require_numbers)}</dd>
            <dt>"Require at least one non-alphanumeric character"</dt><dd>{yes_no(p.require_symbols)}</dd>
            <dt>"Password expiration"</dt>
            <dd>{p.max_password_age.map_or("Never".to_string(), |d| format!("Expire passwords in {d} days"))}</dd>
            <dt>"Password expiration requires administrator reset"</dt><dd>{yes_no(p.hard_expiry)}</dd>
            <dt>"Allow users to change their own password"</dt><dd>{yes_no(p.allow_users_to_change_password)}</dd>
            <dt>"Prevent password reuse"</dt>
            <dd>{p.password_reuse_prevention.map_or("No".to_string(), |n| format!("Remember {n} passwords"))}</dd>
            <dt>"Refuse easily guessed passwords"</dt><dd>{yes_no(p.refuse_guessable)}</dd>
        </dl>
        <ActionForm action=reset>
            <button type="submit" class="button">"Reset to default"</button>
        </ActionForm>
    }
    .into_any()
}

#[component]
fn PolicyForm(current: Option<PasswordPolicy>, save: ServerAction<SetPasswordPolicy>) -> impl IntoView {
    let p = current.unwrap_or_default();
    let errors = Signal::derive(move || save.value().get().and_then(Result::err));
    let check = |name: &'static str, label: String, on: bool| {
        view! {
            <div class="check">
                <input type="checkbox" id=format!("field-{name}") name=name value="on" checked=on />
                <label for=format!("field-{name}")>{label}</label>
            </div>
        }
    };
    view! {
        <FormAlert errors />
        <ActionForm action=save>
            <Field label="Minimum password length" name="minimum_length" kind="number" errors
                value=p.minimum_length.to_string() hint="6 to 128 characters." />
            <fieldset>
                <legend>"Password strength"</legend>
                {check("require_uppercase", "Require at least one uppercase letter (A-Z)".into(), p.require_uppercase)}
                {check("require_lowercase", "Require at least one lowercase letter (a-z)".into(), p.require_lowercase)}
                {check("require_numbers", "Require at least one number".into(), p.require_numbers)}
                {check("require_symbols", format!("Require at least one non-alphanumeric character ({SYMBOLS})"), p.require_symbols)}
            </fieldset>
            <fieldset>
                <legend>"Other requirements"</legend>
                {check("expire_passwords", "Turn on password expiration".into(), p.max_password_age.is_some())}
                <Field label="Expiration period (days)" name="max_password_age" kind="number" required=false errors
                    value=p.max_password_age.unwrap_or(90).to_string() hint="1 to 1095 days; users are warned 15 days before." />
                {check("hard_expiry", "Password expiration requires administrator reset".into(), p.hard_expiry)}
                {check("allow_users_to_change_password", "Allow users to change their own password".into(), p.allow_users_to_change_password)}
                {check("prevent_reuse", "Prevent password reuse".into(), p.password_reuse_prevention.is_some())}
                <Field label="Number of passwords to remember" name="password_reuse_prevention" kind="number" required=false errors
                    value=p.password_reuse_prevention.unwrap_or(5).to_string() hint="1 to 24." />
            </fieldset>
            <fieldset>
                <legend>"Beyond AWS"</legend>
                {check("refuse_guessable", "Refuse easily guessed passwords (checked with zxcvbn; the reason is shown to the person)".into(), p.refuse_guessable)}
            </fieldset>
            <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save changes"</button>
        </ActionForm>
    }
}

#[component]
fn AliasSection() -> impl IntoView {
    let set = ServerAction::<SetAccountAlias>::new();
    let delete = ServerAction::<DeleteAccountAlias>::new();
    let alias = Resource::new(
        move || (set.version().get(), delete.version().get()),
        |_| account_alias(),
    );
    let errors = Signal::derive(move || {
        set.value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    view! {
        <section class="panel" aria-labelledby="alias-heading">
            <h2 id="alias-heading">"Account alias"</h2>
            <p class="muted">"A name for the account's sign-in link: IAM users can sign in at /signin/<alias> as well as /signin/<account ID>."</p>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let current = alias.await.ok().flatten();
                    view! {
                        <p data-testid="alias-current">
                            {match &current { Some(a) => format!("Current alias: {a}"), None => "No alias.".to_string() }}
                        </p>
                        {current.is_some().then(|| view! {
                            <ActionForm action=delete>
                                <button type="submit" class="button">"Delete alias"</button>
                            </ActionForm>
                        })}
                    }
                })}
            </Transition>
            <FormAlert errors />
            <ActionForm action=set>
                <Field label="Account alias" name="alias" maxlength=63u32 errors
                    hint="3 to 63 lowercase letters, digits or hyphens; not 12 digits." />
                <button type="submit" class="button button-primary" disabled=move || set.pending().get()>"Save alias"</button>
            </ActionForm>
        </section>
    }
}

/// "IAM user and role access to Billing information": shown to all, changed by root only.
#[component]
fn BillingAccessSection() -> impl IntoView {
    let set = ServerAction::<crate::api::billing::SetBillingAccess>::new();
    let state = Resource::new(
        move || set.version().get(),
        |_| crate::api::billing::billing_access(),
    );
    view! {
        <section class="panel" aria-labelledby="billing-access-heading">
            <h2 id="billing-access-heading">"IAM user and role access to Billing information"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok((on, may_change)) => view! {
                            <p data-testid="billing-access">{if on {
                                "Activated: IAM users with billing permissions (for example the Billing policy) can see Billing pages."
                            } else {
                                "Deactivated: only the root user can see Billing pages, whatever IAM users' policies allow."
                            }}</p>
                            {may_change.then(|| view! {
                                <ActionForm action=set>
                                    <input type="hidden" name="on" value=if on { "off" } else { "on" } />
                                    <button type="submit" class="button">{if on { "Deactivate IAM access" } else { "Activate IAM access" }}</button>
                                </ActionForm>
                            })}
                        }.into_any(),
                        Err(e) => view! { <crate::components::widgets::ErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
