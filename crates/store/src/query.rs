//! Journal searches and counts for the data-protection officer and the desk, built as SQL with
//! `$n` placeholders (SQLite and PostgreSQL both accept them).

use crate::JournalQuery;

/// A value bound to a dynamically built statement.
pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

/// The `WHERE` clause of `q` (empty when nothing filters) and its values in placeholder order.
fn journal_filter(q: &JournalQuery) -> (String, Vec<Bind>) {
    let mut conditions = Vec::new();
    let mut binds = Vec::new();
    let next = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    if let Some(actor) = q.actor.as_deref().filter(|a| !a.is_empty()) {
        let p = next(
            Bind::Text(format!("%{}%", like_escape(&actor.to_lowercase()))),
            &mut binds,
        );
        conditions.push(format!("LOWER(actor) LIKE {p} ESCAPE '\\'"));
    }
    if let Some(op) = q.operation {
        let p = next(Bind::Text(op.as_str().to_owned()), &mut binds);
        conditions.push(format!("operation = {p}"));
    }
    if let Some(subject) = q.subject.as_deref().filter(|s| !s.is_empty()) {
        let p = next(
            Bind::Text(format!("%{}%", like_escape(&subject.to_lowercase()))),
            &mut binds,
        );
        // Entries of the cases of the messages that mention the subject, and entries about those
        // messages themselves (a use of received data names the message, not always the case).
        let mentions = format!(
            "SELECT message_id, case_id FROM inbox WHERE LOWER(bytes) LIKE {p} ESCAPE '\\' \
             UNION SELECT message_id, case_id FROM outbox WHERE LOWER(bytes) LIKE {p} ESCAPE '\\'"
        );
        conditions.push(format!(
            "(case_id IN (SELECT case_id FROM ({mentions}) AS m) \
              OR message_id IN (SELECT message_id FROM ({mentions}) AS n))"
        ));
    }
    // Times are stored as RFC 3339 UTC text; compare on whole seconds, which sort as text.
    if let Some(since) = q.since {
        let p = next(Bind::Text(seconds(since)), &mut binds);
        conditions.push(format!("at >= {p}"));
    }
    if let Some(until) = q.until {
        let p = next(Bind::Text(seconds(until)), &mut binds);
        conditions.push(format!("at < {p}"));
    }
    if let Some(before) = q.before_seq {
        let p = next(Bind::Int(before), &mut binds);
        conditions.push(format!("seq < {p}"));
    }
    // Details are stored as compact JSON (`serde_json::to_string`): a field with its value is
    // the text `"key":value` in them.
    for (key, value) in &q.details {
        let fragment = format!("{}:{value}", serde_json::Value::from(key.as_str()));
        let p = next(Bind::Text(format!("%{}%", like_escape(&fragment))), &mut binds);
        conditions.push(format!("details LIKE {p} ESCAPE '\\'"));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    (filter, binds)
}

/// The statement of a journal search, newest first, with its values in placeholder order.
pub(crate) fn journal_search_sql(q: &JournalQuery) -> (String, Vec<Bind>) {
    let (filter, mut binds) = journal_filter(q);
    binds.push(Bind::Int(q.limit.clamp(1, 10_000)));
    let p = binds.len();
    (
        format!(
            "{}{filter} ORDER BY seq DESC LIMIT ${p}",
            crate::sql_store::SELECT_JOURNAL
        ),
        binds,
    )
}

/// The statement counting the entries `q` matches (its limit does not apply).
pub(crate) fn journal_count_sql(q: &JournalQuery) -> (String, Vec<Bind>) {
    let (filter, binds) = journal_filter(q);
    (format!("SELECT CAST(COUNT(*) AS BIGINT) FROM journal{filter}"), binds)
}

fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// `2026-11-24T10:00:00Z`: the prefix every stored time of that second starts with, and which
/// sorts before all of them.
fn seconds(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}
