//! The agenda: open reminders of today (overdue first), the coming week as
//! one column per day — drag a reminder to another day, or pick the day from
//! its menu — and a month calendar. Complete and snooze at a tap, and a quick
//! form for a new reminder. Days are the device's local days; due times are
//! entered in the user's own time zone (the server converts).

use crate::api::{self, ApiError};
use crate::components::bell::use_live;
use crate::components::drag::{self, Press};
use crate::components::states::{Empty, ErrorView, Skeleton};
use crate::format::{self, FollowUpPreset};
use crate::i18n::{Msg, tr, use_i18n};
use chrono::{Datelike, Days, Duration, Months, NaiveDate, NaiveDateTime};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use rapport_shared::reminder::{DueTime, NewReminder, Reminder, ReminderPatch, ReminderQuery, ReminderStatus};
use uuid::Uuid;

/// Pages fetched at most for one view (200 reminders each).
const MAX_PAGES: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Today,
    Week,
    Month,
}

impl Span {
    /// Read from the address (`?view=week`), so a reload or a shared link
    /// opens the same view.
    fn from_query(raw: Option<String>) -> Self {
        match raw.as_deref() {
            Some("week") => Span::Week,
            Some("month") => Span::Month,
            _ => Span::Today,
        }
    }

    fn url(self) -> &'static str {
        match self {
            Span::Today => "/agenda",
            Span::Week => "/agenda?view=week",
            Span::Month => "/agenda?view=month",
        }
    }
}

/// The open reminders due before `until` (and from `from` when given), all pages.
async fn fetch(
    from: Option<chrono::DateTime<chrono::Utc>>,
    until: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Reminder>, ApiError> {
    let mut query = ReminderQuery {
        assignee: Some("me".into()),
        status: Some(ReminderStatus::Open),
        due_after: from,
        due_before: Some(until),
        limit: Some(200),
        ..ReminderQuery::default()
    };
    let mut all = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = api::reminders(&query).await?;
        all.extend(page.items);
        match page.next_cursor {
            Some(cursor) => query.cursor = Some(cursor),
            None => break,
        }
    }
    Ok(all)
}

/// The first day shown by a month grid: the Monday on or before the 1st.
fn grid_start(month: NaiveDate) -> NaiveDate {
    month - Days::new(u64::from(month.weekday().num_days_from_monday()))
}

#[component]
pub fn Agenda() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let span = RwSignal::new(Span::from_query(use_query_map().get_untracked().get("view")));
    let month = RwSignal::new(format::local_date(format::now()).with_day(1).unwrap_or_default());
    let items = RwSignal::new(None::<Result<Vec<Reminder>, ApiError>>);
    let message = RwSignal::new(None::<Msg>);
    let load = move || {
        let (from, until) = match span.get_untracked() {
            Span::Today => (None, format::end_of_local_day(0)),
            Span::Week => (None, format::end_of_local_day(6)),
            Span::Month => {
                let start = grid_start(month.get_untracked());
                (Some(format::local_midnight(start)), format::local_midnight(start + Days::new(42)))
            }
        };
        leptos::task::spawn_local(async move { items.set(Some(fetch(from, until).await)) });
    };
    // Reload on first view, on a change of view or month, and when a notification arrives.
    Effect::new(move |_| {
        span.track();
        month.track();
        live.pulse.track();
        load();
    });
    let change = move |id: Uuid, patch: ReminderPatch| {
        // Shown at once; put back with a message if the server refuses.
        let before = items.get_untracked();
        items.update(|i| {
            if let Some(Ok(list)) = i {
                match patch.due {
                    Some(DueTime::At(at)) => list.iter_mut().filter(|r| r.id == id).for_each(|r| {
                        r.due_at = at;
                        r.snoozed_until = None;
                    }),
                    _ => list.retain(|r| r.id != id),
                }
            }
        });
        leptos::task::spawn_local(async move {
            match api::update_reminder(id, &patch).await {
                Ok(_) => {
                    message.set(None);
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
    let reschedule = move |r: &Reminder, day: NaiveDate| {
        let due = r.effective_due();
        if format::local_date(due) != day {
            let at = format::on_local_date(due, day);
            change(r.id, ReminderPatch { due: Some(DueTime::At(at)), ..ReminderPatch::default() });
        }
    };

    view! {
        <div class="page-head">
            <h1>{tr(Msg::Agenda)}</h1>
            <div class="segmented" role="group" aria-label=tr(Msg::Agenda)>
                {[(Span::Today, Msg::Today), (Span::Week, Msg::ThisWeek), (Span::Month, Msg::Month)].map(|(s, label)| view! {
                    <button type="button" aria-pressed=move || (span.get() == s).to_string() on:click=move |_| { span.set(s); crate::browser::replace_url(s.url()); }>{tr(label)}</button>
                })}
            </div>
        </div>
        <AddReminder on_added=move || { live.refresh(); load(); }/>
        <p class="form-error" role="alert">{move || message.get().map(|m| i18n.t(m))}</p>
        {move || match (items.get(), span.get()) {
            (None, _) => view! { <Skeleton rows=5/> }.into_any(),
            (Some(Err(e)), _) => view! { <ErrorView error=e retry=move |_| load()/> }.into_any(),
            (Some(Ok(list)), Span::Today) if list.is_empty() => view! { <Empty title=Msg::NothingDue hint=Msg::NothingDueHint/> }.into_any(),
            (Some(Ok(list)), Span::Today) => view! {
                <ul class="card reminder-list">
                    {list.into_iter().map(|r| view! { <ReminderRow r on_change=change/> }).collect_view()}
                </ul>
            }.into_any(),
            (Some(Ok(list)), Span::Week) => view! { <WeekView list on_change=change on_reschedule=reschedule/> }.into_any(),
            (Some(Ok(list)), Span::Month) => view! { <MonthView list month on_change=change/> }.into_any(),
        }}
    }
}

/// Title and local due time: the quickest way to note a promise.
#[component]
fn AddReminder(on_added: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
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
                    on_added();
                }
                Err(ApiError::Network) => form_error.set(Some(Msg::Offline)),
                Err(_) => form_error.set(Some(Msg::SomethingWrong)),
            }
        });
    };
    view! {
        <form class="card reminder-add" on:submit=add novalidate>
            <input class="input" aria-label=tr(Msg::ReminderTitle) placeholder=move || i18n.t(Msg::ReminderTitle) bind:value=title/>
            <input class="input" type="datetime-local" aria-label=tr(Msg::DueAt) bind:value=due/>
            <button class="btn primary" type="submit">{tr(Msg::AddReminder)}</button>
            <p class="form-error" role="alert">{move || form_error.get().map(|m| i18n.t(m))}</p>
        </form>
    }
}

