//! Camera reads from CSV (`plate,country,time,camera,location,confidence`) or JSON Lines with
//! the same fields; every error names its line and field.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One camera read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Read {
    /// The plate as the camera read it.
    pub plate: String,
    /// The country the camera's recogniser guessed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    pub time: Timestamp,
    pub camera: String,
    /// Where the camera stands (a place name or "lat,lon").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The recogniser's confidence, 0–1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}, field `{field}`: {message}")]
pub struct ReadError {
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl Read {
    /// Checks what serde cannot — a plate that has letters or digits, a confidence in 0–1 —
    /// and returns the plate, normalised (so a caller does not parse it twice).
    pub fn validate(&self, line: usize) -> Result<crate::plate::Plate, ReadError> {
        let err = |field: &str, message: String| ReadError {
            line,
            field: field.to_owned(),
            message,
        };
        let plate = crate::plate::Plate::parse(&self.plate).map_err(|e| err("plate", e.to_string()))?;
        if self.camera.trim().is_empty() {
            return Err(err("camera", "is empty".into()));
        }
        if let Some(c) = self.confidence {
            if !(0.0..=1.0).contains(&c) {
                return Err(err("confidence", format!("{c} is not between 0 and 1")));
            }
        }
        Ok(plate)
    }
}

/// The fields of a CSV line; quotes allow commas inside a field.
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(f) = out.last_mut() {
                    f.push('"');
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(String::new()),
            (c, _) => {
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    out
}

/// One line of input (1-based `line`): JSON when it starts with `{`, else CSV. `None` for the
/// CSV header and blank lines.
pub fn parse_line(text: &str, line: usize) -> Result<Option<Read>, ReadError> {
    let t = text.trim();
    if t.is_empty() || t.starts_with("plate,") {
        return Ok(None);
    }
    let read = if t.starts_with('{') {
        json_read(t).map_err(|(field, message)| ReadError { line, field, message })?
    } else {
        let f = csv_fields(t);
        let err = |field: &str, message: String| ReadError {
            line,
            field: field.to_owned(),
            message,
        };
        if f.len() < 4 {
            return Err(err(
                "line",
                format!(
                    "{} fields; expected plate,country,time,camera,location,confidence",
                    f.len()
                ),
            ));
        }
        let opt = |i: usize| f.get(i).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Read {
            plate: f[0].trim().to_owned(),
            country: opt(1),
            time: f[2]
                .trim()
                .parse()
                .map_err(|e| err("time", format!("'{}' is not an instant with offset: {e}", f[2].trim())))?,
            camera: f[3].trim().to_owned(),
            location: opt(4),
            confidence: match opt(5) {
                None => None,
                Some(c) => Some(
                    c.parse()
                        .map_err(|_| err("confidence", format!("'{c}' is not a number")))?,
                ),
            },
        }
    };
    read.validate(line)?;
    Ok(Some(read))
}

/// A read from a JSON object, or the field that is wrong and why.
fn json_read(text: &str) -> Result<Read, (String, String)> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ("line".to_owned(), e.to_string()))?;
    let Some(obj) = value.as_object() else {
        return Err(("line".into(), "not a JSON object".into()));
    };
    for field in ["plate", "time", "camera"] {
        if !obj.contains_key(field) {
            return Err((field.into(), "missing".into()));
        }
    }
    for (field, v) in obj {
        let ok = match field.as_str() {
            "plate" | "camera" => v.is_string(),
            "country" | "location" => v.is_string() || v.is_null(),
            "confidence" => v.is_number() || v.is_null(),
            "time" => v.as_str().is_some_and(|s| s.parse::<Timestamp>().is_ok()),
            _ => true,
        };
        if !ok {
            return Err((field.clone(), format!("{v} is not a valid {field}")));
        }
    }
    serde_json::from_value(value).map_err(|e| ("line".into(), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json_lines() {
        let csv = parse_line("1-ABC-123,BE,2026-06-01T10:00:00+02:00,E40-KM12,\"Gent, E40\",0.93", 2);
        let r = csv.ok().flatten();
        assert_eq!(r.as_ref().map(|r| r.location.as_deref()), Some(Some("Gent, E40")));
        assert_eq!(r.as_ref().and_then(|r| r.confidence), Some(0.93));
        let json = parse_line(
            r#"{"plate":"XX-123-Y","time":"2026-06-01T08:00:00Z","camera":"A2-1"}"#,
            3,
        );
        assert!(json.is_ok_and(|r| r.is_some_and(|r| r.country.is_none())));
        assert_eq!(parse_line("plate,country,time,camera,location,confidence", 1), Ok(None));
    }

    #[test]
    fn errors_name_line_and_field() {
        let e = |s: &str| parse_line(s, 7).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e("1ABC123,BE,yesterday,cam").starts_with("line 7, field `time`"));
        assert!(e("1A*C123,BE,2026-06-01T10:00:00Z,cam").contains("field `plate`"));
        assert!(e("1ABC123,BE,2026-06-01T10:00:00Z,cam,,1.5").contains("field `confidence`"));
        assert!(e(r#"{"plate":"1ABC123","camera":"c"}"#).contains("field `time`"));
        assert!(
            e(r#"{"plate":"1ABC123","time":"2026-06-01T10:00:00Z","camera":"c","confidence":"x"}"#)
                .contains("field `confidence`")
        );
        assert!(e("{not json").contains("line 7"));
        assert!(e("1ABC123,BE").contains("fields"));
    }
}
