//! The CSV files of `grens match run`: `id,given_names,surname,birth_date,nationality` and
//! `qid,given_names,surname,birth_date` (UTF-8, RFC 4180 quoting, dates `YYYY-MM-DD` or empty).
//! Errors name the line and the field.

use jiff::civil::Date;

use crate::{Person, Query};

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, field `{field}`: {problem}")]
pub struct CsvError {
    pub line: usize,
    pub field: String,
    pub problem: String,
}

/// Splits one CSV record (no embedded newlines).
pub fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', false) if field.is_empty() => quoted = true,
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            (',', false) => out.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return Err("unterminated quote".into());
    }
    out.push(field);
    Ok(out)
}

fn records<'a>(
    text: &'a str,
    header: &'a [&'a str],
) -> impl Iterator<Item = Result<(usize, Vec<String>), CsvError>> + 'a {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
    let head = lines.next();
    let head_error = match head {
        Some((_, h))
            if fields(h.trim_start_matches('\u{feff}'))
                .ok()
                .as_deref()
                .map(|f| f.iter().map(String::as_str).collect::<Vec<_>>())
                == Some(header.to_vec()) =>
        {
            None
        }
        Some((_, h)) => Some(CsvError {
            line: 1,
            field: "header".into(),
            problem: format!("expected `{}`, found `{h}`", header.join(",")),
        }),
        None => Some(CsvError {
            line: 1,
            field: "header".into(),
            problem: "the file is empty".into(),
        }),
    };
    head_error
        .map(Err)
        .into_iter()
        .chain(lines.filter(|(_, l)| !l.trim().is_empty()).map(move |(n, l)| {
            let f = fields(l).map_err(|problem| CsvError {
                line: n,
                field: "record".into(),
                problem,
            })?;
            if f.len() != header.len() {
                return Err(CsvError {
                    line: n,
                    field: "record".into(),
                    problem: format!("{} fields, expected {}", f.len(), header.len()),
                });
            }
            Ok((n, f))
        }))
}

/// A date field: `YYYY-MM-DD` or empty.
pub fn date(line: usize, field: &str, text: &str) -> Result<Option<Date>, CsvError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.trim().parse::<Date>().map(Some).map_err(|e| CsvError {
        line,
        field: field.into(),
        problem: format!("'{text}' is not a date YYYY-MM-DD: {e}"),
    })
}

/// A date field as hit/no-hit must take it: `YYYY-MM-DD`, empty, or a typo'd date that is no
/// date at all (`1962-02-29`, `1980-04-31`, `1980-13-02`). A typo'd date is read as the nearest
/// real one (a day past the month's end as the month's last day; a month over 12 with a day that
/// can be a month as day and month swapped) and the real dates one digit away from what was
/// typed are kept as alternatives, with a note that says so. Anything else is an error of the
/// line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadDate {
    pub date: Option<Date>,
    /// Other real dates the typo may stand for (one digit away from the digits typed).
    pub alternatives: Vec<Date>,
    pub note: Option<String>,
}

pub fn tolerant_date(line: usize, field: &str, text: &str) -> Result<ReadDate, CsvError> {
    let e = match date(line, field, text) {
        Ok(date) => {
            return Ok(ReadDate {
                date,
                ..ReadDate::default()
            })
        }
        Err(e) => e,
    };
    let parts: Vec<&str> = text.trim().split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(e);
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(e);
    }
    let (Ok(year), Ok(month), Ok(day)) = (y.parse::<i16>(), m.parse::<i8>(), d.parse::<i8>()) else {
        return Err(e);
    };
    if !(1..=31).contains(&day) {
        return Err(e);
    }
    let nearest = if (1..=12).contains(&month) {
        Date::new(year, month, 1)
            .ok()
            .and_then(|first| Date::new(year, month, day.min(first.days_in_month())).ok())
            .map(|d| (d, "the nearest valid day"))
    } else if (1..=12).contains(&day) && (13..=31).contains(&month) {
        Date::new(year, day, month).ok().map(|d| (d, "day and month swapped"))
    } else {
        None
    };
    let Some((nearest, how)) = nearest else {
        return Err(e);
    };
    let alternatives: Vec<Date> = crate::dates::one_digit_variants_of(&format!("{y}{m}{d}"))
        .into_iter()
        .filter(|a| *a != nearest)
        .collect();
    Ok(ReadDate {
        date: Some(nearest),
        note: Some(format!(
            "{field} {} does not exist: compared as {nearest} ({how}) and as the {} real dates one digit away",
            text.trim(),
            alternatives.len()
        )),
        alternatives,
    })
}

/// A query line of [`queries_tolerant`]: its number, id, query and what was read into it.
#[derive(Debug, Clone)]
pub struct QueryLine {
    pub line: usize,
    pub qid: String,
    pub query: Query,
    /// Set when the birth date was a typo read as the nearest real date.
    pub note: Option<String>,
    /// The other real dates the typo may stand for.
    pub alternatives: Vec<Date>,
}

