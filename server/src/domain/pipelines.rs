//! Pipelines and stages: every org gets a default pipeline; admins rename,
//! add, remove and reorder stages. Everyone in the org reads them.

use super::audit::{self, Entry};
use super::{Actor, new_id, now};
use crate::entity::{deal, lost_reason, pipeline, stage};
use crate::error::{AppError, AppResult};
use rapport_shared::audit::{AuditAction, AuditTarget};
use rapport_shared::pipeline::{
    DEFAULT_LOST_REASONS, NewPipeline, NewStage, Pipeline, PipelinePatch, ReorderStages, Stage, StageFields, StageKind,
    StagePatch, default_stages,
};
use rapport_shared::validate::{FieldError, required_text};
use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

/// Gives a new org the default pipeline and lost reasons (inside its creating transaction).
///
/// # Errors
/// Database failures.
pub async fn seed_defaults(db: &impl ConnectionTrait, org_id: Uuid) -> AppResult<()> {
    insert_pipeline(db, org_id, "Sales", 0, &default_stages()).await?;
    for (position, name) in DEFAULT_LOST_REASONS.iter().enumerate() {
        lost_reason::ActiveModel {
            id: Set(new_id()),
            org_id: Set(org_id),
            name: Set((*name).to_owned()),
            position: Set(position as i32),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Every pipeline of the actor's org, with its stages in order.
///
/// # Errors
/// Database failures.
pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<Vec<Pipeline>> {
    let (pipelines, stages) = tokio::try_join!(
        pipeline::Entity::find()
            .filter(pipeline::Column::OrgId.eq(actor.org_id))
            .order_by_asc(pipeline::Column::Position)
            .order_by_asc(pipeline::Column::Id)
            .all(db),
        stage::Entity::find()
            .filter(stage::Column::OrgId.eq(actor.org_id))
            .order_by_asc(stage::Column::Position)
            .all(db),
    )?;
    Ok(pipelines
        .into_iter()
        .map(|p| Pipeline {
            id: p.id,
            name: p.name,
            stages: stages.iter().filter(|s| s.pipeline_id == p.id).cloned().map(to_stage).collect(),
        })
        .collect())
}

/// # Errors
/// `Forbidden` for non-admins; `Validation`; database failures.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: NewPipeline) -> AppResult<Pipeline> {
    require_admin(actor)?;
    let name = required_text(&input.name, 120).map_err(|e| AppError::field("name", e))?;
    let stages = match &input.stages {
        None => default_stages(),
        Some(list) if list.is_empty() || list.len() > rapport_shared::pipeline::MAX_STAGES => {
            return Err(AppError::field("stages", FieldError::TooMany { max: rapport_shared::pipeline::MAX_STAGES }));
        }
        Some(list) => {
            let mut out = Vec::with_capacity(list.len());
            for (i, s) in list.iter().enumerate() {
                match s.validate() {
                    Ok(f) => out.push(f),
                    Err(e) => {
                        let (field, err) = e.0.into_iter().next().unwrap_or(("name".into(), FieldError::Required));
                        return Err(AppError::field(&format!("stages[{i}].{field}"), err));
                    }
                }
            }
            out
        }
    };
    let txn = super::begin_write(db).await?;
    let position = pipeline::Entity::find().filter(pipeline::Column::OrgId.eq(actor.org_id)).count(&txn).await? as i32;
    let id = insert_pipeline(&txn, actor.org_id, &name, position, &stages).await?;
    let after = json!({"name": name, "stages": stages.iter().map(|s| &s.name).collect::<Vec<_>>()});
    audit::record(&txn, settings(actor, AuditTarget::Pipeline, id).after(after)).await?;
    txn.commit().await?;
    one(db, actor, id).await
}

/// # Errors
/// `Forbidden`; `NotFound`; `Validation`; database failures.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: PipelinePatch) -> AppResult<Pipeline> {
    require_admin(actor)?;
    let row = find_pipeline(db, actor, id).await?;
    if let Some(name) = &patch.name {
        let name = required_text(name, 120).map_err(|e| AppError::field("name", e))?;
        let entry = settings(actor, AuditTarget::Pipeline, id).change(json!({"name": row.name}), json!({"name": name}));
        let txn = super::begin_write(db).await?;
        let mut model = row.into_active_model();
        model.name = Set(name);
        model.updated_at = Set(now());
        model.update(&txn).await?;
        audit::record(&txn, entry).await?;
        txn.commit().await?;
    }
    one(db, actor, id).await
}

/// Removes an empty pipeline; the last one stays.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Conflict` when it holds deals or is the only one.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    require_admin(actor)?;
    let txn = super::begin_write(db).await?;
    let row = find_pipeline(&txn, actor, id).await?;
    if deal::Entity::find().filter(deal::Column::PipelineId.eq(row.id)).count(&txn).await? > 0 {
        return Err(AppError::conflict("the pipeline still holds deals; move them first"));
    }
    if pipeline::Entity::find().filter(pipeline::Column::OrgId.eq(actor.org_id)).count(&txn).await? <= 1 {
        return Err(AppError::conflict("an organisation keeps at least one pipeline"));
    }
    stage::Entity::delete_many().filter(stage::Column::PipelineId.eq(row.id)).exec(&txn).await?;
    pipeline::Entity::delete_by_id(row.id).exec(&txn).await?;
    audit::record(&txn, settings(actor, AuditTarget::Pipeline, row.id).before(json!({"name": row.name}))).await?;
    txn.commit().await?;
    Ok(())
}

