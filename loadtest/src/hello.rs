//! A trivial HTTP server ("ok" on every GET): the endpoint against which the generator's own
//! ceiling is compared with wrk's.

use std::time::Duration;

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Route, Server, get, handler};

#[handler]
fn ok() -> &'static str {
    "ok"
}

/// Serves until `run_for` has passed; prints the bound address first (port 0 picks a free one).
pub async fn serve(listen: &str, run_for: Duration) -> anyhow::Result<()> {
    let acceptor = TcpListener::bind(listen).into_acceptor().await?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|a| a.as_socket_addr().copied())
        .ok_or_else(|| anyhow::anyhow!("no local address"))?;
    println!("listening on http://{addr}");
    let app = Route::new().at("/", get(ok)).at("/*", get(ok));
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(
            app,
            tokio::time::sleep(run_for),
            Some(Duration::from_secs(1)),
        )
        .await?;
    Ok(())
}
