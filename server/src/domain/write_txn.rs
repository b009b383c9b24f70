//! Write transactions, and the queue SQLite writers of one process wait in.
//!
//! SQLite has one writer at a time. A writer that finds the lock taken waits
//! in SQLite's busy handler, which sleeps 1, 2, 5 … up to 100 ms between
//! tries: under concurrent writes most of the time went to sleeping, and a
//! write's p99 was over 100 ms. So writers of this process first take a turn
//! from an in-memory FIFO queue per database file, which wakes the next one
//! the moment the last commits; only writers of other processes still meet
//! the busy handler. PostgreSQL locks rows, not the database: no queue there.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{Mutex as Queue, OwnedMutexGuard};

/// How long a writer waits for its turn before it goes on to SQLite's own
/// busy handler (which has the same timeout): a turn never blocks forever.
const TURN_TIMEOUT: Duration = Duration::from_secs(5);

/// One queue per SQLite file: every pool on the same file shares it.
static QUEUES: LazyLock<Mutex<HashMap<PathBuf, Arc<Queue<()>>>>> = LazyLock::new(Mutex::default);

fn queue_of(db: &DatabaseConnection) -> Option<Arc<Queue<()>>> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let options = db.get_sqlite_connection_pool().connect_options();
    let file = options.get_filename();
    let mut queues = QUEUES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(queue) = queues.get(file) {
        return Some(queue.clone());
    }
    Some(queues.entry(file.to_path_buf()).or_default().clone())
}

/// A transaction that writes, holding this process's turn on SQLite until it
/// has committed or rolled back.
pub struct WriteTxn {
    /// `None` once committed, or once `drop` has taken it to roll back.
    txn: Option<DatabaseTransaction>,
    turn: Option<OwnedMutexGuard<()>>,
    backend: DbBackend,
}

impl WriteTxn {
    /// # Errors
    /// Database failures.
    pub async fn commit(mut self) -> Result<(), DbErr> {
        self.txn.take().ok_or_else(ended)?.commit().await
    }

    fn txn(&self) -> Result<&DatabaseTransaction, DbErr> {
        self.txn.as_ref().ok_or_else(ended)
    }
}

fn ended() -> DbErr {
    DbErr::Custom("the write transaction has ended".into())
}

/// A writer that returns early (an error, a refused check) drops its
/// transaction. Dropped as it is, its rollback would only be queued on the
/// pooled connection, and the next SQLite writer would find the lock still
/// taken and sleep in the busy handler (or fail, without a busy timeout). So
/// on SQLite the rollback runs first and the turn passes on after it.
/// PostgreSQL has no turn and locks rows, not the database: there the
/// transaction is dropped as it is.
impl Drop for WriteTxn {
    fn drop(&mut self) {
        let Some(turn) = self.turn.take() else { return };
        let Some(txn) = self.txn.take() else { return };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = txn.rollback().await {
                    tracing::warn!(error = %e, "rolling back a dropped write transaction");
                }
                drop(turn);
            });
        }
    }
}

/// Begins a transaction that writes. On SQLite it waits for this process's
/// turn, then takes the write lock at once (`BEGIN IMMEDIATE`): a
/// transaction that reads first and writes later would otherwise fail with
/// `SQLITE_BUSY` — without waiting for the busy timeout — whenever another
/// writer committed in between. PostgreSQL ignores the mode.
///
/// # Errors
/// Database failures (on SQLite, also a lock not granted within the busy timeout).
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    let turn = match queue_of(db) {
        Some(queue) => tokio::time::timeout(TURN_TIMEOUT, queue.lock_owned()).await.ok(),
        None => None,
    };
    let options =
        TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    let txn = db.begin_with_options(options).await?;
    Ok(WriteTxn { txn: Some(txn), turn, backend: db.get_database_backend() })
}

#[sea_orm::prelude::async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.backend
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn()?.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn()?.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn()?.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn()?.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.backend.support_returning()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::db::TestFile;

    async fn sqlite(name: &str) -> (TestFile, DatabaseConnection) {
        let file = TestFile::new(&format!("write-txn-{name}"));
        let db = crate::db::connect(&file.url()).await.unwrap();
        (file, db)
    }

    #[tokio::test]
    async fn a_dropped_writer_has_rolled_back_before_the_next_begins() {
        // No busy timeout: a writer that begins while the lock is still held
        // by a dropped, not yet rolled back transaction fails at once.
        let file = TestFile::new("write-txn-drop");
        let mut options = sea_orm::ConnectOptions::new(file.url());
        options.max_connections(4).map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal).busy_timeout(Duration::ZERO)
        });
        let db = sea_orm::Database::connect(options).await.unwrap();
        db.execute_unprepared("CREATE TABLE t (n INTEGER NOT NULL)").await.unwrap();
        for n in 0..50 {
            let failed = begin_write(&db).await.unwrap();
            failed.execute_unprepared(&format!("INSERT INTO t VALUES ({n})")).await.unwrap();
            drop(failed);
            let next = begin_write(&db).await.unwrap();
            next.execute_unprepared("INSERT INTO t VALUES (-1)").await.unwrap();
            next.commit().await.unwrap();
        }
        let rows = db.query_all_raw(Statement::from_string(DbBackend::Sqlite, "SELECT n FROM t")).await.unwrap();
        assert_eq!(rows.len(), 50, "only the committed writers' rows");
    }

    #[tokio::test]
    async fn pools_on_one_file_share_a_queue_and_other_files_do_not() {
        let (_a_file, a) = sqlite("a").await;
        let url =
            format!("sqlite://{}?mode=rwc", a.get_sqlite_connection_pool().connect_options().get_filename().display());
        let a_again = crate::db::connect(&url).await.unwrap();
        let (_b_file, b) = sqlite("b").await;
        let (qa, qa2, qb) = (queue_of(&a).unwrap(), queue_of(&a_again).unwrap(), queue_of(&b).unwrap());
        assert!(Arc::ptr_eq(&qa, &qa2));
        assert!(!Arc::ptr_eq(&qa, &qb));
    }

    #[tokio::test]
    async fn concurrent_writers_take_turns_and_all_commit() {
        let (_file, db) = sqlite("turns").await;
        db.execute_unprepared("CREATE TABLE t (n INTEGER NOT NULL)").await.unwrap();
        let writers = (0..32).map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                let txn = begin_write(&db).await?;
                // Read, then write: without the turn this would hit the busy handler.
                txn.execute_unprepared("SELECT count(*) FROM t").await?;
                txn.execute_unprepared(&format!("INSERT INTO t (n) VALUES ({n})")).await?;
                txn.commit().await
            })
        });
        for writer in writers.collect::<Vec<_>>() {
            writer.await.unwrap().unwrap();
        }
        let row = db.query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT count(*) AS c FROM t")).await;
        let count: i64 = row.unwrap().unwrap().try_get("", "c").unwrap();
        assert_eq!(count, 32);
    }
}