/// Reads `qid,given_names,surname,birth_date` line by line: a header error stops the file, an
/// unreadable line is that line's error and the others are read.
pub fn queries_tolerant(text: &str) -> Result<Vec<Result<QueryLine, CsvError>>, CsvError> {
    let mut out = Vec::new();
    for record in records(text, &["qid", "given_names", "surname", "birth_date"]) {
        match record {
            Err(e) if e.field == "header" => return Err(e),
            Err(e) => out.push(Err(e)),
            Ok((n, f)) => out.push(tolerant_date(n, "birth_date", &f[3]).map(|read| QueryLine {
                line: n,
                qid: f[0].clone(),
                query: Query {
                    given_names: f[1].clone(),
                    surname: f[2].clone(),
                    birth_date: read.date,
                },
                note: read.note,
                alternatives: read.alternatives,
            })),
        }
    }
    Ok(out)
}

/// Reads `id,given_names,surname,birth_date,nationality` keeping what can be read: typo'd
/// dates as in [`tolerant_date`], unreadable lines returned beside the persons.
pub fn persons_tolerant(text: &str) -> Result<(Vec<Person>, Vec<CsvError>), CsvError> {
    let mut persons = Vec::new();
    let mut errors = Vec::new();
    for record in records(text, &["id", "given_names", "surname", "birth_date", "nationality"]) {
        match record {
            Err(e) if e.field == "header" => return Err(e),
            Err(e) => errors.push(e),
            Ok((n, f)) => match tolerant_date(n, "birth_date", &f[3]) {
                Ok(read) => persons.push(Person {
                    id: f[0].clone(),
                    given_names: f[1].clone(),
                    surname: f[2].clone(),
                    birth_date: read.date,
                }),
                Err(e) => errors.push(e),
            },
        }
    }
    Ok((persons, errors))
}

/// Reads `id,given_names,surname,birth_date,nationality`.
pub fn persons(text: &str) -> Result<Vec<Person>, CsvError> {
    records(text, &["id", "given_names", "surname", "birth_date", "nationality"])
        .map(|r| {
            let (n, f) = r?;
            Ok(Person {
                id: f[0].clone(),
                given_names: f[1].clone(),
                surname: f[2].clone(),
                birth_date: date(n, "birth_date", &f[3])?,
            })
        })
        .collect()
}

/// Reads `qid,given_names,surname,birth_date`.
pub fn queries(text: &str) -> Result<Vec<(String, Query)>, CsvError> {
    records(text, &["qid", "given_names", "surname", "birth_date"])
        .map(|r| {
            let (n, f) = r?;
            Ok((
                f[0].clone(),
                Query {
                    given_names: f[1].clone(),
                    surname: f[2].clone(),
                    birth_date: date(n, "birth_date", &f[3])?,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typo_dates_are_read_as_the_nearest_real_date_with_a_note() {
        use jiff::civil::date as d;
        let read = tolerant_date(2, "birth_date", "1962-02-29").expect("read");
        assert_eq!(read.date, Some(d(1962, 2, 28)));
        assert!(read.alternatives.contains(&d(1962, 2, 19)) && read.alternatives.contains(&d(1962, 1, 29)));
        assert!(read
            .note
            .is_some_and(|n| n.contains("1962-02-29 does not exist") && n.contains("nearest valid day")));
        assert_eq!(
            tolerant_date(2, "birth_date", "1980-04-31").expect("read").date,
            Some(d(1980, 4, 30))
        );
        let read = tolerant_date(2, "birth_date", "1980-13-02").expect("read");
        assert_eq!(read.date, Some(d(1980, 2, 13)));
        assert!(read.note.is_some_and(|n| n.contains("swapped")));
        assert_eq!(
            tolerant_date(2, "birth_date", "1980-05-01").expect("valid"),
            ReadDate {
                date: Some(d(1980, 5, 1)),
                ..ReadDate::default()
            }
        );
        for bad in ["1980-13-13", "1980-00-10", "1980-05-32", "yesterday", "1980-5-1x"] {
            assert!(tolerant_date(2, "birth_date", bad).is_err(), "{bad}");
        }
        let lines = queries_tolerant("qid,given_names,surname,birth_date\nq1,Jan,Peeters,1962-02-29\nq2,\"Ana\nq3,Ana,Kovač,not a date\nq4,Ana,Kovač,\n")
            .expect("header");
        assert_eq!(lines.len(), 4);
        assert!(lines[0].as_ref().is_ok_and(|l| l.note.is_some()));
        assert!(lines[1].as_ref().is_err_and(|e| e.line == 3));
        assert!(lines[2].as_ref().is_err_and(|e| e.field == "birth_date"));
        assert!(lines[3].as_ref().is_ok_and(|l| l.query.birth_date.is_none()));
    }

    #[test]
    fn quoted_fields_and_errors_with_line_and_field() {
        let ok = "id,given_names,surname,birth_date,nationality\n1,\"Jan, Piet\",\"de \"\"Boer\"\"\",1980-01-02,NL\n2,Ana,Kovač,,SI\n";
        let p = persons(ok).expect("valid");
        assert_eq!(p[0].given_names, "Jan, Piet");
        assert_eq!(p[0].surname, "de \"Boer\"");
        assert_eq!(p[1].birth_date, None);
        let bad = "id,given_names,surname,birth_date,nationality\n1,Jan,Boer,1980-13-02,NL\n";
        let e = persons(bad).expect_err("bad date");
        assert_eq!((e.line, e.field.as_str()), (2, "birth_date"));
        let e = queries("qid,surname\n").expect_err("bad header");
        assert_eq!(e.field, "header");
        let e = queries("qid,given_names,surname,birth_date\nq1,a,b\n").expect_err("short");
        assert!(
            e.to_string().contains("line 2") && e.to_string().contains("3 fields"),
            "{e}"
        );
    }
}
