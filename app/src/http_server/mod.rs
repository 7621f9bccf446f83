//! The public listener's HTTP/1.1 server, on hyper directly: poem's own `Server` has no header
//! timeout, no connection cap and closes idle keep-alive connections under a client's feet when it
//! stops (see COMMENTS.md, issue 15). Per connection: a header-read timeout, a keep-alive idle
//! timeout, a cap on open connections (accept waits when it is reached), `Connection: close` on
//! every response once draining starts, a graceful close between requests, and a lingering close
//! so a client still sending a body reads its answer instead of a reset.

mod connection;
mod io;

use std::future::Future;
use std::io::Result as IoResult;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, EndpointExt};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::admin::Draining;
use crate::config::ServerSettings;
use crate::metrics::Metrics;

/// Connection-level limits, from `[server]` settings.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// A request's head (request line and headers) must arrive within this, counted from its first
    /// byte (or from accept, for the first request).
    pub header_read_timeout: Duration,
    /// An idle keep-alive connection is closed after this.
    pub keep_alive_timeout: Duration,
    /// Open connections at most; accepting waits while the cap is reached.
    pub max_connections: usize,
}

impl From<&ServerSettings> for ConnectionLimits {
    fn from(server: &ServerSettings) -> Self {
        Self {
            header_read_timeout: server.header_read_timeout(),
            keep_alive_timeout: server.keep_alive_timeout(),
            max_connections: server.max_connections,
        }
    }
}

/// What every connection task shares.
pub(crate) struct Shared {
    endpoint: BoxEndpoint<'static>,
    limits: ConnectionLimits,
    metrics: Arc<Metrics>,
    draining: Arc<Draining>,
    /// Cancelled when the listener closes: connections close gracefully (between requests).
    closing: CancellationToken,
    /// Cancelled when the grace period is over: connections still open are dropped.
    abort: CancellationToken,
}

/// Serves `endpoint` on `listener` until `stop` resolves; then stops accepting (after taking the
/// connections already waiting in the backlog), closes every connection between requests and
/// waits up to `grace` for them. Responses carry `Connection: close` from the moment `draining`
/// starts (which the caller sets before `stop` resolves).
pub async fn serve<E>(
    listener: TcpListener,
    endpoint: E,
    limits: ConnectionLimits,
    metrics: Arc<Metrics>,
    draining: Arc<Draining>,
    stop: impl Future<Output = ()>,
    grace: Duration,
) -> IoResult<()>
where
    E: Endpoint + 'static,
{
    let shared = Arc::new(Shared {
        endpoint: endpoint.map_to_response().boxed(),
        limits,
        metrics,
        draining,
        closing: CancellationToken::new(),
        abort: CancellationToken::new(),
    });
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let tasks = TaskTracker::new();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            () = &mut stop => break,
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let (stream, remote) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // EMFILE and friends: back off instead of spinning; the cap should prevent it.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        tasks.spawn(connection::serve(stream, remote, shared.clone(), permit));
    }
    // Connections the kernel already completed may carry a request the client has sent: serve
    // them (with `Connection: close`) rather than resetting them when the listener closes.
    while let Some(Ok((stream, remote))) = listener.accept().now_or_never() {
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            break;
        };
        tasks.spawn(connection::serve(stream, remote, shared.clone(), permit));
    }
    drop(listener);
    shared.closing.cancel();
    tasks.close();
    if tokio::time::timeout(grace, tasks.wait()).await.is_err() {
        tracing::warn!(
            open = tasks.len(),
            "grace period over; dropping the connections still open"
        );
        shared.abort.cancel();
        tasks.wait().await;
    }
    Ok(())
}
