//! The pipeline board: one column per stage with its count, total and
//! weighted total; cards with customer, amount, owner, days in stage and a
//! rotting flag. Cards move by drag and drop with mouse or touch (pointer
//! events; on a phone, onto a stage tab) or with the "Move to…" menu. A move
//! shows at once and rolls back with a message if the server refuses it.
//! `?owner=<user id>` narrows the board to one person's deals (the team
//! dashboard links each person's open deals so).

use crate::api::{self, ApiError};
use crate::components::close_deal::{CloseDealForm, Closing};
use crate::components::drag::{self, Press};
use crate::components::owner_chip::OwnerChip;
use crate::components::states::{Empty, ErrorView, Skeleton};
use crate::format;
use crate::i18n::{I18n, Msg, tr, use_i18n};
use crate::load::Load;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use rapport_shared::ErrorCode;
use rapport_shared::auth::Role;
use rapport_shared::pipeline::{Board, BoardQuery, Deal, DealQuery, ForecastMonth, MoveDeal, Pipeline, StageKind};
use uuid::Uuid;

/// A drop on a won or lost column, waiting for the fields closing needs.
#[derive(Debug, Clone)]
struct PendingClose {
    deal: Deal,
    request: MoveDeal,
    kind: StageKind,
}

#[component]
pub fn PipelineBoard() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let pipelines = RwSignal::new(Vec::<Pipeline>::new());
    let pipeline_id = RwSignal::new(None::<Uuid>);
    let only_mine = RwSignal::new(false);
    // One person's deals, as the team dashboard's figures link them (`?owner=`).
    let person = RwSignal::new(use_query_map().get_untracked().get("owner").and_then(|id| Uuid::parse_str(&id).ok()));
    // An admin narrows the board to one team; a manager's "all" is their team.
    let team = RwSignal::new(None::<Uuid>);
    let teams = Load::new(api::teams);
    let close_month = RwSignal::new(String::new());
    let board = RwSignal::new(None::<Result<Board, ApiError>>);
    let tab = RwSignal::new(0usize);
    let message = RwSignal::new(None::<Msg>);
    let pending = RwSignal::new(None::<PendingClose>);
    let press = StoredValue::new(None::<Press<Uuid>>);
    let sees_others = move || session.user().is_some_and(|u| u.role != Role::Rep);
    let is_admin = move || session.user().is_some_and(|u| u.role == Role::Admin);

    let owner = move || {
        if only_mine.get_untracked() { session.user_untracked().map(|u| u.id) } else { person.get_untracked() }
    };
    let month = move || Some(close_month.get_untracked()).filter(|m| !m.is_empty());
    let load = move || {
        leptos::task::spawn_local(async move {
            if pipelines.with_untracked(Vec::is_empty) {
                match api::pipelines().await {
                    Ok(list) => {
                        pipeline_id.set(list.first().map(|p| p.id));
                        pipelines.set(list);
                    }
                    Err(e) => return board.set(Some(Err(e))),
                }
            }
            let Some(id) = pipeline_id.get_untracked() else { return board.set(Some(Err(ApiError::not_found()))) };
            let query = BoardQuery { owner: owner(), team: team.get_untracked(), close_month: month(), limit: None };
            let answer = api::board(id, &query).await;
            // On a phone one stage shows at a time: not an empty one while others have deals.
            if let Ok(b) = &answer
                && b.columns.get(tab.get_untracked()).is_none_or(|c| c.count == 0)
            {
                tab.set(b.columns.iter().position(|c| c.count > 0).unwrap_or(0));
            }
            board.set(Some(answer));
        });
    };
    Effect::new(move |_| load());
    // A cleared person filter leaves the address too, so a reload shows what is on screen.
    Effect::new(move |_| {
        if person.get().is_none() {
            crate::browser::replace_url("/pipeline");
        }
    });
    let reload = move || {
        board.set(None);
        load();
    };

    // Appends the next page of one column's cards.
    let load_more = move |stage_id: Uuid, cursor: String| {
        leptos::task::spawn_local(async move {
            let query = DealQuery {
                stage: Some(stage_id),
                owner: owner(),
                team: team.get_untracked(),
                close_month: month(),
                cursor: Some(cursor),
                ..DealQuery::default()
            };
            match api::deals(&query).await {
                Ok(page) => board.update(|b| {
                    if let Some(Ok(b)) = b
                        && let Some(col) = b.columns.iter_mut().find(|c| c.stage.id == stage_id)
                    {
                        col.cards.extend(page.items);
                        col.next_cursor = page.next_cursor;
                    }
                }),
                Err(_) => message.set(Some(Msg::SomethingWrong)),
            }
        });
    };

    // Sends a move shown at once; the server confirms it or it rolls back.
    let send_move = move |before: Board, card: Deal, request: MoveDeal| {
        board.set(Some(Ok(moved(&before, &card, request.stage_id, request.rank_after))));
        message.set(None);
        leptos::task::spawn_local(async move {
            match api::move_deal(card.id, &request).await {
                Ok(deal) => board.update(|b| {
                    if let Some(Ok(b)) = b {
                        replace_card(b, deal);
                    }
                }),
                Err(e) => {
                    let stale = e.code() == Some(ErrorCode::Conflict);
                    board.set(Some(Ok(before)));
                    message.set(Some(match e {
                        ApiError::Network => Msg::Offline,
                        _ if stale => Msg::MoveStale,
                        _ => Msg::MoveRefused,
                    }));
                    if stale {
                        load();
                    }
                }
            }
        });
    };

    // A drop or a menu choice: won / lost stages ask for their fields first.
    let move_card = move |deal_id: Uuid, stage_id: Uuid, after: Option<Uuid>| {
        let Some(Ok(before)) = board.get_untracked() else { return };
        let Some(card) = before.columns.iter().flat_map(|c| c.cards.iter()).find(|d| d.id == deal_id).cloned() else {
            return;
        };
        let Some(target) = before.columns.iter().find(|c| c.stage.id == stage_id) else { return };
        if card.stage_id == stage_id && after.is_none() {
            return;
        }
        let request = MoveDeal {
            stage_id,
            expected_version: Some(card.version),
            rank_after: after.filter(|a| *a != deal_id),
            amount_minor: None,
            lost_reason: None,
        };
        match target.stage.kind {
            StageKind::Won if card.amount_minor.is_none() => {
                pending.set(Some(PendingClose { deal: card, request, kind: StageKind::Won }))
            }
            StageKind::Lost => pending.set(Some(PendingClose { deal: card, request, kind: StageKind::Lost })),
            _ => send_move(before, card, request),
        }
    };
    let confirm_close = Callback::new(move |fields: Closing| {
        let Some(p) = pending.get_untracked() else { return };
        pending.set(None);
        let Some(Ok(before)) = board.get_untracked() else { return };
        let request = MoveDeal { amount_minor: fields.amount_minor, lost_reason: fields.lost_reason, ..p.request };
        send_move(before, p.deal, request);
    });

    let on_down = move |ev: leptos::ev::PointerEvent, deal: Uuid| {
        // On touch screens only the grip drags, so swiping a card still scrolls.
        if ev.button() != 0 || (ev.pointer_type() == "touch" && !drag::on_grip(&ev)) {
            return;
        }
        press.set_value(Some(Press::start(deal, &ev)));
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        press.update_value(|p| {
            if let Some(p) = p {
                p.track(&ev);
            }
        });
    };
    let on_up = move |ev: leptos::ev::PointerEvent| {
        let Some(p) = press.get_value() else { return };
        press.set_value(None);
        let drop = if p.dragging { drop_target(&ev) } else { None };
        drag::reset(&ev);
        if let Some((stage, after)) = drop {
            move_card(p.item, stage, after);
        }
    };
    let on_cancel = move |ev: leptos::ev::PointerEvent| {
        press.set_value(None);
        drag::reset(&ev);
    };

    view! {
        <div class="page-head"><h1>{tr(Msg::Pipeline)}</h1></div>
        <div class="filters board-filters">
            <Show when=move || { pipelines.with(|p| p.len() > 1) }>
                <select class="input" aria-label=tr(Msg::Pipeline)
                    prop:value=move || pipeline_id.get().map(|id| id.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        pipeline_id.set(Uuid::parse_str(&event_target_value(&ev)).ok());
                        reload();
                    }>
                    {move || pipelines.get().into_iter().map(|p| view! { <option value=p.id.to_string()>{p.name}</option> }).collect_view()}
                </select>
            </Show>
            <Show when=sees_others>
                <div class="segmented" role="group" aria-label=tr(Msg::Owner)>
                    <button type="button" aria-pressed=move || (!only_mine.get() && person.get().is_none()).to_string()
                        on:click=move |_| { only_mine.set(false); person.set(None); reload(); }>
                        {move || if is_admin() { tr(Msg::AllDeals) } else { tr(Msg::TeamDeals) }}
                    </button>
                    <button type="button" aria-pressed=move || only_mine.get().to_string()
                        on:click=move |_| { only_mine.set(true); person.set(None); team.set(None); reload(); }>{tr(Msg::MyDeals)}</button>
                </div>
            </Show>
            <Show when=move || is_admin() && !only_mine.get() && teams.get().is_some_and(|t| t.is_ok_and(|t| !t.is_empty()))>
                <select class="input" aria-label=tr(Msg::Team)
                    prop:value=move || team.get().map(|t| t.to_string()).unwrap_or_default()
                    on:change=move |ev| { team.set(Uuid::parse_str(&event_target_value(&ev)).ok()); reload(); }>
                    <option value="">{tr(Msg::AllTeams)}</option>
                    {move || teams.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|t| view! {
                        <option value=t.id.to_string()>{t.name}</option>
                    }).collect_view()}
                </select>
            </Show>
            {move || person.get().map(|id| view! {
                <OwnerChip owner=id on_clear=move || { person.set(None); reload(); }/>
            })}
            <label class="inline-field">
                <span class="muted">{tr(Msg::ExpectedClose)}</span>
                <input class="input" type="month" aria-label=tr(Msg::ExpectedClose) prop:value=move || close_month.get()
                    on:change=move |ev| { close_month.set(event_target_value(&ev)); reload(); }/>
            </label>
            <Show when=move || !close_month.get().is_empty() || person.get().is_some()>
                <button type="button" class="btn" on:click=move |_| { close_month.set(String::new()); person.set(None); reload(); }>
                    {tr(Msg::ClearFilters)}
                </button>
            </Show>
        </div>
        <p class="form-error" role="alert">{move || message.get().map(|m| i18n.t(m))}</p>
        {move || pending.get().map(|p| view! {
            <div class="dialog-backdrop" on:click=move |_| pending.set(None)>
                <div class="dialog" role="dialog" aria-modal="true" aria-label=move || i18n.t(Msg::CloseDeal)
                    on:click=|ev| ev.stop_propagation()>
                    <p class="muted">{p.deal.title.clone()}" · "{p.deal.customer_name.clone()}</p>
                    <CloseDealForm kind=p.kind amount=p.deal.amount_minor
                        reasons=board.with_untracked(|b| match b { Some(Ok(b)) => b.lost_reasons.clone(), _ => Vec::new() })
                        error=Signal::derive(|| None) on_submit=confirm_close
                        on_cancel=Callback::new(move |()| pending.set(None))/>
                </div>
            </div>
        })}
        {move || match board.get() {
            None => view! { <Skeleton rows=6/> }.into_any(),
            Some(Err(e)) if e.is_not_found() => view! { <Empty title=Msg::NoPipeline hint=Msg::NoDeals/> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e retry=move |_| load()/> }.into_any(),
            Some(Ok(b)) => {
                let stages: Vec<(Uuid, String)> = b.columns.iter().map(|c| (c.stage.id, c.stage.name.clone())).collect();
                let currency = b.columns.iter().flat_map(|c| c.cards.first()).map(|c| c.currency.clone()).next()
                    .unwrap_or_else(|| "CNY".into());
                view! {
                    <Forecast months=b.forecast.clone() currency=currency.clone()/>
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
                                    {col.next_cursor.clone().map(|cursor| view! {
                                        <button type="button" class="btn load-more" on:click=move |_| load_more(stage_id, cursor.clone())>
                                            {tr(Msg::LoadMore)}
                                        </button>
                                    })}
                                    {(col.count == 0).then(|| view! { <p class="muted column-empty">{tr(Msg::NoDealsHere)}</p> })}
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

/// Open and weighted amounts per expected-close month.
#[component]
fn Forecast(months: Vec<ForecastMonth>, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    (!months.is_empty()).then(|| {
        let lang = i18n.language_untracked();
        view! {
            <section class="forecast" aria-label=tr(Msg::Forecast)>
                <h2 class="muted">{tr(Msg::Forecast)}</h2>
                <ol>
                    {months.into_iter().map(|m| view! {
                        <li>
                            <span class="muted">{match &m.month {
                                Some(month) => format::month(month, lang),
                                None => i18n.t(Msg::NoCloseDate).to_owned(),
                            }}</span>
                            <strong>{format::money(m.open_minor, &currency, lang)}</strong>
                            <span class="muted">{format::money(m.weighted_minor, &currency, lang)}" "{tr(Msg::Weighted)}</span>
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        }
    })
}

/// The stage (column or tab) under the pointer, and the card it was dropped after.
fn drop_target(ev: &leptos::ev::PointerEvent) -> Option<(Uuid, Option<Uuid>)> {
    let [stage, after] = drag::attrs_under(ev, ["data-stage-id", "data-deal-id"]);
    Some((Uuid::parse_str(&stage?).ok()?, after.and_then(|id| Uuid::parse_str(&id).ok())))
}
