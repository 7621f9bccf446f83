//! Settings, layered with figment: built-in defaults (config/default.toml) -> optional TOML file
//! named by `APP_CONFIG` -> environment variables `APP_<SECTION>__<KEY>`.

use std::net::IpAddr;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: IpAddr,
    pub port: u16,
    pub admin_port: u16,
    pub max_body_bytes: usize,
    pub max_in_flight: usize,
    pub max_connections: usize,
    pub header_read_timeout_secs: u64,
    pub body_read_timeout_secs: u64,
    pub keep_alive_timeout_secs: u64,
    pub shutdown_delay_secs: u64,
    pub shutdown_grace_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// Wrapped so that `Debug` and logs print `[REDACTED]`, never the password.
    pub url: SecretString,
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout_ms: u64,
    pub connect_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    pub migrate_on_start: bool,
    /// Group commit: INSERT statements in flight at once (PostgreSQL; SQLite always has one).
    pub writers: u32,
    /// Group commit: rows per INSERT at most.
    pub max_batch_rows: u32,
    /// Group commit: creates waiting for a writer at most; more are answered 503 at once.
    pub max_queued_writes: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
    Auto,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

/// A configuration problem, reported with the key it concerns.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Load(#[from] Box<figment::Error>),
    #[error("invalid value for `{key}`: {reason}")]
    Invalid { key: &'static str, reason: String },
}

impl Settings {
    /// Defaults, then the file named by `APP_CONFIG` (if set), then `APP_*` environment variables.
    pub fn load() -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Ok(path) = std::env::var("APP_CONFIG") {
            figment = figment.merge(Toml::file_exact(path));
        }
        Self::from_figment(figment.merge(Env::prefixed("APP_").ignore(&["CONFIG"]).split("__")))
    }

    /// The built-in defaults with extra layers on top (tests use this instead of the environment).
    pub fn defaults_with(overrides: Figment) -> Result<Self, ConfigError> {
        Self::from_figment(Figment::from(Toml::string(DEFAULTS)).merge(overrides))
    }

    fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let settings: Self = figment.extract().map_err(Box::new)?;
        settings.check()?;
        Ok(settings)
    }

    /// Cross-field rules that types alone cannot express.
    fn check(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: String| Err(ConfigError::Invalid { key, reason });
        if self.server.port != 0 && self.server.port == self.server.admin_port {
            return invalid(
                "server.admin_port",
                format!("must differ from server.port ({})", self.server.port),
            );
        }
        if self.server.max_body_bytes < 1024 {
            return invalid("server.max_body_bytes", "must be at least 1024".into());
        }
        if self.server.max_in_flight == 0 {
            return invalid("server.max_in_flight", "must be at least 1".into());
        }
        if self.server.max_connections == 0 {
            return invalid("server.max_connections", "must be at least 1".into());
        }
        for (key, secs) in [
            (
                "server.header_read_timeout_secs",
                self.server.header_read_timeout_secs,
            ),
            (
                "server.body_read_timeout_secs",
                self.server.body_read_timeout_secs,
            ),
            (
                "server.keep_alive_timeout_secs",
                self.server.keep_alive_timeout_secs,
            ),
        ] {
            if secs == 0 {
                return invalid(key, "must be at least 1".into());
            }
        }
        if self.database.max_connections == 0 {
            return invalid("database.max_connections", "must be at least 1".into());
        }
        if self.database.min_connections > self.database.max_connections {
            return invalid(
                "database.min_connections",
                format!(
                    "must not exceed database.max_connections ({})",
                    self.database.max_connections
                ),
            );
        }
        for (key, value) in [
            ("database.writers", self.database.writers),
            ("database.max_batch_rows", self.database.max_batch_rows),
            (
                "database.max_queued_writes",
                self.database.max_queued_writes,
            ),
        ] {
            if value == 0 {
                return invalid(key, "must be at least 1".into());
            }
        }
        // 5 bind parameters per row; SQLite allows 32766 per statement, PostgreSQL 65535.
        if self.database.max_batch_rows > 1000 {
            return invalid("database.max_batch_rows", "must be at most 1000".into());
        }
        let url = self.database.url.expose_secret();
        if !(url.starts_with("postgres://")
            || url.starts_with("postgresql://")
            || url.starts_with("sqlite:"))
        {
            return invalid(
                "database.url",
                format!(
                    "must start with postgres://, postgresql:// or sqlite:, got {}",
                    self.database.redacted_url()
                ),
            );
        }
        if let Err(err) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            return invalid("log.level", err.to_string());
        }
        Ok(())
    }
}

