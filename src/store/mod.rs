//! The store: every body the crawler downloaded, kept on disk so that a
//! crawl resumes where it stopped and a scan runs with no network.
//!
//! A store is a directory:
//!
//! ```text
//! STORE/index.sqlite      one row per URL: council, times, HTTP status and
//!                         validators, content type, sha256, referring link,
//!                         the crawl that last found it; one row per crawl
//!                         of a council; the URLs refused as too large,
//!                         with the reason; and the history of findings:
//!                         one row per audit run, one per finding with the
//!                         runs that first and last saw it and the run
//!                         that found it gone
//! STORE/objects/ab/cdef…  the bodies, named by the sha256 of their bytes
//! STORE/tmp/              bodies being written (emptied on open)
//! STORE/lock              held (`flock`) by the one process using the store
//! ```
//!
//! Input: fetched bodies with their response metadata ([`Fetch`]), the
//! URLs each crawl found ([`Store::begin_crawl`], [`Store::seen`]), and
//! the URLs the crawl had to give up on as too large. Output: [`Record`]s
//! for the crawler's conditional requests, [`StoredDocument`]s for the
//! scan stage and [`Refused`] notices it reports as unscannable.
//!
//! One document once: a council's documents are identified by their
//! content, so the same bytes at two URLs (a site moved, a second port)
//! are one [`StoredDocument`] listing both URLs. A document none of whose
//! URLs the council's latest crawl found is marked
//! [`StoredDocument::removed`]: the site no longer offers it.
//!
//! One process at a time: [`Store::open`] takes an exclusive lock on
//! `STORE/lock` for as long as the [`Store`] lives (the OS drops it when
//! the process ends, however it ends), and a second process is refused
//! with [`StoreError::InUse`] before it touches anything.
//!
//! Crash safety: a body is written to `tmp/`, flushed to disk and renamed
//! into `objects/` before its index row is written, and the index is
//! SQLite in WAL mode, so a process killed at any instant leaves either
//! the old row or the new row, and every row names a complete object. The
//! store refuses to return an object whose bytes no longer hash to its
//! name (a disk fault, a hand edit); [`Store::put`] of the same body
//! replaces such an object.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::model::hex_sha256;
use rusqlite::{Connection, OptionalExtension, params};

/// What can go wrong with a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The index database failed.
    #[error("store index: {0}")]
    Index(#[from] rusqlite::Error),
    /// Reading or writing the store directory failed.
    #[error("store file {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An object's bytes do not hash to its name.
    #[error("store object {0} is corrupt (its bytes do not match its sha256)")]
    Corrupt(String),
    /// Another process holds the store's lock.
    #[error("store in use: {} is locked by another sopncheck process", .0.display())]
    InUse(PathBuf),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Why a URL's body is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A notice or a file that may be one (PDF, DOCX, an HTML notice):
    /// the scan stage reads these.
    Document,
    /// A navigation page kept only so that a resumed crawl can read its
    /// links without fetching it again.
    Page,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Document => "document",
            Role::Page => "page",
        }
    }

    fn parse(text: &str) -> Role {
        if text == "document" {
            Role::Document
        } else {
            Role::Page
        }
    }
}

/// One downloaded body's metadata, as the crawler hands it to [`Store::put`].
#[derive(Clone, Debug)]
pub struct Fetch<'a> {
    /// The URL fetched (after redirects).
    pub url: &'a str,
    /// Register code of the council being crawled.
    pub council: &'a str,
    /// HTTP status of the response that carried the body.
    pub status: u16,
    /// `ETag` response header.
    pub etag: Option<&'a str>,
    /// `Last-Modified` response header.
    pub last_modified: Option<&'a str>,
    /// `Content-Type` response header.
    pub content_type: Option<&'a str>,
    /// The page whose link led here, if any.
    pub referrer: Option<&'a str>,
    /// Why the body is kept.
    pub role: Role,
}