/// Appends a stage to a pipeline.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Validation`; database failures.
pub async fn add_stage(db: &DatabaseConnection, actor: &Actor, pipeline_id: Uuid, input: NewStage) -> AppResult<Stage> {
    require_admin(actor)?;
    let fields = input.validate().map_err(AppError::Validation)?;
    let txn = super::begin_write(db).await?;
    let p = find_pipeline(&txn, actor, pipeline_id).await?;
    let count = stage::Entity::find().filter(stage::Column::PipelineId.eq(p.id)).count(&txn).await?;
    if count as usize >= rapport_shared::pipeline::MAX_STAGES {
        return Err(AppError::conflict("a pipeline has at most 30 stages"));
    }
    let row = insert_stage(&txn, actor.org_id, p.id, count as i32, &fields).await?;
    audit::record(&txn, settings(actor, AuditTarget::Stage, row.id).after(stage_json(&row))).await?;
    txn.commit().await?;
    Ok(to_stage(row))
}

/// # Errors
/// `Forbidden`; `NotFound`; `Validation`; database failures.
pub async fn update_stage(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: StagePatch) -> AppResult<Stage> {
    require_admin(actor)?;
    let row = find_stage(db, actor.org_id, id).await?;
    let current = StageFields {
        name: row.name.clone(),
        probability: row.probability,
        rotting_days: row.rotting_days,
        kind: StageKind::parse(&row.kind).unwrap_or(StageKind::Open),
    };
    let next = patch.apply(&current).map_err(AppError::Validation)?;
    let before = stage_json(&row);
    let txn = super::begin_write(db).await?;
    let mut model = row.into_active_model();
    model.name = Set(next.name);
    model.probability = Set(next.probability);
    model.rotting_days = Set(next.rotting_days);
    model.kind = Set(next.kind.as_str().to_owned());
    model.updated_at = Set(now());
    let row = model.update(&txn).await?;
    audit::record(&txn, settings(actor, AuditTarget::Stage, id).change(before, stage_json(&row))).await?;
    txn.commit().await?;
    Ok(to_stage(row))
}

/// Removes a stage that holds no deals.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Conflict` when deals are in it or it is the pipeline's last stage.
pub async fn delete_stage(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<()> {
    require_admin(actor)?;
    let txn = super::begin_write(db).await?;
    let row = find_stage(&txn, actor.org_id, id).await?;
    let holding = deal::Entity::find().filter(deal::Column::StageId.eq(row.id)).count(&txn).await?;
    if holding > 0 {
        return Err(AppError::Conflict {
            message: format!("the stage holds {holding} deal(s); move them to another stage first"),
            details: Some(serde_json::json!({"deals": holding})),
        });
    }
    if stage::Entity::find().filter(stage::Column::PipelineId.eq(row.pipeline_id)).count(&txn).await? <= 1 {
        return Err(AppError::conflict("a pipeline keeps at least one stage"));
    }
    stage::Entity::delete_by_id(row.id).exec(&txn).await?;
    audit::record(&txn, settings(actor, AuditTarget::Stage, row.id).before(stage_json(&row))).await?;
    txn.commit().await?;
    Ok(())
}

/// Puts a pipeline's stages in the given order; every stage must be named once.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Validation` when the ids are not exactly the pipeline's stages.
pub async fn reorder(
    db: &DatabaseConnection,
    actor: &Actor,
    pipeline_id: Uuid,
    input: ReorderStages,
) -> AppResult<Pipeline> {
    require_admin(actor)?;
    let txn = super::begin_write(db).await?;
    let p = find_pipeline(&txn, actor, pipeline_id).await?;
    let stages = stage::Entity::find().filter(stage::Column::PipelineId.eq(p.id)).all(&txn).await?;
    let mut given = input.stage_ids.clone();
    given.sort_unstable();
    given.dedup();
    let mut existing: Vec<Uuid> = stages.iter().map(|s| s.id).collect();
    existing.sort_unstable();
    if given.len() != input.stage_ids.len() || given != existing {
        return Err(AppError::field("stage_ids", FieldError::UnknownValue));
    }
    for (position, id) in input.stage_ids.iter().enumerate() {
        stage::Entity::update_many()
            .col_expr(stage::Column::Position, sea_orm::sea_query::Expr::value(position as i32))
            .filter(stage::Column::Id.eq(*id))
            .exec(&txn)
            .await?;
    }
    let mut before = stages;
    before.sort_by_key(|s| s.position);
    let before = json!({"stage_ids": before.iter().map(|s| s.id).collect::<Vec<_>>()});
    let entry = settings(actor, AuditTarget::Pipeline, p.id).change(before, json!({"stage_ids": input.stage_ids}));
    audit::record(&txn, entry).await?;
    txn.commit().await?;
    one(db, actor, pipeline_id).await
}

/// A stage of the actor's org.
///
/// # Errors
/// `NotFound` otherwise.
pub async fn find_stage(db: &impl ConnectionTrait, org_id: Uuid, id: Uuid) -> AppResult<stage::Model> {
    stage::Entity::find_by_id(id).filter(stage::Column::OrgId.eq(org_id)).one(db).await?.ok_or(AppError::NotFound)
}

/// The stage is still as `read` found it: there, in the same pipeline, of
/// the same kind. A condition for a write that relies on that reading.
pub fn stage_unchanged(read: &stage::Model) -> SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from(stage::Entity)
            .and_where(stage::Column::Id.eq(read.id))
            .and_where(stage::Column::OrgId.eq(read.org_id))
            .and_where(stage::Column::PipelineId.eq(read.pipeline_id))
            .and_where(stage::Column::Kind.eq(read.kind.as_str()))
            .to_owned(),
    )
}

