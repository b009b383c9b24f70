//! Deals: create, list, read with stage history, edit, archive, and move
//! between stages. A move closes the stage visit, opens the next, bumps the
//! deal's version (a stale `expected_version` is a 409; a move without one
//! that loses a race is made again), writes its timeline events and nudges
//! the customer's lifecycle — all in one transaction.

use super::audit::{self, Entry};
use super::customers::find_visible;
use super::pipelines::{self, default_pipeline, stages_of};
use super::{Actor, new_id, now, playbooks, timeline};
use crate::entity::{customer, deal, deal_stage_history, user};
use crate::error::{AppError, AppResult};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::customer::{LifecycleStatus, UserRef};
use rapport_shared::page::clamp_limit;
use rapport_shared::pipeline::{
    Board, BoardColumn, BoardQuery, Deal, DealDetail, DealFields, DealPatch, DealQuery, DealStatus, ForecastMonth,
    MoveDeal, NewDeal, Pipeline, StageKind, StageVisit, month_range,
};
use rapport_shared::timeline::Event;
use rapport_shared::validate::FieldError;
use rapport_shared::{Cursor, Page};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Query, SelectStatement, UnionType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    FromQueryResult, IntoActiveModel, JoinType, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, SelectModel,
    Selector, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Gap between neighbouring ranks, so most moves need no renumbering.
const RANK_GAP: i64 = 1024;

/// The live deals `actor` may see: their org, and owners they may see.
fn visible(actor: &Actor) -> Condition {
    visible_of(actor, None)
}

/// [`visible`], narrowed to one owner's deals when `owner` names one.
fn visible_of(actor: &Actor, owner: Option<Uuid>) -> Condition {
    Condition::all()
        .add(deal::Column::OrgId.eq(actor.org_id))
        .add(deal::Column::ArchivedAt.is_null())
        .add(actor.sees_owner_narrowed(deal::Column::OwnerId, owner))
}

