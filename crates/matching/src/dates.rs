//! Birth-date tolerance: the same date, day and month swapped (03/07 for 07/03), or one digit
//! wrong. Variants are enumerated, so the pseudonymised index can compare keyed hashes only.

use jiff::civil::Date;

/// How a query's birth date relates to a stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DateAgreement {
    Different,
    /// One side has no date.
    Missing,
    OneDigit,
    DayMonthSwapped,
    Exact,
}

impl DateAgreement {
    pub fn score(self) -> f64 {
        match self {
            DateAgreement::Exact => 1.0,
            DateAgreement::DayMonthSwapped => 0.9,
            DateAgreement::OneDigit => 0.8,
            // Low enough that a name that only sounds the same is no hit without a date to confirm it.
            DateAgreement::Missing => 0.55,
            DateAgreement::Different => 0.0,
        }
    }

    pub fn reason(self) -> &'static str {
        match self {
            DateAgreement::Exact => "same birth date",
            DateAgreement::DayMonthSwapped => "birth date with day and month swapped",
            DateAgreement::OneDigit => "birth date one digit apart",
            DateAgreement::Missing => "no birth date to compare",
            DateAgreement::Different => "different birth date",
        }
    }
}

/// `YYYYMMDD`.
pub fn digits(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// The valid dates with day and month swapped (empty when the swap is no date or the same one).
pub fn swapped(d: Date) -> Option<Date> {
    if d.day() == d.month() || d.day() > 12 {
        return None;
    }
    Date::new(d.year(), d.day(), d.month()).ok()
}

/// Every valid date that differs from `d` in exactly one digit of `YYYYMMDD`.
pub fn one_digit_variants(d: Date) -> Vec<Date> {
    one_digit_variants_of(&digits(d))
}

/// Every valid date one digit away from the eight digits `s` (`YYYYMMDD`), which need not be a
/// date themselves (`19620229`).
pub fn one_digit_variants_of(s: &str) -> Vec<Date> {
    let mut out = Vec::new();
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return out;
    }
    for (i, c) in s.char_indices() {
        for r in '0'..='9' {
            if r == c {
                continue;
            }
            let mut v = s.to_owned();
            v.replace_range(i..=i, &r.to_string());
            let (y, m, day) = (&v[0..4], &v[4..6], &v[6..8]);
            if let (Ok(y), Ok(m), Ok(day)) = (y.parse::<i16>(), m.parse::<i8>(), day.parse::<i8>()) {
                if let Ok(date) = Date::new(y, m, day) {
                    out.push(date);
                }
            }
        }
    }
    out
}

/// How `query` relates to `stored`.
pub fn agreement(query: Option<Date>, stored: Option<Date>) -> DateAgreement {
    match (query, stored) {
        (Some(q), Some(s)) if q == s => DateAgreement::Exact,
        (Some(q), Some(s)) if swapped(q) == Some(s) => DateAgreement::DayMonthSwapped,
        (Some(q), Some(s)) if one_digit_variants(q).contains(&s) => DateAgreement::OneDigit,
        (Some(_), Some(_)) => DateAgreement::Different,
        _ => DateAgreement::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn tolerated_errors_are_recognised() {
        let d = date(1984, 3, 7);
        assert_eq!(agreement(Some(d), Some(d)), DateAgreement::Exact);
        assert_eq!(
            agreement(Some(d), Some(date(1984, 7, 3))),
            DateAgreement::DayMonthSwapped
        );
        assert_eq!(agreement(Some(d), Some(date(1985, 3, 7))), DateAgreement::OneDigit);
        assert_eq!(agreement(Some(d), Some(date(1984, 3, 9))), DateAgreement::OneDigit);
        assert_eq!(agreement(Some(d), Some(date(1991, 11, 20))), DateAgreement::Different);
        assert_eq!(agreement(None, Some(d)), DateAgreement::Missing);
    }

    #[test]
    fn variants_are_valid_dates_only() {
        let v = one_digit_variants(date(2000, 2, 28));
        assert!(v.iter().all(|x| *x != date(2000, 2, 28)));
        assert!(v.contains(&date(2000, 2, 29)));
        assert!(!v.iter().any(|x| x.month() > 12));
        assert_eq!(swapped(date(1990, 5, 20)), None);
    }
}
