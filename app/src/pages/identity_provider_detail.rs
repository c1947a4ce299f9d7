//! An identity provider's page: its ARN and what it is; for OpenID Connect its audiences (add,
//! remove) and thumbprints; for SAML its entity ID, validity and certificates' expiry, and
//! "Replace metadata"; tags; delete after typing its name.

use crate::api::providers::{
    console_signin_client, get_identity_provider, ChangeAudience, DeleteIdentityProvider,
    ReplaceSamlMetadata, SetConsoleSignin,
};
use crate::components::widgets::{when, ActionResult, Breadcrumbs, ConfirmDelete, ErrorView};
use crate::error::AppError;
use iam_core::model::IdentityProviderDetail;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[derive(Clone, Copy)]
struct Actions {
    audience: ServerAction<ChangeAudience>,
    metadata: ServerAction<ReplaceSamlMetadata>,
    console: ServerAction<SetConsoleSignin>,
}

#[component]
pub fn IdentityProviderPage() -> impl IntoView {
    let query = use_query_map();
    let arn = Memo::new(move |_| query.read().get("arn").unwrap_or_default());
    let actions = Actions {
        audience: ServerAction::new(),
        metadata: ServerAction::new(),
        console: ServerAction::new(),
    };
    let provider = Resource::new(
        move || {
            (
                arn.get(),
                actions.audience.version().get() + actions.metadata.version().get(),
            )
        },
        |(arn, _)| get_identity_provider(arn),
    );
    // Loaded with the provider, not in a Suspense of its own inside the page's: a nested one
    // renders differently on the server than the browser expects when it hydrates.
    let console = Resource::new(
        move || (arn.get(), actions.console.version().get()),
        |(arn, _)| async move {
            if arn.contains(":saml-provider/") {
                return Ok(None);
            }
            console_signin_client(arn).await
        },
    );
    view! {
        <Title text="Identity provider" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("/identity-providers", "Identity providers".into()), ("", "Provider".into())] />
        <Suspense fallback=|| view! { <p class="loading">"Loading provider…"</p> }>
            {move || Suspend::new(async move {
                match provider.await {
                    Ok(detail) => {
                        let console = console.await;
                        view! { <ProviderView detail actions console /> }.into_any()
                    }
                    Err(e) => view! { <h1>"Identity provider"</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProviderView(
    detail: IdentityProviderDetail,
    actions: Actions,
    /// The client the console signs in as through this OpenID Connect provider, if open.
    console: Result<Option<String>, AppError>,
) -> impl IntoView {
    let summary = detail.summary.clone();
    let saml = summary.kind == "SAML";
    let delete = ServerAction::<DeleteIdentityProvider>::new();
    let deleting = RwSignal::new(false);
    let (arn, name) = (summary.arn.clone(), summary.name.clone());
    let on_delete = Callback::new(move |confirm: String| {
        delete.dispatch(DeleteIdentityProvider {
            arn: arn.clone(),
            name: name.clone(),
            confirm,
        });
    });
    view! {
        <div class="panel-header">
            <h1>{summary.name.clone()}</h1>
            <button type="button" class="button" on:click=move |_| deleting.update(|d| *d = !*d)>"Delete"</button>
        </div>
        <Show when=move || deleting.get()>
            <ConfirmDelete name=summary.name.clone() what="identity provider" on_delete pending=delete.pending().into() />
        </Show>
        <ActionResult value=delete.value() success="Identity provider deleted." />
        <section class="panel">
            <h2>"Summary"</h2>
            <dl class="facts" data-testid="provider-summary">
                <dt>"ARN"</dt><dd><code>{summary.arn.clone()}</code></dd>
                <dt>"Type"</dt><dd>{summary.kind.clone()}</dd>
                <dt>"Creation time"</dt><dd>{when(summary.created_at)}</dd>
                {detail.entity_id.clone().map(|id| view! { <dt>"Entity ID"</dt><dd><code>{id}</code></dd> })}
                {detail.valid_until.map(|at| view! { <dt>"Valid until"</dt><dd>{when(at)}</dd> })}
                {detail.certificates_expire_at.map(|at| view! { <dt>"Signing certificate expires"</dt><dd>{when(at)}</dd> })}
            </dl>
        </section>
        {if saml {
            view! { <MetadataPanel arn=summary.arn.clone() actions /> }.into_any()
        } else {
            view! {
                <AudiencesPanel arn=summary.arn.clone() audiences=detail.audiences.clone() thumbprints=detail.thumbprints.clone() actions />
                <ConsoleSigninPanel arn=summary.arn.clone() audiences=detail.audiences.clone() set=actions.console current=console />
            }.into_any()
        }}
        <section class="panel">
            <h2>{format!("Tags ({})", detail.tags.len())}</h2>
            <table class="table" data-testid="provider-tags">
                <thead><tr><th>"Key"</th><th>"Value"</th></tr></thead>
                <tbody>{detail.tags.iter().map(|t| view! { <tr><td>{t.key.clone()}</td><td>{t.value.clone()}</td></tr> }).collect_view()}</tbody>
            </table>
        </section>
    }
}

#[component]
fn AudiencesPanel(
    arn: String,
    audiences: Vec<String>,
    thumbprints: Vec<String>,
    actions: Actions,
) -> impl IntoView {
    let adding = RwSignal::new(String::new());
    let add_arn = arn.clone();
    view! {
        <section class="panel">
            <h2>{format!("Audiences ({})", audiences.len())}</h2>
            <p class="field-hint">"The client IDs whose tokens may become role sessions; a role's trust policy can test them with the provider's :aud condition key."</p>
            <ActionResult value=actions.audience.value() success="Audiences updated." />
            <table class="table" data-testid="audiences">
                <thead><tr><th>"Audience"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>{audiences.into_iter().map(|a| {
                    let (arn, audience) = (arn.clone(), a.clone());
                    view! {
                        <tr><td>{a}</td><td><button type="button" class="link-button" on:click=move |_| {
                            actions.audience.dispatch(ChangeAudience { arn: arn.clone(), audience: audience.clone(), add: false });
                        }>"Remove"</button></td></tr>
                    }
                }).collect_view()}</tbody>
            </table>
            <div class="inline-form">
                <label for="field-audience">"Add audience"</label>
                <input id="field-audience" maxlength="255" prop:value=move || adding.get() on:input=move |ev| adding.set(event_target_value(&ev)) />
                <button type="button" class="button" disabled=move || actions.audience.pending().get() on:click=move |_| {
                    actions.audience.dispatch(ChangeAudience { arn: add_arn.clone(), audience: adding.get(), add: true });
                    adding.set(String::new());
                }>"Add audience"</button>
            </div>
            <h3>"Thumbprints"</h3>
            {if thumbprints.is_empty() {
                view! { <p>"None: the issuer's certificate is checked against the trusted root authorities."</p> }.into_any()
            } else {
                view! { <ul>{thumbprints.into_iter().map(|t| view! { <li><code>{t}</code></li> }).collect_view()}</ul> }.into_any()
            }}
        </section>
    }
}

#[component]
fn MetadataPanel(arn: String, actions: Actions) -> impl IntoView {
    let document = RwSignal::new(String::new());
    view! {
        <section class="panel">
            <h2>"Metadata"</h2>
            <p class="field-hint">"Replace the metadata when the identity provider rotates its signing certificate."</p>
            <ActionResult value=actions.metadata.value() success="Metadata replaced." />
            <div class="field">
                <label for="field-metadata">"New metadata document"</label>
                <textarea id="field-metadata" rows="8" spellcheck="false" prop:value=move || document.get()
                    on:input=move |ev| document.set(event_target_value(&ev))></textarea>
            </div>
            <button type="button" class="button" disabled=move || actions.metadata.pending().get() on:click=move |_| {
                actions.metadata.dispatch(ReplaceSamlMetadata { arn: arn.clone(), metadata: document.get() });
            }>"Replace metadata"</button>
        </section>
    }
}

/// Console sign-in through this OpenID Connect provider: off, or on with the client the
/// console signs in as.
#[component]
fn ConsoleSigninPanel(
    arn: String,
    audiences: Vec<String>,
    set: ServerAction<SetConsoleSignin>,
    current: Result<Option<String>, AppError>,
) -> impl IntoView {
    let client_id = RwSignal::new(audiences.first().cloned().unwrap_or_default());
    let secret = RwSignal::new(String::new());
    let (on_arn, off_arn) = (arn.clone(), arn);
    view! {
        <section class="panel" data-testid="console-signin">
            <h2>"Console sign-in"</h2>
            <p class="field-hint">"Let people of this provider sign in to the console from the account's sign-in page. The console signs in as one of the provider's audiences (a client ID) with that client's secret; roles whose trust policy allows the provider's users decide who gets in."</p>
            <ActionResult value=set.value() success="Console sign-in updated." />
            {match current {
                Ok(Some(id)) => view! { <p>"On, as client " <code>{id}</code>"."</p> }.into_any(),
                Ok(None) => view! { <p>"Off."</p> }.into_any(),
                Err(e) => view! { <ErrorView error=e /> }.into_any(),
            }}
            <div class="field">
                <label for="field-console-client">"Client ID"</label>
                <select id="field-console-client" on:change=move |ev| client_id.set(event_target_value(&ev))>
                    {audiences.into_iter().map(|a| view! { <option value=a.clone()>{a.clone()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="field-console-secret">"Client secret"</label>
                <input id="field-console-secret" type="password" autocomplete="off" maxlength="512"
                    prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev)) />
            </div>
            <div class="actions">
                <button type="button" class="button button-primary" disabled=move || set.pending().get() on:click=move |_| {
                    set.dispatch(SetConsoleSignin { arn: on_arn.clone(), client_id: client_id.get(), client_secret: secret.get(), enable: true });
                    secret.set(String::new());
                }>"Turn on console sign-in"</button>
                <button type="button" class="button" disabled=move || set.pending().get() on:click=move |_| {
                    set.dispatch(SetConsoleSignin { arn: off_arn.clone(), client_id: String::new(), client_secret: String::new(), enable: false });
                }>"Turn off"</button>
            </div>
        </section>
    }
}
