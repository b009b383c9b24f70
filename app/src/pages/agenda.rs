//! The agenda: open reminders of today (overdue first) or the coming week,
//! with complete and snooze at a tap, and a quick form for a new reminder.
//! Due times are entered in the user's own time zone (the server converts).

use crate::api::{self, ApiError};
use crate::components::bell::use_live;
use crate::components::states::{Empty, ErrorView, Skeleton};
use crate::format::{self, FollowUpPreset};
use crate::i18n::{Msg, tr, use_i18n};
use crate::session::use_session;
use chrono::{Duration, NaiveDateTime};
use leptos::prelude::*;
use rapport_shared::reminder::{DueTime, NewReminder, Reminder, ReminderPatch, ReminderQuery, ReminderStatus};
use uuid::Uuid;

#[component]
pub fn Agenda() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let week = RwSignal::new(false);
    let items = RwSignal::new(None::<Result<Vec<Reminder>, ApiError>>);
    let message = RwSignal::new(None::<Msg>);
    let load = move || {
        let until = format::end_of_local_day(if week.get_untracked() { 6 } else { 0 });
        leptos::task::spawn_local(async move {
            let query = ReminderQuery {
                assignee: Some("me".into()),
                status: Some(ReminderStatus::Open),
                due_before: Some(until),
                limit: Some(200),
                ..ReminderQuery::default()
            };
            items.set(Some(api::reminders(&query).await.map(|p| p.items)));
        });
    };
    // Reload on first view, on a tab change and when a notification arrives.
    Effect::new(move |_| {
        week.track();
        live.pulse.track();
        load();
    });
    let change = move |id: Uuid, patch: ReminderPatch| {
        // Shown at once; put back with a message if the server refuses.
        let before = items.get_untracked();
        items.update(|i| {
            if let Some(Ok(list)) = i {
                list.retain(|r| r.id != id);
            }
        });
        leptos::task::spawn_local(async move {
            match api::update_reminder(id, &patch).await {
                Ok(_) => {
                    live.refresh();
                    load();
                }
                Err(e) => {
                    items.set(before);
                    message.set(Some(if e == ApiError::Network { Msg::Offline } else { Msg::SomethingWrong }));
                }
            }
        });
    };

    let title = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let form_error = RwSignal::new(None::<Msg>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(local) = NaiveDateTime::parse_from_str(&due.get_untracked(), "%Y-%m-%dT%H:%M") else {
            form_error.set(Some(Msg::ErrInvalid));
            return;
        };
        let input = NewReminder {
            title: title.get_untracked(),
            note: None,
            due: DueTime::Local(local),
            assignee_id: None,
            customer_id: None,
            deal_id: None,
            priority: None,
            recurrence: None,
        };
        if input.validate().is_err() {
            form_error.set(Some(Msg::ErrRequired));
            return;
        }
        form_error.set(None);
        leptos::task::spawn_local(async move {
            match api::create_reminder(&input).await {
                Ok(_) => {
                    title.set(String::new());
                    live.refresh();
                    load();
                }
                Err(ApiError::Network) => form_error.set(Some(Msg::Offline)),
                Err(_) => form_error.set(Some(Msg::SomethingWrong)),
            }
        });
    };

    view! {
        <div class="page-head">
            <h1>{tr(Msg::Agenda)}</h1>
            <div class="segmented" role="group" aria-label=tr(Msg::Agenda)>
                <button type="button" aria-pressed=move || (!week.get()).to_string() on:click=move |_| week.set(false)>{tr(Msg::Today)}</button>
                <button type="button" aria-pressed=move || week.get().to_string() on:click=move |_| week.set(true)>{tr(Msg::ThisWeek)}</button>
            </div>
        </div>
        <form class="card reminder-add" on:submit=add novalidate>
            <input class="input" aria-label=tr(Msg::ReminderTitle) placeholder=move || i18n.t(Msg::ReminderTitle) bind:value=title/>
            <input class="input" type="datetime-local" aria-label=tr(Msg::DueAt) bind:value=due/>
            <button class="btn primary" type="submit">{tr(Msg::AddReminder)}</button>
            <p class="form-error" role="alert">{move || form_error.get().map(|m| i18n.t(m))}</p>
        </form>
        <p class="form-error" role="alert">{move || message.get().map(|m| i18n.t(m))}</p>
        {move || match items.get() {
            None => view! { <Skeleton rows=5/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| load()/> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <Empty title=Msg::NothingDue hint=Msg::NothingDueHint/> }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="card reminder-list">
                    {list.into_iter().map(|r| view! { <ReminderRow r on_change=change/> }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

#[component]
fn ReminderRow(r: Reminder, on_change: impl Fn(Uuid, ReminderPatch) + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let tz = use_session().user_untracked().map(|u| u.time_zone).unwrap_or_else(|| "UTC".into());
    let due = r.effective_due();
    let overdue = r.is_overdue(format::now());
    let id = r.id;
    let done = move |_| on_change(id, ReminderPatch { status: Some(ReminderStatus::Done), ..ReminderPatch::default() });
    let snooze =
        move |until| on_change(id, ReminderPatch { snoozed_until: Some(Some(until)), ..ReminderPatch::default() });
    view! {
        <li class="reminder" class:overdue=overdue data-reminder-id=id.to_string()>
            <div class="reminder-main">
                <strong>{r.title.clone()}</strong>
                <span class="muted">
                    {overdue.then(|| view! { <span class="badge overdue">{tr(Msg::Overdue)}</span>" " })}
                    <time datetime=due.to_rfc3339()>{format::date_time(due, i18n.language_untracked(), &tz)}</time>
                    {r.customer.clone().map(|c| view! { " · "<a href=format!("/customers/{}", c.id)>{c.name}</a> })}
                </span>
            </div>
            <div class="actions">
                <button type="button" class="btn small primary" on:click=done>{tr(Msg::Done)}</button>
                <button type="button" class="btn small" on:click=move |_| snooze(format::now() + Duration::hours(1))>{tr(Msg::SnoozeHour)}</button>
                <button type="button" class="btn small" on:click=move |_| {
                    if let Some(at) = format::follow_up_at(FollowUpPreset::Tomorrow9) {
                        snooze(at);
                    }
                }>{tr(Msg::Tomorrow9)}</button>
            </div>
        </li>
    }
}
