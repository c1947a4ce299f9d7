//! Pieces every list and detail page uses: breadcrumbs, an error shown in place, a pager,
//! the policy picker and a delete confirmation.

use crate::error::AppError;
use iam_core::model::{Denied, Part};
use leptos::prelude::*;

/// "IAM > Users > alice": every item but the last links.
#[component]
pub fn Breadcrumbs(items: Vec<(&'static str, String)>) -> impl IntoView {
    let last = items.len().saturating_sub(1);
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <ol>
                {items
                    .into_iter()
                    .enumerate()
                    .map(|(i, (href, text))| {
                        if i == last {
                            view! { <li aria-current="page">{text}</li> }.into_any()
                        } else if href.is_empty() {
                            view! { <li>{text}</li> }.into_any()
                        } else {
                            view! { <li><a href=href>{text}</a></li> }.into_any()
                        }
                    })
                    .collect_view()}
            </ol>
        </nav>
    }
}

/// An error in place of what could not be shown: an access denial reads as AWS's.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    let denied = matches!(error, AppError::AccessDenied(_));
    view! {
        <div class="alert alert-error" role="alert" data-testid=if denied { "access-denied" } else { "error" }>
            {denied.then(|| view! { <strong>"Access denied. "</strong> })}
            {error.to_string()}
        </div>
    }
}

/// In place of a part of a page the caller may not read: the refusal, as any other reads.
#[component]
pub fn DeniedView(denied: Denied) -> impl IntoView {
    view! { <ErrorView error=AppError::AccessDenied(denied.message) /> }
}

/// A part of a page: `shown` renders it when the caller may read it, the refusal otherwise.
pub fn part_view<T, V: IntoView + 'static>(part: Part<T>, shown: impl FnOnce(T) -> V) -> AnyView {
    match part {
        Ok(value) => shown(value).into_any(),
        Err(denied) => view! { <DeniedView denied /> }.into_any(),
    }
}

/// ` (N)` after a list's heading; nothing when the list is refused.
pub fn counted<T>(part: &Part<Vec<T>>) -> String {
    part.as_ref()
        .map(|list| format!(" ({})", list.len()))
        .unwrap_or_default()
}

/// The outcome of the last action: green with `success` (nothing when empty), or red with
/// the reason.
#[component]
pub fn ActionResult<T, S>(value: S, success: &'static str) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    move || match value.get() {
        Some(Ok(_)) if success.is_empty() => None,
        Some(Ok(_)) => {
            Some(view! { <div class="alert alert-success" role="status">{success}</div> }.into_any())
        }
        Some(Err(AppError::Invalid(errors))) => Some(
            view! {
                <div class="alert alert-error" role="alert">
                    {errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("; ")}
                </div>
            }
            .into_any(),
        ),
        Some(Err(e)) => Some(view! { <ErrorView error=e /> }.into_any()),
        None => None,
    }
}

/// Previous / page N of M / next, as links that keep the other query parameters.
#[component]
pub fn Pager(total: i64, page: i64, page_size: i64, href: Callback<i64, String>) -> impl IntoView {
    let pages = ((total + page_size - 1) / page_size).max(1);
    view! {
        <nav class="pager" aria-label="Pages">
            {(page > 1).then(|| view! { <a href=href.run(page - 1) rel="prev">"Previous"</a> })}
            <span>{format!("Page {page} of {pages}")}</span>
            {(page < pages).then(|| view! { <a href=href.run(page + 1) rel="next">"Next"</a> })}
        </nav>
    }
}

/// Percent-encodes a query value (links to policies by ARN, filters, .csv data links).
pub fn encode(text: &str) -> String {
    iam_core::credentials::sigv4::encode_component(text)
}

/// Seconds since the epoch as `2026-11-29 14:30 UTC`.
pub fn when(epoch: i64) -> String {
    let iso = iam_core::policy::values::format_iso8601(epoch);
    format!(
        "{} UTC",
        iso.replace('T', " ")
            .trim_end_matches('Z')
            .get(..16)
            .unwrap_or(&iso)
    )
}

/// Days between `epoch` and `now` in words ("Today", "3 days").
pub fn age(epoch: i64, now: i64) -> String {
    match (now - epoch) / 86_400 {
        d if d <= 0 => "Today".into(),
        1 => "1 day".into(),
        d => format!("{d} days"),
    }
}

