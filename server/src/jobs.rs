//! Background work of a server process: the scheduler pass every interval,
//! its notifications pushed live, then e-mailed when SMTP is configured. A
//! failed pass or mail step is logged and retried on the next tick; nothing
//! is lost because work is found from the database. On SQLite, the WAL
//! checkpoints.

use crate::db;
use crate::domain::mail::{self, Mailer};
use crate::domain::{now, scheduler};
use crate::live::Hub;
use sea_orm::{DatabaseBackend, DatabaseConnection};
use std::time::Duration;

pub fn spawn_scheduler(db: DatabaseConnection, hub: Hub, every: Duration, mailer: Option<Mailer>) {
    tokio::spawn(async move {
        let closed = hub.closed();
        tokio::pin!(closed);
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // Biased: once the server is closing, a tick that is due too
            // must not start a pass on a pool about to close.
            tokio::select! {
                biased;
                () = &mut closed => return,
                _ = tick.tick() => {}
            }
            match scheduler::run_pass(&db, now()).await {
                Ok(report) => {
                    if report.due + report.overdue + report.digests > 0 {
                        tracing::info!(
                            due = report.due,
                            overdue = report.overdue,
                            digests = report.digests,
                            "scheduler pass"
                        );
                    }
                    hub.publish(report.pushed).await;
                }
                Err(e) => tracing::warn!(error = %e, "scheduler pass failed; retrying next tick"),
            }
            if let Some(mailer) = &mailer {
                match mail::send_pending(&db, mailer, now()).await {
                    Ok(report) if report.sent + report.failed > 0 => {
                        tracing::info!(sent = report.sent, failed = report.failed, "mail step");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "mail step failed; retrying next tick"),
                }
            }
        }
    });
}

/// On SQLite, checkpoints the WAL every [`db::CHECKPOINT_EVERY`] from this
/// task, so that no write waits for it (see `db::connect`).
pub fn spawn_checkpointer(db: DatabaseConnection, hub: Hub) {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return;
    }
    tokio::spawn(async move {
        let closed = hub.closed();
        tokio::pin!(closed);
        let mut tick = tokio::time::interval(db::CHECKPOINT_EVERY);
        let mut failing = false;
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // Biased: once the server is closing, a tick that is due too
            // must not start a pass on a pool about to close.
            tokio::select! {
                biased;
                () = &mut closed => return,
                _ = tick.tick() => {}
            }
            // Said once when checkpoints start failing (a full disk, a
            // read-only file) and once when they work again, not every tick.
            let result = db::checkpoint(&db).await;
            match (&result, failing) {
                (Err(e), false) => tracing::warn!(error = %e, "WAL checkpoints failing; retrying every tick"),
                (Ok(()), true) => tracing::info!("WAL checkpoints work again"),
                _ => {}
            }
            failing = result.is_err();
        }
    });
}
