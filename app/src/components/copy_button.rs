//! A button that copies a value to the clipboard and says so.

use leptos::prelude::*;

#[component]
pub fn CopyButton(
    /// The text put on the clipboard.
    #[prop(into)]
    value: String,
    /// What is copied, for the button's accessible name ("Copy account ID").
    what: &'static str,
) -> impl IntoView {
    let (state, set_state) = signal(CopyState::Idle);
    let copy = move |_| {
        let value = value.clone();
        leptos::task::spawn_local(async move {
            let done = write_clipboard(&value).await;
            set_state.set(if done {
                CopyState::Copied
            } else {
                CopyState::Failed
            });
        });
    };
    view! {
        <button type="button" class="copy-button" on:click=copy aria-label=format!("Copy {what}")>
            <svg class="copy-icon" aria-hidden="true" viewBox="0 0 16 16" width="12" height="12">
                <rect x="5" y="5" width="9" height="9" rx="1" fill="none" stroke="currentColor" stroke-width="1.5" />
                <path d="M11 3V2H2v9h1" fill="none" stroke="currentColor" stroke-width="1.5" />
            </svg>
            <span class="copy-label" aria-live="polite">
                {move || match state.get() {
                    CopyState::Idle => "Copy",
                    CopyState::Copied => "Copied",
                    CopyState::Failed => "Copy failed: select and copy the text",
                }}
            </span>
        </button>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CopyState {
    Idle,
    Copied,
    Failed,
}

async fn write_clipboard(text: &str) -> bool {
    let promise = window().navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
