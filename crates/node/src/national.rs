//! A national database as grens sees it: persons and objects (vehicles, documents, firearms)
//! that partners may query under Arts. 14–16. [`NationalDatabase`] is the seam behind which a
//! real national system (ANG, BVH, …) would sit; [`IndexedDatabase`] is the one grens ships: the
//! records kept in a SQLite file (filled by `grens import`) and answered from the matching
//! engine's in-memory index.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use matching::{Index, Match, Person, Protection, Query};
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

/// What a partner's query may ask of a national database.
pub trait NationalDatabase: Send + Sync {
    /// The database's identifier in the treaty profile (annex 6), e.g. `BVH`.
    fn id(&self) -> &str;
    /// Persons matching `query`, best first, with the reasons.
    fn persons(&self, query: &Query) -> Vec<Match>;
    /// Ids of the objects of `kind` with this identifier (compared without spaces, dashes or case).
    fn objects(&self, kind: ObjectKind, identifier: &str) -> Vec<String>;
    /// A population or other public register (Art. 17), not a police database.
    fn is_register(&self) -> bool {
        false
    }
    /// The persons with these ids, for a direct consultation (Arts. 15–17).
    fn fetch<'a>(
        &'a self,
        ids: &'a [String],
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<PersonRecord>, String>> + Send + 'a>>;
}

/// The kinds of objects a database may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Vehicle,
    Document,
    Firearm,
}

impl ObjectKind {
    pub fn parse(text: &str) -> Option<ObjectKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "vehicle" => Some(ObjectKind::Vehicle),
            "document" => Some(ObjectKind::Document),
            "firearm" => Some(ObjectKind::Firearm),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Vehicle => "vehicle",
            ObjectKind::Document => "document",
            ObjectKind::Firearm => "firearm",
        }
    }
}

/// `1-ABC-123`, `1 abc 123` and `1ABC123` are the same plate.
pub fn normalise_identifier(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// An object record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRecord {
    pub id: String,
    pub kind: ObjectKind,
    pub identifier: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub description: String,
}

/// A person record with the nationality the file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    pub person: Person,
    pub nationality: String,
}

/// A record that could not be read: where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, field `{field}`: {problem}")]
pub struct RecordError {
    pub line: usize,
    pub field: String,
    pub problem: String,
}

fn bad(line: usize, field: &str, problem: impl Into<String>) -> RecordError {
    RecordError {
        line,
        field: field.into(),
        problem: problem.into(),
    }
}

const PERSON_HEADER: [&str; 5] = ["id", "given_names", "surname", "birth_date", "nationality"];
const OBJECT_HEADER: [&str; 5] = ["id", "kind", "identifier", "country", "description"];

/// The format of an import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// From the file name: `.jsonl`/`.ndjson` are JSON Lines, anything else CSV.
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson") => Format::JsonLines,
            _ => Format::Csv,
        }
    }
}

/// One line of a file as named fields, with the header checked (CSV) or the keys read (JSON).
fn named_fields(
    format: Format,
    header: &[&str],
    line: usize,
    text: &str,
) -> Result<HashMap<String, String>, RecordError> {
    match format {
        Format::Csv => {
            let f = matching::csv::fields(text).map_err(|p| bad(line, "record", p))?;
            if f.len() != header.len() {
                return Err(bad(
                    line,
                    "record",
                    format!("{} fields, expected {} ({})", f.len(), header.len(), header.join(",")),
                ));
            }
            Ok(header.iter().map(|h| (*h).to_owned()).zip(f).collect())
        }
        Format::JsonLines => {
            let v: serde_json::Value =
                serde_json::from_str(text).map_err(|e| bad(line, "record", format!("not JSON: {e}")))?;
            let obj = v.as_object().ok_or_else(|| bad(line, "record", "not a JSON object"))?;
            let mut out = HashMap::new();
            for h in header {
                let value = match obj.get(*h) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => return Err(bad(line, h, format!("expected text, found {other}"))),
                };
                out.insert((*h).to_owned(), value);
            }
            if let Some(unknown) = obj.keys().find(|k| !header.contains(&k.as_str())) {
                return Err(bad(
                    line,
                    unknown,
                    format!("unknown field (expected {})", header.join(", ")),
                ));
            }
            Ok(out)
        }
    }
}

fn required(f: &HashMap<String, String>, line: usize, field: &str) -> Result<String, RecordError> {
    match f.get(field).map(|s| s.trim()) {
        Some(s) if !s.is_empty() => Ok(s.to_owned()),
        _ => Err(bad(line, field, "empty")),
    }
}

