//! The connection's socket as hyper sees it: reads mark the connection active, and the bare
//! answers hyper writes on its own for a request it cannot parse (400, 414, 431, with an empty
//! body) are replaced by the JSON envelope every other error has, and counted in `/metrics`.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use poem_openapi::types::ToJSON;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::connection::Activity;
use crate::http::error::{ErrorBody, ErrorStatus};
use crate::metrics::Metrics;

/// The route label of requests refused before they could be parsed.
pub const UNPARSED_ROUTE: &str = "unparsed";

/// A request line this long makes a too-large head a 414 (URI too long) rather than a 431.
const LONG_REQUEST_LINE: usize = 8 * 1024;

pub(crate) struct ObservedIo {
    inner: TcpStream,
    activity: Arc<Activity>,
    metrics: Arc<Metrics>,
    /// Bytes of the current request's first line seen so far, and whether it has ended (a 431
    /// whose request line is long is really a 414).
    line_len: usize,
    line_ended: bool,
    /// Our replacement of hyper's answer, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl ObservedIo {
    pub(crate) fn new(inner: TcpStream, activity: Arc<Activity>, metrics: Arc<Metrics>) -> Self {
        Self {
            inner,
            activity,
            metrics,
            line_len: 0,
            line_ended: false,
            pending: None,
        }
    }

    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// hyper's automatic answers are the only ones without a `content-type`: every answer of
    /// the service carries one.
    fn replacement(&self, buf: &[u8]) -> Option<Vec<u8>> {
        let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&buf[..head_end]).ok()?;
        let status = head.strip_prefix("HTTP/1.")?.get(2..5)?;
        if !matches!(status, "400" | "414" | "431")
            || head.to_ascii_lowercase().contains("\r\ncontent-type:")
        {
            return None;
        }
        let (status, message) = match status {
            "400" => (400, "the request is not valid HTTP/1.1"),
            "431" if self.line_len >= LONG_REQUEST_LINE => (414, "the request URI is too long"),
            "414" => (414, "the request URI is too long"),
            _ => (
                431,
                "the request line and headers are too large (at most 64 KiB)",
            ),
        };
        let code = poem::http::StatusCode::from_u16(status).ok()?;
        self.metrics
            .observe_request("unknown", UNPARSED_ROUTE, status, std::time::Duration::ZERO);
        let body = ErrorBody::new(ErrorStatus::for_status(code), message)
            .0
            .to_json_string()
            .into_bytes();
        let mut out = format!(
            "HTTP/1.1 {status} {}\r\ncontent-type: application/json; charset=utf-8\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n",
            code.canonical_reason().unwrap_or(""),
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(&body);
        Some(out)
    }
}

impl AsyncRead for ObservedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        let read = &buf.filled()[before..];
        if !read.is_empty() {
            if this.activity.bytes_read() {
                this.line_ended = false;
                this.line_len = 0;
            }
            if !this.line_ended {
                match read.iter().position(|&b| b == b'\n') {
                    Some(end) => {
                        this.line_len += end;
                        this.line_ended = true;
                    }
                    None => this.line_len += read.len(),
                }
            }
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for ObservedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if buf.starts_with(b"HTTP/1.")
            && let Some(replacement) = this.replacement(buf)
        {
            this.pending = Some((replacement, 0));
            // hyper's bytes count as written; ours go out now or on the next flush.
            let _ = this.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
