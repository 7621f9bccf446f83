//! One integration-test binary: every API test runs against SQLite and PostgreSQL.

mod helpers;

mod admin;
mod binary;
mod capacity;
mod connections;
mod create;
mod duplicates;
mod errors;
mod list;
mod migrations;
mod raw;
mod shutdown;
mod smoke;
