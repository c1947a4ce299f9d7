//! Identity providers: the list, and "Add provider" for OpenID Connect (issuer URL and
//! audience) or SAML (name and the IdP's metadata document). Both forms post without
//! JavaScript too.

use crate::api::providers::{list_identity_providers, CreateOidcProvider, CreateSamlProvider};
use crate::components::form::{Field, FormAlert};
use crate::components::widgets::{when, Breadcrumbs, ErrorView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn IdentityProvidersPage() -> impl IntoView {
    let providers = Resource::new(|| (), |_| list_identity_providers());
    view! {
        <Title text="Identity providers" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("", "Identity providers".into())] />
        <Suspense fallback=|| view! { <p class="loading">"Loading identity providers…"</p> }>
            {move || Suspend::new(async move {
                match providers.await {
                    Ok(list) => view! {
                        <div class="panel-header">
                            <h1>{format!("Identity providers ({})", list.len())}</h1>
                            <a class="button button-primary" href="/identity-providers/create">"Add provider"</a>
                        </div>
                        <section class="panel">
                            <p class="field-hint">"People and programs that already have an identity with a provider you trust (OpenID Connect or SAML 2.0) can receive role sessions here without an IAM user."</p>
                            {if list.is_empty() {
                                view! { <p class="empty">"No identity providers. " <a href="/identity-providers/create">"Add provider"</a></p> }.into_any()
                            } else {
                                view! {
                                    <table class="table" data-testid="providers-table">
                                        <thead><tr><th>"Provider"</th><th>"Type"</th><th>"Creation time"</th></tr></thead>
                                        <tbody>{list.into_iter().map(|p| view! {
                                            <tr>
                                                <td><a href=crate::api::providers::provider_page(&p.arn)>{p.name}</a></td>
                                                <td>{p.kind}</td>
                                                <td>{when(p.created_at)}</td>
                                            </tr>
                                        }).collect_view()}</tbody>
                                    </table>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(e) => view! { <h1>"Identity providers"</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn AddProviderPage() -> impl IntoView {
    let query = use_query_map();
    let saml = move || query.read().get("type").as_deref() == Some("saml");
    view! {
        <Title text="Add identity provider" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("/identity-providers", "Identity providers".into()), ("", "Add provider".into())] />
        <h1>"Add an identity provider"</h1>
        <nav class="tabs" aria-label="Provider type">
            <a href="/identity-providers/create" aria-current=move || (!saml()).then_some("page")>"OpenID Connect"</a>
            <a href="/identity-providers/create?type=saml" aria-current=move || saml().then_some("page")>"SAML"</a>
        </nav>
        <Show when=saml fallback=|| view! { <OidcForm /> }>
            <SamlForm />
        </Show>
    }
}

#[component]
fn OidcForm() -> impl IntoView {
    let action = ServerAction::<CreateOidcProvider>::new();
    let errors = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="panel">
            <h2>"OpenID Connect"</h2>
            <ActionForm action>
                <Field label="Provider URL" name="url" kind="url" maxlength=255u32 errors
                    hint="The issuer, beginning https:// (for example https://token.actions.githubusercontent.com)" />
                <Field label="Audience" name="client_ids" maxlength=255u32 errors
                    hint="The client ID its tokens are issued for; add more on the provider's page" />
                <Field label="Thumbprint (optional)" name="thumbprints" required=false maxlength=40u32 errors
                    hint="The SHA-1 of the issuer's certificate, 40 hexadecimal characters" />
                <FormAlert errors />
                <div class="actions">
                    <a class="button" href="/identity-providers">"Cancel"</a>
                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Add provider"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn SamlForm() -> impl IntoView {
    let action = ServerAction::<CreateSamlProvider>::new();
    let errors = Signal::derive(move || action.value().get().and_then(Result::err));
    let metadata_messages = move || {
        errors
            .get()
            .map(|e| e.field_messages("metadata"))
            .unwrap_or_default()
    };
    view! {
        <section class="panel">
            <h2>"SAML"</h2>
            <ActionForm action>
                <Field label="Provider name" name="name" maxlength=128u32 errors
                    hint="Up to 128 letters, digits and . _ -" />
                <div class="field" class:field-invalid=move || !metadata_messages().is_empty()>
                    <label for="field-metadata">"Metadata document"</label>
                    <p class="field-hint">"The XML metadata your identity provider publishes: its entity ID and signing certificates."</p>
                    <textarea id="field-metadata" name="metadata" rows="12" required spellcheck="false"
                        aria-describedby="field-metadata-messages"></textarea>
                    <ul class="field-messages" id="field-metadata-messages" aria-live="polite">
                        {move || metadata_messages().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                    </ul>
                </div>
                <FormAlert errors />
                <div class="actions">
                    <a class="button" href="/identity-providers">"Cancel"</a>
                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Add provider"</button>
                </div>
            </ActionForm>
        </section>
    }
}
