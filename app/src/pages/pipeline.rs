//! The pipeline board: one column per stage with its count, total and
//! weighted total; cards with customer, amount, owner, days in stage and a
//! rotting flag. Cards move by drag and drop with mouse or touch (pointer
//! events; on a phone, onto a stage tab) or with the "Move to…" menu. A move
//! shows at once and rolls back with a message if the server refuses it.

use crate::api::{self, ApiError};
use crate::components::states::{Empty, ErrorView, Skeleton};
use crate::format;
use crate::i18n::{I18n, Msg, tr, use_i18n};
use leptos::prelude::*;
use rapport_shared::ErrorCode;
use rapport_shared::pipeline::{Board, BoardQuery, Deal, MoveDeal, StageKind};
use uuid::Uuid;

/// A press on a card, becoming a drag once the pointer travels a few pixels.
#[derive(Debug, Clone, Copy)]
struct Press {
    deal: Uuid,
    x: i32,
    y: i32,
    dragging: bool,
}

#[component]
pub fn PipelineBoard() -> impl IntoView {
    let i18n = use_i18n();
    let board = RwSignal::new(None::<Result<Board, ApiError>>);
    let tab = RwSignal::new(0usize);
    let message = RwSignal::new(None::<Msg>);
    let press = StoredValue::new(None::<Press>);

    let load = move || {
        leptos::task::spawn_local(async move {
            let result = match api::pipelines().await {
                Ok(list) => match list.first() {
                    Some(p) => api::board(p.id, &BoardQuery::default()).await,
                    None => Err(ApiError::not_found()),
                },
                Err(e) => Err(e),
            };
            board.set(Some(result));
        });
    };
    Effect::new(move |_| load());

    // Moves a card: shown at once, confirmed or rolled back by the server.
    let move_card = move |deal_id: Uuid, stage_id: Uuid, after: Option<Uuid>| {
        let Some(Ok(before)) = board.get_untracked() else { return };
        let Some(card) = before.columns.iter().flat_map(|c| c.cards.iter()).find(|d| d.id == deal_id).cloned() else {
            return;
        };
        let Some(target) = before.columns.iter().find(|c| c.stage.id == stage_id) else { return };
        if card.stage_id == stage_id && after.is_none() {
            return;
        }
        let mut request = MoveDeal {
            stage_id,
            expected_version: Some(card.version),
            rank_after: after.filter(|a| *a != deal_id),
            amount_minor: None,
            lost_reason: None,
        };
        match target.stage.kind {
            StageKind::Won if card.amount_minor.is_none() => {
                let Some(amount) = ask(i18n.t(Msg::AskAmount)).and_then(|a| parse_amount(&a)) else { return };
                request.amount_minor = Some(amount);
            }
            StageKind::Lost => {
                let prompt = format!("{} {}", i18n.t(Msg::AskReason), before.lost_reasons.join(", "));
                let Some(reason) = ask(&prompt) else { return };
                request.lost_reason = Some(reason);
            }
            _ => {}
        }
        board.set(Some(Ok(moved(&before, &card, stage_id, request.rank_after))));
        message.set(None);
        leptos::task::spawn_local(async move {
            match api::move_deal(deal_id, &request).await {
                Ok(detail) => board.update(|b| {
                    if let Some(Ok(b)) = b {
                        replace_card(b, detail.deal);
                    }
                }),
                Err(e) => {
                    let stale = e.code() == Some(ErrorCode::Conflict);
                    board.set(Some(Ok(before)));
                    message.set(Some(if stale { Msg::MoveStale } else { Msg::MoveRefused }));
                    if stale {
                        load();
                    }
                }
            }
        });
    };

    let on_down = move |ev: leptos::ev::PointerEvent, deal: Uuid| {
        // On touch screens only the grip drags, so swiping a card still scrolls.
        if ev.button() != 0 || (ev.pointer_type() == "touch" && !on_grip(&ev)) {
            return;
        }
        press.set_value(Some(Press { deal, x: ev.client_x(), y: ev.client_y(), dragging: false }));
        capture(&ev);
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let Some(mut p) = press.get_value() else { return };
        let (dx, dy) = (ev.client_x() - p.x, ev.client_y() - p.y);
        if !p.dragging && dx.abs() + dy.abs() > 6 {
            p.dragging = true;
            press.set_value(Some(p));
        }
        if p.dragging {
            follow(&ev, dx, dy);
        }
    };
    let on_up = move |ev: leptos::ev::PointerEvent| {
        let Some(p) = press.get_value() else { return };
        press.set_value(None);
        let drop = if p.dragging { drop_target(&ev) } else { None };
        reset(&ev);
        if let Some((stage, after)) = drop {
            move_card(p.deal, stage, after);
        }
    };
    let on_cancel = move |ev: leptos::ev::PointerEvent| {
        press.set_value(None);
        reset(&ev);
    };

    view! {
        <div class="page-head"><h1>{tr(Msg::Pipeline)}</h1></div>
        <p class="form-error" role="alert">{move || message.get().map(|m| i18n.t(m))}</p>
        {move || match board.get() {
            None => view! { <Skeleton rows=6/> }.into_any(),
            Some(Err(e)) if e.is_not_found() => view! { <Empty title=Msg::NoPipeline hint=Msg::NoDeals/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| load()/> }.into_any(),
            Some(Ok(b)) => {
                let stages: Vec<(Uuid, String)> = b.columns.iter().map(|c| (c.stage.id, c.stage.name.clone())).collect();
                view! {
                    <div class="stage-tabs" role="tablist">
                        {b.columns.iter().enumerate().map(|(i, c)| {
                            let id = c.stage.id.to_string();
                            view! {
                                <button class="stage-tab" role="tab" data-stage-id=id aria-selected=move || (tab.get() == i).to_string()
                                    on:click=move |_| tab.set(i)>
                                    {c.stage.name.clone()}<span class="count">{c.count}</span>
                                </button>
                            }
                        }).collect_view()}
                    </div>
                    <div class="board">
                        {b.columns.into_iter().enumerate().map(|(i, col)| {
                            let stage_id = col.stage.id;
                            let rotting = col.stage.rotting_days;
                            let currency = col.cards.first().map(|c| c.currency.clone()).unwrap_or_else(|| "CNY".into());
                            let stages = stages.clone();
                            view! {
                                <section class="column" class:current=move || tab.get() == i data-stage-id=stage_id.to_string()
                                    aria-label=col.stage.name.clone()>
                                    <header class="column-head">
                                        <strong>{col.stage.name.clone()}</strong>
                                        <span class="muted">{col.count}</span>
                                        <div class="column-sum muted">
                                            {format::money(col.total_minor, &currency, i18n.language_untracked())}
                                            " · "{format::money(col.weighted_minor, &currency, i18n.language_untracked())}" "{tr(Msg::Weighted)}
                                        </div>
                                    </header>
                                    <ul class="cards">
                                        {col.cards.into_iter().map(|deal| {
                                            let id = deal.id;
                                            view! {
                                                <DealCard deal rotting stages=stages.clone() i18n
                                                    on_down=move |ev| on_down(ev, id) on_move on_up on_cancel
                                                    on_menu=move |stage| move_card(id, stage, None)/>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </section>
                            }
                        }).collect_view()}
                    </div>
                }.into_any()
            }
        }}
    }
}

#[component]
fn DealCard(
    deal: Deal,
    rotting: Option<i32>,
    stages: Vec<(Uuid, String)>,
    i18n: I18n,
    on_down: impl Fn(leptos::ev::PointerEvent) + 'static,
    on_move: impl Fn(leptos::ev::PointerEvent) + 'static,
    on_up: impl Fn(leptos::ev::PointerEvent) + 'static,
    on_cancel: impl Fn(leptos::ev::PointerEvent) + 'static,
    on_menu: impl Fn(Uuid) + 'static,
) -> impl IntoView {
    let days = (format::now() - deal.stage_entered_at).num_days();
    let is_rotting = rotting.is_some_and(|r| days > i64::from(r));
    let initials: String = deal.owner.name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
    let current = deal.stage_id;
    view! {
        <li class="deal-card" class:rotting=is_rotting data-deal-id=deal.id.to_string()
            on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_cancel>
            <div class="deal-title">
                <a href=format!("/deals/{}", deal.id) draggable="false">{deal.title.clone()}</a>
                <span class="grip" aria-hidden="true">"⠿"</span>
            </div>
            <a class="muted deal-customer" href=format!("/customers/{}", deal.customer_id)>{deal.customer_name.clone()}</a>
            <div class="deal-meta">
                <span class="amount">{deal.amount_minor.map(|a| format::money(a, &deal.currency, i18n.language_untracked()))}</span>
                <span class="avatar small" title=deal.owner.name.clone()>{initials}</span>
            </div>
            <div class="deal-meta muted">
                <span>{days}" "{tr(Msg::DaysInStage)}</span>
                {is_rotting.then(|| view! { <span class="badge rot">{tr(Msg::Rotting)}</span> })}
            </div>
            <select class="move-menu" aria-label=tr(Msg::MoveTo)
                on:pointerdown=|ev| ev.stop_propagation()
                on:change=move |ev| {
                    if let Ok(stage) = Uuid::parse_str(&event_target_value(&ev)) {
                        on_menu(stage);
                    }
                }>
                <option value="" selected>{tr(Msg::MoveTo)}</option>
                {stages.into_iter().filter(|(id, _)| *id != current).map(|(id, name)| view! {
                    <option value=id.to_string()>{name}</option>
                }).collect_view()}
            </select>
        </li>
    }
}

/// The board after `card` moved to `stage_id` (after `after`, else at the end).
fn moved(board: &Board, card: &Deal, stage_id: Uuid, after: Option<Uuid>) -> Board {
    let mut next = board.clone();
    let amount = card.amount_minor.unwrap_or(0);
    for col in &mut next.columns {
        if let Some(pos) = col.cards.iter().position(|d| d.id == card.id) {
            col.cards.remove(pos);
            col.count = col.count.saturating_sub(1);
            col.total_minor -= amount;
            col.weighted_minor = col.total_minor * i64::from(col.stage.probability) / 100;
        }
    }
    if let Some(col) = next.columns.iter_mut().find(|c| c.stage.id == stage_id) {
        let at = after.and_then(|a| col.cards.iter().position(|d| d.id == a)).map_or(col.cards.len(), |p| p + 1);
        col.cards.insert(at, Deal { stage_id, ..card.clone() });
        col.count += 1;
        col.total_minor += amount;
        col.weighted_minor = col.total_minor * i64::from(col.stage.probability) / 100;
    }
    next
}

/// Puts the server's version of a card in place (new version, rank, amount).
fn replace_card(board: &mut Board, deal: Deal) {
    for col in &mut board.columns {
        if let Some(slot) = col.cards.iter_mut().find(|d| d.id == deal.id) {
            let old = slot.amount_minor.unwrap_or(0);
            col.total_minor += deal.amount_minor.unwrap_or(0) - old;
            col.weighted_minor = col.total_minor * i64::from(col.stage.probability) / 100;
            *slot = deal.clone();
        }
    }
}

/// "12,500.50" → 1_250_050 minor units.
fn parse_amount(text: &str) -> Option<i64> {
    let cleaned: String = text.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
    let value: f64 = cleaned.parse().ok()?;
    (value >= 0.0).then(|| (value * 100.0).round() as i64)
}

fn ask(question: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()?.prompt_with_message(question).ok().flatten().filter(|a| !a.trim().is_empty())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = question;
        None
    }
}

fn capture(ev: &leptos::ev::PointerEvent) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = card_of(ev) {
        // Synthetic events have no capturable pointer; moves still arrive on the card.
        let _ = el.set_pointer_capture(ev.pointer_id());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

fn follow(ev: &leptos::ev::PointerEvent, dx: i32, dy: i32) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = card_of(ev) {
        let _ = el.class_list().add_1("dragging");
        let _ = el.style().set_property("transform", &format!("translate({dx}px, {dy}px)"));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, dx, dy);
}

fn reset(ev: &leptos::ev::PointerEvent) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = card_of(ev) {
        let _ = el.class_list().remove_1("dragging");
        let _ = el.style().remove_property("transform");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// The stage (column or tab) under the pointer, and the card it was dropped after.
fn drop_target(ev: &leptos::ev::PointerEvent) -> Option<(Uuid, Option<Uuid>)> {
    #[cfg(feature = "hydrate")]
    {
        let card = card_of(ev)?;
        // Look through the dragged card at what lies beneath it.
        let _ = card.style().set_property("visibility", "hidden");
        let below = web_sys::window()?.document()?.element_from_point(ev.client_x() as f32, ev.client_y() as f32);
        let _ = card.style().remove_property("visibility");
        let below = below?;
        let stage = below.closest("[data-stage-id]").ok()??.get_attribute("data-stage-id")?;
        let after = below
            .closest("[data-deal-id]")
            .ok()
            .flatten()
            .and_then(|c| c.get_attribute("data-deal-id"))
            .and_then(|id| Uuid::parse_str(&id).ok());
        Some((Uuid::parse_str(&stage).ok()?, after))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// Whether the press started on the card's grip.
fn on_grip(ev: &leptos::ev::PointerEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest(".grip").ok().flatten())
            .is_some()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        false
    }
}

#[cfg(feature = "hydrate")]
fn card_of(ev: &leptos::ev::PointerEvent) -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    ev.current_target()?.dyn_into::<web_sys::HtmlElement>().ok()
}
