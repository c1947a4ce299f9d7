//! The create-role wizard, as AWS's: 1 trusted entity (an AWS service, an AWS account, web
//! identity, SAML 2.0 federation, or a custom trust policy), 2 permissions, 3 name, review
//! and create.

use crate::api::roles::{CreateRole, CreateRoleInput};
use crate::components::policy_editor::PolicyEditor;
use crate::components::widgets::{
    ActionResult, Breadcrumbs, PolicyPicker, TagsFieldset, WizardButtons, WizardSteps,
};
use iam_core::model::Tag;
use iam_core::policy::trust::{trust_policy, TrustedEntity, SERVICE_USE_CASES};
use iam_core::policy::PolicyKind;
use leptos::prelude::*;
use leptos_meta::Title;

const STEPS: [&str; 3] = [
    "Select trusted entity",
    "Add permissions",
    "Name, review, and create",
];

/// The wizard's choices for the trusted entity.
#[derive(Clone, Copy)]
struct Trust {
    kind: RwSignal<String>,
    service: RwSignal<String>,
    other_account: RwSignal<bool>,
    account_id: RwSignal<String>,
    require_external_id: RwSignal<bool>,
    external_id: RwSignal<String>,
    require_mfa: RwSignal<bool>,
    custom: RwSignal<String>,
    /// Web identity and SAML: the provider's ARN, and (web identity) the audience.
    provider: RwSignal<String>,
    audience: RwSignal<String>,
}

impl Trust {
    fn new() -> Self {
        Self {
            kind: RwSignal::new("service".into()),
            service: RwSignal::new(SERVICE_USE_CASES[0].1.into()),
            other_account: RwSignal::new(false),
            account_id: RwSignal::new(String::new()),
            require_external_id: RwSignal::new(false),
            external_id: RwSignal::new(String::new()),
            require_mfa: RwSignal::new(false),
            custom: RwSignal::new(String::new()),
            provider: RwSignal::new(String::new()),
            audience: RwSignal::new(String::new()),
        }
    }

    /// The document the choices make, or what is missing. `saml_audience` is this console's
    /// SAML sign-in endpoint, which a SAML role's assertions must be addressed to.
    fn document(&self, own_account: &str, saml_audience: &str) -> Result<String, String> {
        let provider = self.provider.get();
        match self.kind.get().as_str() {
            "custom" => Ok(self.custom.get()),
            "web" | "saml" if provider.is_empty() => Err("choose an identity provider".into()),
            "web" => {
                let audience = self.audience.get();
                if audience.trim().is_empty() {
                    return Err("choose the audience the provider's tokens are issued for".into());
                }
                Ok(trust_policy(&TrustedEntity::WebIdentity {
                    provider_arn: &provider,
                    audience: audience.trim(),
                }))
            }
            "saml" => Ok(trust_policy(&TrustedEntity::Saml {
                provider_arn: &provider,
                audience: saml_audience,
            })),
            "account" => {
                let other = self.account_id.get();
                let account_id = if self.other_account.get() {
                    other.trim().to_owned()
                } else {
                    own_account.to_owned()
                };
                if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("the account ID `{account_id}` is not 12 digits"));
                }
                let external = self.external_id.get();
                let external_id = self.require_external_id.get().then_some(external.trim());
                if external_id.is_some_and(|id| id.len() < 2) {
                    return Err("an external ID has at least 2 characters".into());
                }
                Ok(trust_policy(&TrustedEntity::Account {
                    account_id: &account_id,
                    require_mfa: self.require_mfa.get(),
                    external_id,
                }))
            }
            _ => Ok(trust_policy(&TrustedEntity::Service(&self.service.get()))),
        }
    }
}

