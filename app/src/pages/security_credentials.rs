//! "My security credentials": change one's password, assign and remove MFA devices, manage
//! one's access keys.

use crate::api::credentials::{
    mfa_devices, ChangePassword, CreateMfaDevice, EnableMfaDevice, MfaDevice, RemoveMfaDevice,
};
use crate::api::settings::password_rules;
use crate::components::form::{Field, FormAlert, NewPasswordField};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SecurityCredentialsPage() -> impl IntoView {
    view! {
        <Title text="My security credentials" />
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <ol><li>"IAM"</li><li aria-current="page">"My security credentials"</li></ol>
        </nav>
        <h1>"My security credentials"</h1>
        <PasswordSection />
        <MfaSection />
        <crate::components::access_keys::AccessKeysPanel user_name="" />
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let errors = Signal::derive(move || action.value().get().and_then(Result::err));
    let rules = Resource::new(|| (), |_| password_rules());
    let policy = Signal::derive(move || rules.get().and_then(Result::ok).flatten());
    let (open, set_open) = signal(false);
    let done = move || matches!(action.value().get(), Some(Ok(())));
    Effect::new(move |_| {
        if done() {
            set_open.set(false);
        }
    });
    view! {
        <section class="panel" aria-labelledby="password-heading">
            <div class="panel-header">
                <h2 id="password-heading">"Console sign-in"</h2>
                <Show when=move || !open.get()>
                    <button type="button" class="button" on:click=move |_| set_open.set(true)>"Change password"</button>
                </Show>
            </div>
            <Show when=move || done() && !open.get()>
                <div class="alert alert-success" role="status">"Password changed."</div>
            </Show>
            <Show when=move || open.get()>
                <FormAlert errors />
                <ActionForm action>
                    <Field label="Current password" name="current_password" kind="password" autocomplete="current-password" errors />
                    <NewPasswordField label="New password" name="new_password" errors policy reset=action.version() />
                    <Field label="Confirm new password" name="confirm_password" kind="password" autocomplete="new-password" maxlength=128u32 errors />
                    <div class="actions">
                        <button type="button" class="button" on:click=move |_| set_open.set(false)>"Cancel"</button>
                        <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Change password"</button>
                    </div>
                </ActionForm>
            </Show>
        </section>
    }
}

#[component]
fn MfaSection() -> impl IntoView {
    let create = ServerAction::<CreateMfaDevice>::new();
    let enable = ServerAction::<EnableMfaDevice>::new();
    let remove = ServerAction::<RemoveMfaDevice>::new();
    let devices = Resource::new(
        move || (enable.version().get(), remove.version().get()),
        |_| mfa_devices(),
    );
    let (assigning, set_assigning) = signal(false);
    view! {
        <section class="panel" aria-labelledby="mfa-heading">
            <div class="panel-header">
                <h2 id="mfa-heading">"Multi-factor authentication (MFA)"</h2>
                <Show when=move || !assigning.get()>
                    <button type="button" class="button" on:click=move |_| {
                        create.value().set(None);
                        enable.value().set(None);
                        set_assigning.set(true);
                    }>"Assign MFA device"</button>
                </Show>
            </div>
            <p class="muted">"Use MFA to add a second step to signing in: a code from an authenticator app on your phone."</p>
            <Show when=move || assigning.get()>
                <AssignWizard create enable on_close=move || set_assigning.set(false) />
            </Show>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match devices.await {
                        Ok(list) if list.is_empty() => view! { <p data-testid="no-mfa">"No MFA devices. Assign an MFA device to improve the security of your account."</p> }.into_any(),
                        Ok(list) => view! { <DeviceTable list remove /> }.into_any(),
                        Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn DeviceTable(list: Vec<MfaDevice>, remove: ServerAction<RemoveMfaDevice>) -> impl IntoView {
    let errors = Signal::derive(move || remove.value().get().and_then(Result::err));
    view! {
        <table class="table">
            <caption class="visually-hidden">"MFA devices"</caption>
            <thead><tr><th scope="col">"Device name"</th><th scope="col">"Identifier"</th><th scope="col">"Assigned"</th><th scope="col">"Remove"</th></tr></thead>
            <tbody>
                {list.into_iter().map(|d| view! {
                    <tr>
                        <td>{d.name.clone()}</td>
                        <td><code>{d.serial.clone()}</code></td>
                        <td>{d.assigned.clone()}</td>
                        <td>
                            <ActionForm action=remove attr:class="inline-form">
                                <input type="hidden" name="device_name" value=d.name.clone() />
                                <label for=format!("remove-code-{}", d.name) class="visually-hidden">{format!("MFA code to remove {}", d.name)}</label>
                                <input id=format!("remove-code-{}", d.name) name="code" inputmode="numeric" autocomplete="one-time-code"
                                    maxlength="6" placeholder="MFA code" required=true />
                                <button type="submit" class="button">"Remove"</button>
                            </ActionForm>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <FormAlert errors />
        <ul class="field-messages" aria-live="polite">
            {move || errors.get().map(|e| e.field_messages("code")).unwrap_or_default().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
        </ul>
    }
}

#[component]
fn AssignWizard(
    create: ServerAction<CreateMfaDevice>,
    enable: ServerAction<EnableMfaDevice>,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let create_errors = Signal::derive(move || create.value().get().and_then(Result::err));
    let enable_errors = Signal::derive(move || enable.value().get().and_then(Result::err));
    let pending = move || create.value().get().and_then(Result::ok);
    let codes = move || enable.value().get().and_then(Result::ok);
    let (show_secret, set_show_secret) = signal(false);
    let (show_qr, set_show_qr) = signal(true);
    view! {
        <div class="wizard" role="group" aria-label="Assign MFA device">
            {move || match (pending(), codes()) {
                (_, Some(codes)) => view! {
                    <h3>"MFA device assigned"</h3>
                    {if codes.is_empty() {
                        view! { <p>"Your existing recovery codes still work."</p> }.into_any()
                    } else {
                        view! {
                            <p>"Save these recovery codes somewhere safe. Each signs you in once if you lose your device. They are shown only now."</p>
                            <ul class="recovery-codes" data-testid="recovery-codes">
                                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <button type="button" class="button button-primary" on:click=move |_| on_close()>"Done"</button>
                }.into_any(),
                (Some(device), None) => {
                    let name = device.name.clone();
                    view! {
                        <h3>"Set up device"</h3>
                        <ol class="steps">
                            <li>"Install a compatible authenticator app on your phone or computer."</li>
                            <li>
                                "Open the app and scan the QR code, or type the secret key. "
                                <button type="button" class="link-button" on:click=move |_| set_show_qr.update(|v| *v = !*v)>"Show QR code"</button>
                                " · "
                                <button type="button" class="link-button" on:click=move |_| set_show_secret.update(|v| *v = !*v)>"Show secret key"</button>
                                <Show when=move || show_qr.get()>
                                    <div class="qr" inner_html=device.qr_svg.clone()></div>
                                </Show>
                                <Show when=move || show_secret.get()>
                                    <p><code data-testid="mfa-secret">{device.secret.clone()}</code></p>
                                </Show>
                            </li>
                            <li>"Type two consecutive codes from the app."</li>
                        </ol>
                        <FormAlert errors=enable_errors />
                        <ActionForm action=enable>
                            <input type="hidden" name="device_name" value=name />
                            <Field label="MFA code 1" name="code1" autocomplete="one-time-code" maxlength=6u32 errors=enable_errors />
                            <Field label="MFA code 2" name="code2" autocomplete="one-time-code" maxlength=6u32 errors=enable_errors />
                            <div class="actions">
                                <button type="button" class="button" on:click=move |_| on_close()>"Cancel"</button>
                                <button type="submit" class="button button-primary" disabled=move || enable.pending().get()>"Add MFA"</button>
                            </div>
                        </ActionForm>
                    }.into_any()
                }
                (None, None) => view! {
                    <h3>"Select MFA device"</h3>
                    <FormAlert errors=create_errors />
                    <ActionForm action=create>
                        <Field label="Device name" name="device_name" maxlength=226u32 errors=create_errors
                            hint="A name that tells your devices apart, e.g. my-phone." />
                        <fieldset>
                            <legend>"MFA device"</legend>
                            <div class="check">
                                <input type="radio" id="kind-app" name="kind" value="app" checked=true />
                                <label for="kind-app">"Authenticator app"</label>
                            </div>
                        </fieldset>
                        <div class="actions">
                            <button type="button" class="button" on:click=move |_| on_close()>"Cancel"</button>
                            <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Next"</button>
                        </div>
                    </ActionForm>
                }.into_any(),
            }}
        </div>
    }
}
