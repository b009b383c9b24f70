//! The start page: my day (overdue and due today), who was touched lately
//! and who has waited longest.

use crate::api;
use crate::components::bell::use_live;
use crate::components::states::{Empty, ErrorView, Skeleton};
use crate::format;
use crate::i18n::use_i18n;
use crate::i18n::{Msg, tr};
use crate::load::Load;
use crate::pages::customers::card::CustomerCard;
use crate::session::use_session;
use leptos::prelude::*;
use rapport_shared::customer::{CustomerQuery, CustomerSort};
use rapport_shared::reminder::{ReminderQuery, ReminderStatus};

#[component]
pub fn Dashboard() -> impl IntoView {
    let session = use_session();
    let name = move || session.user().map(|u| u.name).unwrap_or_default();
    view! {
        <div class="page-head">
            <h1>{tr(Msg::Welcome)}", "{name}</h1>
            <div class="actions">
                <Show when=move || session.user().is_some_and(|u| u.role != rapport_shared::auth::Role::Rep)>
                    <a class="btn" href="/team">{tr(Msg::TeamDashboard)}</a>
                </Show>
                <a class="btn primary" href="/customers/new">{tr(Msg::NewCustomer)}</a>
            </div>
        </div>
        <MyDay/>
        <div class="grid-2">
            <ShortList title=Msg::RecentlyTouched sort=CustomerSort::LastTouch/>
            <ShortList title=Msg::WaitingLongest sort=CustomerSort::LastTouchAsc/>
        </div>
    }
}

/// Five customers in the given order, with a link to the full list.
#[component]
fn ShortList(title: Msg, sort: CustomerSort) -> impl IntoView {
    let data = Load::new(move || async move {
        api::customers(&CustomerQuery { sort: Some(sort), limit: Some(5), ..Default::default() }).await
    });
    let all_href =
        format!("/customers?sort={}", if sort == CustomerSort::LastTouch { "last_touch" } else { "last_touch_asc" });
    view! {
        <section class="card">
            <div class="section-head">
                <h2>{tr(title)}</h2>
                <a href=all_href>{tr(Msg::ViewAll)}</a>
            </div>
            {move || match data.get() {
                None => view! { <Skeleton rows=5/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! {
                    <Empty title=Msg::NoCustomers hint=Msg::NoCustomersHint>
                        <a class="btn primary" href="/customers/new">{tr(Msg::NewCustomer)}</a>
                    </Empty>
                }.into_any(),
                Some(Ok(page)) => view! {
                    <ul class="customer-list">
                        {page.items.into_iter().map(|c| view! { <CustomerCard customer=c/> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

/// Today's work at a glance: overdue and due-today counts and the first
/// reminders in order (overdue first), refreshed when a notification arrives.
#[component]
fn MyDay() -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let data = Load::new(move || {
        live.pulse.track();
        async move {
            let query = ReminderQuery {
                assignee: Some("me".into()),
                status: Some(ReminderStatus::Open),
                due_before: Some(format::end_of_local_day(0)),
                limit: Some(6),
                ..ReminderQuery::default()
            };
            let counts = api::reminder_counts().await?;
            api::reminders(&query).await.map(|page| (counts, page.items))
        }
    });
    view! {
        <section class="card my-day">
            <div class="section-head">
                <h2>{tr(Msg::MyDay)}</h2>
                <a href="/agenda">{tr(Msg::OpenAgenda)}</a>
            </div>
            {move || match data.get() {
                None => view! { <Skeleton rows=3/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok((counts, items))) => {
                    let lang = i18n.language_untracked();
                    let now = format::now();
                    view! {
                        <div class="day-counts">
                            <a href="/agenda" class="count" class:alert={counts.overdue > 0}>
                                <strong>{counts.overdue}</strong><span>{tr(Msg::Overdue)}</span>
                            </a>
                            <a href="/agenda" class="count">
                                <strong>{counts.due_today}</strong><span>{tr(Msg::DueToday)}</span>
                            </a>
                        </div>
                        {if items.is_empty() {
                            view! { <p class="muted">{tr(Msg::NothingDueToday)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="day-list">
                                    {items.into_iter().map(|r| {
                                        let due = r.effective_due();
                                        let overdue = r.is_overdue(now);
                                        view! {
                                            <li class:overdue=overdue>
                                                <time datetime=due.to_rfc3339()>{format::day_and_time(due, now, lang)}</time>
                                                <span>{r.title.clone()}</span>
                                                {r.customer.map(|c| view! { <a class="muted" href=format!("/customers/{}", c.id)>{c.name}</a> })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    }.into_any()
                }
            }}
        </section>
    }
}
