//! The create-user wizard: 1 user details, 2 permissions, 3 review and create; then the
//! result page with the password shown once and the .csv download.

use crate::api::iam::{list_groups, CreateUser, CreateUserInput, CreatedUser};
use crate::components::copy_button::CopyButton;
use crate::components::widgets::{
    ActionResult, Breadcrumbs, ErrorView, PolicyPicker, TagsFieldset, WizardButtons, WizardSteps,
};
use iam_core::model::Tag;
use leptos::prelude::*;
use leptos_meta::Title;

const STEPS: [&str; 3] = ["Specify user details", "Set permissions", "Review and create"];

#[component]
pub fn CreateUserPage() -> impl IntoView {
    let step = RwSignal::new(0usize);
    let user_name = RwSignal::new(String::new());
    let console_access = RwSignal::new(false);
    let custom = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let require_reset = RwSignal::new(true);
    let option = RwSignal::new("groups".to_string());
    let groups = RwSignal::new(Vec::<String>::new());
    let copy_from = RwSignal::new(String::new());
    let policies = RwSignal::new(Vec::<String>::new());
    let tags = RwSignal::new(Vec::<(String, String)>::new());
    let create = ServerAction::<CreateUser>::new();
    let step_error = RwSignal::new(None::<String>);

    let next = move |()| {
        // Name rules are checked here with the server's own code, so mistakes show early.
        if step.get() == 0 {
            if let Err(e) =
                iam_core::names::check_name(iam_core::names::NameKind::User, user_name.get().trim())
            {
                step_error.set(Some(e.message));
                return;
            }
        }
        step_error.set(None);
        step.update(|s| *s = (*s + 1).min(2));
    };
    let submit = move |()| {
        let tag_list = tags
            .get()
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect();
        let choice = option.get();
        create.dispatch(CreateUser {
            input: CreateUserInput {
                user_name: user_name.get().trim().to_owned(),
                path: "/".into(),
                console_access: console_access.get(),
                custom_password: (console_access.get() && custom.get()).then(|| password.get()),
                require_reset: require_reset.get(),
                groups: if choice == "groups" {
                    groups.get()
                } else {
                    Vec::new()
                },
                copy_from: (choice == "copy").then(|| copy_from.get()),
                policy_arns: if choice == "attach" {
                    policies.get()
                } else {
                    Vec::new()
                },
                tags: tag_list,
            },
        });
    };
    let result = create.value();

    view! {
        <Title text="Create user" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("/users", "Users".into()), ("", "Create user".into())] />
        {move || match result.get() {
            Some(Ok(created)) => view! { <Created created /> }.into_any(),
            _ => view! {
                <h1>"Create user"</h1>
                <div class="wizard-layout">
                    <WizardSteps steps=&STEPS step />
                    <section class="panel wizard-body">
                        <h2>{move || STEPS[step.get()]}</h2>
                        <Show when=move || step.get() == 0>
                            <Details user_name console_access custom password require_reset tags />
                        </Show>
                        <Show when=move || step.get() == 1>
                            <Permissions option groups copy_from policies />
                        </Show>
                        <Show when=move || step.get() == 2>
                            <Review user_name console_access custom require_reset option groups copy_from policies tags step />
                        </Show>
                        {move || step_error.get().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                        <ActionResult value=result success="" />
                        <WizardButtons step last=2 cancel="/users" finish="Create user".to_string()
                            busy=create.pending() on_next=Callback::new(next) on_finish=Callback::new(submit) />
                    </section>
                </div>
            }.into_any(),
        }}
    }
}

#[component]
fn Details(
    user_name: RwSignal<String>,
    console_access: RwSignal<bool>,
    custom: RwSignal<bool>,
    password: RwSignal<String>,
    require_reset: RwSignal<bool>,
    tags: RwSignal<Vec<(String, String)>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="field-user_name">"User name"</label>
            <p class="field-hint">"Up to 64 letters, digits and + = , . @ _ -"</p>
            <input id="field-user_name" name="user_name" maxlength="64" prop:value=move || user_name.get()
                on:input=move |ev| user_name.set(event_target_value(&ev)) />
        </div>
        <label class="check">
            <input type="checkbox" name="console_access" prop:checked=move || console_access.get()
                on:change=move |ev| console_access.set(event_target_checked(&ev)) />
            "Provide user access to the console"
        </label>
        <Show when=move || console_access.get()>
            <fieldset>
                <legend>"Console password"</legend>
                <label class="check"><input type="radio" name="password_kind" prop:checked=move || !custom.get()
                    on:change=move |_| custom.set(false) />"Autogenerated password"</label>
                <label class="check"><input type="radio" name="password_kind" prop:checked=move || custom.get()
                    on:change=move |_| custom.set(true) />"Custom password"</label>
                <Show when=move || custom.get()>
                    <div class="field">
                        <label for="field-password">"Password"</label>
                        <input id="field-password" type="password" autocomplete="new-password" prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev)) />
                    </div>
                </Show>
                <label class="check"><input type="checkbox" name="require_reset" prop:checked=move || require_reset.get()
                    on:change=move |ev| require_reset.set(event_target_checked(&ev)) />
                    "Users must create a new password at next sign-in"</label>
            </fieldset>
        </Show>
        <TagsFieldset tags />
    }
}

