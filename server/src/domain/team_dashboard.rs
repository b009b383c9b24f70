//! The supervision view: for every active person the viewer sees (a
//! manager's team, an admin's org), what they own and how they follow it up.
//! A handful of grouped queries, one per figure, whatever the team's size.

use super::recurrence::local_to_utc;
use super::reminders::{EFFECTIVE_DUE, zone_of};
use super::{Actor, now};
use crate::entity::{activity, customer, deal, org, reminder, user};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Datelike, Duration, Utc};
use rapport_shared::auth::Role;
use rapport_shared::customer::UserRef;
use rapport_shared::pipeline::DealStatus;
use rapport_shared::reminder::ReminderStatus;
use rapport_shared::team::{RepFigures, StageFigures, TeamDashboard};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// Monday 00:00 of the week of `at`, in `tz`.
fn week_start(at: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let local = at.with_timezone(&tz).date_naive();
    let monday = local - Duration::days(i64::from(local.weekday().num_days_from_monday()));
    local_to_utc(monday.and_hms_opt(0, 0, 0).unwrap_or_default(), tz)
}

fn n(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// The dashboard for `actor`.
///
/// # Errors
/// `Forbidden` for reps; database failures.
pub async fn dashboard(db: &DatabaseConnection, actor: &Actor) -> AppResult<TeamDashboard> {
    if actor.role == Role::Rep {
        return Err(AppError::Forbidden("the team dashboard is for managers and admins"));
    }
    let at = now();
    let week_starts_at = week_start(at, zone_of(db, actor.user_id).await?);
    let days = org::Entity::find_by_id(actor.org_id).one(db).await?.map_or(14, |o| o.stale_after_days);
    let people = user::Entity::find()
        .filter(user::Column::OrgId.eq(actor.org_id))
        .filter(user::Column::Active.eq(true))
        .filter(actor.sees_owner(user::Column::Id))
        .order_by_asc(user::Column::Name)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = people.iter().map(|u| u.id).collect();

    let owned = || {
        customer::Entity::find()
            .select_only()
            .column(customer::Column::OwnerId)
            .column_as(Expr::cust("COUNT(*)"), "n")
            .filter(customer::Column::OrgId.eq(actor.org_id))
            .filter(customer::Column::OwnerId.is_in(ids.clone()))
            .filter(customer::Column::ArchivedAt.is_null())
            .filter(customer::Column::PooledAt.is_null())
            .group_by(customer::Column::OwnerId)
    };
    let customers: HashMap<Uuid, i64> = owned().into_tuple::<(Uuid, i64)>().all(db).await?.into_iter().collect();
    let stale: HashMap<Uuid, i64> = owned()
        .filter(customer::Column::LastTouchAt.lt(at - Duration::days(i64::from(days))))
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();

    let written = || {
        activity::Entity::find()
            .filter(activity::Column::OrgId.eq(actor.org_id))
            .filter(activity::Column::AuthorId.is_in(ids.clone()))
            .filter(activity::Column::DeletedAt.is_null())
    };
    let by_kind: Vec<(Uuid, String, i64)> = written()
        .select_only()
        .column(activity::Column::AuthorId)
        .column(activity::Column::Kind)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(activity::Column::OccurredAt.gte(week_starts_at))
        .group_by(activity::Column::AuthorId)
        .group_by(activity::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let last: HashMap<Uuid, Option<DateTime<Utc>>> = written()
        .select_only()
        .column(activity::Column::AuthorId)
        .column_as(activity::Column::OccurredAt.max(), "last")
        .group_by(activity::Column::AuthorId)
        .into_tuple::<(Uuid, Option<DateTime<Utc>>)>()
        .all(db)
        .await?
        .into_iter()
        .collect();

    let open = || {
        reminder::Entity::find()
            .select_only()
            .column(reminder::Column::AssigneeId)
            .column_as(Expr::cust("COUNT(*)"), "n")
            .filter(reminder::Column::OrgId.eq(actor.org_id))
            .filter(reminder::Column::AssigneeId.is_in(ids.clone()))
            .filter(reminder::Column::Status.eq(ReminderStatus::Open.as_str()))
            .group_by(reminder::Column::AssigneeId)
    };
    let reminders: HashMap<Uuid, i64> = open().into_tuple::<(Uuid, i64)>().all(db).await?.into_iter().collect();
    let overdue: HashMap<Uuid, i64> = open()
        .filter(Expr::cust(EFFECTIVE_DUE).lt(at))
        .into_tuple::<(Uuid, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();

    let deals: Vec<(Uuid, Uuid, i64, Option<i64>)> = deal::Entity::find()
        .select_only()
        .column(deal::Column::OwnerId)
        .column(deal::Column::StageId)
        .column_as(Expr::cust("COUNT(*)"), "n")
        .column_as(Expr::cust("CAST(SUM(amount_minor) AS BIGINT)"), "total")
        .filter(deal::Column::OrgId.eq(actor.org_id))
        .filter(deal::Column::OwnerId.is_in(ids.clone()))
        .filter(deal::Column::ArchivedAt.is_null())
        .filter(deal::Column::Status.eq(DealStatus::Open.as_str()))
        .group_by(deal::Column::OwnerId)
        .group_by(deal::Column::StageId)
        .into_tuple()
        .all(db)
        .await?;
    let stage_names: HashMap<Uuid, String> = crate::entity::stage::Entity::find()
        .filter(crate::entity::stage::Column::OrgId.eq(actor.org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();

    let reps = people
        .into_iter()
        .map(|u| {
            let deals_by_stage: Vec<StageFigures> = deals
                .iter()
                .filter(|(owner, ..)| *owner == u.id)
                .map(|(_, stage_id, count, total)| StageFigures {
                    stage_id: *stage_id,
                    stage: stage_names.get(stage_id).cloned().unwrap_or_default(),
                    count: n(*count),
                    amount_minor: total.unwrap_or(0),
                })
                .collect();
            RepFigures {
                open_deal_amount_minor: deals_by_stage.iter().map(|s| s.amount_minor).sum(),
                deals_by_stage,
                customers: n(customers.get(&u.id).copied().unwrap_or(0)),
                not_contacted: n(stale.get(&u.id).copied().unwrap_or(0)),
                activities_this_week: by_kind
                    .iter()
                    .filter(|(author, ..)| *author == u.id)
                    .map(|(_, kind, count)| (kind.clone(), n(*count)))
                    .collect(),
                open_reminders: n(reminders.get(&u.id).copied().unwrap_or(0)),
                overdue_reminders: n(overdue.get(&u.id).copied().unwrap_or(0)),
                last_activity_at: last.get(&u.id).copied().flatten(),
                role: Role::parse(&u.role).unwrap_or(Role::Rep),
                user: UserRef { id: u.id, name: u.name },
            }
        })
        .collect();
    Ok(TeamDashboard { week_starts_at, stale_after_days: u32::try_from(days).unwrap_or(0), reps })
}

#[cfg(test)]
mod tests {
    use super::super::recurrence::zone;
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_week_starts_on_local_monday_midnight() {
        // Wednesday 2026-11-25 01:30 in Shanghai is Tuesday 17:30 UTC.
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 17, 30, 0).single().unwrap_or_default();
        let start = week_start(at, zone("Asia/Shanghai"));
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 11, 22, 16, 0, 0).single().unwrap_or_default());
    }
}
