//! Configuration from flags and environment variables (flags win).
//!
//! There is no default signing secret: without `RAPPORT_JWT_SECRET` one is
//! generated on first start and kept in the database, so every server process
//! on that database shares it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/rapport.db?mode=rwc";
/// Sender of notification e-mails when `RAPPORT_MAIL_FROM` is unset.
pub const DEFAULT_MAIL_FROM: &str = "Rapport <no-reply@localhost>";

#[derive(Debug, Parser)]
#[command(name = "rapport", version, about = "Rapport: customer follow-up for sales and service teams")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Database to use: `sqlite://path?mode=rwc` or `postgres://user:pass@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,
    /// `text` (human-readable) or `json` (one object per line).
    #[arg(long, env = "RAPPORT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an organisation and its first admin.
    CreateAdmin {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, env = "RAPPORT_ADMIN_PASSWORD")]
        password: String,
        #[arg(long, default_value = "Admin")]
        name: String,
    },
    /// Create a realistic demo organisation (users of each role, ~200 customers),
    /// or with `--scale` a generated one of benchmark size.
    DemoData {
        /// Password of every demo user.
        #[arg(long, default_value = "rapport-demo")]
        password: String,
        /// Instead of the small demo, an organisation of this size for load
        /// tests (`large`: 1M customers, 10M timeline events, 200 users).
        #[arg(long, value_enum)]
        scale: Option<crate::domain::scale_data::Scale>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on. Wins over Leptos' own site address settings.
    #[arg(long, env = "RAPPORT_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Folder with the built web assets (`pkg/`); found next to the binary when unset.
    #[arg(long, env = "LEPTOS_SITE_ROOT")]
    pub site_root: Option<PathBuf>,
    /// HMAC key for access tokens (at least 32 bytes); generated and stored in the database when unset.
    #[arg(long, env = "RAPPORT_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<SecretString>,
    /// Mark cookies `Secure` (set when served over HTTPS).
    #[arg(long, env = "RAPPORT_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
    /// Failed logins allowed per account within 15 minutes.
    #[arg(long, env = "RAPPORT_LOGIN_MAX_FAILURES_PER_ACCOUNT", default_value_t = 5)]
    pub login_max_failures_per_account: u32,
    /// Failed logins allowed per client address within 15 minutes.
    #[arg(long, env = "RAPPORT_LOGIN_MAX_FAILURES_PER_ADDRESS", default_value_t = 20)]
    pub login_max_failures_per_address: u32,
    /// Authenticated requests allowed per minute for each user's sessions and
    /// for each API key (a burst of that many, then an even rate); 0 turns
    /// the limit off.
    #[arg(long, env = "RAPPORT_RATE_LIMIT_PER_MINUTE", default_value_t = 600)]
    pub rate_limit_per_minute: u32,
    /// Seconds that in-flight requests get to finish on shutdown.
    #[arg(long, env = "RAPPORT_SHUTDOWN_TIMEOUT", default_value_t = 10)]
    pub shutdown_timeout_secs: u64,

    /// Milliseconds between scheduler passes (due reminders, digests); 0 turns
    /// the scheduler off in this process.
    #[arg(long, env = "RAPPORT_SCHEDULER_INTERVAL_MS", default_value_t = 1000)]
    pub scheduler_interval_ms: u64,

    /// Milliseconds a session found live is believed without asking the
    /// database again; a sign-out or deactivation on this server, or (on
    /// PostgreSQL) on any server, takes effect at once regardless. 0 asks on
    /// every request.
    #[arg(long, env = "RAPPORT_SESSION_CACHE_MS", default_value_t = 1000)]
    pub session_cache_ms: u64,

    /// SMTP server for notification e-mails: `smtp://host:25` (plain),
    /// `smtp://user:pass@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host` (TLS); a path sets the EHLO name
    /// (`smtp://host/mail.example.com`). Unset: no e-mail is sent.
    #[arg(long, env = "RAPPORT_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<SecretString>,
    /// `From` of notification e-mails, `Name <address>` or a bare address.
    #[arg(long, env = "RAPPORT_MAIL_FROM", default_value = DEFAULT_MAIL_FROM)]
    pub mail_from: String,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            site_root: None,
            jwt_secret: None,
            secure_cookies: false,
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 20,
            rate_limit_per_minute: 600,
            shutdown_timeout_secs: 10,
            scheduler_interval_ms: 1000,
            session_cache_ms: 1000,
            smtp_url: None,
            mail_from: DEFAULT_MAIL_FROM.to_owned(),
        }
    }
}

impl ServeArgs {
    /// The serve settings from the environment alone (for `rapport` without a subcommand).
    pub fn from_env() -> Self {
        #[derive(Parser)]
        struct EnvOnly {
            #[command(flatten)]
            serve: ServeArgs,
        }
        EnvOnly::parse_from(["rapport"]).serve
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Everything the running server needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub serve: ServeArgs,
}

impl Config {
    /// The site root given, else `target/site` under the working directory,
    /// else the `site` folder beside the binary's build folder (`target/debug/../site`).
    pub fn site_root(&self) -> PathBuf {
        if let Some(root) = &self.serve.site_root {
            return root.clone();
        }
        let local = PathBuf::from("target/site");
        if local.join("pkg").is_dir() {
            return local;
        }
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().and_then(|dir| dir.parent()).map(|target| target.join("site")))
            .filter(|p| p.join("pkg").is_dir())
            .unwrap_or(local)
    }
}