impl ServerSettings {
    pub fn shutdown_delay(&self) -> Duration {
        Duration::from_secs(self.shutdown_delay_secs)
    }

    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_secs(self.header_read_timeout_secs)
    }

    pub fn body_read_timeout(&self) -> Duration {
        Duration::from_secs(self.body_read_timeout_secs)
    }

    pub fn keep_alive_timeout(&self) -> Duration {
        Duration::from_secs(self.keep_alive_timeout_secs)
    }
}

impl DatabaseSettings {
    pub fn is_postgres(&self) -> bool {
        self.url.expose_secret().starts_with("postgres")
    }

    /// The URL with any password replaced, safe for logs and error messages.
    pub fn redacted_url(&self) -> String {
        let raw = self.url.expose_secret();
        match url::Url::parse(raw) {
            Ok(mut parsed) if parsed.password().is_some() => {
                // set_password only fails for URLs that cannot carry one, which we just saw it does.
                let _ = parsed.set_password(Some("REDACTED"));
                parsed.to_string()
            }
            Ok(parsed) => parsed.to_string(),
            Err(_) => "<unparseable database url>".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use figment::providers::Serialized;

    fn with(key: &str, value: impl serde::Serialize) -> Result<Settings, ConfigError> {
        Settings::defaults_with(Figment::from(Serialized::default(key, value)))
    }

    #[test]
    fn defaults_are_valid_and_embedded() {
        let settings = with("log.level", "info").unwrap();
        assert_eq!(settings.server.port, 8080);
        assert_eq!(settings.server.admin_port, 9090);
        assert!(!settings.database.is_postgres());
        assert!(settings.database.migrate_on_start);
    }

    #[test]
    fn a_bad_type_names_the_key() {
        let err = with("server.port", "eighty").unwrap_err().to_string();
        assert!(err.contains("server.port"), "{err}");
    }

    #[test]
    fn cross_field_rules_name_the_key() {
        let err = with("server.admin_port", 8080).unwrap_err().to_string();
        assert!(err.contains("server.admin_port"), "{err}");
        let err = with("server.max_connections", 0).unwrap_err().to_string();
        assert!(err.contains("server.max_connections"), "{err}");
        let err = with("server.header_read_timeout_secs", 0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.header_read_timeout_secs"), "{err}");
        let err = with("database.max_connections", 0).unwrap_err().to_string();
        assert!(err.contains("database.max_connections"), "{err}");
        let err = with("database.url", "mysql://x").unwrap_err().to_string();
        assert!(err.contains("database.url"), "{err}");
        let err = with("log.level", "info,=[").unwrap_err().to_string();
        assert!(err.contains("log.level"), "{err}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = with("database.max_conections", 3).unwrap_err().to_string();
        assert!(err.contains("max_conections"), "{err}");
    }

    #[test]
    fn the_password_never_shows() {
        let settings = with("database.url", "postgres://app:hunter2@db:5432/comments").unwrap();
        let debug = format!("{settings:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        let redacted = settings.database.redacted_url();
        assert!(!redacted.contains("hunter2"), "{redacted}");
        assert!(
            redacted.contains("app:REDACTED@db:5432/comments"),
            "{redacted}"
        );
    }
}
