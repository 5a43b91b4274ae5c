//! Choosing the engine from the database URL: `sqlite://PATH` or `postgres://…`. Any other
//! scheme is refused, never guessed.

use std::fmt;
use std::path::PathBuf;

use crate::LedgerError;

/// Where a registry lives.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: `sqlite://vigilia.db` (relative) or `sqlite:///var/lib/vigilia.db`.
    Sqlite(PathBuf),
    /// `postgres://` or `postgresql://` URL, passed to the driver as written.
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(text: &str) -> Result<DatabaseUrl, LedgerError> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(LedgerError::Url(text.to_string()));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(text.to_string()));
        }
        Err(LedgerError::Url(redact(text)))
    }
}

/// A URL without its password, for messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let auth = url.get(s + 3..at).unwrap_or("");
            let user = auth.split(':').next().unwrap_or("");
            format!(
                "{}{user}:***{}",
                url.get(..s + 3).unwrap_or(""),
                url.get(at..).unwrap_or("")
            )
        }
        _ => url.to_string(),
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => f.write_str(&redact(u)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_engine_from_the_scheme_and_refuses_others() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://demo.db").unwrap(),
            DatabaseUrl::Sqlite("demo.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(),
            DatabaseUrl::Sqlite("/tmp/x.db".into())
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
        for bad in [
            "mysql://x",
            "demo.db",
            "sqlite:demo.db",
            "sqlite://",
            "sqlit://x.db",
        ] {
            assert!(
                matches!(DatabaseUrl::parse(bad), Err(LedgerError::Url(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn never_shows_a_password() {
        let url = DatabaseUrl::parse("postgres://vigilia:s3cret@db:5432/reg").unwrap();
        assert_eq!(url.to_string(), "postgres://vigilia:***@db:5432/reg");
        let err = DatabaseUrl::parse("mysql://root:s3cret@db/x").unwrap_err();
        assert!(!err.to_string().contains("s3cret"));
    }
}