#[component]
fn Permissions(
    option: RwSignal<String>,
    groups: RwSignal<Vec<String>>,
    copy_from: RwSignal<String>,
    policies: RwSignal<Vec<String>>,
) -> impl IntoView {
    let choices = [
        ("groups", "Add user to group"),
        ("copy", "Copy permissions"),
        ("attach", "Attach policies directly"),
    ];
    let group_list = Resource::new(|| (), |_| list_groups(String::new(), 1));
    view! {
        <fieldset>
            <legend>"Permissions options"</legend>
            {choices.into_iter().map(|(value, label)| view! {
                <label class="check"><input type="radio" name="permissions_option" value=value
                    prop:checked=move || option.get() == value on:change=move |_| option.set(value.into()) />{label}</label>
            }).collect_view()}
        </fieldset>
        <Show when=move || option.get() == "groups">
            <Suspense fallback=|| view! { <p class="loading">"Loading groups…"</p> }>
                {move || Suspend::new(async move {
                    match group_list.await {
                        Ok(page) if page.items.is_empty() => view! { <p>"No user groups yet. " <a href="/groups/create">"Create group"</a></p> }.into_any(),
                        Ok(page) => view! {
                            <table class="table" data-testid="group-picker">
                                <thead><tr><th><span class="visually-hidden">"Select"</span></th><th>"Group name"</th><th>"Users"</th><th>"Attached policies"</th></tr></thead>
                                <tbody>{page.items.into_iter().map(|g| {
                                    let name = g.group_name.clone();
                                    let toggle = name.clone();
                                    let id = format!("group-{name}");
                                    view! {
                                        <tr>
                                            <td><input type="checkbox" id=id.clone() prop:checked=move || groups.read().contains(&name)
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    groups.update(|s| { s.retain(|n| n != &toggle); if on { s.push(toggle.clone()); } });
                                                } /></td>
                                            <td><label for=id>{g.group_name}</label></td>
                                            <td>{g.users}</td>
                                            <td>{g.policies}</td>
                                        </tr>
                                    }
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </Show>
        <Show when=move || option.get() == "copy">
            <div class="field">
                <label for="field-copy_from">"Copy all group memberships and attached managed policies from user"</label>
                <input id="field-copy_from" prop:value=move || copy_from.get() on:input=move |ev| copy_from.set(event_target_value(&ev)) />
            </div>
        </Show>
        <Show when=move || option.get() == "attach">
            <PolicyPicker selected=policies />
        </Show>
    }
}

#[component]
fn Review(
    user_name: RwSignal<String>,
    console_access: RwSignal<bool>,
    custom: RwSignal<bool>,
    require_reset: RwSignal<bool>,
    option: RwSignal<String>,
    groups: RwSignal<Vec<String>>,
    copy_from: RwSignal<String>,
    policies: RwSignal<Vec<String>>,
    tags: RwSignal<Vec<(String, String)>>,
    step: RwSignal<usize>,
) -> impl IntoView {
    let permissions = move || match option.get().as_str() {
        "groups" if groups.get().is_empty() => "None".to_string(),
        "groups" => format!("Groups: {}", groups.get().join(", ")),
        "copy" => format!("Copied from user {}", copy_from.get()),
        _ if policies.get().is_empty() => "None".to_string(),
        _ => format!(
            "Policies: {}",
            policies
                .get()
                .iter()
                .map(|a| a.rsplit('/').next().unwrap_or(a))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    view! {
        <div class="panel-header"><h3>"User details"</h3>
            <button type="button" class="link-button" on:click=move |_| step.set(0)>"Edit"</button></div>
        <dl class="facts" data-testid="review">
            <dt>"User name"</dt><dd>{move || user_name.get()}</dd>
            <dt>"Console password type"</dt>
            <dd>{move || match (console_access.get(), custom.get()) {
                (false, _) => "None (no console access)",
                (true, false) => "Autogenerated",
                (true, true) => "Custom password",
            }}</dd>
            <dt>"Require password reset"</dt><dd>{move || if console_access.get() && require_reset.get() { "Yes" } else { "No" }}</dd>
            <dt>"Tags"</dt><dd>{move || {
                let t = tags.get();
                if t.is_empty() { "None".to_string() } else { t.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ") }
            }}</dd>
        </dl>
        <div class="panel-header"><h3>"Permissions summary"</h3>
            <button type="button" class="link-button" on:click=move |_| step.set(1)>"Edit"</button></div>
        <p>{permissions}</p>
    }
}

/// The one time the password is shown, with the .csv AWS offers.
#[component]
fn Created(created: CreatedUser) -> impl IntoView {
    let password = created.password.clone().unwrap_or_default();
    // The one CSV writer: a user named `=1+1` is text in a spreadsheet, not a formula.
    let csv = iam_core::csv::row(["User name", "Password", "Console sign-in URL"])
        + &iam_core::csv::row([&created.user_name, &password, &created.signin_url]);
    let href = format!(
        "data:text/csv;charset=utf-8,{}",
        crate::components::widgets::encode(&csv)
    );
    let file = format!("{}_credentials.csv", created.user_name);
    view! {
        <div class="alert alert-success" role="status">
            "User created successfully. " <a href=format!("/users/{}", created.user_name)>"View user"</a>
        </div>
        <h1>"Retrieve password"</h1>
        <section class="panel">
            <p>"You can view and download the user's password below or email users instructions for signing in. This is the only time you can view and download this password."</p>
            <dl class="facts" data-testid="created-user">
                <dt>"Console sign-in URL"</dt>
                <dd class="with-copy"><code>{created.signin_url.clone()}</code><CopyButton value=created.signin_url.clone() what="sign-in URL" /></dd>
                <dt>"User name"</dt>
                <dd class="with-copy"><code>{created.user_name.clone()}</code></dd>
                {created.password.clone().map(|p| view! {
                    <dt>"Console password"</dt>
                    <dd class="with-copy"><code data-testid="created-password">{p.clone()}</code><CopyButton value=p what="password" /></dd>
                })}
            </dl>
            <div class="actions">
                <a class="button" href=href download=file>"Download .csv file"</a>
                <a class="button button-primary" href="/users">"Return to users list"</a>
            </div>
        </section>
    }
}
