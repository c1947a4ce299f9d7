//! The IAM dashboard: the account and the sign-in link for its IAM users.

use crate::api::Whoami;
use crate::components::copy_button::CopyButton;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    // Provided by the console layout, which loaded it for the top bar.
    let info = use_context::<Whoami>();
    view! {
        <Title text="IAM Dashboard" />
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <ol>
                <li>"IAM"</li>
                <li aria-current="page">"Dashboard"</li>
            </ol>
        </nav>
        <h1>"IAM Dashboard"</h1>
        {info.map(|info| view! {
            <section class="panel" aria-labelledby="account-heading">
                <h2 id="account-heading">"AWS Account"</h2>
                <dl class="facts">
                    <dt>"Account ID"</dt>
                    <dd class="with-copy">
                        <code data-testid="account-id">{info.account_id.clone()}</code>
                        <CopyButton value=info.account_id.clone() what="account ID" />
                    </dd>
                    <dt>"Account name"</dt>
                    <dd>{info.account_name.clone()}</dd>
                    <dt>"Sign-in URL for IAM users in this account"</dt>
                    <dd class="with-copy">
                        <code data-testid="signin-url">{info.signin_url.clone()}</code>
                        <CopyButton value=info.signin_url.clone() what="sign-in URL" />
                    </dd>
                    <dt>"Region"</dt>
                    <dd>"Global" <span class="muted">" (IAM is not tied to a region)"</span></dd>
                </dl>
            </section>
        })}
    }
}
