//! `comments-api [serve]` runs the service; `comments-api migrate` applies migrations and exits.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use comments_api::config::Settings;
use comments_api::startup::Application;
use comments_api::store::CommentStore;
use comments_api::telemetry::init_subscriber;

#[derive(Parser)]
#[command(name = "comments-api", version = version(), about = "Post and list comments about an article")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Clone, Copy)]
enum Command {
    /// Serve the API (default). Configure with APP_* environment variables or APP_CONFIG.
    Serve,
    /// Apply pending database migrations and exit (safe to run from several places at once).
    Migrate,
    /// Print the OpenAPI document (JSON) and exit; needs no database.
    Openapi,
}

/// `0.1.0 (abc1234)`: the revision is baked in by the image build (`GIT_REVISION`).
fn version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "{} ({})",
            env!("CARGO_PKG_VERSION"),
            option_env!("GIT_REVISION").unwrap_or("unknown revision")
        )
    });
    &VERSION
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().command.unwrap_or(Command::Serve) {
        Command::Serve => configured(|settings| async { serve(settings).await }).await,
        Command::Migrate => configured(|settings| async { migrate(settings).await }).await,
        Command::Openapi => match comments_api::api::spec_json().await {
            Ok(spec) => {
                println!("{spec}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("comments-api: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Loads the settings and the log subscriber, then runs `command`. A configuration problem exits
/// with 2 (the message names the key), a failure of the command with 1.
async fn configured<F, Fut>(command: F) -> ExitCode
where
    F: FnOnce(Settings) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("comments-api: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    if let Err(err) = init_subscriber(&settings.log, std::io::stdout) {
        eprintln!("comments-api: {err:#}");
        return ExitCode::from(2);
    }
    match command(settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = format!("{err:#}"), "fatal");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    app.run_until_stopped(shutdown_signal()).await
}

async fn migrate(settings: Settings) -> anyhow::Result<()> {
    use anyhow::Context;
    let store = CommentStore::connect(&settings.database)
        .await
        .with_context(|| format!("cannot connect to {}", settings.database.redacted_url()))?;
    store.migrate().await.context("migration failed")?;
    tracing::info!(database = %settings.database.redacted_url(), "migrations applied");
    store.close().await?;
    Ok(())
}

/// Resolves on SIGTERM (what Kubernetes and Docker send) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(err) => {
            tracing::warn!(error = %err, "cannot listen for SIGTERM; only Ctrl-C stops the service");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
