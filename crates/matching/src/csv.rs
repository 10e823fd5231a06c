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