/// The policies to attach: a filterable checkbox list bound to `selected` (policy ARNs).
#[component]
pub fn PolicyPicker(selected: RwSignal<Vec<String>>) -> impl IntoView {
    let choices = Resource::new(|| (), |_| crate::api::policies::policy_choices());
    let (filter, set_filter) = signal(String::new());
    view! {
        <div class="field">
            <label for="policy-filter">"Permissions policies"</label>
            <input id="policy-filter" type="search" placeholder="Filter policies by name"
                on:input=move |ev| set_filter.set(event_target_value(&ev)) />
        </div>
        <Suspense fallback=|| view! { <p class="loading">"Loading policies…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(list) => view! {
                        <table class="table" data-testid="policy-picker">
                            <thead><tr><th><span class="visually-hidden">"Select"</span></th><th>"Policy name"</th><th>"Type"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|(name, arn, kind)| {
                                    let shown_name = name.clone();
                                    let visible = move || {
                                        let f = filter.get().to_lowercase();
                                        f.is_empty() || shown_name.to_lowercase().contains(&f)
                                    };
                                    let id = format!("policy-{name}");
                                    let arn_checked = arn.clone();
                                    let arn_toggle = arn.clone();
                                    view! {
                                        <tr style:display=move || if visible() { "" } else { "none" }>
                                            <td><input type="checkbox" id=id.clone()
                                                prop:checked=move || selected.read().contains(&arn_checked)
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    selected.update(|s| {
                                                        s.retain(|a| a != &arn_toggle);
                                                        if on { s.push(arn_toggle.clone()); }
                                                    });
                                                } /></td>
                                            <td><label for=id>{name}</label></td>
                                            <td>{kind}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "To confirm deletion, enter NAME": the delete button stays disabled until it matches.
#[component]
pub fn ConfirmDelete(
    name: String,
    what: &'static str,
    on_delete: Callback<String>,
    pending: Signal<bool>,
) -> impl IntoView {
    let (typed, set_typed) = signal(String::new());
    let expected = name.clone();
    let matches = move || typed.get().trim() == expected;
    view! {
        <div class="wizard" role="group" aria-labelledby="delete-heading">
            <h3 id="delete-heading">{format!("Delete {what} {name}?")}</h3>
            <p>{format!("This removes what is attached to the {what} and cannot be undone.")}</p>
            <div class="field">
                <label for="field-confirm">{format!("To confirm deletion, enter {name}")}</label>
                <input id="field-confirm" name="confirm" on:input=move |ev| set_typed.set(event_target_value(&ev)) />
            </div>
            <div class="actions">
                <button type="button" class="button button-primary"
                    disabled=move || !matches() || pending.get()
                    on:click=move |_| on_delete.run(typed.get_untracked())>"Delete"</button>
            </div>
        </div>
    }
}

/// A wizard's steps down the left, the current one marked ("Step 1 Specify user details").
#[component]
pub fn WizardSteps(steps: &'static [&'static str], step: RwSignal<usize>) -> impl IntoView {
    view! {
        <ol class="wizard-steps">
            {steps.iter().enumerate().map(|(i, label)| view! {
                <li aria-current=move || (step.get() == i).then_some("step")>
                    <span class="muted">{format!("Step {}", i + 1)}</span><br />{*label}
                </li>
            }).collect_view()}
        </ol>
    }
}

/// "Tags - optional": key and value rows to add and remove (the create wizards).
#[component]
pub fn TagsFieldset(tags: RwSignal<Vec<(String, String)>>) -> impl IntoView {
    view! {
        <fieldset>
            <legend>"Tags - optional"</legend>
            {move || tags.get().into_iter().enumerate().map(|(i, (k, v))| view! {
                <div class="inline-form tag-row">
                    <label class="visually-hidden" for=format!("tag-key-{i}")>"Key"</label>
                    <input id=format!("tag-key-{i}") placeholder="Key" prop:value=k
                        on:change=move |ev| tags.update(|t| t[i].0 = event_target_value(&ev)) />
                    <label class="visually-hidden" for=format!("tag-value-{i}")>"Value"</label>
                    <input id=format!("tag-value-{i}") placeholder="Value" prop:value=v
                        on:change=move |ev| tags.update(|t| t[i].1 = event_target_value(&ev)) />
                    <button type="button" class="link-button" on:click=move |_| tags.update(|t| { t.remove(i); })>"Remove"</button>
                </div>
            }).collect_view()}
            <button type="button" class="button" on:click=move |_| tags.update(|t| t.push(Default::default()))>"Add new tag"</button>
        </fieldset>
    }
}

/// A list page's search (`q`) and page number (`page`, from 1) from the address.
pub fn search_and_page() -> Memo<(String, i64)> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        (
            q.get("q").unwrap_or_default(),
            q.get("page")
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(1)
                .max(1),
        )
    })
}

/// A wizard's buttons: Cancel, Previous (after the first step), Next, and on the last step
/// the `finish` button, disabled while `busy`.
#[component]
pub fn WizardButtons(
    step: RwSignal<usize>,
    last: usize,
    cancel: &'static str,
    #[prop(into)] finish: Signal<String>,
    #[prop(into)] busy: Signal<bool>,
    on_next: Callback<()>,
    on_finish: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="actions">
            <a class="button" href=cancel>"Cancel"</a>
            <Show when=move || step.get() != 0>
                <button type="button" class="button" on:click=move |_| step.update(|s| *s = s.saturating_sub(1))>"Previous"</button>
            </Show>
            <Show when=move || step.get() < last fallback=move || view! {
                <button type="button" class="button button-primary" disabled=move || busy.get() on:click=move |_| on_finish.run(())>{move || finish.get()}</button>
            }>
                <button type="button" class="button button-primary" on:click=move |_| on_next.run(())>"Next"</button>
            </Show>
        </div>
    }
}
