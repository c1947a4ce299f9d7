//! Event history: the account's audit log, filtered by identity, action and time.

use crate::api::policies::lookup_events;
use crate::components::widgets::{when, Breadcrumbs, ErrorView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EventHistoryPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        (
            get("actor"),
            get("action"),
            get("from"),
            get("to"),
            q.get("before").and_then(|b| b.parse::<i64>().ok()),
        )
    });
    let events = Resource::new(
        move || filter.get(),
        |(actor, action, from, to, before)| lookup_events(actor, action, from, to, before),
    );
    view! {
        <Title text="Event history" />
        <Breadcrumbs items=vec![("/", "IAM".into()), ("", "Event history".into())] />
        <h1>"Event history"</h1>
        <section class="panel">
            {move || {
                let (actor, action, from, to, _) = filter.get();
                view! {
                    <form method="get" action="/event-history" class="filters" role="search">
                        <div class="field"><label for="field-actor">"User name or ARN"</label><input id="field-actor" name="actor" value=actor /></div>
                        <div class="field"><label for="field-action">"Event name"</label><input id="field-action" name="action" value=action placeholder="e.g. CreateUser" /></div>
                        <div class="field"><label for="field-from">"From (UTC)"</label><input id="field-from" name="from" type="datetime-local" value=from /></div>
                        <div class="field"><label for="field-to">"To (UTC)"</label><input id="field-to" name="to" type="datetime-local" value=to /></div>
                        <button class="button" type="submit">"Filter"</button>
                    </form>
                }
            }}
            <Suspense fallback=|| view! { <p class="loading">"Loading events…"</p> }>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No events match."</p> }.into_any(),
                        Ok(list) => {
                            let (actor, action, from, to, _) = filter.get();
                            let older = list.last().map(|e| format!(
                                "/event-history?actor={}&action={}&from={}&to={}&before={}",
                                crate::components::widgets::encode(&actor), crate::components::widgets::encode(&action),
                                crate::components::widgets::encode(&from), crate::components::widgets::encode(&to), e.id));
                            let full = list.len() == 50;
                            view! {
                                <table class="table" data-testid="events-table">
                                    <thead><tr><th>"Event time"</th><th>"Event name"</th><th>"User"</th><th>"Resource"</th><th>"Outcome"</th><th>"Source IP"</th><th>"Source identity"</th></tr></thead>
                                    <tbody>{list.into_iter().map(|e| view! {
                                        <tr>
                                            <td>{when(e.at)}</td>
                                            <td>{e.action}</td>
                                            <td><code>{e.actor}</code>{e.federated_user.map(|f| view! {
                                                <br /><span class="field-hint">"Federated: " {f}</span>
                                            })}</td>
                                            <td><code>{e.resource.unwrap_or_default()}</code></td>
                                            <td>{e.outcome}</td>
                                            <td>{e.source_ip.unwrap_or_default()}</td>
                                            <td>{e.source_identity.unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}</tbody>
                                </table>
                                {full.then(|| older.map(|href| view! { <a href=href>"Older events"</a> }))}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
