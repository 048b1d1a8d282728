//! The clock every validator and store call reads time from, so tests can move it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Milliseconds since the Unix epoch: the one timestamp form axid stores (DESIGN.md,
/// "timestamps in one portable form").
pub type Millis = i64;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_ms(&self) -> Millis;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        let now = time::OffsetDateTime::now_utc();
        (now.unix_timestamp_nanos() / 1_000_000) as Millis
    }
}

/// A clock that starts at the real time and moves only when told to.
#[derive(Debug)]
pub struct FixedClock {
    now: AtomicI64,
}

impl FixedClock {
    pub fn starting_now() -> Arc<Self> {
        Arc::new(Self {
            now: AtomicI64::new(SystemClock.now_ms()),
        })
    }

    pub fn advance_secs(&self, secs: i64) {
        self.now.fetch_add(secs * 1000, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now_ms(&self) -> Millis {
        self.now.load(Ordering::SeqCst)
    }
}

pub type SharedClock = Arc<dyn Clock>;

/// RFC 3339 text for a stored timestamp, as every API shows it.
pub fn rfc3339(ms: Millis) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Parses RFC 3339 text into stored milliseconds.
pub fn parse_rfc3339(text: &str) -> Option<Millis> {
    let t =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_advanced() {
        let clock = FixedClock::starting_now();
        let before = clock.now_ms();
        clock.advance_secs(61);
        assert_eq!(clock.now_ms() - before, 61_000);
    }

    #[test]
    fn rfc3339_round_trips_milliseconds() {
        let ms = 1_790_000_000_123;
        assert_eq!(parse_rfc3339(&rfc3339(ms)), Some(ms));
    }
}
