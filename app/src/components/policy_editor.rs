//! The JSON policy editor: iam-core runs in the browser on every keystroke, so errors with
//! their line and column show before anything is sent. The server validates again.

use iam_core::policy::{parse_policy, PolicyKind, Severity};
use leptos::prelude::*;

/// A starting document, as AWS's editor offers.
pub const STARTER: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"Statement1\",\n      \"Effect\": \"Allow\",\n      \"Action\": [],\n      \"Resource\": []\n    }\n  ]\n}";

/// Whether the document has errors (warnings do not block).
pub fn has_errors(text: &str) -> bool {
    parse_policy(text, PolicyKind::Identity).errors().next().is_some()
}

#[component]
pub fn PolicyEditor(
    document: RwSignal<String>,
    #[prop(default = "Policy editor")] label: &'static str,
    /// What the document must be: an identity policy unless told (a role's trust policy).
    #[prop(default = PolicyKind::Identity)]
    kind: PolicyKind,
    /// Problems the server reported on the last submission.
    #[prop(into, optional)]
    server_errors: Option<Signal<Vec<String>>>,
) -> impl IntoView {
    let diagnostics = Memo::new(move |_| {
        let text = document.get();
        parse_policy(&text, kind)
            .diagnostics
            .into_iter()
            .map(|d| {
                let kind = if d.severity == Severity::Error {
                    "Error"
                } else {
                    "Warning"
                };
                (
                    d.severity == Severity::Error,
                    format!("{kind}: Ln {}, Col {}: {}", d.loc.line, d.loc.column, d.message),
                )
            })
            .collect::<Vec<_>>()
    });
    let lines = move || document.with(|d| d.lines().count()).max(1);
    view! {
        <div class="field policy-editor">
            <label for="field-document">{label}</label>
            <textarea id="field-document" name="document" spellcheck="false" rows=move || lines().clamp(12, 40)
                aria-describedby="policy-diagnostics"
                prop:value=move || document.get()
                on:input=move |ev| document.set(event_target_value(&ev))>{document.get_untracked()}</textarea>
            <ul class="field-messages" id="policy-diagnostics" data-testid="policy-diagnostics" aria-live="polite">
                {move || diagnostics.get().into_iter().map(|(error, text)| view! {
                    <li class:warning=!error>{text}</li>
                }).collect_view()}
                {move || server_errors.map(|e| e.get()).unwrap_or_default().into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}
            </ul>
        </div>
    }
}
