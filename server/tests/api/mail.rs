//! Notification e-mails, delivered to a real SMTP server: each test starts
//! its own `aiosmtpd` (PyPI) writing to a temporary Maildir.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use chrono::{DateTime, Duration, Utc};
use rapport_server::config::DEFAULT_MAIL_FROM;
use rapport_server::domain::mail::{self, MailReport, Mailer};
use rapport_server::domain::scheduler;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use uuid::Uuid;

const INSTALL_HINT: &str = "the mail tests need aiosmtpd (an SMTP server from PyPI) for `python3`: \
    run `.ci/ensure-tools.sh` or `python3 -m pip install --user aiosmtpd` \
    (add `--break-system-packages` on Debian's own Python)";

/// An `aiosmtpd` process storing every message it accepts; killed on drop.
struct SmtpSink {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

/// One stored message: its headers (unfolded) and body.
struct Mail {
    headers: Vec<(String, String)>,
    body: String,
}

impl Mail {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn parse(raw: &str) -> Self {
        let raw = raw.replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").unwrap_or((raw.as_str(), ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = headers.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        Self { headers, body: body.to_owned() }
    }
}

impl SmtpSink {
    async fn start() -> Self {
        let found = Command::new("python3").args(["-c", "import aiosmtpd"]).stderr(Stdio::null()).status();
        assert!(found.is_ok_and(|s| s.success()), "{INSTALL_HINT}");
        let port = free_port();
        let maildir = std::env::temp_dir().join(format!("rapport-mail-{}", Uuid::now_v7().simple()));
        let mut child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect(INSTALL_HINT);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                let mut stderr = String::new();
                child.stderr.take().map(|mut e| e.read_to_string(&mut stderr));
                panic!("aiosmtpd exited ({status}) before listening: {stderr}");
            }
            assert!(std::time::Instant::now() < deadline, "aiosmtpd did not listen on port {port} within 15 s");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Self { child, port, maildir }
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message delivered so far (Maildir `new/`), oldest first.
    fn messages(&self) -> Vec<Mail> {
        let Ok(dir) = std::fs::read_dir(self.maildir.join("new")) else { return Vec::new() };
        let mut files: Vec<_> = dir.map(|e| e.unwrap().path()).collect();
        files.sort();
        files.iter().map(|f| Mail::parse(&std::fs::read_to_string(f).unwrap())).collect()
    }

