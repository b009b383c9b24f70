//! What every figures bench needs: the databases to run on, a fresh org,
//! percentiles, and the database's plan for a statement.

use rapport_server::db;
use rapport_server::domain::{Actor, setup};
use rapport_shared::auth::SetupRequest;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use std::path::PathBuf;
use std::time::Duration;

/// SQLite in a temp file, and PostgreSQL too when `RAPPORT_BENCH_POSTGRES_URL`
/// is set (a fresh database there); the SQLite file to remove at the end.
pub async fn backends(name: &str) -> anyhow::Result<(Vec<(String, String)>, PathBuf)> {
    let sqlite = std::env::temp_dir().join(format!("{name}_{}.db", uuid::Uuid::now_v7().simple()));
    let mut backends = vec![("SQLite".to_owned(), format!("sqlite://{}?mode=rwc", sqlite.display()))];
    if let Ok(base) = std::env::var("RAPPORT_BENCH_POSTGRES_URL") {
        let admin = sea_orm::Database::connect(&base).await?;
        let db_name = format!("{name}_{}", uuid::Uuid::now_v7().simple());
        admin.execute_unprepared(&format!("CREATE DATABASE {db_name}")).await?;
        let (prefix, _) = base.rsplit_once('/').ok_or_else(|| anyhow::anyhow!("no database in the url"))?;
        backends.push(("PostgreSQL".to_owned(), format!("{prefix}/{db_name}")));
    }
    Ok((backends, sqlite))
}

/// A migrated database with a new org; its admin as the actor.
pub async fn org(url: &str) -> anyhow::Result<(DatabaseConnection, Actor)> {
    let db = db::connect(url).await?;
    db::migrate(&db).await?;
    let setup = SetupRequest {
        org_name: "Bench".into(),
        name: "Bench Admin".into(),
        email: format!("bench-{}@example.com", uuid::Uuid::now_v7().simple()),
        password: "bench-password".into(),
        time_zone: None,
        language: None,
    };
    let admin = setup::create_org(&db, setup.validate().map_err(|e| anyhow::anyhow!("{e:?}"))?).await?;
    let actor = Actor::of(&admin);
    Ok((db, actor))
}

/// The `pct` percentile of `samples` (100 = the maximum), as milliseconds.
pub fn ms(samples: &[Duration], pct: usize) -> String {
    if samples.is_empty() {
        return "-".into();
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let idx = ((sorted.len() * pct) / 100).min(sorted.len() - 1);
    format!("{:.2} ms", sorted[idx].as_secs_f64() * 1000.0)
}

/// The database's plan for `stmt`, one line per step.
pub async fn plan(db: &DatabaseConnection, stmt: Statement) -> anyhow::Result<Vec<String>> {
    let explain = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => format!("EXPLAIN QUERY PLAN {}", stmt.sql),
        _ => format!("EXPLAIN {}", stmt.sql),
    };
    let rows = db.query_all_raw(Statement { sql: explain, ..stmt }).await?;
    Ok(rows
        .iter()
        .map(|row| row.try_get_by_index::<String>(3).or_else(|_| row.try_get_by_index::<String>(0)).unwrap_or_default())
        .collect())
}
