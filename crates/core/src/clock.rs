//! Time is a parameter. Logic never reads the system clock: it is given a [`Clock`], and only the
//! binary's edge makes one from the system time.

/// Where "now" comes from.
pub trait Clock: std::fmt::Debug + Send + Sync {
    fn now(&self) -> jiff::Timestamp;
}

/// A clock stopped at one instant: for tests, and for `--now` when a run must be reproducible.
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub jiff::Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> jiff::Timestamp {
        self.0
    }
}
