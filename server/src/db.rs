//! Database connection: SQLite (embedded default) or PostgreSQL, chosen by URL.

use rapport_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use std::time::Duration;

/// Connects, prepares SQLite for concurrent use, and applies pending migrations.
///
/// # Errors
/// When the database cannot be reached or a migration fails.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        ensure_sqlite_dir(url)?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(if sqlite { 8 } else { 16 })
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    if sqlite {
        // A ping before each use guards against connections a server
        // dropped; a SQLite connection is a file handle, and the ping a
        // round trip to its thread on every request.
        options.test_before_acquire(false);
        // Every pooled connection gets these; PRAGMAs are per connection.
        //
        // Durability: in WAL mode `synchronous=NORMAL` makes a commit an
        // append to the WAL in the OS's page cache, fsynced at checkpoints.
        // A crash of this process (`kill -9`, a panic, the OOM killer) loses
        // no acknowledged write, because the kernel still writes that cache
        // out; the durability tests kill the server mid-write to hold us to
        // that. Only an OS crash or power loss can lose the last commits
        // before a checkpoint, and never corrupts the file. `FULL` would
        // close that window at the price of an fsync per commit; a CRM can
        // redo a few seconds of notes more cheaply than every write can wait
        // for the disk, and PostgreSQL is the choice where it cannot.
        //
        // Checkpoints: SQLite copies the WAL into the database file (two
        // fsyncs) when the WAL reaches `wal_autocheckpoint` pages, inside
        // the commit that crossed the line, so one write in a few dozen
        // waited 15–25 ms for it and every write queued behind it. A server
        // checkpoints from a task of its own instead ([`checkpoint`], every
        // [`CHECKPOINT_EVERY`]); the higher threshold only backs that up, and
        // is what commands (demo data, generation) run with.
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
        });
    } else {
        // A PostgreSQL connection can be dropped by the server while it
        // sits in the pool (a restart, an idle timeout), so one that has
        // waited is pinged before use. Under load a connection is back in
        // use within milliseconds, and pinging each time was a third round
        // trip per query, besides the query and the check sqlx makes when
        // a connection is returned.
        options.test_before_acquire_if_idle_for(Duration::from_secs(1));
    }
    let db = Database::connect(options).await?;
    Ok(db)
}

/// Applies pending migrations, then the data upgrades that need domain
/// code (once each).
///
/// # Errors
/// When a migration fails.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    // Asked without DDL first: `up` always creates its bookkeeping table
    // "if not exists", which a read-only database refuses even when nothing
    // is pending, and such a database can still be served for reading.
    if !Migrator::get_pending_migrations_read_only(db).await?.is_empty() {
        Migrator::up(db, None).await?;
    }
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        // Planner statistics: without them SQLite walks the org's whole name
        // index for a search instead of starting from the search index.
        // This form only analyses what lacks statistics or changed a lot;
        // a read-only database keeps the statistics it has.
        if let Err(e) = db.execute_unprepared("PRAGMA optimize=0x10002").await {
            tracing::warn!(error = %e, "could not refresh SQLite planner statistics");
        }
    }
    crate::domain::reminders::adopt_follow_ups(db).await.map_err(|e| anyhow::anyhow!("adopting follow-ups: {e}"))?;
    crate::domain::duplicates::adopt_keys(db).await.map_err(|e| anyhow::anyhow!("adopting customer keys: {e}"))?;
    Ok(())
}

/// The WAL size (4 KiB pages, so 40 MB) at which a commit checkpoints by itself.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 10_000;

/// How often a server copies new WAL pages into the SQLite database file.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// SQLite: copies what the WAL holds into the database file as far as
/// readers allow, without waiting for readers or the writer, which carry on
/// meanwhile. Does nothing (no fsync) when nothing new was written.
///
/// # Errors
/// Database failures (PostgreSQL has no such statement).
pub async fn checkpoint(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    db.execute_unprepared("PRAGMA wal_checkpoint(PASSIVE)").await.map(|_| ())
}

/// True when the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

fn ensure_sqlite_dir(url: &str) -> anyhow::Result<()> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}

/// A SQLite file for one unit test, removed with its WAL when dropped, so
/// test runs leave nothing behind in the temp directory.
#[cfg(test)]
pub(crate) struct TestFile(std::path::PathBuf);

#[cfg(test)]
impl TestFile {
    pub(crate) fn new(name: &str) -> Self {
        Self(std::env::temp_dir().join(format!("rapport-{name}-{}.db", uuid::Uuid::now_v7().simple())))
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.0
    }

    pub(crate) fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.display())
    }
}

#[cfg(test)]
impl Drop for TestFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sea_orm::{FromQueryResult, Statement};

    #[derive(FromQueryResult)]
    struct WalState {
        busy: i64,
        log: i64,
        checkpointed: i64,
    }

    /// The WAL frames written and those copied into the database file; a
    /// passive checkpoint itself, so the second of two calls shows what the
    /// first left.
    async fn wal_state(db: &DatabaseConnection) -> WalState {
        let sql = "PRAGMA wal_checkpoint(PASSIVE)";
        WalState::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
            .one(db)
            .await
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn commits_leave_checkpoints_to_the_server_and_a_checkpoint_copies_the_whole_wal() {
        let file = TestFile::new("checkpoint");
        let db = connect(&file.url()).await.unwrap();
        let threshold =
            db.query_one_raw(Statement::from_string(db.get_database_backend(), "PRAGMA wal_autocheckpoint"));
        let threshold: i64 = threshold.await.unwrap().unwrap().try_get_by_index(0).unwrap();
        assert_eq!(threshold, i64::from(WAL_AUTOCHECKPOINT_PAGES));

        // Past SQLite's default threshold of 1,000 pages: at least one
        // frame per commit, and none of the commits checkpointed (which
        // would have started the WAL over, from its first frame).
        let commits = 1_100;
        db.execute_unprepared("CREATE TABLE notes (body TEXT)").await.unwrap();
        for i in 0..commits {
            db.execute_unprepared(&format!("INSERT INTO notes VALUES ('note {i}')")).await.unwrap();
        }
        let wal = std::fs::metadata(format!("{}-wal", file.path().display())).unwrap().len();
        assert!(wal >= commits * (4096 + 24), "the WAL holds every commit: {wal} bytes");

        checkpoint(&db).await.unwrap();
        let after = wal_state(&db).await;
        assert_eq!(after.busy, 0);
        assert!(after.log >= 1_100, "{} frames", after.log);
        assert_eq!(after.checkpointed, after.log, "the checkpoint copied every frame");

        db.close().await.unwrap();
    }
}
