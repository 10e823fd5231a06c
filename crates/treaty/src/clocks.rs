//! Statutory clocks, computed in the party's time zone with `jiff`.
//!
//! Two kinds of period (TREATY.md, time limits): "N hours" is elapsed time; "N calendar
//! days" (months, years) is the same local clock time N days later in the party's zone,
//! so a 3-day clock started at 10:00 before a daylight-saving change ends at 10:00 after it.
//! Time is always a parameter: nothing here reads the system clock.

use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp, Zoned};

/// Elapsed hours.
pub fn after_hours(start: Timestamp, hours: i64) -> Timestamp {
    start
        .saturating_add(SignedDuration::from_hours(hours))
        .unwrap_or(Timestamp::MAX)
}

/// `days` calendar days later, same local clock time in `zone`.
pub fn after_calendar_days(start: Timestamp, days: i64, zone: &TimeZone) -> Timestamp {
    add_calendar(start, Span::new().days(days), zone)
}

/// `months` calendar months later, same local clock time in `zone` (clamped to the
/// month's last day, as 31 August + 6 months is 28/29 February).
pub fn after_months(start: Timestamp, months: i64, zone: &TimeZone) -> Timestamp {
    add_calendar(start, Span::new().months(months), zone)
}

/// `years` calendar years later, same local clock time in `zone`.
pub fn after_years(start: Timestamp, years: i64, zone: &TimeZone) -> Timestamp {
    add_calendar(start, Span::new().years(years), zone)
}

fn add_calendar(start: Timestamp, span: Span, zone: &TimeZone) -> Timestamp {
    start
        .to_zoned(zone.clone())
        .checked_add(span)
        .map_or(Timestamp::MAX, |z| z.timestamp())
}

/// Art. 21(3): "Deze persoon wordt uiterlijk zes uren na het begin van deze vasthouding –
/// de uren tussen middernacht en negen uur niet meegeteld – in vrijheid gesteld, tenzij
/// de bevoegde autoriteiten van de gaststaat voordien een Europees aanhoudingsbevel
/// hebben ontvangen."
///
/// Counts `hours` of elapsed time from `start`, skipping every period between
/// `uncounted_from` and `uncounted_until` of the host's local time. A night that
/// contains a daylight-saving change is skipped whole, however long it really is.
pub fn detention_release(
    start: Timestamp,
    hours: i64,
    uncounted_from: Time,
    uncounted_until: Time,
    zone: &TimeZone,
) -> Timestamp {
    let mut remaining = SignedDuration::from_hours(hours);
    let mut now = start.to_zoned(zone.clone());
    // Each pass either ends, or moves to the next window boundary: a bounded walk.
    for _ in 0..(hours * 4 + 8) {
        if in_window(now.time(), uncounted_from, uncounted_until) {
            now = next_local(&now, uncounted_until);
            continue;
        }
        let window_start = next_local(&now, uncounted_from);
        let available = now.timestamp().duration_until(window_start.timestamp());
        if remaining <= available {
            return now.timestamp().saturating_add(remaining).unwrap_or(Timestamp::MAX);
        }
        remaining -= available;
        now = window_start;
    }
    Timestamp::MAX
}

/// Whether local time `t` lies in `[from, until)`, a window that may cross midnight.
fn in_window(t: Time, from: Time, until: Time) -> bool {
    if from <= until {
        t >= from && t < until
    } else {
        t >= from || t < until
    }
}

/// The first instant after `now` whose local time is `at` (today if still ahead, else
/// tomorrow). A local time skipped by a daylight-saving gap resolves to the instant after it.
fn next_local(now: &Zoned, at: Time) -> Zoned {
    let today = now.date().to_datetime(at);
    let candidate = today.to_zoned(now.time_zone().clone());
    match candidate {
        Ok(z) if z.timestamp() > now.timestamp() => z,
        _ => {
            let tomorrow = now.date().tomorrow().map(|d| d.to_datetime(at)).unwrap_or(today);
            tomorrow
                .to_zoned(now.time_zone().clone())
                .unwrap_or_else(|_| now.clone())
        }
    }
}