pub fn person_record(format: Format, line: usize, text: &str) -> Result<PersonRecord, RecordError> {
    let f = named_fields(format, &PERSON_HEADER, line, text)?;
    let birth = f.get("birth_date").map(String::as_str).unwrap_or_default();
    let birth_date = matching::csv::date(line, "birth_date", birth).map_err(|e| bad(line, "birth_date", e.problem))?;
    if let Some(d) = birth_date {
        if d.year() < 1880 || d > jiff::Zoned::now().date() {
            return Err(bad(line, "birth_date", format!("{d} is not a plausible birth date")));
        }
    }
    Ok(PersonRecord {
        person: Person {
            id: required(&f, line, "id")?,
            given_names: f.get("given_names").cloned().unwrap_or_default(),
            surname: required(&f, line, "surname")?,
            birth_date,
        },
        nationality: f.get("nationality").cloned().unwrap_or_default(),
    })
}

pub fn object_record(format: Format, line: usize, text: &str) -> Result<ObjectRecord, RecordError> {
    let f = named_fields(format, &OBJECT_HEADER, line, text)?;
    let kind_text = required(&f, line, "kind")?;
    let kind = ObjectKind::parse(&kind_text).ok_or_else(|| {
        bad(
            line,
            "kind",
            format!("'{kind_text}': expected vehicle, document or firearm"),
        )
    })?;
    let identifier = required(&f, line, "identifier")?;
    if normalise_identifier(&identifier).is_empty() {
        return Err(bad(
            line,
            "identifier",
            format!("'{identifier}' has no letters or digits"),
        ));
    }
    Ok(ObjectRecord {
        id: required(&f, line, "id")?,
        kind,
        identifier,
        country: f.get("country").cloned().unwrap_or_default(),
        description: f.get("description").cloned().unwrap_or_default(),
    })
}

/// Checks a CSV file's header line.
pub fn check_header(format: Format, persons: bool, first: &str) -> Result<(), RecordError> {
    if format == Format::JsonLines {
        return Ok(());
    }
    let header: &[&str] = if persons { &PERSON_HEADER } else { &OBJECT_HEADER };
    let found = matching::csv::fields(first.trim_start_matches('\u{feff}').trim_end()).unwrap_or_default();
    if found.iter().map(String::as_str).eq(header.iter().copied()) {
        Ok(())
    } else {
        Err(bad(
            1,
            "header",
            format!("expected `{}`, found `{}`", header.join(","), first.trim_end()),
        ))
    }
}

/// The SQLite file of a national database.
#[derive(Debug, Clone)]
pub struct NationalStore {
    pool: SqlitePool,
}

impl NationalStore {
    pub async fn open(path: &Path) -> Result<NationalStore, sqlx::Error> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS persons (id TEXT PRIMARY KEY, given_names TEXT NOT NULL, surname TEXT NOT NULL,
               birth_date TEXT, nationality TEXT NOT NULL)",
        )
        .execute(&pool)
        .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS objects (id TEXT PRIMARY KEY, kind TEXT NOT NULL, identifier TEXT NOT NULL,
               normalised TEXT NOT NULL, country TEXT NOT NULL, description TEXT NOT NULL)",
        )
        .execute(&pool)
        .await?;
        sqlx::query("CREATE INDEX IF NOT EXISTS objects_normalised ON objects (kind, normalised)")
            .execute(&pool)
            .await?;
        Ok(NationalStore { pool })
    }

    /// Stores persons in one transaction (all or nothing); a known id is replaced.
    pub async fn put_persons(&self, records: &[PersonRecord]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for chunk in records.chunks(5_000) {
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT OR REPLACE INTO persons (id, given_names, surname, birth_date, nationality) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(&r.person.id)
                    .push_bind(&r.person.given_names)
                    .push_bind(&r.person.surname)
                    .push_bind(r.person.birth_date.map(|d| d.to_string()))
                    .push_bind(&r.nationality);
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    pub async fn put_objects(&self, records: &[ObjectRecord]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for chunk in records.chunks(5_000) {
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT OR REPLACE INTO objects (id, kind, identifier, normalised, country, description) ",
            );
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(&r.id)
                    .push_bind(r.kind.as_str())
                    .push_bind(&r.identifier)
                    .push_bind(normalise_identifier(&r.identifier))
                    .push_bind(&r.country)
                    .push_bind(&r.description);
            });
            qb.build().execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// (persons, objects) held.
    pub async fn counts(&self) -> Result<(i64, i64), sqlx::Error> {
        let p: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons")
            .fetch_one(&self.pool)
            .await?;
        let o: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM objects")
            .fetch_one(&self.pool)
            .await?;
        Ok((p, o))
    }

    /// Loads the database into an index under `protection`.
    pub async fn load(&self, id: &str, protection: Protection) -> Result<IndexedDatabase, sqlx::Error> {
        let mut index = Index::new(protection);
        let rows: Vec<(String, String, String, Option<String>)> =
            sqlx::query_as("SELECT id, given_names, surname, birth_date FROM persons ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        for (id, given_names, surname, birth) in rows {
            index.insert(&Person {
                id,
                given_names,
                surname,
                birth_date: birth.and_then(|b| b.parse().ok()),
            });
        }
        index.finish();
        let mut objects: HashMap<(ObjectKind, String), Vec<String>> = HashMap::new();
        let rows: Vec<(String, String, String)> = sqlx::query_as("SELECT id, kind, normalised FROM objects")
            .fetch_all(&self.pool)
            .await?;
        for (id, kind, normalised) in rows {
            if let Some(kind) = ObjectKind::parse(&kind) {
                objects.entry((kind, normalised)).or_default().push(id);
            }
        }
        Ok(IndexedDatabase {
            id: id.to_owned(),
            index,
            objects,
            store: self.clone(),
            register: false,
        })
    }
}

