//! The node's one clock. Everything in the node that needs the time asks this clock — the
//! system's, or for tests and drills one that starts at `clock_start` and runs at the real
//! pace — so the web countdowns, the desk's "overdue", the alerts and the inbox's skew check
//! always agree. `Timestamp::now()` is read here and nowhere else in the node.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

/// A source of the current instant, cheap to clone.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock(Arc::new(Timestamp::now))
    }

    /// A clock that reads `start` now and then runs at the real pace (drills, DST tests).
    pub fn starting_at(start: Timestamp) -> Clock {
        let began = std::time::Instant::now();
        Clock(Arc::new(move || {
            let elapsed = SignedDuration::try_from(began.elapsed()).unwrap_or(SignedDuration::ZERO);
            start + elapsed
        }))
    }

    /// A clock that read `start` at the real instant `anchor` and runs at the real pace: every
    /// process given the same pair reads the same time (replicas of one node in a drill).
    pub fn anchored(start: Timestamp, anchor: Timestamp) -> Clock {
        let shift = start.duration_since(anchor);
        Clock(Arc::new(move || Timestamp::now() + shift))
    }

    /// A clock driven by `now` (tests that step time themselves).
    pub fn from_fn(now: impl Fn() -> Timestamp + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(now))
    }

    pub fn now(&self) -> Timestamp {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_started_clock_reads_its_start_and_runs_forward() {
        let start: Timestamp = "2026-03-29T00:30:00Z".parse().expect("instant");
        let clock = Clock::starting_at(start);
        let first = clock.now();
        assert!(first >= start && first < start + SignedDuration::from_secs(5));
        assert!(clock.now() >= first);
    }

    #[test]
    fn anchored_clocks_started_apart_read_the_same() {
        let start: Timestamp = "2026-03-11T15:00:00Z".parse().expect("instant");
        let anchor = Timestamp::now() - SignedDuration::from_secs(30);
        let a = Clock::anchored(start, anchor);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let b = Clock::anchored(start, anchor);
        let (ta, tb) = (a.now(), b.now());
        assert!(
            tb.duration_since(ta).abs() < SignedDuration::from_millis(50),
            "{ta} {tb}"
        );
        assert!(ta >= start + SignedDuration::from_secs(29) && ta < start + SignedDuration::from_secs(35));
    }
}
