//! Admin settings of the sales process: rename stages, set their win
//! probability and rotting days, reorder, add and remove them. A stage that
//! still holds deals cannot be removed; the server says so and nothing changes.

use crate::api::{self, ApiError};
use crate::browser;
use crate::components::states::{ErrorView, Skeleton};
use crate::i18n::{Msg, tr, use_i18n};
use leptos::prelude::*;
use rapport_shared::ErrorCode;
use rapport_shared::pipeline::{NewStage, Pipeline, ReorderStages, Stage, StageKind, StagePatch};
use uuid::Uuid;

#[component]
pub fn PipelineSettings() -> impl IntoView {
    let i18n = use_i18n();
    let pipeline = RwSignal::new(None::<Result<Pipeline, ApiError>>);
    let message = RwSignal::new(None::<Msg>);
    let load = move || {
        leptos::task::spawn_local(async move {
            let result =
                api::pipelines().await.and_then(|list| list.into_iter().next().ok_or_else(ApiError::not_found));
            pipeline.set(Some(result));
        });
    };
    Effect::new(move |_| load());
    // Every change reloads the pipeline, so the list always shows the server's truth.
    let report = move |result: Result<(), ApiError>| {
        message.set(match result {
            Ok(()) => Some(Msg::Saved),
            Err(ApiError::Network) => Some(Msg::Offline),
            Err(e) if e.code() == Some(ErrorCode::Conflict) => Some(Msg::StageHasDeals),
            Err(e) if e.code() == Some(ErrorCode::ValidationFailed) => Some(Msg::ErrInvalid),
            Err(_) => Some(Msg::SomethingWrong),
        });
        load();
    };
    let reorder = move |p: &Pipeline, from: usize, to: usize| {
        let mut ids: Vec<Uuid> = p.stages.iter().map(|s| s.id).collect();
        if to >= ids.len() {
            return;
        }
        ids.swap(from, to);
        let id = p.id;
        leptos::task::spawn_local(async move {
            report(api::reorder_stages(id, &ReorderStages { stage_ids: ids }).await.map(|_| ()));
        });
    };

    let new_name = RwSignal::new(String::new());
    let new_probability = RwSignal::new("50".to_string());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(Ok(p)) = pipeline.get_untracked() else { return };
        let input = NewStage {
            name: new_name.get_untracked(),
            probability: new_probability.get_untracked().trim().parse().ok(),
            rotting_days: None,
            kind: None,
        };
        if let Err(e) = input.validate() {
            message.set(Some(if e.get("name").is_some() { Msg::ErrRequired } else { Msg::ErrInvalid }));
            return;
        }
        leptos::task::spawn_local(async move {
            let result = api::add_stage(p.id, &input).await.map(|_| ());
            if result.is_ok() {
                new_name.set(String::new());
            }
            report(result);
        });
    };

    view! {
        <section class="card">
            <h2>{tr(Msg::SalesStages)}</h2>
            <p class="muted small-print">{tr(Msg::SalesStagesHint)}</p>
            <p class="form-status" role="status">{move || message.get().map(|m| i18n.t(m))}</p>
            {move || match pipeline.get() {
                None => view! { <Skeleton rows=4/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e retry=move |_| load()/> }.into_any(),
                Some(Ok(p)) => {
                    let last = p.stages.len().saturating_sub(1);
                    view! {
                        <ol class="stage-list">
                            {p.stages.iter().enumerate().map(|(i, stage)| {
                                let (up, down) = (p.clone(), p.clone());
                                view! {
                                    <StageRow stage=stage.clone() on_saved=report message
                                        first=i == 0 last=i == last
                                        on_up=move || reorder(&up, i, i.wrapping_sub(1))
                                        on_down=move || reorder(&down, i, i + 1)/>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
            <form class="stage-add" on:submit=add novalidate>
                <input class="input" aria-label=tr(Msg::StageName) placeholder=move || i18n.t(Msg::StageName) bind:value=new_name/>
                <label class="inline-field"><span class="muted">"%"</span>
                    <input class="input narrow" type="number" min="0" max="100" inputmode="numeric"
                        aria-label=tr(Msg::Probability) bind:value=new_probability/>
                </label>
                <button class="btn" type="submit">{tr(Msg::AddStage)}</button>
            </form>
        </section>
    }
}

#[component]
fn StageRow(
    stage: Stage,
    first: bool,
    last: bool,
    on_saved: impl Fn(Result<(), ApiError>) + Copy + 'static,
    message: RwSignal<Option<Msg>>,
    on_up: impl Fn() + 'static,
    on_down: impl Fn() + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(stage.name.clone());
    let probability = RwSignal::new(stage.probability.to_string());
    let rotting = RwSignal::new(stage.rotting_days.map(|d| d.to_string()).unwrap_or_default());
    let id = stage.id;
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rotting_text = rotting.get_untracked();
        let patch = StagePatch {
            name: Some(name.get_untracked()),
            probability: probability.get_untracked().trim().parse().ok(),
            rotting_days: Some(rotting_text.trim().parse().ok()),
            kind: None,
        };
        let bad_number =
            patch.probability.is_none() || (!rotting_text.trim().is_empty() && patch.rotting_days.flatten().is_none());
        if bad_number {
            message.set(Some(Msg::ErrInvalid));
            return;
        }
        leptos::task::spawn_local(async move { on_saved(api::update_stage(id, &patch).await.map(|_| ())) });
    };
    let remove = move |_| {
        if !browser::confirm(i18n.t(Msg::ConfirmRemoveStage)) {
            return;
        }
        leptos::task::spawn_local(async move { on_saved(api::delete_stage(id).await) });
    };
    let kind = match stage.kind {
        StageKind::Open => None,
        StageKind::Won => Some(Msg::StageWon),
        StageKind::Lost => Some(Msg::StageLost),
    };
    view! {
        <li>
            <form class="stage-row" on:submit=save novalidate>
                <input class="input" aria-label=tr(Msg::StageName) bind:value=name/>
                <label class="inline-field"><span class="muted">"%"</span>
                    <input class="input narrow" type="number" min="0" max="100" inputmode="numeric"
                        aria-label=tr(Msg::Probability) bind:value=probability/>
                </label>
                <label class="inline-field"><span class="muted">{tr(Msg::RottingDays)}</span>
                    <input class="input narrow" type="number" min="1" inputmode="numeric"
                        aria-label=tr(Msg::RottingDays) bind:value=rotting/>
                </label>
                {kind.map(|k| view! { <span class="badge">{tr(k)}</span> })}
                <div class="actions">
                    <button class="btn small" type="button" aria-label=tr(Msg::MoveUp) disabled=first on:click=move |_| on_up()>"↑"</button>
                    <button class="btn small" type="button" aria-label=tr(Msg::MoveDown) disabled=last on:click=move |_| on_down()>"↓"</button>
                    <button class="btn small" type="submit">{tr(Msg::Save)}</button>
                    <button class="btn small danger" type="button" on:click=remove>{tr(Msg::Remove)}</button>
                </div>
            </form>
        </li>
    }
}
