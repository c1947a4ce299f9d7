//! Form pieces: a labelled input with its messages underneath, and a form-level alert.

use crate::error::AppError;
use leptos::prelude::*;

/// The last result of a server action, as the error it carried (if any).
pub type LastError = Signal<Option<AppError>>;

/// A labelled input; messages for `name` from the last submission show under it.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(default = true)] required: bool,
    #[prop(optional, into)] maxlength: Option<u32>,
    errors: LastError,
    /// Messages computed in the browser as the person types; while `Some`, they replace
    /// the last submission's messages for this field.
    #[prop(optional, into)]
    live: Option<Signal<Option<Vec<String>>>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let message_id = format!("{id}-messages");
    let messages = move || match live.and_then(|l| l.get()) {
        Some(live) => live,
        None => errors.get().map(|e| e.field_messages(name)).unwrap_or_default(),
    };
    let invalid = move || !messages().is_empty();
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=id.clone()>{label}</label>
            {hint.filter(|h| !h.is_empty()).map(|h| view! { <p class="field-hint">{h}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=required
                maxlength=maxlength
                aria-invalid=move || invalid().to_string()
                aria-describedby=message_id.clone()
            />
            <ul class="field-messages" id=message_id aria-live="polite">
                {move || messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
        </div>
    }
}

/// The error of the last submission that belongs to no single field.
#[component]
pub fn FormAlert(errors: LastError) -> impl IntoView {
    let text = move || match errors.get() {
        None | Some(AppError::Invalid(_)) => None,
        Some(other) => Some(other.to_string()),
    };
    view! {
        <Show when=move || text().is_some()>
            <div class="alert alert-error" role="alert">{text}</div>
        </Show>
    }
}

/// A new-password input whose rules are checked as the person types, with the same code the
/// server runs (iam-core in wasm). The server stays the judge: its messages replace these
/// after each submission (`reset` is the form's action version).
#[component]
pub fn NewPasswordField(
    label: &'static str,
    name: &'static str,
    errors: LastError,
    /// The account's policy; `None` means the default rules.
    #[prop(into)]
    policy: Signal<Option<iam_core::credentials::password::PasswordPolicy>>,
    #[prop(into)] reset: Signal<usize>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    use iam_core::credentials::password::{check_default_rules, PasswordContext};
    let (typed, set_typed) = signal(None::<String>);
    Effect::new(move |_| {
        reset.track();
        set_typed.set(None);
    });
    let live = Signal::derive(move || {
        typed.get().map(|p| match policy.get() {
            Some(policy) => policy.check(&p, PasswordContext::default()),
            None => check_default_rules(&p, PasswordContext::default()),
        })
    });
    let hint = hint.unwrap_or("");
    view! {
        <div on:input=move |ev| set_typed.set(Some(event_target_value(&ev)))>
            <Field label name kind="password" autocomplete="new-password" maxlength=128u32 errors live hint />
        </div>
    }
}
