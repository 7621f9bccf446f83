//! comments-api: post and list comments about an article.
//!
//! A request flows down: `startup` wires the listeners; `telemetry` and `metrics` observe every
//! request; `api` parses it into `domain` types; `store` persists them. Nothing calls back up.

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
