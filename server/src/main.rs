//! `rapport`: serve (default), migrate, create-admin, demo-data.

use clap::Parser;
use rapport_server::config::{Cli, Command, Config, ServeArgs};
use rapport_server::domain::{demo, scale_data, setup};
use rapport_server::{Application, db, shutdown_signal, telemetry};
use rapport_shared::auth::SetupRequest;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let database_url = cli.database_url.clone();
    match cli.command.unwrap_or(Command::Serve(ServeArgs::from_env())) {
        Command::Serve(serve) => {
            let config = Config { database_url, serve };
            let app = Application::build(config).await?;
            tracing::info!(port = app.port(), "Rapport is listening");
            app.run_until(shutdown_signal()).await
        }
        Command::Migrate => {
            let conn = db::connect(&database_url).await?;
            db::migrate(&conn).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateAdmin { org, email, password, name } => {
            let conn = db::connect(&database_url).await?;
            db::migrate(&conn).await?;
            let request = SetupRequest { org_name: org, name, email, password, time_zone: None, language: None };
            let valid = request.validate().map_err(|e| anyhow::anyhow!("invalid input: {:?}", e.messages()))?;
            let admin = setup::create_org(&conn, valid).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created admin {} in org {}", admin.email, admin.org_id);
            Ok(())
        }
        Command::DemoData { password, scale: Some(scale) } => {
            let conn = db::connect(&database_url).await?;
            db::migrate(&conn).await?;
            let r = scale_data::create(&conn, scale, &password).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "generated '{}' in {:.1} s: {} customers, {} timeline events, {} activities, {} users, {} deals, {} reminders ({:.0} rows/s)",
                scale_data::SCALE_ORG,
                r.seconds,
                r.customers,
                r.events,
                r.activities,
                r.users,
                r.deals,
                r.reminders,
                r.rows() as f64 / r.seconds.max(0.001),
            );
            println!(
                "sign in as admin@{} (or manager1@, rep1@ …) with password '{password}'",
                scale_data::SCALE_DOMAIN
            );
            Ok(())
        }
        Command::DemoData { password, scale: None } => {
            let conn = db::connect(&database_url).await?;
            db::migrate(&conn).await?;
            let count = demo::create(&conn, &password).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("demo organisation '{}' created with {count} customers", demo::DEMO_ORG);
            println!("sign in as admin@{} (or manager.east@, rep.li@ …) with password '{password}'", demo::DEMO_DOMAIN);
            Ok(())
        }
    }
}
