//! A deal: its details, where it stands in the pipeline, how long it spent
//! in each stage, win / lose with the fields they need, and the customer's
//! timeline.

use crate::api::{self, ApiError};
use crate::components::close_deal::{CloseDealForm, Closing};
use crate::components::states::{ErrorView, Skeleton};
use crate::components::timeline::Timeline;
use crate::format;
use crate::i18n::{Msg, deal_status_msg, tr, use_i18n};
use crate::load::Load;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use rapport_shared::pipeline::{DealDetail, DealStatus, MoveDeal, Pipeline, StageKind};
use uuid::Uuid;

#[component]
pub fn DealPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
    let data = Load::new(move || async move {
        let Some(id) = id() else { return Err(ApiError::not_found()) };
        let detail = api::deal(id).await?;
        let pipelines = api::pipelines().await?;
        let pipeline =
            pipelines.into_iter().find(|p| p.id == detail.deal.pipeline_id).ok_or_else(ApiError::not_found)?;
        let reasons = api::lost_reasons().await?;
        Ok((detail, pipeline, reasons))
    });
    view! {
        {move || match data.get() {
            None => view! { <Skeleton rows=8/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| data.refetch()/> }.into_any(),
            Some(Ok((detail, pipeline, reasons))) => {
                view! { <DealView detail pipeline reasons on_change=Callback::new(move |()| data.refetch())/> }.into_any()
            }
        }}
    }
}

#[component]
fn DealView(detail: DealDetail, pipeline: Pipeline, reasons: Vec<String>, on_change: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let deal = detail.deal.clone();
    let won = pipeline.stages.iter().find(|s| s.kind == StageKind::Won).map(|s| s.id);
    let lost = pipeline.stages.iter().find(|s| s.kind == StageKind::Lost).map(|s| s.id);
    let closing = RwSignal::new(None::<StageKind>);
    let reasons = StoredValue::new(reasons);
    let error = RwSignal::new(None::<Msg>);
    let (id, version, amount) = (deal.id, deal.version, deal.amount_minor);
    let close = Callback::new(move |fields: Closing| {
        let Some(kind) = closing.get_untracked() else { return };
        let Some(stage_id) = (if kind == StageKind::Won { won } else { lost }) else { return };
        let request = MoveDeal {
            stage_id,
            expected_version: Some(version),
            rank_after: None,
            amount_minor: fields.amount_minor,
            lost_reason: fields.lost_reason,
        };
        leptos::task::spawn_local(async move {
            match api::move_deal(id, &request).await {
                Ok(_) => on_change.run(()),
                Err(ApiError::Network) => error.set(Some(Msg::Offline)),
                Err(e) if e.code() == Some(rapport_shared::ErrorCode::Conflict) => error.set(Some(Msg::MoveStale)),
                Err(_) => error.set(Some(Msg::SomethingWrong)),
            }
        });
    });
    let current = deal.stage_id;
    let reached = pipeline.stages.iter().position(|s| s.id == current).unwrap_or(0);
    view! {
        <div class="page-head">
            <div>
                <a class="back" href="/pipeline">"← "{tr(Msg::Pipeline)}</a>
                <h1>{deal.title.clone()}</h1>
                <p class="muted">
                    <span class=format!("badge deal-{}", deal.status.as_str())>{tr(deal_status_msg(deal.status))}</span>" · "
                    <a href=format!("/customers/{}", deal.customer_id)>{deal.customer_name.clone()}</a>" · "{deal.owner.name.clone()}
                </p>
            </div>
            <div class="actions">
                // A closed deal can change its outcome, not repeat it.
                {(deal.status != DealStatus::Won).then(|| view! {
                    <button class="btn" on:click=move |_| closing.set(Some(StageKind::Won))>{tr(Msg::Win)}</button>
                })}
                {(deal.status != DealStatus::Lost).then(|| view! {
                    <button class="btn danger" on:click=move |_| closing.set(Some(StageKind::Lost))>{tr(Msg::Lose)}</button>
                })}
            </div>
        </div>
        <ol class="stage-progress" aria-label=tr(Msg::Pipeline)>
            {pipeline.stages.iter().enumerate().map(|(i, s)| {
                // Passed: a stage it was in, or an open one before where it is, unless it was lost
                // (then "Won" and the stages it skipped were never reached).
                let visited = s.id != current && detail.history.iter().any(|v| v.stage_id == s.id);
                let passed = s.kind == StageKind::Open && i < reached && deal.status != DealStatus::Lost;
                view! { <li class:done=visited || passed class:current=s.id == current>{s.name.clone()}</li> }
            }).collect_view()}
        </ol>
        {move || closing.get().map(|kind| view! {
            <CloseDealForm kind amount reasons=reasons.get_value() error on_submit=close
                on_cancel=Callback::new(move |()| closing.set(None))/>
        })}
        <div class="grid-2">
            <section class="card">
                <h2>{tr(Msg::Details)}</h2>
                <dl class="details">
                    <div class="kv"><dt>{tr(Msg::Amount)}</dt>
                        <dd>{deal.amount_minor.map(|a| format::money(a, &deal.currency, i18n.language_untracked())).unwrap_or_else(|| "—".into())}</dd></div>
                    <div class="kv"><dt>{tr(Msg::ExpectedClose)}</dt>
                        <dd>{deal.expected_close.map(|d| format::date(d, i18n.language_untracked())).unwrap_or_else(|| "—".into())}</dd></div>
                    {deal.lost_reason.clone().map(|reason| view! {
                        <div class="kv"><dt>{tr(Msg::LostReason)}</dt><dd>{reason}</dd></div>
                    })}
                </dl>
            </section>
            <section class="card">
                <h2>{tr(Msg::StageHistory)}</h2>
                <ul class="contact-list">
                    {detail.history.iter().map(|v| {
                        let days = format::days(v.duration_secs);
                        let open = v.left_at.is_none();
                        view! {
                            <li class="contact">
                                <div><strong>{v.stage_name.clone()}</strong>" · "<span class="muted">{v.entered_by.name.clone()}</span></div>
                                <span>{days}" "{tr(Msg::Days)}{open.then(|| view! { " ("{tr(Msg::Now)}")" })}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </div>
        <Timeline customer_id=deal.customer_id/>
    }
}
