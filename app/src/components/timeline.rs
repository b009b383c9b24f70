//! A customer's timeline: entries grouped by day, newest first, with an
//! icon and colour per kind, filter chips, field changes as before → after,
//! entries still waiting in the outbox on top, and "load more" paging.

use crate::api;
use crate::components::composer::KINDS;
use crate::components::states::{ErrorView, Phase, Skeleton};
use crate::format;
use crate::i18n::{I18n, Msg, tr, use_i18n};
use crate::outbox::use_outbox;
use crate::session::use_session;
use leptos::prelude::*;
use rapport_shared::activity::{ActivityKind, Outcome};
use rapport_shared::pool::PoolReason;
use rapport_shared::timeline::{ActivityLogged, Event, FieldChange, TimelineEvent, TimelineQuery};
use serde_json::Value;
use uuid::Uuid;

const FILTERS: [(Msg, &str); 9] = [
    (Msg::FilterAll, ""),
    (Msg::FilterCalls, "call"),
    (Msg::FilterVisits, "visit"),
    (Msg::FilterMessages, "email,message"),
    (Msg::FilterMeetings, "meeting"),
    (Msg::FilterNotes, "note"),
    (Msg::FilterDeals, "deal_created,stage_changed,deal_won,deal_lost"),
    (
        Msg::FilterReminders,
        "reminder_created,reminder_completed,reminder_snoozed,reminder_cancelled,reminder_overdue,playbook_started,playbook_stopped",
    ),
    (
        Msg::FilterChanges,
        "customer_created,customer_updated,contact_added,contact_updated,owner_changed,activity_edited,activity_deleted,customer_pooled,customer_claimed",
    ),
];