#[component]
pub fn CreateRolePage() -> impl IntoView {
    // "This account" is the one the console acts in (a switched role's account).
    let own_account = use_context::<crate::api::Whoami>()
        .map(|w| w.acting_account_id)
        .unwrap_or_default();
    let step = RwSignal::new(0usize);
    let trust = Trust::new();
    let policies = RwSignal::new(Vec::<String>::new());
    let role_name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let hours = RwSignal::new(1i32);
    let tags = RwSignal::new(Vec::<(String, String)>::new());
    let create = ServerAction::<CreateRole>::new();
    let step_error = RwSignal::new(None::<String>);
    let account_for_doc = own_account.clone();
    let saml_audience = use_context::<crate::api::Whoami>()
        .map(|w| {
            format!(
                "{}/saml",
                w.signin_url.split("/signin/").next().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let document = Memo::new(move |_| trust.document(&account_for_doc, &saml_audience));

    let next = move |()| {
        if step.get() == 0 {
            if let Err(e) = document.get() {
                step_error.set(Some(e));
                return;
            }
        }
        step_error.set(None);
        step.update(|s| *s = (*s + 1).min(2));
    };
    let submit = move |()| {
        if let Err(e) = iam_core::names::check_name(iam_core::names::NameKind::Role, role_name.get().trim()) {
            step_error.set(Some(e.message));
            return;
        }
        step_error.set(None);
        create.dispatch(CreateRole {
            input: CreateRoleInput {
                role_name: role_name.get().trim().to_owned(),
                description: description.get(),
                trust_policy: document.get().unwrap_or_default(),
                max_session_hours: hours.get(),
                policy_arns: policies.get(),
                tags: tags
                    .get()
                    .into_iter()
                    .map(|(key, value)| Tag { key, value })
                    .collect(),
            },
        });
    };
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(name)) = create.value().get() {
            navigate(&format!("/roles/{name}"), Default::default());
        }
    });
    view! {
        <Title text="Create role" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("/roles", "Roles".into()), ("", "Create role".into())] />
        <h1>"Create role"</h1>
        <div class="wizard-layout">
            <WizardSteps steps=&STEPS step />
            <section class="panel wizard-body">
                <h2>{move || STEPS[step.get()]}</h2>
                <Show when=move || step.get() == 0>
                    <TrustedEntityStep trust own_account=own_account.clone() />
                </Show>
                <Show when=move || step.get() == 1>
                    <PolicyPicker selected=policies />
                </Show>
                <Show when=move || step.get() == 2>
                    <NameStep role_name description hours tags />
                    <h3>"Trust policy"</h3>
                    <pre data-testid="trust-review">{move || document.get().unwrap_or_default()}</pre>
                    <h3>"Permissions policies"</h3>
                    <ul data-testid="policies-review">{move || policies.get().into_iter().map(|arn| view! { <li>{arn}</li> }).collect_view()}</ul>
                </Show>
                {move || step_error.get().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                <ActionResult value=create.value() success="Role created." />
                <WizardButtons step last=2 cancel="/roles" finish="Create role".to_string()
                    busy=create.pending() on_next=Callback::new(next) on_finish=Callback::new(submit) />
            </section>
        </div>
    }
}