/// A national database answered from memory.
#[derive(Debug)]
pub struct IndexedDatabase {
    id: String,
    index: Index,
    objects: HashMap<(ObjectKind, String), Vec<String>>,
    /// Where the records themselves are read when a consultation needs them.
    store: NationalStore,
    register: bool,
}

impl IndexedDatabase {
    /// Marks the database as a population or public register (Art. 17).
    pub fn as_register(mut self, register: bool) -> IndexedDatabase {
        self.register = register;
        self
    }
}

impl NationalDatabase for IndexedDatabase {
    fn id(&self) -> &str {
        &self.id
    }

    fn persons(&self, query: &Query) -> Vec<Match> {
        self.index.query(query)
    }

    fn objects(&self, kind: ObjectKind, identifier: &str) -> Vec<String> {
        self.objects
            .get(&(kind, normalise_identifier(identifier)))
            .cloned()
            .unwrap_or_default()
    }

    fn is_register(&self) -> bool {
        self.register
    }

    fn fetch<'a>(
        &'a self,
        ids: &'a [String],
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<PersonRecord>, String>> + Send + 'a>> {
        Box::pin(async move {
            let mut out = Vec::new();
            for id in ids {
                let row: Option<(String, String, String, Option<String>, String)> = sqlx::query_as(
                    "SELECT id, given_names, surname, birth_date, nationality FROM persons WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.store.pool)
                .await
                .map_err(|e| e.to_string())?;
                if let Some((id, given_names, surname, birth, nationality)) = row {
                    out.push(PersonRecord {
                        person: Person {
                            id,
                            given_names,
                            surname,
                            birth_date: birth.and_then(|b| b.parse().ok()),
                        },
                        nationality,
                    });
                }
            }
            Ok(out)
        })
    }
}

/// The outcome of reading an import file.
#[derive(Debug, Default)]
pub struct Read<T> {
    pub records: Vec<T>,
    pub errors: Vec<RecordError>,
    pub lines: usize,
}

/// Reads an import file line by line, calling `progress(bytes_read)` now and then.
pub fn read_file<T>(
    reader: impl BufRead,
    format: Format,
    persons: bool,
    parse: impl Fn(Format, usize, &str) -> Result<T, RecordError>,
    mut progress: impl FnMut(u64),
) -> std::io::Result<Read<T>> {
    let mut out = Read {
        records: Vec::new(),
        errors: Vec::new(),
        lines: 0,
    };
    let mut bytes = 0u64;
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        bytes += line.len() as u64 + 1;
        let n = i + 1;
        out.lines = n;
        if n == 1 && format == Format::Csv {
            if let Err(e) = check_header(format, persons, &line) {
                out.errors.push(e);
                break;
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        match parse(format, n, line.trim_end_matches('\r')) {
            Ok(r) => out.records.push(r),
            Err(e) => out.errors.push(e),
        }
        if n % 10_000 == 0 {
            progress(bytes);
        }
    }
    progress(bytes);
    Ok(out)
}