#[component]
pub fn Timeline(customer_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = use_outbox();
    let live = crate::components::bell::use_live();
    let filter = RwSignal::new("");
    let items = RwSignal::new(Vec::<TimelineEvent>::new());
    let next = RwSignal::new(None::<String>);
    let phase = RwSignal::new(Phase::Loading);
    let generation = StoredValue::new(0u64);

    let load = move |cursor: Option<String>| {
        if cursor.is_none() {
            generation.update_value(|g| *g += 1);
            phase.set(Phase::Loading);
        }
        let mine = generation.get_value();
        let query = TimelineQuery {
            kinds: Some(filter.get_untracked().to_owned()).filter(|k| !k.is_empty()),
            limit: Some(30),
            cursor: cursor.clone(),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            let result = api::timeline(customer_id, &query).await;
            if generation.get_value() != mine {
                return;
            }
            match result {
                Ok(page) => {
                    if cursor.is_some() {
                        items.update(|v| v.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    next.set(page.next_cursor);
                    phase.set(Phase::Ready);
                }
                Err(e) => phase.set(Phase::Failed(e)),
            }
        });
    };
    // Reload on a new filter, whenever the outbox delivers an entry, and on news.
    Effect::new(move |_| {
        filter.track();
        outbox.sent.track();
        live.pulse.track();
        load(None);
    });

    // Infinite scroll, with the "load more" button for keyboards.
    let _scroll = window_event_listener(leptos::ev::scroll, move |_| {
        if crate::browser::near_bottom()
            && phase.get_untracked() == Phase::Ready
            && let Some(cursor) = next.get_untracked()
        {
            // Cleared while the page loads, so one scroll asks only once.
            next.set(None);
            load(Some(cursor));
        }
    });

    let waiting = move || outbox.pending.get().into_iter().filter(|p| p.customer_id == customer_id).collect::<Vec<_>>();
    view! {
        <section class="card timeline">
            <h2>{tr(Msg::Timeline)}</h2>
            <div class="chips" role="group" aria-label=tr(Msg::Timeline)>
                {FILTERS
                    .into_iter()
                    .map(|(m, kinds)| view! {
                        <button type="button" class="chip small" aria-pressed=move || (filter.get() == kinds).to_string()
                            on:click=move |_| filter.set(kinds)>{tr(m)}</button>
                    })
                    .collect_view()}
            </div>
            <ul class="events">
                <For each=waiting key=|p| p.key.clone() children=move |p| {
                    let key = p.key.clone();
                    view! {
                        <li class=format!("event pending kind-{}", p.input.kind.as_str())>
                            <span class="event-dot" aria-hidden="true"></span>
                            <div class="event-body">
                                <div class="event-head">
                                    <strong>{tr(kind_msg(p.input.kind))}</strong>
                                    <span class="badge">{move || i18n.t(if p.rejected { Msg::Rejected } else { Msg::WaitingToSend })}</span>
                                </div>
                                {p.input.body.clone().map(|b| view! { <p class="event-text">{b}</p> })}
                                {p.rejected.then(|| view! {
                                    <button class="btn small ghost" on:click=move |_| outbox.discard(&key)>{tr(Msg::Discard)}</button>
                                })}
                            </div>
                        </li>
                    }
                }/>
            </ul>
            {move || match phase.get() {
                Phase::Loading => view! { <Skeleton rows=4/> }.into_any(),
                Phase::Failed(e) => view! { <ErrorView error=e retry=move |_| load(None)/> }.into_any(),
                Phase::Ready if items.with(Vec::is_empty) => view! { <p class="muted">{tr(Msg::NoEvents)}</p> }.into_any(),
                Phase::Ready => view! { <EventList items=items.get() i18n on_change=Callback::new(move |()| load(None))/> }.into_any(),
            }}
            <Show when=move || next.with(Option::is_some) && phase.get() == Phase::Ready>
                <button class="btn block load-more" on:click=move |_| load(next.get_untracked())>{tr(Msg::LoadMore)}</button>
            </Show>
        </section>
    }
}

/// The events, with a heading wherever the local day changes.
#[component]
fn EventList(items: Vec<TimelineEvent>, i18n: I18n, on_change: Callback<()>) -> impl IntoView {
    let me = use_session().user_untracked();
    let deleted: Vec<Uuid> = items
        .iter()
        .filter_map(|e| match &e.event {
            Event::ActivityDeleted { activity_id, .. } => Some(*activity_id),
            _ => None,
        })
        .collect();
    // Its author or an admin may delete a live activity.
    let deletable = |e: &TimelineEvent| -> Option<Uuid> {
        let id = activity_id(&e.event).filter(|id| !deleted.contains(id))?;
        let me = me.as_ref()?;
        let mine = e.actor.as_ref().is_some_and(|a| a.id == me.id);
        (mine || me.role == rapport_shared::auth::Role::Admin).then_some(id)
    };
    let mut last_day = String::new();
    let mut rows = Vec::new();
    for event in items {
        let day = format::day_key(event.occurred_at);
        if day != last_day {
            let at = event.occurred_at;
            rows.push(view! { <li class="day">{move || format::day_label(at, i18n.language())}</li> }.into_any());
            last_day = day;
        }
        let delete = deletable(&event);
        rows.push(view! { <EventRow event i18n delete on_change/> }.into_any());
    }
    view! { <ul class="events">{rows}</ul> }
}

#[component]
fn EventRow(event: TimelineEvent, i18n: I18n, delete: Option<Uuid>, on_change: Callback<()>) -> impl IntoView {
    let at = event.occurred_at;
    let actor = event.actor.as_ref().map(|a| a.name.clone());
    let kind = event.event.kind();
    let exact = format::date_time(at, i18n.language_untracked());
    let (title, detail) = describe(&event.event, i18n);
    view! {
        <li class=format!("event kind-{kind}")>
            <span class="event-dot" aria-hidden="true"></span>
            <div class="event-body">
                <div class="event-head">
                    <strong>{title}</strong>
                    // No actor: the scheduler or the pool's rules did it.
                    <span class="muted">{actor.unwrap_or_else(|| i18n.t(Msg::System).to_owned())}</span>
                    <time class="muted" datetime=at.to_rfc3339() title=exact>
                        {move || format::relative(at, format::now(), i18n.language())}
                    </time>
                </div>
                {detail}
                {delete.map(|id| view! {
                    <button class="btn small ghost" on:click=move |_| {
                        if crate::browser::confirm(i18n.t(Msg::ConfirmDeleteActivity)) {
                            leptos::task::spawn_local(async move {
                                if api::delete_activity(id).await.is_ok() {
                                    on_change.run(());
                                }
                            });
                        }
                    }>{tr(Msg::Delete)}</button>
                })}
            </div>
        </li>
    }
}

/// The activity an event is about, for activity events.
fn activity_id(event: &Event) -> Option<Uuid> {
    match event {
        Event::Call(a) | Event::Visit(a) | Event::Email(a) | Event::Message(a) | Event::Meeting(a) | Event::Note(a) => {
            Some(a.activity_id)
        }
        _ => None,
    }
}

/// A short title and the details of an event.
fn describe(event: &Event, i18n: I18n) -> (String, AnyView) {
    let t = |m: Msg| i18n.t(m).to_owned();
    match event {
        Event::Call(a) => (t(Msg::KindCall), activity_detail(a, i18n)),
        Event::Visit(a) => (t(Msg::KindVisit), activity_detail(a, i18n)),
        Event::Email(a) => (t(Msg::KindEmail), activity_detail(a, i18n)),
        Event::Message(a) => (t(Msg::KindMessage), activity_detail(a, i18n)),
        Event::Meeting(a) => (t(Msg::KindMeeting), activity_detail(a, i18n)),
        Event::Note(a) => (t(Msg::KindNote), activity_detail(a, i18n)),
        Event::CustomerCreated { name } => {
            (t(Msg::EvCustomerCreated), view! { <p class="event-text">{name.clone()}</p> }.into_any())
        }
        Event::CustomerUpdated { changes } => (t(Msg::EvCustomerUpdated), changes_view(changes)),
        Event::ContactAdded { name, .. } => {
            (t(Msg::EvContactAdded), view! { <p class="event-text">{name.clone()}</p> }.into_any())
        }
        Event::ContactUpdated { name, changes, .. } => {
            (format!("{} · {name}", t(Msg::EvContactUpdated)), changes_view(changes))
        }
        Event::OwnerChanged { from, to } => (
            t(Msg::EvOwnerChanged),
            view! { <p class="event-text">{from.name.clone()}" → "{to.name.clone()}</p> }.into_any(),
        ),
        Event::ActivityEdited { changes, .. } => (t(Msg::EvActivityEdited), changes_view(changes)),
        Event::DealCreated { title, stage, .. } => {
            (t(Msg::EvDealCreated), view! { <p class="event-text">{title.clone()}" · "{stage.clone()}</p> }.into_any())
        }
        Event::StageChanged { title, from, to, .. } => (
            t(Msg::EvStageChanged),
            view! { <p class="event-text">{title.clone()}": "{from.clone()}" → "{to.clone()}</p> }.into_any(),
        ),
        Event::DealWon { title, amount_minor, currency, .. } => {
            let amount = amount_minor
                .map(|a| format!(" · {}", format::money(a, currency, i18n.language_untracked())))
                .unwrap_or_default();
            (t(Msg::EvDealWon), view! { <p class="event-text">{title.clone()}{amount}</p> }.into_any())
        }
        Event::DealLost { title, reason, .. } => {
            (t(Msg::EvDealLost), view! { <p class="event-text">{title.clone()}" · "{reason.clone()}</p> }.into_any())
        }
        Event::ActivityDeleted { activity_kind, .. } => {
            (format!("{} · {}", t(Msg::EvActivityDeleted), t(kind_msg(*activity_kind))), ().into_any())
        }
        Event::ReminderCreated { title, due_at, assignee, .. } => {
            let due = format::date_time(*due_at, i18n.language_untracked());
            let text = format!("{title} · {due} · {}", assignee.name);
            (t(Msg::EvReminderCreated), view! { <p class="event-text">{text}</p> }.into_any())
        }
        Event::ReminderCompleted { title, .. } => {
            (t(Msg::EvReminderCompleted), view! { <p class="event-text">{title.clone()}</p> }.into_any())
        }
        Event::ReminderSnoozed { title, until, .. } => {
            let until = format::date_time(*until, i18n.language_untracked());
            (t(Msg::EvReminderSnoozed), view! { <p class="event-text">{title.clone()}" → "{until}</p> }.into_any())
        }
        Event::ReminderCancelled { title, .. } => {
            (t(Msg::EvReminderCancelled), view! { <p class="event-text">{title.clone()}</p> }.into_any())
        }
        Event::ReminderOverdue { title, .. } => {
            (t(Msg::EvReminderOverdue), view! { <p class="event-text">{title.clone()}</p> }.into_any())
        }
        Event::PlaybookStarted { playbook, steps, .. } => (
            t(Msg::EvPlaybookStarted),
            view! { <p class="event-text">{playbook.clone()}" · "{*steps}" "{t(Msg::Steps)}</p> }.into_any(),
        ),
        Event::PlaybookStopped { playbook, reason, .. } => (
            t(Msg::EvPlaybookStopped),
            view! { <p class="event-text">{playbook.clone()}" · "{reason.clone()}</p> }.into_any(),
        ),
        Event::CustomerPooled { reason, previous_owner, after_days } => {
            let why = match reason {
                PoolReason::Untouched => format!("{} · {after_days} {}", t(Msg::PoolReasonUntouched), t(Msg::Days)),
                PoolReason::Lost => t(Msg::StatusLost),
            };
            let text = format!("{why} · {}: {}", t(Msg::PreviousOwner), previous_owner.name);
            (t(Msg::EvCustomerPooled), view! { <p class="event-text">{text}</p> }.into_any())
        }
        Event::CustomerClaimed { from, to } => (
            t(Msg::EvCustomerClaimed),
            view! { <p class="event-text">{from.name.clone()}" → "{to.name.clone()}</p> }.into_any(),
        ),
    }
}

fn activity_detail(a: &ActivityLogged, i18n: I18n) -> AnyView {
    let outcome =
        a.outcome.map(|o| view! { <span class=format!("badge outcome-{}", o.as_str())>{tr(outcome_msg(o))}</span> });
    let follow_up = a.next_follow_up_at.map(|at| {
        view! { <p class="muted follow-up">{tr(Msg::NextFollowUp)}": "{format::date_time(at, i18n.language_untracked())}</p> }
    });
    view! {
        {outcome}
        {a.body.clone().map(|b| view! { <p class="event-text">{b}</p> })}
        {follow_up}
    }
    .into_any()
}

fn changes_view(changes: &[FieldChange]) -> AnyView {
    let rows = changes
        .iter()
        .map(|c| {
            view! {
                <li><span class="field-name">{c.field.clone()}</span>": "
                    <del>{show(&c.before)}</del>" → "<ins>{show(&c.after)}</ins></li>
            }
        })
        .collect_view();
    view! { <ul class="changes">{rows}</ul> }.into_any()
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "—".into(),
        Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

pub fn kind_msg(kind: ActivityKind) -> Msg {
    KINDS.iter().find(|(k, _)| *k == kind).map_or(Msg::KindNote, |(_, m)| *m)
}

fn outcome_msg(outcome: Outcome) -> Msg {
    match outcome {
        Outcome::Reached => Msg::OutcomeReached,
        Outcome::NoAnswer => Msg::OutcomeNoAnswer,
        Outcome::Interested => Msg::OutcomeInterested,
        Outcome::NotInterested => Msg::OutcomeNotInterested,
        Outcome::FollowUpNeeded => Msg::OutcomeFollowUp,
    }
}
