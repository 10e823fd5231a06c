//! [`AnyStore`]: the store a node opens by URL, forwarding each call to its backend.

use crate::*;

/// A store chosen by URL: `sqlite:PATH` or `postgres://…`.
#[derive(Debug, Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl AnyStore {
    /// Opens (creating and migrating where needed) the store at `url`.
    pub async fn open(url: &str) -> Result<AnyStore, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            Ok(AnyStore::Sqlite(
                SqliteStore::open(std::path::Path::new(path.trim_start_matches("//"))).await?,
            ))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(AnyStore::Postgres(PostgresStore::open(url, None).await?))
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }
}

impl AnyStore {
    /// Opens a store that must exist already (audits, rebuilds): a SQLite path that names no
    /// file is an error rather than a new, empty store.
    pub async fn open_existing(url: &str) -> Result<AnyStore, StoreError> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            if !std::path::Path::new(path).is_file() {
                return Err(StoreError::Missing(path.to_owned()));
            }
        }
        AnyStore::open(url).await
    }

    /// Stores many incoming messages in one transaction (bulk loads: `grens bench desk`).
    pub async fn receive_many(&self, items: Vec<(Incoming, NewEntry)>) -> Result<Vec<Received>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.receive_many(items).await,
            AnyStore::Postgres(s) => s.receive_many(items).await,
        }
    }

    /// Queues many messages in one transaction, each leased until its time (bulk loads).
    pub async fn enqueue_many(
        &self,
        items: Vec<(Outgoing, NewEntry, jiff::Timestamp)>,
    ) -> Result<Vec<Entry>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.enqueue_many(items).await,
            AnyStore::Postgres(s) => s.enqueue_many(items).await,
        }
    }

    /// Settles many delivery attempts in one transaction (bulk loads).
    pub async fn settle_many(&self, items: Vec<(String, Settlement, jiff::Timestamp)>) -> Result<Vec<()>, StoreError> {
        match self {
            AnyStore::Sqlite(s) => s.settle_many(items).await,
            AnyStore::Postgres(s) => s.settle_many(items).await,
        }
    }
}

/// Forwards a trait method to the backend.
macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self {
            AnyStore::Sqlite(s) => s.$method($($arg),*).await,
            AnyStore::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

impl JournalStore for AnyStore {
    async fn append(&self, entry: NewEntry) -> Result<Entry, StoreError> {
        dispatch!(self.append(entry))
    }
    async fn entries(&self, from: i64, to: i64) -> Result<Vec<Entry>, StoreError> {
        dispatch!(self.entries(from, to))
    }
    async fn head(&self) -> Result<(i64, String), StoreError> {
        dispatch!(self.head())
    }
    async fn receive(&self, incoming: Incoming, entry: NewEntry) -> Result<Received, StoreError> {
        dispatch!(self.receive(incoming, entry))
    }
    async fn enqueue(&self, message: Outgoing, entry: NewEntry) -> Result<Entry, StoreError> {
        dispatch!(self.enqueue(message, entry))
    }
    async fn enqueue_claimed(
        &self,
        message: Outgoing,
        entry: NewEntry,
        lease_until: jiff::Timestamp,
    ) -> Result<Entry, StoreError> {
        dispatch!(self.enqueue_claimed(message, entry, lease_until))
    }
    async fn due(&self, now: jiff::Timestamp, limit: i64) -> Result<Vec<Queued>, StoreError> {
        dispatch!(self.due(now, limit))
    }
    async fn settle(&self, message_id: &str, outcome: Settlement, at: jiff::Timestamp) -> Result<(), StoreError> {
        dispatch!(self.settle(message_id, outcome, at))
    }
    async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        dispatch!(self.outbox_counts())
    }
    async fn messages(&self, query: MessageQuery) -> Result<Vec<StoredMessage>, StoreError> {
        dispatch!(self.messages(query))
    }
    async fn put_user(&self, user: User) -> Result<(), StoreError> {
        dispatch!(self.put_user(user))
    }
    async fn user(&self, username: &str) -> Result<Option<User>, StoreError> {
        dispatch!(self.user(username))
    }
    async fn users(&self) -> Result<Vec<User>, StoreError> {
        dispatch!(self.users())
    }
    async fn put_session(
        &self,
        token_sha256: &str,
        username: &str,
        expires: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self.put_session(token_sha256, username, expires))
    }
    async fn session_user(&self, token_sha256: &str, now: jiff::Timestamp) -> Result<Option<User>, StoreError> {
        dispatch!(self.session_user(token_sha256, now))
    }
    async fn delete_session(&self, token_sha256: &str) -> Result<(), StoreError> {
        dispatch!(self.delete_session(token_sha256))
    }
    async fn journal_search(&self, query: JournalQuery) -> Result<Vec<Entry>, StoreError> {
        dispatch!(self.journal_search(query))
    }
    async fn journal_count(&self, query: JournalQuery) -> Result<i64, StoreError> {
        dispatch!(self.journal_count(query))
    }
    async fn put_record(&self, record: Record) -> Result<(), StoreError> {
        dispatch!(self.put_record(record))
    }
    async fn records(&self, kind: &str) -> Result<Vec<Record>, StoreError> {
        dispatch!(self.records(kind))
    }
    async fn record(&self, kind: &str, key: &str) -> Result<Option<Record>, StoreError> {
        dispatch!(self.record(kind, key))
    }
    async fn delete_record(&self, kind: &str, key: &str) -> Result<bool, StoreError> {
        dispatch!(self.delete_record(kind, key))
    }
    async fn put_record_once(&self, record: Record, entry: NewEntry) -> Result<bool, StoreError> {
        dispatch!(self.put_record_once(record, entry))
    }
    async fn claim_lease(
        &self,
        name: &str,
        holder: &str,
        now: jiff::Timestamp,
        until: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        dispatch!(self.claim_lease(name, holder, now, until))
    }
}