/// An instant as RFC 3339 with the offset `zone` has at that instant.
pub fn rfc3339_in(ts: Timestamp, zone: &TimeZone) -> String {
    ts.to_zoned(zone.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::time;
    use proptest::prelude::*;

    fn brussels() -> TimeZone {
        TimeZone::get("Europe/Brussels").expect("bundled zone")
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("valid instant")
    }

    fn release(s: &str) -> Timestamp {
        detention_release(ts(s), 6, time(0, 0, 0, 0), time(9, 0, 0, 0), &brussels())
    }

    #[test]
    fn art21_detention_in_the_afternoon_is_six_plain_hours() {
        assert_eq!(release("2026-03-10T12:00:00+01:00"), ts("2026-03-10T18:00:00+01:00"));
        assert_eq!(release("2026-03-10T18:00:00+01:00"), ts("2026-03-11T00:00:00+01:00"));
    }

    #[test]
    fn art21_detention_the_night_does_not_count() {
        assert_eq!(release("2026-03-10T22:00:00+01:00"), ts("2026-03-11T13:00:00+01:00"));
        assert_eq!(release("2026-03-11T03:00:00+01:00"), ts("2026-03-11T15:00:00+01:00"));
        assert_eq!(release("2026-03-11T00:00:00+01:00"), ts("2026-03-11T15:00:00+01:00"));
        assert_eq!(release("2026-03-10T23:59:00+01:00"), ts("2026-03-11T14:59:00+01:00"));
    }

    #[test]
    fn art21_detention_across_spring_forward() {
        // 29 March 2026: 02:00 CET → 03:00 CEST, inside the uncounted night.
        assert_eq!(release("2026-03-28T22:00:00+01:00"), ts("2026-03-29T13:00:00+02:00"));
        // Counted daytime hours are elapsed hours; the offset changes, the count does not.
        assert_eq!(release("2026-03-29T10:00:00+02:00"), ts("2026-03-29T16:00:00+02:00"));
    }

    #[test]
    fn art21_detention_across_fall_back() {
        // 25 October 2026: 03:00 CEST → 02:00 CET, the night lasts ten real hours.
        assert_eq!(release("2026-10-24T22:00:00+02:00"), ts("2026-10-25T13:00:00+01:00"));
        assert_eq!(
            ts("2026-10-24T22:00:00+02:00").duration_until(release("2026-10-24T22:00:00+02:00")),
            SignedDuration::from_hours(16)
        );
    }

    #[test]
    fn calendar_days_keep_the_local_clock_time_across_dst() {
        let z = brussels();
        // 3 days from Friday 27 March 10:00 CET is Monday 30 March 10:00 CEST: 71 real hours.
        let start = ts("2026-03-27T10:00:00+01:00");
        assert_eq!(after_calendar_days(start, 3, &z), ts("2026-03-30T10:00:00+02:00"));
        let start = ts("2026-10-23T10:00:00+02:00");
        assert_eq!(after_calendar_days(start, 7, &z), ts("2026-10-30T10:00:00+01:00"));
        assert_eq!(
            after_months(ts("2026-08-31T12:00:00+02:00"), 6, &z),
            ts("2027-02-28T12:00:00+01:00")
        );
        assert_eq!(
            after_years(ts("2023-10-01T00:00:00+02:00"), 5, &z),
            ts("2028-10-01T00:00:00+02:00")
        );
    }

    #[test]
    fn hours_are_elapsed_time_across_dst() {
        assert_eq!(
            after_hours(ts("2026-03-28T20:00:00+01:00"), 24),
            ts("2026-03-29T21:00:00+02:00")
        );
    }

    proptest! {
        /// Art. 21(3): the release is never before six counted hours and never later than six
        /// hours plus one whole uncounted night (9 hours, 10 when the clocks go back).
        #[test]
        fn art21_detention_deadline_is_bounded(secs in 1_700_000_000i64..1_900_000_000i64) {
            let start = Timestamp::from_second(secs).expect("in range");
            let end = detention_release(start, 6, time(0, 0, 0, 0), time(9, 0, 0, 0), &brussels());
            let elapsed = start.duration_until(end);
            prop_assert!(elapsed >= SignedDuration::from_hours(6));
            prop_assert!(elapsed <= SignedDuration::from_hours(16));
            let night_has_dst_change = {
                let z = brussels();
                let a = start.to_zoned(z.clone()).offset();
                let b = end.to_zoned(z).offset();
                a != b
            };
            if !night_has_dst_change {
                prop_assert!(elapsed <= SignedDuration::from_hours(15));
            }
        }

        /// Art. 21(3): a later detention never ends earlier.
        #[test]
        fn art21_detention_deadline_is_monotonic(secs in 1_700_000_000i64..1_900_000_000i64, delta in 0i64..200_000) {
            let z = brussels();
            let a = Timestamp::from_second(secs).expect("in range");
            let b = Timestamp::from_second(secs + delta).expect("in range");
            let ra = detention_release(a, 6, time(0, 0, 0, 0), time(9, 0, 0, 0), &z);
            let rb = detention_release(b, 6, time(0, 0, 0, 0), time(9, 0, 0, 0), &z);
            prop_assert!(ra <= rb);
        }

        /// Art. 21(3): exactly six hours of the detention fall outside the night window.
        #[test]
        fn art21_detention_counts_exactly_six_daytime_hours(secs in 1_700_000_000i64..1_900_000_000i64) {
            let z = brussels();
            let start = Timestamp::from_second(secs).expect("in range");
            let end = detention_release(start, 6, time(0, 0, 0, 0), time(9, 0, 0, 0), &z);
            let mut counted = 0i64;
            let mut t = start;
            while t < end {
                let local = t.to_zoned(z.clone()).time();
                if local >= time(9, 0, 0, 0) { counted += 60; }
                t = t.saturating_add(SignedDuration::from_secs(60)).expect("in range");
            }
            // Minute sampling: within one minute of six hours.
            prop_assert!((counted - 6 * 3600).abs() <= 60, "counted {counted}s");
        }
    }
}
