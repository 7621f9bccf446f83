//! One integration-test binary: every API test runs against SQLite and PostgreSQL.

mod helpers;

mod admin;
mod binary;
mod capacity;
mod create;
mod duplicates;
mod errors;
mod list;
mod migrations;
mod shutdown;
mod smoke;
