//! `comments-api [serve]` runs the service; `comments-api migrate` applies migrations and exits;
//! `comments-api smoke <url>` checks a running service (the deploy's PostSync hook).

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

#[derive(Subcommand, Clone)]
enum Command {
    /// Serve the API (default). Configure with APP_* environment variables or APP_CONFIG.
    Serve,
    /// Apply pending database migrations and exit (safe to run from several places at once).
    Migrate,
    /// Print the OpenAPI document (JSON) and exit; needs no database.
    Openapi,
    /// Check a running service end to end (post, list, duplicate, 404, /readyz); exit 1 on the first
    /// wrong answer. Writes under its own content ids (>= 9e18) as smoke-check@comments-platform.invalid.
    Smoke {
        /// Public URL of the service, e.g. http://comments-api:8080
        url: String,
        /// Admin URL for /readyz (default: the same host on port 9090)
        #[arg(long)]
        admin_url: Option<String>,
        /// Timeout of each request, in seconds
        #[arg(long, default_value_t = 10)]
        timeout_secs: u64,
    },
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
        Command::Smoke {
            url,
            admin_url,
            timeout_secs,
        } => smoke(&url, admin_url.as_deref(), timeout_secs).await,
        Command::Serve => configured(|settings| async { serve(settings).await }).await,
        Command::Migrate => configured(|settings| async { migrate(settings).await }).await,
        Command::Openapi => {
            println!("{}", comments_api::api::spec_json());
            ExitCode::SUCCESS
        }
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

async fn smoke(url: &str, admin_url: Option<&str>, timeout_secs: u64) -> ExitCode {
    use comments_api::smoke;
    let timeout = std::time::Duration::from_secs(timeout_secs);
    let result = match smoke::Target::new(url, admin_url, timeout) {
        Ok(target) => smoke::run(&target, smoke::run_content_id(), version()).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(report) => {
            for line in &report.lines {
                println!("smoke: ok {line}");
            }
            println!("smoke: passed against {url}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("smoke: FAILED {err}");
            ExitCode::FAILURE
        }
    }
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