#[component]
fn TrustedEntityStep(trust: Trust, own_account: String) -> impl IntoView {
    let kind = trust.kind;
    let choice = move |value: &'static str, label: &'static str, hint: &'static str| {
        view! {
            <label class="check">
                <input type="radio" name="trusted-entity" value=value
                    prop:checked=move || kind.get() == value on:change=move |_| kind.set(value.into()) />
                {label}
            </label>
            <p class="field-hint">{hint}</p>
        }
    };
    if trust.custom.get_untracked().is_empty() {
        trust.custom.set(trust_policy(&TrustedEntity::Account {
            account_id: &own_account,
            require_mfa: false,
            external_id: None,
        }));
    }
    view! {
        <fieldset>
            <legend>"Trusted entity type"</legend>
            {choice("service", "AWS service", "Allow a service such as EC2 or Lambda to act in this account.")}
            {choice("account", "AWS account", "Allow entities in this account or another one to act in this account.")}
            {choice("web", "Web identity", "Allow users federated by an OpenID Connect provider to assume this role.")}
            {choice("saml", "SAML 2.0 federation", "Allow users federated with SAML 2.0 from a corporate directory to assume this role.")}
            {choice("custom", "Custom trust policy", "Write a trust policy to let others act in this account.")}
        </fieldset>
        <Show when=move || kind.get() == "service">
            <fieldset>
                <legend>"Use case"</legend>
                {SERVICE_USE_CASES.iter().map(|(name, principal)| {
                    let principal = *principal;
                    view! {
                        <label class="check">
                            <input type="radio" name="use-case" value=principal
                                prop:checked=move || trust.service.get() == principal
                                on:change=move |_| trust.service.set(principal.into()) />
                            {*name}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        </Show>
        <Show when=move || kind.get() == "account">
            <AccountChoice trust own_account=own_account.clone() />
        </Show>
        <Show when=move || kind.get() == "web" || kind.get() == "saml">
            <ProviderChoice trust />
        </Show>
        <Show when=move || kind.get() == "custom">
            <PolicyEditor document=trust.custom label="Custom trust policy" kind=PolicyKind::Trust />
        </Show>
    }
}

#[component]
fn AccountChoice(trust: Trust, own_account: String) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"An AWS account"</legend>
            <label class="check">
                <input type="radio" name="which-account" prop:checked=move || !trust.other_account.get()
                    on:change=move |_| trust.other_account.set(false) />
                "This account (" {own_account} ")"
            </label>
            <label class="check">
                <input type="radio" name="which-account" prop:checked=move || trust.other_account.get()
                    on:change=move |_| trust.other_account.set(true) />
                "Another AWS account"
            </label>
            <Show when=move || trust.other_account.get()>
                <div class="field">
                    <label for="field-account-id">"Account ID"</label>
                    <input id="field-account-id" inputmode="numeric" maxlength="12" prop:value=move || trust.account_id.get()
                        on:input=move |ev| trust.account_id.set(event_target_value(&ev)) />
                </div>
            </Show>
        </fieldset>
        <fieldset>
            <legend>"Options"</legend>
            <label class="check">
                <input type="checkbox" prop:checked=move || trust.require_external_id.get()
                    on:change=move |ev| trust.require_external_id.set(event_target_checked(&ev)) />
                "Require external ID"
            </label>
            <Show when=move || trust.require_external_id.get()>
                <div class="field">
                    <label for="field-external-id">"External ID"</label>
                    <input id="field-external-id" maxlength="1224" prop:value=move || trust.external_id.get()
                        on:input=move |ev| trust.external_id.set(event_target_value(&ev)) />
                </div>
            </Show>
            <label class="check">
                <input type="checkbox" prop:checked=move || trust.require_mfa.get()
                    on:change=move |ev| trust.require_mfa.set(event_target_checked(&ev)) />
                "Require MFA"
            </label>
        </fieldset>
    }
}

/// The identity provider (of the chosen kind) and, for web identity, the audience.
#[component]
fn ProviderChoice(trust: Trust) -> impl IntoView {
    let providers = Resource::new(|| (), |_| crate::api::providers::list_identity_providers());
    let wanted = move || {
        if trust.kind.get() == "saml" {
            "SAML"
        } else {
            "OpenID Connect"
        }
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading identity providers…"</p> }>
            {move || Suspend::new(async move {
                let listed = match providers.await {
                    Ok(list) => list,
                    Err(e) => return view! { <crate::components::widgets::ErrorView error=e /> }.into_any(),
                };
                view! {
                    <div class="field">
                        <label for="field-provider">"Identity provider"</label>
                        <select id="field-provider" on:change=move |ev| trust.provider.set(event_target_value(&ev))>
                            <option value="">"Choose a provider"</option>
                            {move || listed.iter().filter(|p| p.kind == wanted()).map(|p| {
                                let arn = p.arn.clone();
                                let chosen = arn.clone();
                                view! { <option value=arn selected=move || trust.provider.get() == chosen>{p.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                        <p class="field-hint">"Add providers on the " <a href="/identity-providers">"Identity providers"</a> " page."</p>
                    </div>
                    <Show when=move || trust.kind.get() == "web">
                        <div class="field">
                            <label for="field-audience">"Audience"</label>
                            <input id="field-audience" maxlength="255" prop:value=move || trust.audience.get()
                                on:input=move |ev| trust.audience.set(event_target_value(&ev)) />
                            <p class="field-hint">"The client ID the provider's tokens must be issued for."</p>
                        </div>
                    </Show>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn NameStep(
    role_name: RwSignal<String>,
    description: RwSignal<String>,
    hours: RwSignal<i32>,
    tags: RwSignal<Vec<(String, String)>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="field-role_name">"Role name"</label>
            <p class="field-hint">"Up to 64 letters, digits and + = , . @ _ -"</p>
            <input id="field-role_name" maxlength="64" prop:value=move || role_name.get()
                on:input=move |ev| role_name.set(event_target_value(&ev)) />
        </div>
        <div class="field">
            <label for="field-role-description">"Description"</label>
            <textarea id="field-role-description" maxlength="1000" prop:value=move || description.get()
                on:input=move |ev| description.set(event_target_value(&ev))></textarea>
        </div>
        <div class="field">
            <label for="field-max-session">"Maximum session duration"</label>
            <select id="field-max-session" on:change=move |ev| hours.set(event_target_value(&ev).parse().unwrap_or(1))>
                {(1..=12).map(|h| view! {
                    <option value=h.to_string() selected=move || hours.get() == h>{if h == 1 { "1 hour".to_string() } else { format!("{h} hours") }}</option>
                }).collect_view()}
            </select>
        </div>
        <TagsFieldset tags />
    }
}