async fn find_visible_deal(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<deal::Model> {
    deal::Entity::find_by_id(id).filter(visible(actor)).one(db).await?.ok_or(AppError::NotFound)
}

/// Opens a deal on a customer the actor can see, in an open stage.
///
/// # Errors
/// `Validation` (fields, an unknown customer, pipeline or stage, a closed
/// stage); database failures.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: NewDeal) -> AppResult<DealDetail> {
    let fields = input.validate().map_err(AppError::Validation)?;
    let txn = super::begin_write(db).await?;
    let customer =
        find_visible(&txn, actor, input.customer_id).await.map_err(|e| unknown_if_missing(e, "customer_id"))?;
    let pipeline = match input.pipeline_id {
        Some(id) => {
            pipelines::find_pipeline(&txn, actor, id).await.map_err(|e| unknown_if_missing(e, "pipeline_id"))?
        }
        None => default_pipeline(&txn, actor.org_id).await?,
    };
    let stages = stages_of(&txn, pipeline.id).await?;
    let stage = match input.stage_id {
        Some(id) => stages.iter().find(|s| s.id == id),
        None => stages.iter().find(|s| s.kind == StageKind::Open.as_str()),
    }
    .filter(|s| s.kind == StageKind::Open.as_str())
    .cloned()
    .ok_or_else(|| AppError::field("stage_id", FieldError::UnknownValue))?;

    let at = now();
    let row = deal::ActiveModel {
        id: Set(new_id()),
        org_id: Set(actor.org_id),
        customer_id: Set(customer.id),
        owner_id: Set(actor.user_id),
        pipeline_id: Set(pipeline.id),
        stage_id: Set(stage.id),
        title: Set(fields.title),
        amount_minor: Set(fields.amount_minor),
        currency: Set(fields.currency),
        expected_close: Set(fields.expected_close),
        notes: Set(fields.notes),
        status: Set(DealStatus::Open.as_str().to_owned()),
        lost_reason: Set(None),
        version: Set(1),
        rank: Set(end_rank(&txn, actor.org_id, stage.id).await?),
        stage_entered_at: Set(at),
        archived_at: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(&txn)
    .await?;
    enter_stage(&txn, &row, actor, at).await?;
    let event = Event::DealCreated { deal_id: row.id, title: row.title.clone(), stage: stage.name.clone() };
    timeline::record(&txn, row.org_id, row.customer_id, Some(actor.user_id), at, Some(row.id), &event).await?;
    playbooks::on_stage_entered(&txn, actor.user_id, &row).await?;
    // A first deal makes a lead a prospect; a hand-set status is kept otherwise.
    if customer.status == LifecycleStatus::Lead.as_str() {
        set_lifecycle(&txn, &customer, LifecycleStatus::Prospect).await?;
    }
    txn.commit().await?;
    detail(db, actor, row.id).await
}

/// One page of visible deals, newest first.
///
/// # Errors
/// `BadRequest` for a foreign cursor; database failures.
pub async fn list(db: &DatabaseConnection, actor: &Actor, query: DealQuery) -> AppResult<Page<Deal>> {
    let limit = clamp_limit(query.limit);
    let mut select = deal::Entity::find().filter(visible_of(actor, query.owner));
    if let Some(p) = query.pipeline {
        select = select.filter(deal::Column::PipelineId.eq(p));
    }
    if let Some(s) = query.stage {
        select = select.filter(deal::Column::StageId.eq(s));
    }
    if let Some(team) = query.team {
        select = select.filter(in_team(actor, team));
    }
    if let Some(s) = query.status {
        select = select.filter(deal::Column::Status.eq(s.as_str()));
    }
    if let Some(c) = query.customer {
        select = select.filter(deal::Column::CustomerId.eq(c));
    }
    if let Some(month) = &query.close_month {
        select = select.filter(closing_in(month)?);
    }
    // Within one stage the order is the board's (rank); otherwise newest first.
    let by_rank = query.stage.is_some();
    if let Some(raw) = &query.cursor {
        let bad = || AppError::BadRequest("cursor is not valid".into());
        let cursor = Cursor::decode(raw, &list_name(query.stage)).ok_or_else(bad)?;
        select = if by_rank {
            let rank: i64 = cursor.key.parse().map_err(|_| bad())?;
            select
                .filter(deal::Column::Rank.gte(rank))
                .filter(Condition::any().add(deal::Column::Rank.gt(rank)).add(deal::Column::Id.gt(cursor.id)))
        } else {
            select.filter(deal::Column::Id.lt(cursor.id))
        };
    }
    select = if by_rank {
        select.order_by_asc(deal::Column::Rank).order_by_asc(deal::Column::Id)
    } else {
        select.order_by_desc(deal::Column::Id)
    };
    let mut rows = with_names(select.limit(limit + 1)).all(db).await?;
    let next_cursor = if rows.len() as u64 > limit {
        rows.truncate(limit as usize);
        let key = |r: &deal::Model| if by_rank { r.rank.to_string() } else { String::new() };
        rows.last().map(|n| Cursor::new(list_name(query.stage), key(&n.row), n.row.id).encode())
    } else {
        None
    };
    Ok(Page { items: rows.into_iter().map(dto).collect(), next_cursor })
}

/// The list a deal cursor belongs to: one stage in board order (the board's
/// columns page on as that list), or all deals newest first.
fn list_name(stage: Option<Uuid>) -> String {
    stage.map_or_else(|| "deals".to_owned(), |s| format!("deals:stage:{s}"))
}

/// Deals expected to close in the month `YYYY-MM`.
fn closing_in(raw: &str) -> AppResult<Condition> {
    let (first, next) = month_range(raw).map_err(|e| AppError::field("close_month", e))?;
    Ok(Condition::all().add(deal::Column::ExpectedClose.gte(first)).add(deal::Column::ExpectedClose.lt(next)))
}

/// Deals owned by the members of `team` (of the actor's org).
fn in_team(actor: &Actor, team: Uuid) -> Condition {
    Condition::all().add(
        deal::Column::OwnerId.in_subquery(
            Query::select()
                .column(user::Column::Id)
                .from(user::Entity)
                .and_where(user::Column::TeamId.eq(team))
                .and_where(user::Column::OrgId.eq(actor.org_id))
                .to_owned(),
        ),
    )
}

/// The board of a pipeline: per stage the count and totals of the visible
/// deals and the forecast by expected-close month (both from one grouped
/// query), and the first cards of every stage (one query).
///
/// # Errors
/// `NotFound` for another org's pipeline; `Validation` for a bad month;
/// database failures.
pub async fn board(db: &DatabaseConnection, actor: &Actor, pipeline_id: Uuid, query: BoardQuery) -> AppResult<Board> {
    let pipeline =
        pipelines::list(db, actor).await?.into_iter().find(|p| p.id == pipeline_id).ok_or(AppError::NotFound)?;
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let mut scope = visible_of(actor, query.owner).add(deal::Column::PipelineId.eq(pipeline.id));
    if let Some(team) = query.team {
        scope = scope.add(in_team(actor, team));
    }
    // The month filter narrows the columns, never the forecast.
    let sums_scope = scope.clone();
    let month = match &query.close_month {
        Some(raw) => {
            scope = scope.add(closing_in(raw)?);
            Some(raw.trim().to_owned())
        }
        None => None,
    };
    // Independent reads, each on its own pooled connection, at the same time.
    let (sums, rows, lost_reasons) = tokio::try_join!(
        sums_by_stage_and_month(db, sums_scope),
        first_cards(db, &pipeline, scope, limit),
        pipelines::lost_reasons(db, actor.org_id),
    )?;
    let forecast = forecast(&pipeline, &sums);
    let mut by_stage: HashMap<Uuid, Vec<Named>> = HashMap::new();
    for row in rows {
        by_stage.entry(row.row.stage_id).or_default().push(row);
    }
    let mut columns = Vec::with_capacity(pipeline.stages.len());
    for stage in &pipeline.stages {
        let mut cards = by_stage.remove(&stage.id).unwrap_or_default();
        let next_cursor = if cards.len() as u64 > limit {
            cards.truncate(limit as usize);
            cards.last().map(|n| Cursor::new(list_name(Some(stage.id)), n.row.rank.to_string(), n.row.id).encode())
        } else {
            None
        };
        let (count, total) = sums
            .iter()
            .filter(|s| s.stage_id == stage.id && month.as_ref().is_none_or(|m| s.month.as_ref() == Some(m)))
            .fold((0, 0), |(n, t), s| (n + s.count, t + s.total));
        columns.push(BoardColumn {
            stage: stage.clone(),
            count: u64::try_from(count).unwrap_or(0),
            total_minor: total,
            weighted_minor: total * i64::from(stage.probability) / 100,
            cards: cards.into_iter().map(dto).collect(),
            next_cursor,
        });
    }
    Ok(Board { pipeline, columns, lost_reasons, forecast })
}

/// Count and amount of the deals in `scope` per stage and expected-close month.
#[derive(FromQueryResult)]
struct StageMonth {
    stage_id: Uuid,
    month: Option<String>,
    count: i64,
    total: i64,
}

/// Count and total per stage and expected-close month. The inner query
/// groups by the day, which follows the board index and needs no sort (a
/// month expression there made SQLite sort every deal: 84 → 16 ms for
/// 100,000); the outer one folds the days (a few hundred rows) into months,
/// so only stages × months rows leave the database.
async fn sums_by_stage_and_month(db: &DatabaseConnection, scope: Condition) -> AppResult<Vec<StageMonth>> {
    let days = deal::Entity::find()
        .select_only()
        .column(deal::Column::StageId)
        .column_as(deal::Column::ExpectedClose, "day")
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(Expr::cust("SUM(amount_minor)"), "total")
        .filter(scope)
        .group_by(deal::Column::StageId)
        .group_by(deal::Column::ExpectedClose)
        .into_query();
    let backend = db.get_database_backend();
    let month = match backend {
        DbBackend::Postgres => "to_char(day, 'YYYY-MM')",
        _ => "substr(day, 1, 7)",
    };
    let months = Query::select()
        .column(Alias::new("stage_id"))
        .expr_as(Expr::cust(month), Alias::new("month"))
        // Portable: PostgreSQL sums BIGINT into NUMERIC unless cast back.
        .expr_as(Expr::cust("CAST(SUM(n) AS BIGINT)"), Alias::new("count"))
        .expr_as(Expr::cust("CAST(COALESCE(SUM(total), 0) AS BIGINT)"), Alias::new("total"))
        .from_subquery(days, Alias::new("d"))
        .add_group_by([Expr::col(Alias::new("stage_id")), Expr::cust(month)])
        .to_owned();
    Ok(StageMonth::find_by_statement(backend.build(&months)).all(db).await?)
}

/// The first `limit + 1` cards of every stage in rank order, in one round
/// trip: a UNION ALL of one index range per stage (a window function over
/// the whole pipeline would read every deal).
async fn first_cards(
    db: &DatabaseConnection,
    pipeline: &Pipeline,
    scope: Condition,
    limit: u64,
) -> AppResult<Vec<Named>> {
    let per_stage = pipeline.stages.iter().enumerate().map(|(i, stage)| {
        let inner = name_columns(deal::Entity::find())
            .filter(scope.clone())
            .filter(deal::Column::StageId.eq(stage.id))
            .order_by_asc(deal::Column::Rank)
            .order_by_asc(deal::Column::Id)
            .limit(limit + 1)
            .into_query();
        Query::select().column(Asterisk).from_subquery(inner, Alias::new(format!("s{i}"))).to_owned()
    });
    let mut union: Option<SelectStatement> = None;
    for select in per_stage {
        match union.as_mut() {
            None => union = Some(select),
            Some(u) => {
                u.union(UnionType::All, select);
            }
        }
    }
    let Some(union) = union else { return Ok(Vec::new()) };
    Ok(Named::find_by_statement(db.get_database_backend().build(&union)).all(db).await?)
}

/// Deals of open stages (all open) by expected-close month, weighted by
/// each stage's probability.
fn forecast(pipeline: &Pipeline, sums: &[StageMonth]) -> Vec<ForecastMonth> {
    let mut months: Vec<ForecastMonth> = Vec::new();
    for sum in sums {
        let Some(stage) = pipeline.stages.iter().find(|s| s.id == sum.stage_id && s.kind == StageKind::Open) else {
            continue;
        };
        let slot = match months.iter_mut().position(|m| m.month == sum.month) {
            Some(i) => &mut months[i],
            None => {
                months.push(ForecastMonth { month: sum.month.clone(), count: 0, open_minor: 0, weighted_minor: 0 });
                let last = months.len() - 1;
                &mut months[last]
            }
        };
        slot.count += u64::try_from(sum.count).unwrap_or(0);
        slot.open_minor += sum.total;
        slot.weighted_minor += sum.total * i64::from(stage.probability) / 100;
    }
    // Dated months in order, the undated bucket last.
    months.sort_by(|a, b| (a.month.is_none(), &a.month).cmp(&(b.month.is_none(), &b.month)));
    months
}

/// A visible deal, without its history.
///
/// # Errors
/// `NotFound`; database failures.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<Deal> {
    let named = with_names(deal::Entity::find_by_id(id).filter(visible(actor))).one(db).await?;
    named.map(dto).ok_or(AppError::NotFound)
}