/// The index row of one URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The URL.
    pub url: String,
    /// Register code of the council it was crawled for.
    pub council: String,
    /// When the body was downloaded (seconds since the Unix epoch).
    pub fetched_at: i64,
    /// When the URL was last requested, including `304 Not Modified`
    /// answers (seconds since the Unix epoch).
    pub checked_at: i64,
    /// HTTP status of the response that carried the body.
    pub status: u16,
    /// `ETag` of the stored body.
    pub etag: Option<String>,
    /// `Last-Modified` of the stored body.
    pub last_modified: Option<String>,
    /// `Content-Type` the server sent.
    pub content_type: Option<String>,
    /// Lowercase hex sha256 of the body.
    pub sha256: String,
    /// Body length in bytes.
    pub size: u64,
    /// The page whose link led here.
    pub referrer: Option<String>,
    /// Why the body is kept.
    pub role: Role,
}

/// A stored notice (or possible notice) for the scan stage: one body of
/// one council, with every URL it was stored under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDocument {
    /// Where it was downloaded from: the first of [`StoredDocument::urls`]
    /// the council's latest crawl found (the first of all when none).
    pub url: String,
    /// Every URL of the council holding these bytes, sorted.
    pub urls: Vec<String>,
    /// Whether the council's latest crawl found none of the URLs: the site
    /// no longer offers the document. A crawl that found nothing (the site
    /// was down), or none recorded (a store from an older version),
    /// removes nothing.
    pub removed: bool,
    /// When the bytes were first downloaded (seconds since the Unix epoch).
    pub fetched_at: i64,
    /// When a crawl last found the bytes online: the latest request of
    /// one of the URLs the council's latest crawl found (of any URL when
    /// it found none) answered with them, or with `304 Not Modified`
    /// (seconds since the Unix epoch).
    pub checked_at: i64,
    /// `Last-Modified` of the body at [`StoredDocument::url`].
    pub last_modified: Option<String>,
    /// Register code of the council it was crawled for.
    pub council: String,
    /// Lowercase hex sha256 of the bytes.
    pub sha256: String,
    /// `Content-Type` the server sent (a hint only: sniff the bytes).
    pub content_type: Option<String>,
    /// The object file holding the bytes.
    pub path: PathBuf,
}

/// A URL the crawl found but could not keep (its body passed the cap):
/// the scan stage reports it as unscannable rather than leaving it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The URL.
    pub url: String,
    /// Register code of the council it was crawled for.
    pub council: String,
    /// Why it was not kept (the limit passed).
    pub reason: String,
}

/// One finding of a run, as the history keeps it (no evidence: the
/// history holds no address).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenFinding {
    /// Register code of the council.
    pub council: String,
    /// The finding's stable id.
    pub id: String,
    /// Rule name.
    pub rule: String,
    /// Severity, as the report names it.
    pub severity: String,
    /// The document's source (its URL).
    pub source: String,
    /// The candidate it is about, if any.
    pub candidate: Option<String>,
}

/// A finding's history after a run ([`Store::record_run`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingHistory {
    /// The finding as last seen.
    pub finding: SeenFinding,
    /// When a run first saw it (seconds since the Unix epoch).
    pub first_seen: i64,
    /// When a run last saw it.
    pub last_seen: i64,
    /// Whether the run just recorded was the first to see it.
    pub new: bool,
    /// When a run first found it gone, if it is gone.
    pub fixed: Option<i64>,
}

