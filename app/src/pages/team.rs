//! The team dashboard for managers and admins: per person, what they own
//! and how they follow it up this week; each figure opens the list behind it.

use crate::api;
use crate::components::states::{Empty, ErrorView, Skeleton};
use crate::components::timeline::kind_msg;
use crate::format;
use crate::i18n::{Msg, tr, use_i18n};
use crate::load::Load;
use leptos::prelude::*;
use rapport_shared::activity::ActivityKind;
use rapport_shared::team::RepFigures;

#[component]
pub fn TeamPage() -> impl IntoView {
    let data = Load::new(api::team_dashboard);
    view! {
        <div class="page-head"><h1>{tr(Msg::TeamDashboard)}</h1></div>
        {move || match data.get() {
            None => view! { <Skeleton rows=5/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| data.refetch()/> }.into_any(),
            Some(Ok(board)) if board.reps.is_empty() => view! { <Empty title=Msg::NoTeamYet hint=Msg::TeamsHint/> }.into_any(),
            Some(Ok(board)) => {
                let days = board.stale_after_days;
                view! {
                    <p class="muted small-print">{tr(Msg::TeamDashboardHint)}" "{days}</p>
                    <div class="card table-card">
                        <table class="team-table">
                            <thead><tr>
                                <th scope="col">{tr(Msg::PersonName)}</th>
                                <th scope="col">{tr(Msg::Customers)}</th>
                                <th scope="col">{tr(Msg::NotContacted)}</th>
                                <th scope="col">{tr(Msg::ActivitiesThisWeek)}</th>
                                <th scope="col">{tr(Msg::OpenReminders)}</th>
                                <th scope="col">{tr(Msg::Overdue)}</th>
                                <th scope="col">{tr(Msg::OpenDeals)}</th>
                                <th scope="col">{tr(Msg::LastActivity)}</th>
                            </tr></thead>
                            <tbody>
                                {board.reps.into_iter().map(|r| view! { <RepRow r days/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }
        }}
    }
}

#[component]
fn RepRow(r: RepFigures, days: u32) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.language_untracked();
    let id = r.user.id;
    let activities = if r.activities_this_week.is_empty() {
        "0".to_owned()
    } else {
        r.activities_this_week
            .iter()
            .map(|(k, n)| {
                let kind = ActivityKind::parse(k).map_or(k.as_str(), |kind| i18n.t(kind_msg(kind)));
                format!("{n} {kind}")
            })
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let deals: u32 = r.deals_by_stage.iter().map(|s| s.count).sum();
    let stages = r.deals_by_stage.iter().map(|s| format!("{} {}", s.count, s.stage)).collect::<Vec<_>>().join(", ");
    let last = r.last_activity_at.map_or_else(|| "—".to_owned(), |t| format::relative(t, format::now(), lang));
    view! {
        <tr data-user-id=id.to_string()>
            <th scope="row">{r.user.name.clone()}</th>
            <td data-label=move || i18n.t(Msg::Customers)><a href=format!("/customers?owner={id}")>{r.customers}</a></td>
            <td data-label=move || i18n.t(Msg::NotContacted) class:alert={r.not_contacted > 0}>
                <a href=format!("/customers?owner={id}&untouched_days={days}")>{r.not_contacted}</a>
            </td>
            <td data-label=move || i18n.t(Msg::ActivitiesThisWeek)>{activities}</td>
            <td data-label=move || i18n.t(Msg::OpenReminders)>{r.open_reminders}</td>
            <td data-label=move || i18n.t(Msg::Overdue) class:alert={r.overdue_reminders > 0}>{r.overdue_reminders}</td>
            <td data-label=move || i18n.t(Msg::OpenDeals) title=stages>
                <a href=format!("/pipeline?owner={id}")>{deals}" · "{format::amount(r.open_deal_amount_minor, lang)}</a>
            </td>
            <td data-label=move || i18n.t(Msg::LastActivity)>{last}</td>
        </tr>
    }
}