/// A visible deal with its stage history.
///
/// # Errors
/// `NotFound`; database failures.
pub async fn detail(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<DealDetail> {
    let deal = get(db, actor, id).await?;
    let visits = deal_stage_history::Entity::find()
        .filter(deal_stage_history::Column::DealId.eq(id))
        .order_by_asc(deal_stage_history::Column::EnteredAt)
        .order_by_asc(deal_stage_history::Column::Id)
        .all(db)
        .await?;
    let stage_names: HashMap<Uuid, String> =
        stages_of(db, deal.pipeline_id).await?.into_iter().map(|s| (s.id, s.name)).collect();
    let names = timeline::user_names(db, visits.iter().map(|v| v.entered_by)).await?;
    let at = now();
    let history = visits
        .into_iter()
        .map(|v| StageVisit {
            stage_id: v.stage_id,
            stage_name: stage_names.get(&v.stage_id).cloned().unwrap_or_default(),
            entered_at: v.entered_at,
            entered_by: UserRef { id: v.entered_by, name: names.get(&v.entered_by).cloned().unwrap_or_default() },
            left_at: v.left_at,
            duration_secs: (v.left_at.unwrap_or(at) - v.entered_at).num_seconds().max(0),
        })
        .collect();
    Ok(DealDetail { deal, history })
}

/// # Errors
/// `NotFound`; `Validation`; database failures.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: DealPatch) -> AppResult<DealDetail> {
    let txn = super::begin_write(db).await?;
    let row = find_visible_deal(&txn, actor, id).await?;
    let current = DealFields {
        title: row.title.clone(),
        amount_minor: row.amount_minor,
        currency: row.currency.clone(),
        expected_close: row.expected_close,
        notes: row.notes.clone(),
    };
    let next = patch.apply(&current).map_err(AppError::Validation)?;
    let version = row.version;
    let mut model = row.into_active_model();
    model.title = Set(next.title);
    model.amount_minor = Set(next.amount_minor);
    model.currency = Set(next.currency);
    model.expected_close = Set(next.expected_close);
    model.notes = Set(next.notes);
    model.version = Set(version + 1);
    model.updated_at = Set(now());
    model.update(&txn).await?;
    txn.commit().await?;
    detail(db, actor, id).await
}

