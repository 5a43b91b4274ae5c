//! The binary's edge, the one place that reads the system clock.

use std::sync::Arc;

use vigilia_core::clock::{Clock, FixedClock};

use crate::failure::Failure;

/// The system clock.
#[derive(Debug)]
struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the edge of the program: the only read of the clock
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

/// The system clock, or the instant given by `--now` / `VIGILIA_NOW`.
pub fn from_option(now: Option<&str>) -> Result<Arc<dyn Clock>, Failure> {
    match now {
        None => Ok(Arc::new(SystemClock)),
        Some(text) => {
            let at = text
                .parse::<jiff::Timestamp>()
                .map_err(|_| Failure::BadInput {
                    es: format!("--now {text:?} no es un instante RFC 3339 (2024-08-20T12:00:00Z)"),
                    en: format!("--now {text:?} is not an RFC 3339 instant (2024-08-20T12:00:00Z)"),
                })?;
            Ok(Arc::new(FixedClock(at)))
        }
    }
}

/// The login name, recorded as the actor when none is given.
pub fn login_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .map(|u| format!("cli:{u}"))
        .unwrap_or_else(|_| "cli".to_string())
}