/// A store directory, open.
///
/// ```
/// use sopncheck::store::{Fetch, Role, Store};
/// let dir = tempfile::tempdir().unwrap();
/// let store = Store::open(dir.path()).unwrap();
/// let fetch = Fetch {
///     url: "http://democracy.example.test/sopn.pdf", council: "NBY", status: 200,
///     etag: Some("\"v1\""), last_modified: None, content_type: Some("application/pdf"),
///     referrer: None, role: Role::Document,
/// };
/// store.put(&fetch, b"%PDF-1.4 ...").unwrap();
/// let docs = store.documents().unwrap();
/// assert_eq!(store.read(&docs[0]).unwrap(), b"%PDF-1.4 ...");
/// ```
pub struct Store {
    dir: PathBuf,
    index: Mutex<Connection>,
    /// Holds the exclusive lock on `STORE/lock`; dropping it unlocks.
    _lock: fs::File,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS resources (
    url           TEXT PRIMARY KEY,
    council       TEXT NOT NULL,
    fetched_at    INTEGER NOT NULL,
    checked_at    INTEGER NOT NULL,
    status        INTEGER NOT NULL,
    etag          TEXT,
    last_modified TEXT,
    content_type  TEXT,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    referrer      TEXT,
    role          TEXT NOT NULL,
    seen_in       INTEGER
);
CREATE TABLE IF NOT EXISTS crawls (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    council    TEXT NOT NULL,
    started_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
    council    TEXT NOT NULL,
    id         TEXT NOT NULL,
    rule       TEXT NOT NULL,
    severity   TEXT NOT NULL,
    source     TEXT NOT NULL,
    candidate  TEXT,
    first_run  INTEGER NOT NULL,
    last_run   INTEGER NOT NULL,
    fixed_run  INTEGER,
    PRIMARY KEY (council, id)
);
CREATE INDEX IF NOT EXISTS resources_council ON resources (council, role);
CREATE TABLE IF NOT EXISTS refused (
    url        TEXT PRIMARY KEY,
    council    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    checked_at INTEGER NOT NULL
);
";

const COLUMNS: &str = "url, council, fetched_at, checked_at, status, etag, last_modified, \
                       content_type, sha256, size, referrer, role";

impl Store {
    /// Opens the store in `dir`, creating it if needed, locks it for this
    /// process ([`StoreError::InUse`] if another holds it), and removes any
    /// half-written bodies a killed crawl left in `tmp/`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let tmp = dir.join("tmp");
        fs::create_dir_all(dir.join("objects")).map_err(io_error(dir))?;
        let lock = lock_store(dir)?;
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io_error(&tmp))?;
        }
        fs::create_dir_all(&tmp).map_err(io_error(&tmp))?;
        let index = Connection::open(dir.join("index.sqlite"))?;
        index.busy_timeout(std::time::Duration::from_secs(10))?;
        index.pragma_update(None, "journal_mode", "WAL")?;
        index.pragma_update(None, "synchronous", "NORMAL")?;
        index.execute_batch(SCHEMA)?;
        add_column_if_missing(&index, "resources", "seen_in", "INTEGER")?;
        Ok(Store {
            dir: dir.to_path_buf(),
            index: Mutex::new(index),
            _lock: lock,
        })
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn index(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave the connection in a
        // bad state (every write is one statement or a transaction), so a
        // poisoned lock is still usable.
        self.index
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where the object with this sha256 lives.
    fn object_path(&self, sha256: &str) -> PathBuf {
        let (fan, rest) = sha256.split_at(sha256.len().min(2));
        self.dir.join("objects").join(fan).join(rest)
    }

    /// Stores `body` for `fetch`: writes the object (unless an intact
    /// copy is already there) by temp file, flush and rename, then
    /// replaces the URL's index row (and forgets any earlier refusal of
    /// the URL).
    pub fn put(&self, fetch: &Fetch<'_>, body: &[u8]) -> Result<Record, StoreError> {
        let sha256 = hex_sha256(body);
        let path = self.object_path(&sha256);
        if self.read_object(&sha256).is_err() {
            self.write_object(&path, body)?;
        }
        let now = unix_now();
        let record = Record {
            url: fetch.url.to_owned(),
            council: fetch.council.to_owned(),
            fetched_at: now,
            checked_at: now,
            status: fetch.status,
            etag: fetch.etag.map(str::to_owned),
            last_modified: fetch.last_modified.map(str::to_owned),
            content_type: fetch.content_type.map(str::to_owned),
            sha256,
            size: body.len() as u64,
            referrer: fetch.referrer.map(str::to_owned),
            role: fetch.role,
        };
        self.index().execute(
            &format!(
                "INSERT INTO resources ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
                 ON CONFLICT (url) DO UPDATE SET {}",
                COLUMNS
                    .split(", ")
                    .skip(1)
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            params![
                record.url,
                record.council,
                record.fetched_at,
                record.checked_at,
                record.status,
                record.etag,
                record.last_modified,
                record.content_type,
                record.sha256,
                record.size as i64,
                record.referrer,
                record.role.as_str(),
            ],
        )?;
        self.index()
            .execute("DELETE FROM refused WHERE url = ?1", [&record.url])?;
        Ok(record)
    }

    /// Records that `url`, crawled for `council`, could not be kept, and
    /// why: the scan stage reports it as unscannable until a later crawl
    /// stores it.
    pub fn refuse(&self, url: &str, council: &str, reason: &str) -> Result<(), StoreError> {
        self.index().execute(
            "INSERT OR REPLACE INTO refused (url, council, reason, checked_at) \
             VALUES (?1, ?2, ?3, ?4)",
            params![url, council, reason, unix_now()],
        )?;
        Ok(())
    }

    /// Every refused URL, ordered by council then URL.
    pub fn refused(&self) -> Result<Vec<Refused>, StoreError> {
        let index = self.index();
        let mut statement =
            index.prepare("SELECT url, council, reason FROM refused ORDER BY council, url")?;
        let rows = statement.query_map([], |row| {
            Ok(Refused {
                url: row.get(0)?,
                council: row.get(1)?,
                reason: row.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn write_object(&self, path: &Path, body: &[u8]) -> Result<(), StoreError> {
        let tmp_dir = self.dir.join("tmp");
        let mut file = tempfile::NamedTempFile::new_in(&tmp_dir).map_err(io_error(&tmp_dir))?;
        file.write_all(body).map_err(io_error(file.path()))?;
        // On disk before it has a name an index row can point at.
        file.as_file().sync_all().map_err(io_error(file.path()))?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_error(parent))?;
        }
        file.persist(path).map_err(|e| StoreError::Io {
            path: path.to_path_buf(),
            source: e.error,
        })?;
        Ok(())
    }

    /// Records that `url` was requested again and the server answered
    /// `304 Not Modified`: the stored body stays, its check time moves.
    pub fn touch(&self, url: &str) -> Result<(), StoreError> {
        self.index().execute(
            "UPDATE resources SET checked_at = ?2 WHERE url = ?1",
            params![url, unix_now()],
        )?;
        Ok(())
    }

    /// Starts a crawl of `council`: returns its id for [`Store::seen`].
    /// Once it has found a URL, the council's documents are those it
    /// finds.
    pub fn begin_crawl(&self, council: &str) -> Result<i64, StoreError> {
        let index = self.index();
        index.execute(
            "INSERT INTO crawls (council, started_at) VALUES (?1, ?2)",
            params![council, unix_now()],
        )?;
        Ok(index.last_insert_rowid())
    }

    /// Records that the crawl `crawl` found `url` on the site (fetched,
    /// revalidated or kept from the store).
    pub fn seen(&self, url: &str, crawl: i64) -> Result<(), StoreError> {
        self.index().execute(
            "UPDATE resources SET seen_in = ?2 WHERE url = ?1",
            params![url, crawl],
        )?;
        Ok(())
    }

    /// Records an audit run that saw `findings` in the councils
    /// `councils`: a finding seen before keeps its first sighting, one not
    /// seen before starts its history, and a finding of those councils
    /// this run did not see is marked fixed by it (councils not audited
    /// are left alone). Returns the history of every finding of
    /// `councils`, ordered by council and id.
    pub fn record_run(
        &self,
        councils: &[String],
        findings: &[SeenFinding],
    ) -> Result<Vec<FindingHistory>, StoreError> {
        let mut index = self.index();
        let transaction = index.transaction()?;
        let at = unix_now();
        transaction.execute("INSERT INTO runs (at) VALUES (?1)", [at])?;
        let run = transaction.last_insert_rowid();
        {
            let mut upsert = transaction.prepare(
                "INSERT INTO findings \
                 (council, id, rule, severity, source, candidate, first_run, last_run) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) \
                 ON CONFLICT (council, id) DO UPDATE SET rule = excluded.rule, \
                 severity = excluded.severity, source = excluded.source, \
                 candidate = excluded.candidate, last_run = ?7, fixed_run = NULL",
            )?;
            for f in findings {
                upsert.execute(params![
                    f.council,
                    f.id,
                    f.rule,
                    f.severity,
                    f.source,
                    f.candidate,
                    run
                ])?;
            }
            let mut fix = transaction.prepare(
                "UPDATE findings SET fixed_run = ?2 \
                 WHERE council = ?1 AND last_run < ?2 AND fixed_run IS NULL",
            )?;
            for council in councils {
                fix.execute(params![council, run])?;
            }
        }
        let mut history = Vec::new();
        {
            let mut select = transaction.prepare(
                "SELECT f.council, f.id, f.rule, f.severity, f.source, f.candidate, \
                 first.at, last.at, fixed.at, f.first_run = ?2 \
                 FROM findings f JOIN runs first ON first.id = f.first_run \
                 JOIN runs last ON last.id = f.last_run \
                 LEFT JOIN runs fixed ON fixed.id = f.fixed_run \
                 WHERE f.council = ?1 ORDER BY f.id",
            )?;
            for council in councils {
                let rows = select.query_map(params![council, run], |row| {
                    Ok(FindingHistory {
                        finding: SeenFinding {
                            council: row.get(0)?,
                            id: row.get(1)?,
                            rule: row.get(2)?,
                            severity: row.get(3)?,
                            source: row.get(4)?,
                            candidate: row.get(5)?,
                        },
                        first_seen: row.get(6)?,
                        last_seen: row.get(7)?,
                        fixed: row.get(8)?,
                        new: row.get(9)?,
                    })
                })?;
                for row in rows {
                    history.push(row?);
                }
            }
        }
        transaction.commit()?;
        Ok(history)
    }

    /// The index row of `url`, if it was stored.
    pub fn lookup(&self, url: &str) -> Result<Option<Record>, StoreError> {
        let index = self.index();
        let mut statement =
            index.prepare_cached(&format!("SELECT {COLUMNS} FROM resources WHERE url = ?1"))?;
        Ok(statement.query_row([url], record_from_row).optional()?)
    }

    /// Every index row, ordered by URL.
    pub fn records(&self) -> Result<Vec<Record>, StoreError> {
        let index = self.index();
        let mut statement =
            index.prepare(&format!("SELECT {COLUMNS} FROM resources ORDER BY url"))?;
        let rows = statement.query_map([], record_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every stored document (the latest body of each URL whose role is
    /// [`Role::Document`]), one per council and content, ordered by
    /// council then URL.
    pub fn documents(&self) -> Result<Vec<StoredDocument>, StoreError> {
        let latest: HashMap<String, i64> = {
            let index = self.index();
            let mut statement =
                // The latest crawl that found anything: one that could
                // not reach the site (it is down) removes nothing.
                index.prepare(
                    "SELECT council, MAX(seen_in) FROM resources \
                     WHERE seen_in IS NOT NULL GROUP BY council",
                )?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let seen_in: HashMap<String, Option<i64>> = {
            let index = self.index();
            let mut statement = index.prepare("SELECT url, seen_in FROM resources")?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let current = |record: &Record| match latest.get(&record.council) {
            None => true,
            Some(crawl) => seen_in.get(&record.url).copied().flatten() == Some(*crawl),
        };
        // Records come ordered by URL, so each group's URLs are sorted.
        let mut groups: BTreeMap<(String, String), Vec<(Record, bool)>> = BTreeMap::new();
        for record in self.records()? {
            if record.role == Role::Document {
                let is_current = current(&record);
                groups
                    .entry((record.council.clone(), record.sha256.clone()))
                    .or_default()
                    .push((record, is_current));
            }
        }
        let mut documents: Vec<StoredDocument> = groups
            .into_values()
            .map(|group| {
                let removed = group.iter().all(|(_, is_current)| !is_current);
                let primary = group
                    .iter()
                    .find(|(_, is_current)| *is_current)
                    .unwrap_or(&group[0]);
                let (record, _) = primary;
                StoredDocument {
                    path: self.object_path(&record.sha256),
                    url: record.url.clone(),
                    urls: group.iter().map(|(r, _)| r.url.clone()).collect(),
                    removed,
                    fetched_at: group.iter().map(|(r, _)| r.fetched_at).min().unwrap_or(0),
                    checked_at: group
                        .iter()
                        .filter(|(_, is_current)| *is_current || removed)
                        .map(|(r, _)| r.checked_at)
                        .max()
                        .unwrap_or(0),
                    last_modified: record.last_modified.clone(),
                    council: record.council.clone(),
                    sha256: record.sha256.clone(),
                    content_type: record.content_type.clone(),
                }
            })
            .collect();
        documents.sort_by(|a, b| (&a.council, &a.url).cmp(&(&b.council, &b.url)));
        Ok(documents)
    }

    /// The bytes of a stored document, checked against its sha256.
    pub fn read(&self, document: &StoredDocument) -> Result<Vec<u8>, StoreError> {
        self.read_object(&document.sha256)
    }

    /// The bytes of the object named `sha256`, checked against the name.
    pub fn read_object(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        let path = self.object_path(sha256);
        let bytes = fs::read(&path).map_err(io_error(&path))?;
        if hex_sha256(&bytes) != sha256 {
            return Err(StoreError::Corrupt(sha256.to_owned()));
        }
        Ok(bytes)
    }
}

/// Adds `column` to `table` in a store an older version made.
fn add_column_if_missing(
    index: &Connection,
    table: &str,
    column: &str,
    kind: &str,
) -> Result<(), StoreError> {
    let present = index
        .prepare(&format!(
            "SELECT 1 FROM pragma_table_info('{table}') WHERE name = ?1"
        ))?
        .exists([column])?;
    if !present {
        index.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind}"))?;
    }
    Ok(())
}

/// Takes the exclusive lock of the store in `dir` without waiting.
fn lock_store(dir: &Path) -> Result<fs::File, StoreError> {
    let path = dir.join("lock");
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(StoreError::InUse(dir.to_path_buf())),
        Err(fs::TryLockError::Error(source)) => Err(StoreError::Io { path, source }),
    }
}

fn record_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        url: row.get(0)?,
        council: row.get(1)?,
        fetched_at: row.get(2)?,
        checked_at: row.get(3)?,
        status: row.get(4)?,
        etag: row.get(5)?,
        last_modified: row.get(6)?,
        content_type: row.get(7)?,
        sha256: row.get(8)?,
        size: row.get::<_, i64>(9)?.max(0) as u64,
        referrer: row.get(10)?,
        role: Role::parse(&row.get::<_, String>(11)?),
    })
}

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetch<'a>(url: &'a str, role: Role) -> Fetch<'a> {
        Fetch {
            url,
            council: "NBY",
            status: 200,
            etag: Some("\"e1\""),
            last_modified: Some("Mon, 06 Apr 2026 09:00:00 GMT"),
            content_type: Some("application/pdf"),
            referrer: Some("http://site.test/elections"),
            role,
        }
    }

    #[test]
    fn put_then_read_round_trips_and_lays_out_objects_by_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let record = store
            .put(
                &fetch("http://site.test/a.pdf", Role::Document),
                b"%PDF-1.4 a",
            )
            .unwrap();
        let (fan, rest) = record.sha256.split_at(2);
        assert!(dir.path().join("objects").join(fan).join(rest).is_file());
        assert_eq!(record.size, 10);
        let looked_up = store.lookup("http://site.test/a.pdf").unwrap().unwrap();
        assert_eq!(looked_up, record);
        assert_eq!(looked_up.etag.as_deref(), Some("\"e1\""));
        assert!(store.lookup("http://site.test/missing").unwrap().is_none());
    }

    #[test]
    fn documents_leave_out_pages_and_keep_the_latest_body_per_url() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .put(&fetch("http://site.test/b.pdf", Role::Document), b"old")
            .unwrap();
        store
            .put(&fetch("http://site.test/b.pdf", Role::Document), b"new")
            .unwrap();
        store
            .put(&fetch("http://site.test/index.html", Role::Page), b"<html>")
            .unwrap();
        let documents = store.documents().unwrap();
        assert_eq!(documents.len(), 1);
        assert_eq!(store.read(&documents[0]).unwrap(), b"new");
        assert_eq!(store.records().unwrap().len(), 2);
    }

    #[test]
    fn identical_bodies_share_one_object() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = store
            .put(&fetch("http://site.test/1.pdf", Role::Document), b"same")
            .unwrap();
        let b = store
            .put(&fetch("http://site.test/2.pdf", Role::Document), b"same")
            .unwrap();
        assert_eq!(a.sha256, b.sha256);
        let objects = walk_files(&dir.path().join("objects"));
        assert_eq!(objects, 1);
    }

    #[test]
    fn a_damaged_object_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .put(&fetch("http://site.test/c.pdf", Role::Document), b"intact")
            .unwrap();
        let document = store.documents().unwrap().remove(0);
        fs::write(&document.path, b"tampered").unwrap();
        assert!(matches!(
            store.read(&document),
            Err(StoreError::Corrupt(sha)) if sha == document.sha256
        ));
    }

    #[test]
    fn touch_moves_only_the_check_time_and_reopen_keeps_rows() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store
                .put(&fetch("http://site.test/d.pdf", Role::Document), b"d")
                .unwrap();
            store
                .index()
                .execute("UPDATE resources SET checked_at = 5, fetched_at = 5", [])
                .unwrap();
            store.touch("http://site.test/d.pdf").unwrap();
            let record = store.lookup("http://site.test/d.pdf").unwrap().unwrap();
            assert_eq!(record.fetched_at, 5);
            assert!(record.checked_at > 5);
            // A document is as old as its bytes and as recent as its check.
            let document = store.documents().unwrap().remove(0);
            assert_eq!(
                (document.fetched_at, document.checked_at),
                (5, record.checked_at)
            );
        }
        // Leftovers of a killed write are cleared on open.
        fs::write(dir.path().join("tmp").join("partial"), b"half").unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.records().unwrap().len(), 1);
        assert_eq!(walk_files(&dir.path().join("tmp")), 0);
    }

    #[test]
    fn a_second_open_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path()).unwrap();
        fs::write(dir.path().join("tmp").join("being-written"), b"half").unwrap();
        assert!(matches!(
            Store::open(dir.path()),
            Err(StoreError::InUse(path)) if path == dir.path()
        ));
        // The refused open left the first one's work alone.
        assert!(dir.path().join("tmp").join("being-written").exists());
        drop(first);
        assert!(Store::open(dir.path()).is_ok());
    }

    #[test]
    fn putting_the_same_body_again_repairs_a_damaged_object() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let url = "http://site.test/e.pdf";
        store.put(&fetch(url, Role::Document), b"intact").unwrap();
        let document = store.documents().unwrap().remove(0);
        fs::write(&document.path, b"tampered").unwrap();
        store.put(&fetch(url, Role::Document), b"intact").unwrap();
        assert_eq!(store.read(&document).unwrap(), b"intact");
        fs::remove_file(&document.path).unwrap();
        store.put(&fetch(url, Role::Document), b"intact").unwrap();
        assert_eq!(store.read(&document).unwrap(), b"intact");
    }

    #[test]
    fn a_refusal_is_listed_until_the_url_is_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let url = "http://site.test/huge.pdf";
        store.refuse(url, "NBY", "limit exceeded: too big").unwrap();
        let refused = store.refused().unwrap();
        assert_eq!(refused.len(), 1);
        assert_eq!(
            (refused[0].url.as_str(), refused[0].council.as_str()),
            (url, "NBY")
        );
        assert_eq!(refused[0].reason, "limit exceeded: too big");
        store
            .put(&fetch(url, Role::Document), b"smaller now")
            .unwrap();
        assert!(store.refused().unwrap().is_empty());
    }

    #[test]
    fn one_body_at_two_urls_is_one_document_with_both_urls() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let crawl = store.begin_crawl("NBY").unwrap();
        for url in ["http://site.test:2/n.pdf", "http://site.test:1/n.pdf"] {
            store.put(&fetch(url, Role::Document), b"same").unwrap();
            store.seen(url, crawl).unwrap();
        }
        let documents = store.documents().unwrap();
        assert_eq!(documents.len(), 1, "{documents:#?}");
        assert_eq!(
            documents[0].urls,
            ["http://site.test:1/n.pdf", "http://site.test:2/n.pdf"]
        );
        assert!(!documents[0].removed);
        assert_eq!(
            documents[0].last_modified.as_deref(),
            Some("Mon, 06 Apr 2026 09:00:00 GMT")
        );
    }

    #[test]
    fn a_document_the_latest_crawl_did_not_find_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let first = store.begin_crawl("NBY").unwrap();
        for (url, body) in [
            ("http://site.test/a.pdf", b"a"),
            ("http://site.test/b.pdf", b"b"),
        ] {
            store.put(&fetch(url, Role::Document), body).unwrap();
            store.seen(url, first).unwrap();
        }
        // The second crawl finds a.pdf (kept from the store) but not b.pdf.
        let second = store.begin_crawl("NBY").unwrap();
        store.seen("http://site.test/a.pdf", second).unwrap();
        let documents = store.documents().unwrap();
        let removed: Vec<(&str, bool)> = documents
            .iter()
            .map(|d| (d.url.as_str(), d.removed))
            .collect();
        assert_eq!(
            removed,
            [
                ("http://site.test/a.pdf", false),
                ("http://site.test/b.pdf", true)
            ]
        );
        // Crawling another council removes nothing of this one, nor does
        // a crawl that found nothing at all (the site was down).
        store.begin_crawl("OTH").unwrap();
        store.begin_crawl("NBY").unwrap();
        assert_eq!(store.documents().unwrap(), documents);
    }

    fn seen_finding(id: &str) -> SeenFinding {
        SeenFinding {
            council: "NBY".into(),
            id: id.into(),
            rule: "published-home-address".into(),
            severity: "medium".into(),
            source: "http://site.test/n.pdf".into(),
            candidate: Some("TESTER Jo".into()),
        }
    }

    #[test]
    fn runs_keep_each_findings_first_and_last_sighting_and_mark_the_gone_fixed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let councils = ["NBY".to_owned()];
        let first = store
            .record_run(&councils, &[seen_finding("a"), seen_finding("b")])
            .unwrap();
        assert!(first.iter().all(|h| h.new && h.fixed.is_none()));
        store
            .index()
            .execute("UPDATE runs SET at = 100", [])
            .unwrap();
        let second = store
            .record_run(&councils, &[seen_finding("a"), seen_finding("c")])
            .unwrap();
        let at = second[0].last_seen;
        let states: Vec<(&str, bool, Option<i64>, i64)> = second
            .iter()
            .map(|h| (h.finding.id.as_str(), h.new, h.fixed, h.first_seen))
            .collect();
        assert_eq!(
            states,
            [
                ("a", false, None, 100),
                ("b", false, Some(at), 100),
                ("c", true, None, at)
            ]
        );
        // A run of another council leaves this one's findings alone.
        let other = store.record_run(&["OTH".to_owned()], &[]).unwrap();
        assert!(other.is_empty());
        let again = store
            .record_run(&councils, &[seen_finding("a"), seen_finding("c")])
            .unwrap();
        assert_eq!(again[1].fixed, Some(at), "fixed when first found gone");
    }

    fn walk_files(dir: &Path) -> usize {
        fs::read_dir(dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                if path.is_dir() { walk_files(&path) } else { 1 }
            })
            .sum()
    }
}
