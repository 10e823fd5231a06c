//! The case list's statement: filters, keyset position and, for a search, one key's matches in
//! list order.

use super::*;

/// A value bound to the case list's statement.
pub(crate) enum CaseBind {
    Text(String),
    Int(i64),
}

/// The statement of a case-list page, with its values in placeholder order. With `key`, the
/// page of the cases having that match key, read in list order through the primary key of `case_keys` (a
/// search reads one page per key, whatever the number of matches).
pub(crate) fn case_list_sql(q: &CaseQuery, key: Option<&str>) -> (String, Vec<CaseBind>) {
    let mut conditions = Vec::new();
    let mut binds = Vec::new();
    let next = |b: CaseBind, binds: &mut Vec<CaseBind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    // Ordered by the key's copy of the list position when searching, else the case's own.
    let order = if key.is_some() { "k" } else { "c" };
    if let Some(key) = key {
        let p = next(CaseBind::Text(key.to_owned()), &mut binds);
        conditions.push(format!("k.key = {p}"));
    }
    let now = q.now.unwrap_or_else(Timestamp::now);
    conditions.push(if q.operations {
        "c.kind = 'operation'".to_owned()
    } else {
        "c.kind <> 'operation'".to_owned()
    });
    match q.status.as_deref() {
        None | Some("") => {}
        // Open: every case before the closed ones in the order.
        Some("open") => conditions.push(format!("{order}.sort_key < '2'")),
        Some("overdue") => {
            let p = next(CaseBind::Text(overdue_bound(now)), &mut binds);
            conditions.push(format!("{order}.sort_key < {p} AND c.status IN ('new', 'assigned')"));
        }
        Some(s @ ("new" | "assigned")) => {
            let p = next(CaseBind::Text(s.to_owned()), &mut binds);
            let b = next(CaseBind::Text(overdue_bound(now)), &mut binds);
            conditions.push(format!("c.status = {p} AND {order}.sort_key >= {b}"));
        }
        Some(s) => {
            let p = next(CaseBind::Text(s.to_owned()), &mut binds);
            conditions.push(format!("c.status = {p}"));
        }
    }
    for (column, value) in [
        ("partner", &q.partner),
        ("kind", &q.kind),
        ("assignee", &q.assignee),
        ("channel", &q.channel),
        ("unit", &q.unit),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            let p = next(CaseBind::Text(v.to_owned()), &mut binds);
            conditions.push(format!("c.{column} = {p}"));
        }
    }
    if let Some(urgent) = q.urgent {
        let p = next(CaseBind::Int(i64::from(urgent)), &mut binds);
        conditions.push(format!("c.urgent = {p}"));
    }
    if let Some(before) = q.deadline_before {
        // Running deadlines sort first by their time: a range of the order index.
        let p = next(CaseBind::Text(overdue_bound(before)), &mut binds);
        conditions.push(format!("{order}.sort_key <= {p} AND {order}.sort_key >= '0'"));
    }
    if let Some((sort, id)) = &q.after {
        let a = next(CaseBind::Text(sort.clone()), &mut binds);
        let b = next(CaseBind::Text(id.clone()), &mut binds);
        conditions.push(format!("({order}.sort_key, {order}.case_id) > ({a}, {b})"));
    }
    let from = if key.is_some() {
        "case_keys k JOIN cases c ON c.case_id = k.case_id"
    } else {
        "cases c"
    };
    let limit = next(CaseBind::Int(q.limit.clamp(1, 500)), &mut binds);
    let columns = case_columns_of_c();
    (
        format!(
            "SELECT {columns} FROM {from} WHERE {} ORDER BY {order}.sort_key, {order}.case_id LIMIT {limit}",
            conditions.join(" AND ")
        ),
        binds,
    )
}
