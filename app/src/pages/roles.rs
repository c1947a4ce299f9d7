//! Roles: the list, with search, trusted entities and last activity.

use crate::api::iam::PAGE_SIZE;
use crate::api::roles::list_roles;
use crate::components::widgets::{age, Breadcrumbs, ErrorView, Pager};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RolesPage() -> impl IntoView {
    let state = crate::components::widgets::search_and_page();
    let roles = Resource::new(move || state.get(), |(search, page)| list_roles(search, page));
    let now = use_context::<crate::api::Whoami>().map_or(0, |w| w.now);
    view! {
        <Title text="Roles" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("", "Roles".into())] />
        <Suspense fallback=|| view! { <p class="loading">"Loading roles…"</p> }>
            {move || Suspend::new(async move {
                let (search, page_number) = state.get();
                match roles.await {
                    Ok(page) => {
                        let q = crate::components::widgets::encode(&search);
                        let href = Callback::new(move |n: i64| format!("/roles?page={n}&q={q}"));
                        view! {
                            <div class="panel-header">
                                <h1>{format!("Roles ({})", page.total)}</h1>
                                <a class="button button-primary" href="/roles/create">"Create role"</a>
                            </div>
                            <section class="panel">
                                <p class="field-hint">"A role is an identity with permissions that people, services and other accounts you trust can assume, receiving temporary credentials."</p>
                                <form method="get" action="/roles" class="inline-form" role="search">
                                    <label class="visually-hidden" for="role-search">"Find roles by name"</label>
                                    <input id="role-search" type="search" name="q" placeholder="Find roles by name" value=search />
                                    <button class="button" type="submit">"Search"</button>
                                </form>
                                {if page.items.is_empty() {
                                    view! { <p class="empty">"No roles. " <a href="/roles/create">"Create role"</a></p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="roles-table">
                                            <thead><tr><th>"Role name"</th><th>"Trusted entities"</th><th>"Last activity"</th></tr></thead>
                                            <tbody>{page.items.into_iter().map(|r| view! {
                                                <tr>
                                                    <td><a href=format!("/roles/{}", r.role_name)>{r.role_name.clone()}</a></td>
                                                    <td>{r.trusted.join(", ")}</td>
                                                    <td>{r.last_used_at.map_or_else(|| "-".to_string(), |at| age(at, now))}</td>
                                                </tr>
                                            }).collect_view()}</tbody>
                                        </table>
                                        <Pager total=page.total page=page_number page_size=PAGE_SIZE href />
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <h1>"Roles"</h1><ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