/// Archives a deal: it leaves lists and the board, its history stays.
///
/// # Errors
/// `NotFound`; database failures.
pub async fn archive(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    let txn = super::begin_write(db).await?;
    let row = find_visible_deal(&txn, actor, id).await?;
    let entry = Entry::by(actor, AuditAction::DealArchived)
        .target(AuditTarget::Deal, row.id)
        .before(serde_json::json!({"title": row.title, "customer_id": row.customer_id, "owner_id": row.owner_id}));
    let at = now();
    let mut model = row.into_active_model();
    model.archived_at = Set(Some(at));
    model.update(&txn).await?;
    audit::record(&txn, entry.after(serde_json::json!({"archived_at": at}))).await?;
    txn.commit().await?;
    Ok(())
}

/// Moves a deal to a stage of its pipeline (or re-ranks it within its stage).
/// Answers the moved deal without its history: a board only needs the card,
/// and a long-lived deal's history can run to hundreds of visits.
///
/// # Errors
/// `NotFound`; `Validation` (unknown stage, won without an amount, lost
/// without a known reason); `Conflict` for a stale `expected_version`;
/// database failures.
pub async fn move_deal(db: &DatabaseConnection, actor: &Actor, id: Uuid, input: MoveDeal) -> AppResult<Deal> {
    // Without `expected_version` the latest move wins: a move that lost a
    // race to another is made again on the deal as it now is.
    for _ in 0..MOVE_ATTEMPTS {
        if let Some(moved) = try_move(db, actor, id, &input).await? {
            return Ok(moved);
        }
    }
    Err(AppError::conflict("the deal is being moved by others meanwhile; try again"))
}

