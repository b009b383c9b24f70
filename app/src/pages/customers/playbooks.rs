//! The customer's follow-up playbooks: apply one (its steps become reminders
//! for the customer's owner), see each run's progress step by step, stop it.

use crate::api::{self, ApiError};
use crate::components::bell::use_live;
use crate::components::states::{ErrorView, Skeleton};
use crate::components::timeline::kind_msg;
use crate::format;
use crate::i18n::{Msg, tr, use_i18n};
use crate::load::Load;
use leptos::prelude::*;
use rapport_shared::ErrorCode;
use rapport_shared::playbook::{ApplyPlaybook, Playbook, PlaybookRun, RunStatus};
use rapport_shared::reminder::ReminderStatus;
use uuid::Uuid;

#[component]
pub fn Playbooks(customer_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    // Reloads on news too: a step done in the agenda shows here.
    let runs = Load::new(move || {
        live.pulse.track();
        async move { api::playbook_runs(customer_id).await }
    });
    let books = Load::new(api::playbooks);
    let chosen = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Msg>);
    let report = move |result: Result<PlaybookRun, ApiError>, ok: Msg| {
        message.set(Some(match result {
            Ok(_) => ok,
            Err(ApiError::Network) => Msg::Offline,
            Err(e) if e.code() == Some(ErrorCode::Conflict) => Msg::PlaybookAlreadyRunning,
            Err(_) => Msg::SomethingWrong,
        }));
        live.changed();
    };
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(playbook_id) = Uuid::parse_str(&chosen.get_untracked()) else {
            message.set(Some(Msg::ChoosePlaybook));
            return;
        };
        leptos::task::spawn_local(async move {
            let result = api::apply_playbook(customer_id, &ApplyPlaybook { playbook_id, deal_id: None }).await;
            if result.is_ok() {
                chosen.set(String::new());
            }
            report(result, Msg::PlaybookStartedMsg);
        });
    };
    let stop = move |run_id: Uuid| {
        if !crate::browser::confirm(i18n.t(Msg::ConfirmStopPlaybook)) {
            return;
        }
        leptos::task::spawn_local(async move { report(api::stop_playbook_run(run_id).await, Msg::PlaybookStoppedMsg) });
    };
    view! {
        <section class="card playbooks">
            <h2>{tr(Msg::Playbooks)}</h2>
            {move || match books.get() {
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{tr(Msg::NoPlaybooksYet)}</p> }.into_any(),
                Some(Ok(list)) => view! { <ApplyForm list chosen on_submit=apply/> }.into_any(),
                _ => ().into_any(),
            }}
            <p class="form-status" role="status">{move || message.get().map(|m| i18n.t(m))}</p>
            {move || match runs.get() {
                None => view! { <Skeleton rows=2/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e retry=move |_| runs.refetch()/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{tr(Msg::NoPlaybookRuns)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="run-list">
                        {list.into_iter().map(|run| view! { <RunItem run on_stop=stop/> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ApplyForm(
    list: Vec<Playbook>,
    chosen: RwSignal<String>,
    on_submit: impl Fn(leptos::ev::SubmitEvent) + 'static,
) -> impl IntoView {
    view! {
        <form class="inline-form" on:submit=on_submit novalidate>
            <select class="input" aria-label=tr(Msg::ChoosePlaybook) prop:value=move || chosen.get()
                on:change=move |ev| chosen.set(event_target_value(&ev))>
                <option value="">{tr(Msg::ChoosePlaybook)}</option>
                {list.into_iter().map(|p| {
                    let steps = p.steps.len();
                    view! { <option value=p.id.to_string()>{p.name}" ("{steps}")"</option> }
                }).collect_view()}
            </select>
            <button class="btn" type="submit">{tr(Msg::ApplyPlaybook)}</button>
        </form>
    }
}

#[component]
fn RunItem(run: PlaybookRun, on_stop: impl Fn(Uuid) + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.language_untracked();
    let (done, total) = (run.steps_done(), run.steps.len());
    let percent = (done * 100).checked_div(total).unwrap_or(0);
    let status = match run.status {
        RunStatus::Active => Msg::RunActive,
        RunStatus::Completed => Msg::RunCompleted,
        RunStatus::Stopped => Msg::RunStopped,
    };
    let active = run.status == RunStatus::Active;
    let id = run.id;
    view! {
        <li class="run" data-run-id=id.to_string()>
            <div class="section-head">
                <strong>{run.playbook_name.clone()}</strong>
                <span class=format!("badge run-{}", run.status.as_str())>{tr(status)}</span>
            </div>
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=total.to_string()
                aria-valuenow=done.to_string() aria-label=tr(Msg::Progress)>
                <span style=format!("width: {percent}%")></span>
            </div>
            <p class="muted">{done}" / "{total}" "{tr(Msg::StepsDone)}</p>
            <ol class="run-steps">
                {run.steps.into_iter().map(|s| {
                    let state = s.status.as_str();
                    view! {
                        <li class=format!("run-step {state}")>
                            <span class="step-mark" aria-hidden="true">{match s.status {
                                ReminderStatus::Done => "✓",
                                ReminderStatus::Cancelled => "–",
                                ReminderStatus::Open => "○",
                            }}</span>
                            <span>{s.title}</span>
                            <span class="muted">
                                {s.channel.map(|c| i18n.t(kind_msg(c)))}" · "
                                <time datetime=s.due_at.to_rfc3339()>{format::date_time(s.due_at, lang)}</time>
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {active.then(|| view! {
                <button class="btn small danger" type="button" on:click=move |_| on_stop(id)>{tr(Msg::StopPlaybook)}</button>
            })}
        </li>
    }
}
