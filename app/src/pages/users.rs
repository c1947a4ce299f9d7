//! Users: the list with search, sort and server-side pages.

use crate::api::iam::{list_groups, list_users, AddUsersToGroup, DeleteUsers, PAGE_SIZE};
use crate::components::widgets::{age, encode, when, ActionResult, Breadcrumbs, ErrorView, Pager};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The list's state lives in the URL, so it survives a reload and works without JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    search: String,
    sort: String,
    descending: bool,
    page: i64,
}

impl Query {
    fn href(&self, page: i64, sort: &str, descending: bool) -> String {
        let mut href = format!(
            "/users?page={page}&sort={sort}&order={}",
            if descending { "desc" } else { "asc" }
        );
        if !self.search.is_empty() {
            href.push_str("&q=");
            href.push_str(&encode(&self.search));
        }
        href
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let state = Memo::new(move |_| {
        let q = query.read();
        Query {
            search: q.get("q").unwrap_or_default(),
            sort: q
                .get("sort")
                .filter(|s| s == "created")
                .unwrap_or_else(|| "name".into()),
            descending: q.get("order").is_some_and(|o| o == "desc"),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1),
        }
    });
    let selected = RwSignal::new(Vec::<String>::new());
    let delete = ServerAction::<DeleteUsers>::new();
    let add = ServerAction::<AddUsersToGroup>::new();
    let users = Resource::new(
        move || (state.get(), delete.version().get(), add.version().get()),
        |(s, _, _)| list_users(s.search, s.sort, s.descending, s.page),
    );
    Effect::new(move |_| {
        if delete.version().get() + add.version().get() > 0 {
            selected.set(Vec::new());
        }
    });
    let now = use_context::<crate::api::Whoami>().map_or(0, |w| w.now);
    view! {
        <Title text="Users" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("", "Users".into())] />
        // Outside the list's Suspense: reloading the list must not reset the selection bar.
        <BulkActions selected delete add />
        <Suspense fallback=|| view! { <p class="loading">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                let s = state.get();
                match users.await {
                    Ok(page) => {
                        let sort_link = {
                            let s = s.clone();
                            move |column: &'static str| {
                                let descending = s.sort == column && !s.descending;
                                s.href(1, column, descending)
                            }
                        };
                        let pager_state = s.clone();
                        let href = Callback::new(move |n: i64| pager_state.href(n, &pager_state.sort, pager_state.descending));
                        view! {
                            <div class="panel-header">
                                <h1>{format!("Users ({})", page.total)}</h1>
                                <a class="button button-primary" href="/users/create">"Create user"</a>
                            </div>
                            <section class="panel">
                                <form method="get" action="/users" class="inline-form" role="search">
                                    <label class="visually-hidden" for="user-search">"Find users by user name"</label>
                                    <input id="user-search" type="search" name="q" placeholder="Find users by user name" value=s.search.clone() />
                                    <input type="hidden" name="sort" value=s.sort.clone() />
                                    <button class="button" type="submit">"Search"</button>
                                </form>
                                {if page.items.is_empty() {
                                    view! {
                                        <p class="empty">
                                            {if s.search.is_empty() { "No users. " } else { "No users match. " }}
                                            <a href="/users/create">"Create user"</a>
                                        </p>
                                    }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="users-table">
                                            <thead><tr>
                                                <th><span class="visually-hidden">"Select"</span></th>
                                                <th><a href=sort_link("name")>"User name"</a></th>
                                                <th>"Path"</th>
                                                <th>"Groups"</th>
                                                <th>"MFA"</th>
                                                <th>"Password age"</th>
                                                <th>"Console last sign-in"</th>
                                                <th><a href=sort_link("created")>"Created"</a></th>
                                            </tr></thead>
                                            <tbody>
                                                {page.items.into_iter().map(|u| {
                                                    let (checked, toggled) = (u.user_name.clone(), u.user_name.clone());
                                                    view! {
                                                    <tr>
                                                        <td><input type="checkbox" aria-label=format!("Select {}", u.user_name)
                                                            prop:checked=move || selected.read().contains(&checked)
                                                            on:change=move |ev| {
                                                                let on = event_target_checked(&ev);
                                                                selected.update(|s| { s.retain(|n| n != &toggled); if on { s.push(toggled.clone()); } });
                                                            } /></td>
                                                        <td><a href=format!("/users/{}", u.user_name)>{u.user_name.clone()}</a></td>
                                                        <td>{u.path}</td>
                                                        <td>{u.groups}</td>
                                                        <td>{if u.mfa_enabled { "Virtual" } else { "-" }}</td>
                                                        <td>{u.password_changed_at.map(|t| age(t, now)).unwrap_or_else(|| "-".into())}</td>
                                                        <td>{match (u.password_enabled, u.password_last_used) {
                                                            (_, Some(t)) => when(t),
                                                            (true, None) => "Never".into(),
                                                            (false, None) => "-".into(),
                                                        }}</td>
                                                        <td>{age(u.created_at, now)}</td>
                                                    </tr>
                                                }}).collect_view()}
                                            </tbody>
                                        </table>
                                        <Pager total=page.total page=s.page page_size=PAGE_SIZE href />
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! {
                        <h1>"Users"</h1>
                        <ErrorView error=e />
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// With users ticked: add them to a group, or delete them after typing `delete`.
#[component]
fn BulkActions(
    selected: RwSignal<Vec<String>>,
    delete: ServerAction<DeleteUsers>,
    add: ServerAction<AddUsersToGroup>,
) -> impl IntoView {
    let groups = Resource::new(|| (), |_| list_groups(String::new(), 1));
    let group = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    view! {
        <ActionResult value=delete.value() success="Users deleted." />
        <ActionResult value=add.value() success="Users added to the group." />
        <Show when=move || !selected.read().is_empty()>
            <div class="inline-form bulk" data-testid="bulk-actions">
                <span>{move || format!("{} selected", selected.read().len())}</span>
                <label for="bulk-group">"Add to group"</label>
                <select id="bulk-group" on:change=move |ev| group.set(event_target_value(&ev))>
                    <option value="">"Choose a group"</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            groups.await.map(|page| page.items.into_iter().map(|g| view! {
                                <option value=g.group_name.clone()>{g.group_name.clone()}</option>
                            }).collect_view()).ok()
                        })}
                    </Suspense>
                </select>
                <button type="button" class="button" disabled=move || group.get().is_empty()
                    on:click=move |_| { add.dispatch(AddUsersToGroup { group_name: group.get(), user_names: selected.get() }); }>"Add"</button>
                <button type="button" class="button" on:click=move |_| confirming.set(true)>"Delete"</button>
            </div>
            <Show when=move || confirming.get()>
                <div class="wizard" role="group" aria-labelledby="bulk-delete-heading">
                    <h3 id="bulk-delete-heading">{move || format!("Delete {} user(s)?", selected.read().len())}</h3>
                    <p>{move || selected.get().join(", ")}</p>
                    <div class="field">
                        <label for="field-bulk-confirm">"To confirm deletion, enter delete"</label>
                        <input id="field-bulk-confirm" on:input=move |ev| typed.set(event_target_value(&ev)) />
                    </div>
                    <div class="actions">
                        <button type="button" class="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        <button type="button" class="button button-primary" disabled=move || typed.get().trim() != "delete"
                            on:click=move |_| {
                                delete.dispatch(DeleteUsers { user_names: selected.get(), confirm: typed.get() });
                                confirming.set(false);
                            }>"Delete users"</button>
                    </div>
                </div>
            </Show>
        </Show>
    }
}
