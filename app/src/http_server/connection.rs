//! One connection: hyper's HTTP/1 state machine, our timeouts around it, and a lingering close.
//!
//! hyper's own `header_read_timeout` also runs while a keep-alive connection is idle, so it cannot
//! give a 10 s header timeout and a 620 s keep-alive timeout at once; the phase of the connection
//! (idle, reading a head, being served) is tracked here instead and picks the deadline.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use poem::http::HeaderValue;
use poem::http::header::CONNECTION;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Notify, OwnedSemaphorePermit};
use tokio::time::Instant;

use super::Shared;
use super::io::ObservedIo;

/// After the response, unread request bytes are read and discarded for at most this long in all…
const LINGER_TIME: Duration = Duration::from_secs(10);
/// …and until the client is silent for this long (nginx: lingering_time 30 s, lingering_timeout 5 s).
const LINGER_TIMEOUT: Duration = Duration::from_secs(2);
/// hyper's read buffer per connection at most (its minimum is 8 KiB, its default ~400 KiB); a
/// request head larger than this is answered 431.
const MAX_HEAD_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Between requests: the keep-alive timeout runs.
    Idle,
    /// Bytes of a request head are arriving (or a fresh connection has sent nothing yet): the
    /// header timeout runs.
    Head,
    /// A request is being handled; the handler's own timeouts apply (body read, database).
    Busy,
}

/// The connection's phase and when it began; the IO wrapper and the service update it.
pub(crate) struct Activity {
    state: Mutex<(Phase, Instant)>,
    changed: Notify,
}

impl Activity {
    fn new() -> Self {
        Self {
            state: Mutex::new((Phase::Head, Instant::now())),
            changed: Notify::new(),
        }
    }

    /// Moves to `to` (only from `from`, when given); true when the phase changed.
    fn set(&self, from: Option<Phase>, to: Phase) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if from.is_none_or(|from| state.0 == from) && state.0 != to {
            *state = (to, Instant::now());
            drop(state);
            self.changed.notify_one();
            return true;
        }
        false
    }

    /// Bytes arrived: an idle connection starts reading a request head (true when it did).
    pub(crate) fn bytes_read(&self) -> bool {
        self.set(Some(Phase::Idle), Phase::Head)
    }

    fn get(&self) -> (Phase, Instant) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

type ResponseFuture = Pin<
    Box<
        dyn Future<Output = Result<hyper::Response<BoxBody<Bytes, std::io::Error>>, Infallible>>
            + Send,
    >,
>;

pub(crate) async fn serve(
    stream: TcpStream,
    remote: SocketAddr,
    shared: Arc<Shared>,
    _permit: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let local = stream.local_addr().ok();
    let activity = Arc::new(Activity::new());
    let io = ObservedIo::new(stream, activity.clone(), shared.metrics.clone());
    let service = {
        let shared = shared.clone();
        let activity = activity.clone();
        service_fn(move |req: hyper::Request<Incoming>| -> ResponseFuture {
            let shared = shared.clone();
            let activity = activity.clone();
            Box::pin(async move {
                activity.set(None, Phase::Busy);
                let local = LocalAddr(local.map_or_else(Addr::default, Addr::SocketAddr));
                let req = poem::Request::from((
                    req,
                    local,
                    RemoteAddr(Addr::SocketAddr(remote)),
                    poem::http::uri::Scheme::HTTP,
                ));
                let mut resp = shared.endpoint.get_response(req).await;
                if shared.draining.is_draining() {
                    // The client learns with this answer not to reuse the connection, so no
                    // request of its can meet the close.
                    resp.headers_mut()
                        .insert(CONNECTION, HeaderValue::from_static("close"));
                }
                activity.set(None, Phase::Idle);
                Ok(resp.into())
            })
        })
    };
    let mut conn = http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(None)
        .keep_alive(true)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_header_size(MAX_HEAD_BYTES)
        // One flat buffer per write, so the IO wrapper sees hyper's own error answers whole.
        .writev(false)
        .serve_connection(TokioIo::new(io), service);
    let limits = shared.limits;
    let mut closing = false;
    let ended = loop {
        let (phase, since) = activity.get();
        let deadline = match phase {
            Phase::Head => Some(since + limits.header_read_timeout),
            Phase::Idle if !closing => Some(since + limits.keep_alive_timeout),
            Phase::Idle | Phase::Busy => None,
        };
        tokio::select! {
            ended = std::future::poll_fn(|cx| conn.poll_without_shutdown(cx)) => break ended,
            () = activity.changed.notified() => {}
            () = tokio::time::sleep_until(deadline.unwrap_or_else(far_future)), if deadline.is_some() => {
                if activity.get() != (phase, since) {
                    continue;
                }
                if phase == Phase::Head {
                    tracing::debug!(%remote, "request head not received in time; closing");
                    return;
                }
                tracing::debug!(%remote, "keep-alive connection idle; closing");
                closing = true;
                Pin::new(&mut conn).graceful_shutdown();
            }
            () = shared.closing.cancelled(), if !closing => {
                // Between requests only: a connection reading or serving a request finishes it
                // (its answer carries `Connection: close`).
                if activity.get().0 == Phase::Idle {
                    closing = true;
                    Pin::new(&mut conn).graceful_shutdown();
                } else {
                    closing = true;
                }
            }
            () = shared.abort.cancelled() => return,
        }
        if closing && activity.get().0 == Phase::Idle {
            Pin::new(&mut conn).graceful_shutdown();
        }
    };
    if let Err(err) = ended {
        tracing::debug!(%remote, error = %err, "connection ended with an error");
    }
    let io = conn.into_parts().io.into_inner();
    tokio::select! {
        () = linger(io) => {}
        () = shared.abort.cancelled() => {}
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400)
}

/// Sends what is left, half-closes, then reads and discards what the client still sends until it
/// closes too (bounded in time), so closing never resets the connection under an unread answer.
async fn linger(mut io: ObservedIo) {
    if io.shutdown().await.is_err() {
        return;
    }
    let until = Instant::now() + LINGER_TIME;
    let mut buf = [0u8; 8192];
    loop {
        let wait = LINGER_TIMEOUT.min(until.saturating_duration_since(Instant::now()));
        match tokio::time::timeout(wait, io.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return,
        }
    }
}
