//! Wiring: `Application::build` connects the database and binds both listeners (port 0 works,
//! tests read the chosen ports back); `run_until_stopped` serves until the shutdown signal and
//! then drains.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use tokio_util::sync::CancellationToken;

use crate::admin::{Draining, admin_endpoint};
use crate::api::public_endpoint;
use crate::config::Settings;
use crate::http_server::{self, ConnectionLimits};
use crate::metrics::Metrics;
use crate::store::CommentStore;

/// How long the pool may take to close after the listeners stopped.
const POOL_CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

pub struct Application {
    settings: Settings,
    store: CommentStore,
    metrics: Arc<Metrics>,
    draining: Arc<Draining>,
    public: tokio::net::TcpListener,
    admin: TcpAcceptor,
    public_addr: SocketAddr,
    admin_addr: SocketAddr,
}

impl Application {
    /// Connects (and migrates when configured), then binds the public and admin listeners.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = CommentStore::connect(&settings.database)
            .await
            .with_context(|| {
                format!(
                    "cannot connect to the database at {}",
                    settings.database.redacted_url()
                )
            })?;
        if settings.database.migrate_on_start {
            store.migrate().await.context("cannot apply migrations")?;
        }
        let host = settings.server.host;
        let public_at = SocketAddr::new(host, settings.server.port);
        let public = tokio::net::TcpListener::bind(public_at)
            .await
            .with_context(|| format!("cannot listen on {public_at}"))?;
        let admin = bind(SocketAddr::new(host, settings.server.admin_port)).await?;
        let public_addr = public.local_addr().context("public listener address")?;
        let admin_addr = local_addr(&admin)?;
        Ok(Self {
            settings,
            store,
            metrics: Arc::new(Metrics::new()),
            draining: Arc::new(Draining::default()),
            public,
            admin,
            public_addr,
            admin_addr,
        })
    }

    pub fn public_addr(&self) -> SocketAddr {
        self.public_addr
    }

    pub fn admin_addr(&self) -> SocketAddr {
        self.admin_addr
    }

    pub fn store(&self) -> &CommentStore {
        &self.store
    }

    /// Serves until `shutdown` resolves, then: readiness turns false and every answer carries
    /// `Connection: close`, new connections are still accepted for `shutdown_delay`, the public
    /// listener closes, idle connections close between requests and in-flight requests get
    /// `shutdown_grace` to finish; then the admin listener stops and the pool closes.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let server = &self.settings.server;
        tracing::info!(
            public = %self.public_addr,
            admin = %self.admin_addr,
            database = %self.settings.database.redacted_url(),
            version = env!("CARGO_PKG_VERSION"),
            "listening"
        );
        let public_stop = CancellationToken::new();
        let admin_stop = CancellationToken::new();
        let public = http_server::serve(
            self.public,
            public_endpoint(self.store.clone(), self.metrics.clone(), server.clone()),
            ConnectionLimits::from(server),
            self.metrics.clone(),
            self.draining.clone(),
            public_stop.clone().cancelled_owned(),
            server.shutdown_grace(),
        );
        let admin = Server::new_with_acceptor(self.admin).run_with_graceful_shutdown(
            admin_endpoint(
                self.store.clone(),
                self.metrics.clone(),
                self.draining.clone(),
            ),
            admin_stop.clone().cancelled_owned(),
            Some(server.shutdown_grace()),
        );
        let admin = tokio::spawn(admin);
        let draining = self.draining.clone();
        let delay = server.shutdown_delay();
        let signal = async move {
            shutdown.await;
            draining.start();
            tracing::info!(delay_secs = delay.as_secs(), "shutdown requested: draining");
            tokio::time::sleep(delay).await;
            public_stop.cancel();
        };
        let (served, ()) = tokio::join!(public, signal);
        served.context("public listener failed")?;
        tracing::info!("public listener drained");
        admin_stop.cancel();
        admin
            .await
            .context("admin listener task panicked")?
            .context("admin listener failed")?;
        // Requests cut by the grace period may still hold connections; do not wait for them.
        match tokio::time::timeout(POOL_CLOSE_TIMEOUT, self.store.close()).await {
            Ok(closed) => closed.context("cannot close the database pool")?,
            Err(_) => tracing::warn!("database pool still busy after the grace period; exiting"),
        }
        tracing::info!("stopped");
        Ok(())
    }
}

async fn bind(addr: SocketAddr) -> anyhow::Result<TcpAcceptor> {
    TcpListener::bind(addr)
        .into_acceptor()
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

fn local_addr(acceptor: &TcpAcceptor) -> anyhow::Result<SocketAddr> {
    acceptor
        .local_addr()
        .into_iter()
        .find_map(|addr| addr.as_socket_addr().copied())
        .context("listener has no socket address")
}