/// How often a move without `expected_version` is tried before it gives up
/// with a 409. An attempt loses only to another change's commit (a move, an
/// edit, a stage change), so n concurrent movers of one deal need at most n
/// attempts each.
const MOVE_ATTEMPTS: usize = 5;

/// One attempt of [`move_deal`]: the deal as moved, or `None` when a
/// concurrent change to the deal or the target stage came between its checks
/// and its write.
async fn try_move(db: &DatabaseConnection, actor: &Actor, id: Uuid, input: &MoveDeal) -> AppResult<Option<Deal>> {
    // Checked before the write turn, so that writers queue only for the
    // writes. Inside it the UPDATE repeats the visibility and version checks
    // (an edit or a move bumps the version; archiving, or a handover away
    // from the actor, hides the deal) and checks the target stage is as read.
    // The names are read here too: the answer is this row as written.
    let named = with_names(deal::Entity::find_by_id(id).filter(visible(actor))).one(db).await?;
    let named = named.ok_or(AppError::NotFound)?;
    let row = named.row.clone();
    if input.expected_version.is_some_and(|v| v != row.version) {
        return Err(stale(row.version));
    }
    // The target and the stage the deal leaves, in one read.
    let stages = pipelines::find_stages(db, actor.org_id, &[input.stage_id, row.stage_id]).await?;
    let stage_by_id = |id: Uuid| stages.iter().find(|s| s.id == id);
    let target = stage_by_id(input.stage_id).cloned();
    let target = target.ok_or_else(|| AppError::field("stage_id", FieldError::UnknownValue))?;
    if target.pipeline_id != row.pipeline_id {
        return Err(AppError::field("stage_id", FieldError::UnknownValue));
    }
    let kind = StageKind::parse(&target.kind).unwrap_or(StageKind::Open);
    if input.amount_minor.is_some_and(|a| a < 0) {
        return Err(AppError::field("amount_minor", FieldError::UnknownValue));
    }
    let amount = input.amount_minor.or(row.amount_minor);
    let lost_reason = match kind {
        StageKind::Won if amount.is_none() => return Err(AppError::field("amount_minor", FieldError::Required)),
        StageKind::Lost => {
            let reason = input.lost_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
            let reason = reason.ok_or_else(|| AppError::field("lost_reason", FieldError::Required))?;
            let known = pipelines::lost_reasons(db, actor.org_id).await?;
            Some(
                known
                    .into_iter()
                    .find(|k| k == reason)
                    .ok_or_else(|| AppError::field("lost_reason", FieldError::UnknownValue))?,
            )
        }
        _ => None,
    };
    let status = match kind {
        StageKind::Open => DealStatus::Open,
        StageKind::Won => DealStatus::Won,
        StageKind::Lost => DealStatus::Lost,
    };
    let changes_stage = target.id != row.stage_id;
    let from = if changes_stage { stage_by_id(row.stage_id).map(|s| s.name.clone()) } else { None };
    let from = from.unwrap_or_default();

    let txn = super::begin_write(db).await?;
    let at = now();
    // The row as this move writes it, and then answers it.
    let mut written = deal::Model {
        rank: rank_for(&txn, actor.org_id, target.id, row.id, input.rank_after).await?,
        version: row.version + 1,
        amount_minor: amount,
        updated_at: at,
        ..row.clone()
    };
    if changes_stage {
        written.stage_id = target.id;
        written.status = status.as_str().into();
        written.lost_reason.clone_from(&lost_reason);
        written.stage_entered_at = at;
    }

    // The checks in the WHERE make concurrent moves safe: only one of those
    // that read the same version writes, and only while the target stage is
    // as it was read.
    let mut update = deal::Entity::update_many()
        .col_expr(deal::Column::Rank, Expr::value(written.rank))
        .col_expr(deal::Column::Version, Expr::value(written.version))
        .col_expr(deal::Column::AmountMinor, Expr::value(written.amount_minor))
        .col_expr(deal::Column::UpdatedAt, Expr::value(written.updated_at))
        .filter(deal::Column::Id.eq(row.id))
        .filter(visible(actor))
        .filter(deal::Column::Version.eq(row.version))
        .filter(pipelines::stage_unchanged(&target));
    if changes_stage {
        update = update
            .col_expr(deal::Column::StageId, Expr::value(written.stage_id))
            .col_expr(deal::Column::Status, Expr::value(written.status.clone()))
            .col_expr(deal::Column::LostReason, Expr::value(written.lost_reason.clone()))
            .col_expr(deal::Column::StageEnteredAt, Expr::value(written.stage_entered_at));
    }
    if update.exec(&txn).await?.rows_affected == 0 {
        drop(txn); // on SQLite, rolls back and then passes the turn on
        if input.expected_version.is_none() {
            return Ok(None);
        }
        // Hidden meanwhile (404), or changed (409 with its version now);
        // with the deal as read, the stage changed, and the next attempt
        // checks it afresh.
        let now = find_visible_deal(db, actor, id).await?;
        return if now.version == row.version { Ok(None) } else { Err(stale(now.version)) };
    }

    if changes_stage {
        deal_stage_history::Entity::update_many()
            .col_expr(deal_stage_history::Column::LeftAt, Expr::value(at))
            .col_expr(deal_stage_history::Column::LeftBy, Expr::value(actor.user_id))
            .filter(deal_stage_history::Column::DealId.eq(row.id))
            .filter(deal_stage_history::Column::LeftAt.is_null())
            .exec(&txn)
            .await?;
        enter_stage(&txn, &written, actor, at).await?;
        let changed = Event::StageChanged { deal_id: row.id, title: row.title.clone(), from, to: target.name.clone() };
        timeline::record(&txn, row.org_id, row.customer_id, Some(actor.user_id), at, Some(row.id), &changed).await?;
        let closing = match status {
            DealStatus::Won => Some(Event::DealWon {
                deal_id: row.id,
                title: row.title.clone(),
                amount_minor: amount,
                currency: row.currency.clone(),
            }),
            DealStatus::Lost => Some(Event::DealLost {
                deal_id: row.id,
                title: row.title.clone(),
                reason: lost_reason.clone().unwrap_or_default(),
            }),
            DealStatus::Open => None,
        };
        if let Some(event) = closing {
            timeline::record(&txn, row.org_id, row.customer_id, Some(actor.user_id), at, Some(row.id), &event).await?;
        }
        match status {
            DealStatus::Open => playbooks::on_stage_entered(&txn, actor.user_id, &written).await?,
            closed => playbooks::on_deal_closed(&txn, actor.user_id, &row, closed == DealStatus::Won).await?,
        }
        if status == DealStatus::Won {
            let customer = customer::Entity::find_by_id(row.customer_id).one(&txn).await?.ok_or(AppError::NotFound)?;
            if customer.status != LifecycleStatus::Customer.as_str() {
                set_lifecycle(&txn, &customer, LifecycleStatus::Customer).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(Some(dto(Named { row: written, ..named })))
}

/// A referenced record that is missing (or invisible) is a bad field of the
/// request, not a missing resource; other failures pass through.
fn unknown_if_missing(err: AppError, field: &str) -> AppError {
    match err {
        AppError::NotFound => AppError::field(field, FieldError::UnknownValue),
        other => other,
    }
}

fn stale(current: i32) -> AppError {
    AppError::Conflict {
        message: "the deal was changed meanwhile; reload it and try again".into(),
        details: Some(serde_json::json!({"current_version": current})),
    }
}

async fn enter_stage(
    db: &impl ConnectionTrait,
    row: &deal::Model,
    actor: &Actor,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    deal_stage_history::ActiveModel {
        id: Set(new_id()),
        org_id: Set(row.org_id),
        deal_id: Set(row.id),
        stage_id: Set(row.stage_id),
        entered_at: Set(at),
        entered_by: Set(actor.user_id),
        left_at: Set(None),
        left_by: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

async fn set_lifecycle(
    db: &impl ConnectionTrait,
    customer: &customer::Model,
    status: LifecycleStatus,
) -> AppResult<()> {
    let mut model = customer.clone().into_active_model();
    model.status = Set(status.as_str().to_owned());
    model.updated_at = Set(now());
    model.update(db).await?;
    Ok(())
}

/// A rank after every deal of the stage.
async fn end_rank(db: &impl ConnectionTrait, org_id: Uuid, stage_id: Uuid) -> AppResult<i64> {
    // `org_id` first, as in `ix_deals_stage_rank`: without it this is a scan of every deal.
    let last = deal::Entity::find()
        .filter(deal::Column::OrgId.eq(org_id))
        .filter(deal::Column::StageId.eq(stage_id))
        .order_by_desc(deal::Column::Rank)
        .one(db)
        .await?;
    Ok(last.map_or(RANK_GAP, |d| d.rank + RANK_GAP))
}

/// The rank that puts `moving` right after `after` in `stage` (or at the end),
/// renumbering the stage when its neighbours leave no gap.
async fn rank_for(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    stage_id: Uuid,
    moving: Uuid,
    after: Option<Uuid>,
) -> AppResult<i64> {
    let Some(after) = after else { return end_rank(db, org_id, stage_id).await };
    let anchor = deal::Entity::find_by_id(after)
        .filter(deal::Column::OrgId.eq(org_id))
        .filter(deal::Column::StageId.eq(stage_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("rank_after", FieldError::UnknownValue))?;
    let next = deal::Entity::find()
        .filter(deal::Column::OrgId.eq(org_id))
        .filter(deal::Column::StageId.eq(stage_id))
        .filter(deal::Column::Rank.gt(anchor.rank))
        .filter(deal::Column::Id.ne(moving))
        .order_by_asc(deal::Column::Rank)
        .one(db)
        .await?;
    match next {
        None => Ok(anchor.rank + RANK_GAP),
        Some(n) if n.rank - anchor.rank > 1 => Ok(anchor.rank + (n.rank - anchor.rank) / 2),
        Some(_) => {
            // No room: spread the stage out again and place after the anchor.
            let all = deal::Entity::find()
                .filter(deal::Column::OrgId.eq(org_id))
                .filter(deal::Column::StageId.eq(stage_id))
                .filter(deal::Column::Id.ne(moving))
                .order_by_asc(deal::Column::Rank)
                .all(db)
                .await?;
            let mut anchor_rank = RANK_GAP;
            for (i, d) in all.iter().enumerate() {
                let rank = (i as i64 + 1) * RANK_GAP * 2;
                deal::Entity::update_many()
                    .col_expr(deal::Column::Rank, Expr::value(rank))
                    .filter(deal::Column::Id.eq(d.id))
                    .exec(db)
                    .await?;
                if d.id == anchor.id {
                    anchor_rank = rank;
                }
            }
            Ok(anchor_rank + RANK_GAP)
        }
    }
}

/// A deal row with its owner's and customer's names, read in one query.
#[derive(FromQueryResult)]
struct Named {
    #[sea_orm(nested)]
    row: deal::Model,
    owner_name: Option<String>,
    customer_name: Option<String>,
}

/// `select` with the owner's and the customer's name joined in as
/// `owner_name` and `customer_name`.
fn name_columns(select: Select<deal::Entity>) -> Select<deal::Entity> {
    let owner = deal::Entity::belongs_to(user::Entity).from(deal::Column::OwnerId).to(user::Column::Id);
    let customer = deal::Entity::belongs_to(customer::Entity).from(deal::Column::CustomerId).to(customer::Column::Id);
    select
        .join(JoinType::LeftJoin, owner.into())
        .join(JoinType::LeftJoin, customer.into())
        .column_as(user::Column::Name, "owner_name")
        .column_as(customer::Column::Name, "customer_name")
}

fn with_names(select: Select<deal::Entity>) -> Selector<SelectModel<Named>> {
    name_columns(select).into_model()
}

fn dto(named: Named) -> Deal {
    let r = named.row;
    Deal {
        id: r.id,
        customer_id: r.customer_id,
        customer_name: named.customer_name.unwrap_or_default(),
        title: r.title,
        pipeline_id: r.pipeline_id,
        stage_id: r.stage_id,
        amount_minor: r.amount_minor,
        currency: r.currency,
        expected_close: r.expected_close,
        notes: r.notes,
        owner: UserRef { id: r.owner_id, name: named.owner_name.unwrap_or_default() },
        status: DealStatus::parse(&r.status).unwrap_or(DealStatus::Open),
        lost_reason: r.lost_reason,
        version: r.version,
        rank: r.rank,
        stage_entered_at: r.stage_entered_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}
