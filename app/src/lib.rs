//! comments-api: post and list comments about an article.
//!
//! A request flows down: `startup` wires the listeners; `http` (shared by the API and admin
//! routers) observes every request and renders every error as JSON; `api` parses it into
//! `domain` types; `store` persists them. `telemetry` installs the log subscriber; `metrics`
//! holds the registry and reads the store's pool counts. Nothing calls back up.

pub mod admin;
pub mod api;
pub mod config;
pub mod domain;
pub mod http;
pub mod http_server;
pub mod metrics;
pub mod smoke;
pub mod startup;
pub mod store;
pub mod telemetry;
