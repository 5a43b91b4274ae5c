//! The binary's edge, the one place that reads the system clock.

use std::sync::Arc;

use vigilia_core::clock::{Clock, FixedClock};
use vigilia_core::date::moment;
use vigilia_core::lang::Lang;

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

/// The system clock, or the instant given by `--now` / `VIGILIA_NOW`: never after the system
/// clock (a run dated in the future would write facts recorded on days not yet come, and the
/// ledger, which dates nothing before its last fact, would then date every later write on that
/// day). An instant in the past is for reproducible runs; the ledger refuses it for a
/// write once the registry holds later facts.
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
            let system = SystemClock.now();
            if at.duration_since(system) > jiff::SignedDuration::from_secs(300) {
                return Err(Failure::BadInput {
                    es: format!(
                        "--now {text:?} es posterior al reloj de esta máquina ({} UTC): Vigilia no fecha nada en el futuro",
                        moment(system, jiff::tz::Offset::UTC, Lang::Es)
                    ),
                    en: format!(
                        "--now {text:?} is later than this machine's clock ({} UTC): Vigilia dates nothing in the future",
                        moment(system, jiff::tz::Offset::UTC, Lang::En)
                    ),
                });
            }
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