impl CaseStore for AnyStore {
    async fn cases(&self, query: CaseQuery) -> Result<Vec<CaseRow>, StoreError> {
        dispatch!(self.cases(query))
    }
    async fn case(&self, case_id: &str) -> Result<Option<CaseRow>, StoreError> {
        dispatch!(self.case(case_id))
    }
    async fn case_counts(&self, unit: Option<&str>, now: jiff::Timestamp) -> Result<Vec<(String, i64)>, StoreError> {
        dispatch!(self.case_counts(unit, now))
    }
    async fn related_cases(&self, case_id: &str, limit: i64) -> Result<Vec<RelatedRow>, StoreError> {
        dispatch!(self.related_cases(case_id, limit))
    }
    async fn change_case(&self, case_id: &str, change: CaseChange, entry: NewEntry) -> Result<CaseRow, StoreError> {
        dispatch!(self.change_case(case_id, change, entry))
    }
    async fn case_stats(&self, year: i64) -> Result<Vec<StatRow>, StoreError> {
        dispatch!(self.case_stats(year))
    }
    async fn reviews_due(&self, now: jiff::Timestamp, limit: i64) -> Result<Vec<CaseRow>, StoreError> {
        dispatch!(self.reviews_due(now, limit))
    }
    async fn erase_case(
        &self,
        case_id: &str,
        redacted: Vec<(String, String)>,
        entry: NewEntry,
    ) -> Result<Entry, StoreError> {
        dispatch!(self.erase_case(case_id, redacted, entry))
    }
    async fn apply_case_facts(&self, items: Vec<(MessageMeta, Direction, jiff::Timestamp)>) -> Result<(), StoreError> {
        dispatch!(self.apply_case_facts(items))
    }
    async fn replay_case_change(
        &self,
        case_id: &str,
        change: CaseChange,
        at: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self.replay_case_change(case_id, change, at))
    }
    async fn apply_pending_cases(&self) -> Result<usize, StoreError> {
        dispatch!(self.apply_pending_cases())
    }
    async fn clear_case_views(&self) -> Result<(), StoreError> {
        dispatch!(self.clear_case_views())
    }
}
