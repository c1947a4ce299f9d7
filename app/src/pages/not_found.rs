use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Page not found"</h1>
                <p>"There is no page at this address."</p>
                <A href="/">"Go to the dashboard"</A>
            </div>
        </main>
    }
}

/// Where a bundle that lacks the page navigated to hands over: the address is already the new
/// page's, so loading it again brings the page with the bundle that has it. A page its own
/// bundle should have but does not exist: not found, never a reload loop.
#[component]
pub fn LoadWhole() -> impl IntoView {
    let own = use_context::<crate::Bundle>();
    let path = leptos_router::hooks::use_location().pathname.get_untracked();
    if own == Some(crate::Bundle::for_path(&path)) {
        return NotFound().into_any();
    }
    Effect::new(|_| {
        let _ = window().location().reload();
    });
    view! { <p class="loading">"Loading…"</p> }.into_any()
}
