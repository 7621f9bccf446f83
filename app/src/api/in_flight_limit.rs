//! Caps the requests handled at once on the public listener. Beyond the cap a request is answered
//! 503 at once instead of queueing for a database connection: under overload, memory and latency
//! stay bounded and clients (or the load balancer) retry elsewhere.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::{Endpoint, Error, Request, Result};
use tokio::sync::Semaphore;

pub async fn limit_in_flight<E: Endpoint>(
    next: E,
    permits: Arc<Semaphore>,
    max: usize,
    req: Request,
) -> Result<E::Output> {
    let Ok(_permit) = permits.try_acquire_owned() else {
        return Err(Error::from_string(
            format!("the service is at capacity ({max} requests in flight), retry later"),
            StatusCode::SERVICE_UNAVAILABLE,
        ));
    };
    next.call(req).await
}