/// Seven day columns from today; overdue reminders above them. A reminder
/// dragged (mouse, or touch on its grip) to another day keeps its time of day.
#[component]
fn WeekView(
    list: Vec<Reminder>,
    on_change: impl Fn(Uuid, ReminderPatch) + Copy + 'static,
    on_reschedule: impl Fn(&Reminder, NaiveDate) + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.language_untracked();
    let today = format::local_date(format::now());
    let days = StoredValue::new((0..7).map(|i| today + Days::new(i)).collect::<Vec<NaiveDate>>());
    let start = format::local_midnight(today);
    let (overdue, upcoming): (Vec<Reminder>, Vec<Reminder>) = list.into_iter().partition(|r| r.effective_due() < start);
    let all = StoredValue::new(upcoming.iter().chain(overdue.iter()).cloned().collect::<Vec<_>>());
    let press = StoredValue::new(None::<Press<Uuid>>);
    let on_down = move |ev: leptos::ev::PointerEvent, id: Uuid| {
        if ev.button() != 0 || (ev.pointer_type() == "touch" && !drag::on_grip(&ev)) {
            return;
        }
        press.set_value(Some(Press::start(id, &ev)));
    };
    let on_move = move |ev: leptos::ev::PointerEvent| press.update_value(|p| p.iter_mut().for_each(|p| p.track(&ev)));
    let on_up = move |ev: leptos::ev::PointerEvent| {
        let Some(p) = press.get_value() else { return };
        press.set_value(None);
        let [day] = if p.dragging { drag::attrs_under(&ev, ["data-day"]) } else { [None] };
        drag::reset(&ev);
        let day = day.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        if let (Some(day), Some(r)) = (day, all.with_value(|a| a.iter().find(|r| r.id == p.item).cloned())) {
            on_reschedule(&r, day);
        }
    };
    let on_cancel = move |ev: leptos::ev::PointerEvent| {
        press.set_value(None);
        drag::reset(&ev);
    };
    // `with_day`: overdue reminders say their day; in a day's column the time is enough.
    let chip = move |r: Reminder, with_day: bool| {
        let id = r.id;
        let due = r.effective_due();
        let current = format::local_date(due).to_string();
        let moved = r.clone();
        view! {
            <li class="task" class:overdue=r.is_overdue(format::now()) data-reminder-id=id.to_string()
                on:pointerdown=move |ev| on_down(ev, id) on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_cancel>
                <span class="grip" aria-hidden="true">"⠿"</span>
                <div class="task-main">
                    <strong>{r.title.clone()}</strong>
                    <span class="muted">
                        <time datetime=due.to_rfc3339()>{if with_day { format::day_and_time(due, format::now(), lang) } else { format::time_of_day(due, lang) }}</time>
                        {r.customer.clone().map(|c| view! { " · "<a href=format!("/customers/{}", c.id)>{c.name}</a> })}
                    </span>
                </div>
                <div class="task-actions" on:pointerdown=|ev| ev.stop_propagation()>
                    <button type="button" class="btn small primary" aria-label=tr(Msg::Done)
                        on:click=move |_| on_change(id, ReminderPatch { status: Some(ReminderStatus::Done), ..ReminderPatch::default() })>"✓"</button>
                    <select class="input small" aria-label=tr(Msg::MoveToDay) prop:value=""
                        on:change=move |ev| {
                            if let Ok(day) = NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d") {
                                on_reschedule(&moved, day);
                            }
                        }>
                        <option value="" disabled>{tr(Msg::MoveToDay)}"…"</option>
                        {days.get_value().into_iter().filter(|d| d.to_string() != current).map(|d| view! {
                            <option value=d.to_string()>{format::short_day(d, lang)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </li>
        }
    };
    view! {
        {(!overdue.is_empty()).then(|| view! {
            <section class="card week-overdue">
                <h2>{tr(Msg::Overdue)}</h2>
                <ul class="task-list">{overdue.into_iter().map(|r| chip(r, true)).collect_view()}</ul>
            </section>
        })}
        <p class="muted small-print">{tr(Msg::DragToReschedule)}</p>
        <div class="week">
            {days.get_value().into_iter().map(|day| {
                let of_day: Vec<Reminder> = upcoming.iter().filter(|r| format::local_date(r.effective_due()) == day).cloned().collect();
                let empty = of_day.is_empty();
                view! {
                    <section class="day" class:today=day == today data-day=day.to_string()>
                        <h3>{format::short_day(day, lang)}</h3>
                        <ul class="task-list">{of_day.into_iter().map(|r| chip(r, false)).collect_view()}</ul>
                        {empty.then(|| view! { <p class="muted day-empty">"—"</p> })}
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

/// A month calendar (Monday first): each day shows its first reminders; a
/// tap on a day lists all of them below with their actions.
#[component]
fn MonthView(
    list: Vec<Reminder>,
    month: RwSignal<NaiveDate>,
    on_change: impl Fn(Uuid, ReminderPatch) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.language_untracked();
    let today = format::local_date(format::now());
    let shown = month.get_untracked();
    let start = grid_start(shown);
    let selected =
        RwSignal::new(if today.month() == shown.month() && today.year() == shown.year() { today } else { shown });
    let list = StoredValue::new(list);
    let of_day = move |day: NaiveDate| {
        list.with_value(|l| {
            l.iter().filter(|r| format::local_date(r.effective_due()) == day).cloned().collect::<Vec<_>>()
        })
    };
    let step = move |forward: bool| {
        month.update(|m| {
            *m = if forward { *m + Months::new(1) } else { *m - Months::new(1) };
        });
    };
    view! {
        <section class="card month">
            <div class="section-head">
                <button type="button" class="btn small" aria-label=tr(Msg::PreviousMonth) on:click=move |_| step(false)>"‹"</button>
                <h2>{format::month(&shown.format("%Y-%m").to_string(), lang)}</h2>
                <button type="button" class="btn small" aria-label=tr(Msg::NextMonth) on:click=move |_| step(true)>"›"</button>
            </div>
            <div class="month-grid" role="grid">
                {(0..42).map(|i| {
                    let day = start + Days::new(i);
                    let reminders = of_day(day);
                    let count = reminders.len();
                    view! {
                        <button type="button" class="month-day" class:other=day.month() != shown.month()
                            class:today=day == today class:selected=move || selected.get() == day
                            data-day=day.to_string() aria-label=format!("{} · {count}", format::short_day(day, lang))
                            on:click=move |_| selected.set(day)>
                            <span class="month-date">{day.day()}</span>
                            {reminders.iter().take(2).map(|r| view! { <span class="month-item">{r.title.clone()}</span> }).collect_view()}
                            {(count > 2).then(|| view! { <span class="muted month-more">"+"{count - 2}</span> })}
                            // A phone has no room for titles: it shows how many instead.
                            {(count > 0).then(|| view! { <span class="month-count" aria-hidden="true">{count}</span> })}
                        </button>
                    }
                }).collect_view()}
            </div>
        </section>
        {move || {
            let day = selected.get();
            let reminders = of_day(day);
            view! {
                <h2 class="day-heading">{format::short_day(day, lang)}</h2>
                {if reminders.is_empty() {
                    view! { <Empty title=Msg::NothingDue hint=Msg::NothingDueHint/> }.into_any()
                } else {
                    view! {
                        <ul class="card reminder-list">
                            {reminders.into_iter().map(|r| view! { <ReminderRow r on_change under_day=true/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            }
        }}
    }
}

/// One reminder with its actions. Its time reads as "My day" does (the day
/// only when not today); `under_day`: below a day's heading, the time alone.
#[component]
fn ReminderRow(
    r: Reminder,
    on_change: impl Fn(Uuid, ReminderPatch) + Copy + 'static,
    #[prop(optional)] under_day: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let due = r.effective_due();
    let now = format::now();
    let overdue = r.is_overdue(now);
    let lang = i18n.language_untracked();
    let when = if under_day { format::time_of_day(due, lang) } else { format::day_and_time(due, now, lang) };
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
                    <time datetime=due.to_rfc3339() title=format::date_time(due, lang)>{when}</time>
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
