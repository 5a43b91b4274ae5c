//! Time is a parameter. Logic never reads the system clock: it is given a [`Clock`], and only the
//! binary's edge makes one from the system time.

/// Where "now" comes from.
pub trait Clock: std::fmt::Debug + Send + Sync {
    fn now(&self) -> jiff::Timestamp;
    /// Whether a person set this clock (`--now`): one left set is refused a write dated before
    /// the registry's last fact, where a machine's running clock writes at that fact's instant.
    fn set_by_hand(&self) -> bool {
        false
    }
}

/// A clock stopped at one instant: for tests, and for `--now` when a run must be reproducible.
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub jiff::Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> jiff::Timestamp {
        self.0
    }
    fn set_by_hand(&self) -> bool {
        true
    }
}
