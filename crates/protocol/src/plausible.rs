//! The plausible window for every date and time grens accepts — from an officer, a form, a file
//! or a partner's envelope. jiff reads years from -9999 to 9999, but a record dated in year -1
//! is a typo or an attack, and some such instants cannot even be read back once stored; so
//! every date-like value is checked where it enters, and the error names the field and the
//! window.

use jiff::civil::{Date, DateTime};
use jiff::Timestamp;
use serde_json::Value;

/// The first year accepted (birth dates of the oldest living persons fit).
pub const EARLIEST_YEAR: i16 = 1900;
/// The last year accepted (valid-until dates of hotlist entries and agreements fit).
pub const LATEST_YEAR: i16 = 2199;

/// A date or time outside [`EARLIEST_YEAR`]…[`LATEST_YEAR`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {value} is outside the plausible window {EARLIEST_YEAR}-01-01 … {LATEST_YEAR}-12-31")]
pub struct ImplausibleDate {
    /// The JSON path of the value (`at`, `body.subjects[0].birth_date`).
    pub field: String,
    pub value: String,
}

/// Whether `year` is in the window.
pub fn plausible_year(year: i16) -> bool {
    (EARLIEST_YEAR..=LATEST_YEAR).contains(&year)
}

/// The year of `text` if it reads as an RFC 3339 instant, a civil date-time or a date.
fn year_of(text: &str) -> Option<i16> {
    // Cheap filter first: dates are short and start with a digit or a sign.
    let first = *text.as_bytes().first()?;
    if !(10..=64).contains(&text.len()) || !(first.is_ascii_digit() || first == b'-' || first == b'+') {
        return None;
    }
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t.to_zoned(jiff::tz::TimeZone::UTC).year());
    }
    if let Ok(d) = text.parse::<DateTime>() {
        return Some(d.year());
    }
    if let Ok(d) = text.parse::<Date>() {
        return Some(d.year());
    }
    // An instant jiff cannot hold (`9999-12-31T00:00:00Z` is past its last one): the date part.
    let (date, _) = text.split_once('T')?;
    date.parse::<Date>().ok().map(|d| d.year())
}

/// Checks every string of `value` that reads as a date or time, naming the first one outside
/// the window by its path.
pub fn check_json(value: &Value) -> Result<(), ImplausibleDate> {
    fn walk(value: &Value, path: &mut String) -> Result<(), ImplausibleDate> {
        match value {
            Value::String(text) => match year_of(text) {
                Some(year) if !plausible_year(year) => Err(ImplausibleDate {
                    field: if path.is_empty() { ".".into() } else { path.clone() },
                    value: text.clone(),
                }),
                _ => Ok(()),
            },
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(fields) => {
                for (name, item) in fields {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(name);
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(value, &mut String::new())
}

/// Checks one typed instant (a value built in code, or read from a form).
pub fn check_timestamp(field: &str, at: Timestamp) -> Result<(), ImplausibleDate> {
    let year = at.to_zoned(jiff::tz::TimeZone::UTC).year();
    if plausible_year(year) {
        Ok(())
    } else {
        Err(ImplausibleDate {
            field: field.to_owned(),
            value: at.to_string(),
        })
    }
}

/// Checks one date.
pub fn check_date(field: &str, date: Date) -> Result<(), ImplausibleDate> {
    if plausible_year(date.year()) {
        Ok(())
    } else {
        Err(ImplausibleDate {
            field: field.to_owned(),
            value: date.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_year_outside_the_window_is_named_by_its_path() {
        let bad = json!({ "at": "-000001-01-01T00:00:00Z", "summary": "x" });
        let e = check_json(&bad).expect_err("year -1");
        assert_eq!(e.field, "at");
        assert!(e.to_string().contains("1900-01-01 … 2199-12-31"), "{e}");
        let nested = json!({ "subjects": [{ "name": "A" }, { "birth_date": "1850-02-01" }] });
        assert_eq!(check_json(&nested).expect_err("1850").field, "subjects[1].birth_date");
        let far = json!({ "valid_until": "9999-12-31T00:00:00Z" });
        assert!(check_json(&far).is_err());
    }

    #[test]
    fn plausible_dates_and_free_text_pass() {
        let fine = json!({
            "at": "2026-12-01T10:00:00+01:00",
            "birth": "1962-02-28",
            "local": "2026-03-29T02:30:00",
            "text": "-1 is not a date",
            "number": -1,
            "plate": "1-ABC-123",
        });
        assert_eq!(check_json(&fine), Ok(()));
    }
}
