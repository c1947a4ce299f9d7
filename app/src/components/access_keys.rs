//! The access keys panel, on "My security credentials" (one's own keys) and on a user's
//! Security credentials tab: create (the secret shown once, with the .csv), make inactive or
//! active, delete after typing the key ID; ages, last use, and AWS's rotation steps.

use crate::api::keys::{list_access_keys, CreateAccessKey, DeleteAccessKey, UpdateAccessKey};
use crate::components::copy_button::CopyButton;
use crate::components::widgets::{age, when, ActionResult, ErrorView};
use iam_core::model::{AccessKeyInfo, NewAccessKey};
use leptos::prelude::*;

/// Keys older than this are flagged for rotation.
const ROTATE_AFTER_DAYS: i64 = 90;

/// `user_name` empty: the signed-in identity's own keys.
#[component]
pub fn AccessKeysPanel(#[prop(into)] user_name: String) -> impl IntoView {
    let create = ServerAction::<CreateAccessKey>::new();
    let update = ServerAction::<UpdateAccessKey>::new();
    let delete = ServerAction::<DeleteAccessKey>::new();
    let owner = user_name.clone();
    let keys = Resource::new(
        move || {
            (
                create.version().get(),
                update.version().get(),
                delete.version().get(),
            )
        },
        move |_| list_access_keys(owner.clone()),
    );
    let now = use_context::<crate::api::Whoami>().map_or(0, |w| w.now);
    let new_key = move || match create.value().get() {
        Some(Ok(key)) => Some(key),
        _ => None,
    };
    let create_for = user_name.clone();
    view! {
        <section class="panel" aria-labelledby="keys-heading">
            <div class="panel-header">
                <h2 id="keys-heading">"Access keys"</h2>
                <button type="button" class="button" disabled=move || create.pending().get()
                    on:click=move |_| { create.dispatch(CreateAccessKey { user_name: create_for.clone() }); }>"Create access key"</button>
            </div>
            <p class="muted">"Use access keys to send signed requests to the AWS-compatible API (the AWS CLI and SDKs). At most two per identity. To rotate a key: create a second key, move your applications to it, check the old key's last use, make the old key inactive, then delete it."</p>
            {move || match create.value().get() {
                Some(Err(e)) => Some(view! { <ErrorView error=e /> }),
                _ => None,
            }}
            {move || new_key().map(|key| view! { <NewKey key /> })}
            <ActionResult value=update.value() success="Access key status updated." />
            <ActionResult value=delete.value() success="Access key deleted." />
            <Suspense fallback=|| view! { <p class="loading">"Loading access keys…"</p> }>
                {
                    let user_name = user_name.clone();
                    move || {
                        let user_name = user_name.clone();
                        Suspend::new(async move {
                            match keys.await {
                                Ok(list) if list.is_empty() => view! { <p class="empty" data-testid="no-keys">"No access keys."</p> }.into_any(),
                                Ok(list) => view! { <KeyTable list user_name now update delete /> }.into_any(),
                                Err(e) => view! { <ErrorView error=e /> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        </section>
    }
}

/// The one time the secret is shown, with AWS's .csv.
#[component]
fn NewKey(key: NewAccessKey) -> impl IntoView {
    let id = key.info.access_key_id.clone();
    let csv = iam_core::csv::row(["Access key ID", "Secret access key"])
        + &iam_core::csv::row([id.as_str(), key.secret_access_key.as_str()]);
    let href = format!(
        "data:text/csv;charset=utf-8,{}",
        crate::components::widgets::encode(&csv)
    );
    let file = format!("{id}_accessKeys.csv");
    view! {
        <div class="wizard" data-testid="new-access-key">
            <h3>"Retrieve access keys"</h3>
            <p>"This is the only time the secret access key can be viewed or downloaded. You cannot recover it later; you can create a new access key at any time."</p>
            <dl class="facts">
                <dt>"Access key ID"</dt>
                <dd class="with-copy"><code data-testid="new-key-id">{id.clone()}</code><CopyButton value=id.clone() what="access key ID" /></dd>
                <dt>"Secret access key"</dt>
                <dd class="with-copy"><code data-testid="new-key-secret">{key.secret_access_key.clone()}</code>
                    <CopyButton value=key.secret_access_key.clone() what="secret access key" /></dd>
            </dl>
            <div class="actions"><a class="button" href=href download=file>"Download .csv file"</a></div>
        </div>
    }
}

#[component]
fn KeyTable(
    list: Vec<AccessKeyInfo>,
    user_name: String,
    now: i64,
    update: ServerAction<UpdateAccessKey>,
    delete: ServerAction<DeleteAccessKey>,
) -> impl IntoView {
    let confirming = RwSignal::new(None::<String>);
    let typed = RwSignal::new(String::new());
    let delete_owner = user_name.clone();
    view! {
        <table class="table" data-testid="access-keys">
            <thead><tr><th>"Access key ID"</th><th>"Status"</th><th>"Created"</th><th>"Last used"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
            <tbody>{list.into_iter().map(|k| {
                let old = now - k.created_at > ROTATE_AFTER_DAYS * 86_400;
                let (id1, id2) = (k.access_key_id.clone(), k.access_key_id.clone());
                let owner = user_name.clone();
                let active = k.status == "Active";
                let last_used = match (k.last_used_at, &k.last_used_service, &k.last_used_region) {
                    (Some(at), service, region) => format!(
                        "{} ({}, {})",
                        when(at),
                        service.clone().unwrap_or_default(),
                        region.clone().unwrap_or_default()
                    ),
                    (None, ..) => "Never".into(),
                };
                view! {
                    <tr>
                        <td><code>{k.access_key_id.clone()}</code></td>
                        <td>{k.status.clone()}</td>
                        <td>{age(k.created_at, now)}{old.then(|| view! { <span class="advice-todo">" ⚠ older than 90 days: rotate it"</span> })}</td>
                        <td>{last_used}</td>
                        <td>
                            <button type="button" class="link-button" on:click=move |_| {
                                update.dispatch(UpdateAccessKey {
                                    user_name: owner.clone(),
                                    access_key_id: id1.clone(),
                                    status: if active { "Inactive".into() } else { "Active".into() },
                                });
                            }>{if active { "Make inactive" } else { "Activate" }}</button>
                            " "
                            <button type="button" class="link-button" on:click=move |_| { typed.set(String::new()); confirming.set(Some(id2.clone())); }>"Delete"</button>
                        </td>
                    </tr>
                }
            }).collect_view()}</tbody>
        </table>
        {move || confirming.get().map(|id| {
            let expected = id.clone();
            let owner = delete_owner.clone();
            view! {
                <div class="wizard" role="group" aria-labelledby="delete-key-heading">
                    <h3 id="delete-key-heading">{format!("Delete access key {id}?")}</h3>
                    <p>"Applications using this key stop working. Make it inactive first to check nothing breaks."</p>
                    <div class="field">
                        <label for="field-confirm-key">"To confirm deletion, enter the access key ID"</label>
                        <input id="field-confirm-key" on:input=move |ev| typed.set(event_target_value(&ev)) />
                    </div>
                    <div class="actions">
                        <button type="button" class="button" on:click=move |_| confirming.set(None)>"Cancel"</button>
                        <button type="button" class="button button-primary" disabled=move || typed.get().trim() != expected
                            on:click=move |_| {
                                delete.dispatch(DeleteAccessKey { user_name: owner.clone(), access_key_id: id.clone(), confirm: typed.get() });
                                confirming.set(None);
                            }>"Delete"</button>
                    </div>
                </div>
            }
        })}
    }
}