    /// Polls until `count` messages arrived.
    async fn wait_for(&self, count: usize) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(tokio::time::Instant::now() < deadline, "{count} message(s) not delivered within 10 s");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// A port nothing listens on (right after this returns).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

async fn create_reminder(app: &TestApp, token: &str, body: Value) {
    let res = app.post("/api/v1/reminders", token, body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn a_due_reminder_is_emailed_to_its_assignee_exactly_once() {
    let sink = SmtpSink::start().await;
    let app = spawn_app().await;
    let mailer = Mailer::new(&sink.url(), "Rapport <rapport@example.com>").unwrap();
    let admin = app.setup_admin().await;
    let customer = app.customer(&admin, json!({"kind": "company", "name": "Acme"})).await;
    let due = at("2030-06-10T09:00:00Z");
    create_reminder(&app, &admin.token, json!({"title": "Send offer", "due": due, "customer_id": customer["id"]}))
        .await;

    assert_eq!(scheduler::run_pass(&app.db, due).await.unwrap().due, 1);
    let report = mail::send_pending(&app.db, &mailer, due).await.unwrap();

    assert_eq!(report, MailReport { sent: 1, failed: 0 });
    let inbox = sink.messages();
    assert_eq!(inbox.len(), 1);
    let mail = &inbox[0];
    assert_eq!(mail.header("Subject"), Some("Send offer"));
    let to = mail.header("To").unwrap();
    assert!(to.contains("Ada Admin") && to.contains(&admin.email), "{to}");
    assert_eq!(mail.header("X-RcptTo"), Some(admin.email.as_str()), "the envelope goes to the assignee");
    assert!(mail.header("From").unwrap().contains("rapport@example.com"));
    assert!(mail.header("Date").is_some());
    assert!(mail.body.contains("Acme"), "{}", mail.body);

    // Exactly once: later passes and mail steps send nothing more.
    let later = due + Duration::seconds(5);
    scheduler::run_pass(&app.db, later).await.unwrap();
    assert_eq!(mail::send_pending(&app.db, &mailer, later).await.unwrap(), MailReport::default());
    assert_eq!(sink.messages().len(), 1);

    // Older than a day when the mail step first sees it (an outage): never mailed.
    let overdue_at = at("2030-06-12T00:00:00Z");
    assert_eq!(scheduler::run_pass(&app.db, overdue_at).await.unwrap().overdue, 1);
    let after_outage = overdue_at + mail::MAX_AGE + Duration::seconds(1);
    assert_eq!(mail::send_pending(&app.db, &mailer, after_outage).await.unwrap(), MailReport::default());
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn a_failed_send_is_kept_and_sent_by_a_later_pass() {
    let sink = SmtpSink::start().await;
    let app = spawn_app().await;
    let admin = app.setup_admin().await;
    let due = at("2030-06-10T09:00:00Z");
    create_reminder(&app, &admin.token, json!({"title": "Call Beta", "due": due})).await;
    scheduler::run_pass(&app.db, due).await.unwrap();

    // Nothing listens there: the send fails and the notification stays unsent.
    let unreachable = Mailer::new(&format!("smtp://127.0.0.1:{}", free_port()), DEFAULT_MAIL_FROM).unwrap();
    assert_eq!(mail::send_pending(&app.db, &unreachable, due).await.unwrap(), MailReport { sent: 0, failed: 1 });

    let mailer = Mailer::new(&sink.url(), DEFAULT_MAIL_FROM).unwrap();
    let too_soon = due + Duration::minutes(1);
    assert_eq!(mail::send_pending(&app.db, &mailer, too_soon).await.unwrap(), MailReport::default(), "backing off");
    let retry = due + mail::RETRY_AFTER;
    assert_eq!(mail::send_pending(&app.db, &mailer, retry).await.unwrap(), MailReport { sent: 1, failed: 0 });
    let inbox = sink.messages();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].header("Subject"), Some("Call Beta"));
}

#[tokio::test]
async fn with_smtp_configured_the_running_scheduler_emails_due_reminders() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(|s| {
        s.scheduler_interval_ms = 100;
        s.smtp_url = Some(sink.url().into());
        s.mail_from = "Rapport Alerts <alerts@example.com>".into();
    })
    .await;
    let admin = app.setup_admin().await;

    create_reminder(&app, &admin.token, json!({"title": "Ring Acme", "due": Utc::now()})).await;

    let inbox = sink.wait_for(1).await;
    assert_eq!(inbox[0].header("Subject"), Some("Ring Acme"));
    assert_eq!(inbox[0].header("X-RcptTo"), Some(admin.email.as_str()));
    assert!(inbox[0].header("From").unwrap().contains("alerts@example.com"));
}

#[tokio::test]
async fn two_processes_mail_each_notification_once() {
    let app = spawn_app().await;
    if app.database_url.starts_with("sqlite") {
        // SQLite serves one process (documented); the race is PostgreSQL's.
        return;
    }
    let sink = SmtpSink::start().await;
    let admin = app.setup_admin().await;
    let due = at("2030-01-01T09:00:00Z");
    for i in 0..30 {
        create_reminder(&app, &admin.token, json!({"title": format!("R{i}"), "due": due})).await;
    }
    assert_eq!(scheduler::run_pass(&app.db, due).await.unwrap().due, 30);
    // A second connection pool and mailer stand for a second server process.
    let other = rapport_server::db::connect(&app.database_url).await.unwrap();
    let (ours, theirs) =
        (Mailer::new(&sink.url(), DEFAULT_MAIL_FROM).unwrap(), Mailer::new(&sink.url(), DEFAULT_MAIL_FROM).unwrap());

    let mut sent = 0;
    loop {
        let (a, b) = tokio::join!(mail::send_pending(&app.db, &ours, due), mail::send_pending(&other, &theirs, due));
        let step = a.unwrap().sent + b.unwrap().sent;
        if step == 0 {
            break;
        }
        sent += step;
    }

    assert_eq!(sent, 30);
    let inbox = sink.messages();
    assert_eq!(inbox.len(), 30);
    let mut ids: Vec<&str> = inbox.iter().map(|m| m.header("Message-ID").unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 30, "each notification mailed once");
}
