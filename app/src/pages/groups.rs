//! User groups: the list and the create page.

use crate::api::iam::{list_groups, CreateGroup, PAGE_SIZE};
use crate::components::widgets::{age, ActionResult, Breadcrumbs, ErrorView, Pager, PolicyPicker};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn GroupsPage() -> impl IntoView {
    let state = crate::components::widgets::search_and_page();
    let groups = Resource::new(move || state.get(), |(search, page)| list_groups(search, page));
    let now = use_context::<crate::api::Whoami>().map_or(0, |w| w.now);
    view! {
        <Title text="User groups" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("", "User groups".into())] />
        <Suspense fallback=|| view! { <p class="loading">"Loading user groups…"</p> }>
            {move || Suspend::new(async move {
                let (search, page_number) = state.get();
                match groups.await {
                    Ok(page) => {
                        let q = crate::components::widgets::encode(&search);
                        let href = Callback::new(move |n: i64| format!("/groups?page={n}&q={q}"));
                        view! {
                            <div class="panel-header">
                                <h1>{format!("User groups ({})", page.total)}</h1>
                                <a class="button button-primary" href="/groups/create">"Create group"</a>
                            </div>
                            <section class="panel">
                                <form method="get" action="/groups" class="inline-form" role="search">
                                    <label class="visually-hidden" for="group-search">"Find groups by name"</label>
                                    <input id="group-search" type="search" name="q" placeholder="Find groups by name" value=search />
                                    <button class="button" type="submit">"Search"</button>
                                </form>
                                {if page.items.is_empty() {
                                    view! { <p class="empty">"No user groups. " <a href="/groups/create">"Create group"</a></p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="groups-table">
                                            <thead><tr><th>"Group name"</th><th>"Users"</th><th>"Permissions"</th><th>"Creation time"</th></tr></thead>
                                            <tbody>{page.items.into_iter().map(|g| view! {
                                                <tr>
                                                    <td><a href=format!("/groups/{}", g.group_name)>{g.group_name.clone()}</a></td>
                                                    <td>{g.users}</td>
                                                    <td>{if g.policies == 0 { "Not defined".to_string() } else { format!("Defined ({})", g.policies) }}</td>
                                                    <td>{age(g.created_at, now)}</td>
                                                </tr>
                                            }).collect_view()}</tbody>
                                        </table>
                                        <Pager total=page.total page=page_number page_size=PAGE_SIZE href />
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <h1>"User groups"</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn CreateGroupPage() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let selected = RwSignal::new(Vec::<String>::new());
    let create = ServerAction::<CreateGroup>::new();
    let name_error = Memo::new(move |_| {
        let n = name.get();
        (!n.is_empty())
            .then(|| iam_core::names::check_name(iam_core::names::NameKind::Group, n.trim()).err())
            .flatten()
            .map(|e| e.message)
    });
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(group)) = create.value().get() {
            navigate(&format!("/groups/{}", group.group_name), Default::default());
        }
    });
    view! {
        <Title text="Create user group" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("/groups", "User groups".into()), ("", "Create user group".into())] />
        <h1>"Create user group"</h1>
        <section class="panel">
            <h2>"Name the group"</h2>
            <div class="field" class:field-invalid=move || name_error.get().is_some()>
                <label for="field-group_name">"User group name"</label>
                <p class="field-hint">"Up to 128 letters, digits and + = , . @ _ -"</p>
                <input id="field-group_name" maxlength="128" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <ul class="field-messages">{move || name_error.get().map(|m| view! { <li>{m}</li> })}</ul>
            </div>
        </section>
        <section class="panel">
            <h2>"Attach permissions policies - optional"</h2>
            <PolicyPicker selected />
        </section>
        <ActionResult value=create.value() success="User group created." />
        <div class="actions">
            <a class="button" href="/groups">"Cancel"</a>
            <button type="button" class="button button-primary" disabled=move || create.pending().get()
                on:click=move |_| { create.dispatch(CreateGroup { group_name: name.get(), policy_arns: selected.get() }); }>"Create group"</button>
        </div>
    }
}