/// The stages of the org among `ids`, in no particular order; unknown ids
/// and other orgs' stages are left out.
///
/// # Errors
/// Database failures.
pub async fn find_stages(db: &impl ConnectionTrait, org_id: Uuid, ids: &[Uuid]) -> AppResult<Vec<stage::Model>> {
    Ok(stage::Entity::find()
        .filter(stage::Column::OrgId.eq(org_id))
        .filter(stage::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// The stages of a pipeline, in order.
///
/// # Errors
/// Database failures.
pub async fn stages_of(db: &impl ConnectionTrait, pipeline_id: Uuid) -> AppResult<Vec<stage::Model>> {
    Ok(stage::Entity::find()
        .filter(stage::Column::PipelineId.eq(pipeline_id))
        .order_by_asc(stage::Column::Position)
        .all(db)
        .await?)
}

/// The org's first pipeline.
///
/// # Errors
/// `Validation` when the org has none; database failures.
pub async fn default_pipeline(db: &impl ConnectionTrait, org_id: Uuid) -> AppResult<pipeline::Model> {
    pipeline::Entity::find()
        .filter(pipeline::Column::OrgId.eq(org_id))
        .order_by_asc(pipeline::Column::Position)
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("pipeline_id", FieldError::Required))
}

/// # Errors
/// `NotFound` when the pipeline is not the actor's org's.
pub async fn find_pipeline(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<pipeline::Model> {
    pipeline::Entity::find_by_id(id)
        .filter(pipeline::Column::OrgId.eq(actor.org_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// The org's reasons for lost deals, in order.
///
/// # Errors
/// Database failures.
pub async fn lost_reasons(db: &impl ConnectionTrait, org_id: Uuid) -> AppResult<Vec<String>> {
    Ok(lost_reason::Entity::find()
        .filter(lost_reason::Column::OrgId.eq(org_id))
        .order_by_asc(lost_reason::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect())
}

pub fn to_stage(row: stage::Model) -> Stage {
    Stage {
        id: row.id,
        pipeline_id: row.pipeline_id,
        name: row.name,
        position: row.position,
        probability: row.probability,
        rotting_days: row.rotting_days,
        kind: StageKind::parse(&row.kind).unwrap_or(StageKind::Open),
    }
}

fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.is_admin() { Ok(()) } else { Err(AppError::Forbidden("only an admin can change pipelines")) }
}

/// A change of the org's pipeline settings, for the audit log.
fn settings(actor: &Actor, target: AuditTarget, id: Uuid) -> Entry {
    Entry::by(actor, AuditAction::SettingsChanged).target(target, id)
}

/// A stage's settings as the audit log shows them.
fn stage_json(row: &stage::Model) -> Value {
    json!({
        "pipeline_id": row.pipeline_id,
        "name": row.name,
        "probability": row.probability,
        "rotting_days": row.rotting_days,
        "kind": row.kind,
    })
}

async fn one(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<Pipeline> {
    list(db, actor).await?.into_iter().find(|p| p.id == id).ok_or(AppError::NotFound)
}

async fn insert_pipeline(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    name: &str,
    position: i32,
    stages: &[StageFields],
) -> AppResult<Uuid> {
    let at = now();
    let p = pipeline::ActiveModel {
        id: Set(new_id()),
        org_id: Set(org_id),
        name: Set(name.to_owned()),
        position: Set(position),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?;
    for (i, fields) in stages.iter().enumerate() {
        insert_stage(db, org_id, p.id, i as i32, fields).await?;
    }
    Ok(p.id)
}

async fn insert_stage(
    db: &impl ConnectionTrait,
    org_id: Uuid,
    pipeline_id: Uuid,
    position: i32,
    f: &StageFields,
) -> AppResult<stage::Model> {
    let at = now();
    Ok(stage::ActiveModel {
        id: Set(new_id()),
        org_id: Set(org_id),
        pipeline_id: Set(pipeline_id),
        name: Set(f.name.clone()),
        position: Set(position),
        probability: Set(f.probability),
        rotting_days: Set(f.rotting_days),
        kind: Set(f.kind.as_str().to_owned()),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await?)
}
