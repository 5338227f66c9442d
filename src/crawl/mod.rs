//! The crawl stage: from each council's seed URLs to its election notices,
//! stored in a [`Store`].
//!
//! Input: a [`CrawlConfig`] (seeds per council, scope, politeness, budgets)
//! and an open [`Store`]. Output: the store filled with every notice found
//! (and the pages that led to them), a [`CrawlEvent`] per request for
//! progress, and a [`CrawlSummary`].
//!
//! Each council is crawled best-first: links are scored by how likely they
//! lead to a notice ([`links::score`]) and the best unvisited link whose
//! host is free goes next, so notices are found within a small page
//! budget. Councils run concurrently; each host gets one request at a time,
//! spaced by the politeness delay; robots.txt is obeyed; redirects are
//! followed one hop at a time through the same scope, robots and politeness
//! checks as links. A URL stored less than [`CrawlConfig::revisit_after`]
//! ago is not requested again (so a killed crawl resumes where it was);
//! an older one is requested conditionally and a `304` keeps the stored
//! body. Every URL a crawl finds (fetched, kept, or failing on the
//! network) is marked as seen by it ([`Store::seen`]), so a notice the
//! site no longer offers shows as removed.
//!
//! The crawl refuses to leave a council's hosts ([`scope`]), to reach an
//! internal address that was not a seed, to read a body past the cap (the
//! URL is recorded in the store as refused, for the report to list as
//! unscannable), and to fetch a file-like link that scores below the
//! document threshold (council tax and planning PDFs stay unfetched).
//!
//! The crawl runs on one async thread; pages (for links) and robots.txt
//! files are parsed on the runtime's blocking pool, so one that is slow to
//! parse holds up only its own host. A stored body that is missing or damaged is that URL's
//! problem: it is fetched again, and the rest of the crawl goes on.

mod fetch;
pub mod links;
pub mod scope;

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use url::Url;

use crate::extract::{Sniffed, sniff};
use crate::registry::Council;
use crate::store::{Fetch, Record, Role, Store, StoreError, unix_now};

use self::fetch::{Answer, Cap, Failure, Fetcher};
use self::scope::{OutOfScope, Scope, authority};

/// The default User-Agent: the tool, its version and where to read about it.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "sopncheck/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/sopncheck/sopncheck; election notice audit)"
);

/// Score given to seeds, so they go first.
const SEED_SCORE: i32 = 1_000;
/// Score lost per link followed away from the seed.
const DEPTH_PENALTY: i32 = 3;
/// Frontier entries kept per council; the lowest-scored go first.
const FRONTIER_CAP: usize = 20_000;
/// Requests in flight per council (each on a different host).
const PER_COUNCIL_PARALLEL: usize = 4;

/// A place to start crawling a council.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seed {
    /// The council's register code.
    pub council: String,
    /// An absolute `http(s)` URL.
    pub url: String,
}

impl Seed {
    /// A seed for `council` at `url`.
    pub fn new(council: &str, url: &str) -> Seed {
        Seed {
            council: council.to_owned(),
            url: url.to_owned(),
        }
    }

    /// The registry's democracy-site URL of `council`, if it has one.
    pub fn for_council(council: &Council) -> Option<Seed> {
        let url = council.democracy_url.as_deref()?;
        Some(Seed::new(&council.code, url))
    }
}

/// A host pattern added to the scope of one council (or of all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedHost {
    /// The council it applies to; `None` for every council.
    pub council: Option<String>,
    /// `host` (exactly) or `*.domain` (the domain and its subdomains).
    pub pattern: String,
}

/// Per-council limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budgets {
    /// Requests per council (pages, documents, redirects; robots.txt not
    /// counted).
    pub max_pages: usize,
    /// Links followed away from a seed.
    pub max_depth: u32,
    /// Body bytes downloaded per council.
    pub max_bytes: u64,
    /// Wall time per council; no request starts after it.
    pub max_time: Duration,
    /// Largest body read; a larger one is abandoned mid-stream.
    pub max_body_bytes: u64,
}

impl Default for Budgets {
    fn default() -> Budgets {
        Budgets {
            max_pages: 200,
            max_depth: 6,
            max_bytes: 512 * 1024 * 1024,
            max_time: Duration::from_secs(30 * 60),
            max_body_bytes: 64 * 1024 * 1024,
        }
    }
}

/// Everything a crawl needs, built once (see [`CrawlConfig::new`] for the
/// defaults) and then only read.
#[derive(Clone, Debug)]
pub struct CrawlConfig {
    /// Where to start, per council.
    pub seeds: Vec<Seed>,
    /// Hosts in scope besides the seeds' own (and, for a seed on a
    /// `.gov.uk`-style council domain, that domain's subdomains).
    pub allowed_hosts: Vec<AllowedHost>,
    /// Least time between two requests to one host (default 1 s); a
    /// larger robots.txt `Crawl-delay` wins.
    pub politeness: Duration,
    /// Requests in flight across all hosts.
    pub concurrency: usize,
    /// Per-council limits.
    pub budgets: Budgets,
    /// Sent with every request; should name a contact URL.
    pub user_agent: String,
    /// Whether seed hosts may be internal addresses (loopback, private).
    /// No other host ever may.
    pub allow_internal_seeds: bool,
    /// Per-request time limit (connect, headers and body).
    pub timeout: Duration,
    /// Retries after the first attempt, for timeouts, resets, `5xx`,
    /// `408` and `429`.
    pub retries: u32,
    /// First backoff; doubled per retry, plus jitter.
    pub backoff: Duration,
    /// Longest `Retry-After` waited for; a longer one gives up.
    pub max_retry_after: Duration,
    /// Redirect hops followed from one link.
    pub max_redirects: usize,
    /// A stored URL checked less than this long ago is not requested again.
    pub revisit_after: Duration,
    /// Fixed DNS answers (`host`, address), for virtual hosts on loopback.
    pub resolve: Vec<(String, SocketAddr)>,
    /// Least score a file-like link (PDF, DOCX) needs to be fetched.
    pub document_threshold: i32,
}

impl CrawlConfig {
    /// A configuration with the defaults: 1 s politeness, 16 requests in
    /// flight, 30 s timeout, 3 retries from 500 ms, 5 redirects, revisit
    /// after 12 hours, the [`DEFAULT_USER_AGENT`], default [`Budgets`].
    pub fn new(seeds: Vec<Seed>) -> CrawlConfig {
        CrawlConfig {
            seeds,
            allowed_hosts: Vec::new(),
            politeness: Duration::from_secs(1),
            concurrency: 16,
            budgets: Budgets::default(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            allow_internal_seeds: true,
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(120),
            max_redirects: 5,
            revisit_after: Duration::from_secs(12 * 60 * 60),
            resolve: Vec::new(),
            document_threshold: 40,
        }
    }
}

/// Why a URL was not fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    /// robots.txt disallows it.
    Robots,
    /// A redirect left the council's hosts.
    OutOfScope,
    /// It is (or resolves to) an internal address that was not a seed.
    Internal,
    /// A redirect came back to a URL already in its chain.
    RedirectLoop,
    /// More redirect hops than allowed.
    TooManyRedirects,
    /// The body passed the cap after this many bytes.
    TooLarge(u64),
    /// Neither a page nor a document (an image, an archive).
    NotADocument,
}

/// What happened to one URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// An HTML page fetched and read for links.
    Page {
        /// HTTP status.
        status: u16,
    },
    /// A document (or HTML notice) fetched and stored.
    Document {
        /// HTTP status.
        status: u16,
        /// Body length.
        bytes: u64,
    },
    /// The server answered `304 Not Modified`; the stored body stays.
    Unchanged,
    /// Stored recently: not requested, the stored body used.
    FromStore,
    /// The stored body is missing or damaged: it is fetched again.
    StoredDamaged(String),
    /// A redirect, to be followed as its own request.
    Redirect {
        /// The resolved target.
        to: String,
    },
    /// A retry after a failed attempt.
    Retry {
        /// 1 for the first retry.
        attempt: u32,
        /// How long until it.
        wait: Duration,
        /// What failed.
        reason: String,
    },
    /// Not fetched (or not kept).
    Skipped(Skip),
    /// A final error status or a transport failure after all retries.
    Failed(String),
    /// The council's crawl is over (the event's URL is its first seed).
    Finished(CouncilSummary),
}

/// One progress report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrawlEvent {
    /// Register code of the council being crawled.
    pub council: String,
    /// The URL concerned.
    pub url: String,
    /// What happened.
    pub kind: EventKind,
}

impl fmt::Display for CrawlEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.council)?;
        match &self.kind {
            EventKind::Page { status } => write!(f, "page {status}"),
            EventKind::Document { status, bytes } => write!(f, "document {status} {bytes} B"),
            EventKind::Unchanged => f.write_str("unchanged (304)"),
            EventKind::FromStore => f.write_str("already stored"),
            EventKind::StoredDamaged(reason) => {
                write!(f, "stored copy unusable ({reason}), fetching again")
            }
            EventKind::Redirect { to } => write!(f, "redirect to {to}"),
            EventKind::Retry {
                attempt,
                wait,
                reason,
            } => write!(f, "retry {attempt} in {wait:.1?} after {reason}"),
            EventKind::Skipped(skip) => write!(f, "skipped ({skip:?})"),
            EventKind::Failed(reason) => write!(f, "failed: {reason}"),
            EventKind::Finished(summary) => write!(f, "finished: {summary}"),
        }?;
        write!(f, " {}", self.url)
    }
}

/// What one council's crawl did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CouncilSummary {
    /// Register code.
    pub council: String,
    /// HTTP requests made (robots.txt not counted).
    pub requests: usize,
    /// HTML pages read for links.
    pub pages: usize,
    /// Documents fetched and stored (new or changed).
    pub documents: usize,
    /// URLs whose stored body was kept (`304` or stored recently).
    pub unchanged: usize,
    /// URLs not fetched or not kept ([`Skip`]).
    pub skipped: usize,
    /// URLs that failed after retries.
    pub failed: usize,
    /// Of the skipped, bodies over the cap: recorded in the store as
    /// refused, so the report lists them as unscannable.
    pub too_large: usize,
    /// Body bytes downloaded.
    pub bytes: u64,
    /// Wall time.
    pub elapsed: Duration,
}

impl fmt::Display for CouncilSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} pages, {} documents new, {} unchanged, {} skipped, {} failed in {:.1?}",
            self.pages, self.documents, self.unchanged, self.skipped, self.failed, self.elapsed
        )
    }
}

/// What a whole crawl did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CrawlSummary {
    /// Per council, in seed order.
    pub councils: Vec<CouncilSummary>,
    /// Wall time of the crawl.
    pub elapsed: Duration,
}

impl CrawlSummary {
    /// Whether every document failed: some URL failed or was too large,
    /// and no council got a document, new or kept from the store.
    pub fn every_document_failed(&self) -> bool {
        let total = |count: fn(&CouncilSummary) -> usize| -> usize {
            self.councils.iter().map(count).sum()
        };
        total(|c| c.failed + c.too_large) > 0 && total(|c| c.documents + c.unchanged) == 0
    }
}

/// Why a crawl could not run or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    /// A seed is not an absolute http(s) URL.
    #[error("seed {0:?} is not an absolute http(s) URL")]
    Seed(String),
    /// The HTTP client or the async runtime could not start.
    #[error("{0}")]
    Setup(String),
    /// The store failed (a full disk, say): the crawl stops.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Crawls every council of `config` into `store`, telling `progress` of
/// each request; blocks until done (it runs its own async runtime, so call
/// it from plain, non-async code).
pub fn crawl(
    config: &CrawlConfig,
    store: &Store,
    progress: &dyn Fn(&CrawlEvent),
) -> Result<CrawlSummary, CrawlError> {
    let mut by_council: Vec<(String, Vec<Url>)> = Vec::new();
    for seed in &config.seeds {
        let url = Url::parse(&seed.url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| CrawlError::Seed(seed.url.clone()))?;
        match by_council.iter_mut().find(|(c, _)| *c == seed.council) {
            Some((_, urls)) => urls.push(url),
            None => by_council.push((seed.council.clone(), vec![url])),
        }
    }
    let scopes: Vec<Scope> = by_council
        .iter()
        .map(|(council, seeds)| {
            let patterns: Vec<String> = config
                .allowed_hosts
                .iter()
                .filter(|a| a.council.as_ref().is_none_or(|c| c == council))
                .map(|a| a.pattern.clone())
                .collect();
            Scope::new(seeds, &patterns, config.allow_internal_seeds)
        })
        .collect();
    let internal_ok: HashSet<String> = scopes.iter().flat_map(Scope::internal_ok_hosts).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CrawlError::Setup(format!("cannot start the async runtime: {e}")))?;
    let started = Instant::now();
    runtime.block_on(async {
        let fetcher = Fetcher::new(config, internal_ok).map_err(CrawlError::Setup)?;
        let crawl_ids = by_council
            .iter()
            .map(|(council, _)| store.begin_crawl(council))
            .collect::<Result<Vec<_>, _>>()?;
        let crawls = by_council.iter().zip(&scopes).zip(crawl_ids).map(
            |(((council, seeds), scope), crawl_id)| {
                CouncilCrawl {
                    config,
                    store,
                    fetcher: &fetcher,
                    progress,
                    council,
                    scope,
                    crawl_id,
                }
                .run(seeds)
            },
        );
        let results = futures_util::future::join_all(crawls).await;
        let councils = results.into_iter().collect::<Result<Vec<_>, _>>()?;
        Ok(CrawlSummary {
            councils,
            elapsed: started.elapsed(),
        })
    })
}

/// A URL waiting in a council's frontier.
#[derive(Clone, Debug)]
struct Pending {
    url: Url,
    score: i32,
    depth: u32,
    referrer: Option<String>,
    /// URLs that redirected here, in order.
    redirected_from: Vec<String>,
}

/// Best-first queue of pending URLs, bounded: when full, the lowest
/// scored entry is dropped.
#[derive(Default)]
struct Frontier {
    queue: BTreeMap<(i32, Reverse<u64>), Pending>,
    pushed: u64,
}

impl Frontier {
    fn push(&mut self, pending: Pending) {
        self.pushed += 1;
        self.queue
            .insert((pending.score, Reverse(self.pushed)), pending);
        if self.queue.len() > FRONTIER_CAP {
            self.queue.pop_first();
        }
    }

    /// The best entry whose host is not `busy`.
    fn pop_ready(&mut self, busy: &HashSet<String>) -> Option<Pending> {
        let key = *self
            .queue
            .iter()
            .rev()
            .find(|(_, p)| authority(&p.url).is_none_or(|h| !busy.contains(&h)))?
            .0;
        self.queue.remove(&key)
    }
}

/// What visiting one URL gave.
enum Visit {
    /// An answer, with the links of the body if it is an HTML page.
    Fetched(Answer, Option<links::PageLinks>),
    /// The stored body stands: `revalidated` by a `304`, or stored
    /// recently enough not to ask; with its links if it is an HTML page.
    Stored {
        revalidated: bool,
        page: Option<links::PageLinks>,
    },
    Skipped(Skip),
    Failed(String),
}

/// The links of `body` if it is an HTML page, read on the runtime's
/// blocking pool so that a page slow to parse never holds up the thread
/// every other host's requests run on. Gives the body back.
async fn read_links(
    body: Vec<u8>,
    url: &Url,
) -> Result<(Vec<u8>, Option<links::PageLinks>), String> {
    if sniff(&body) != Sniffed::Html {
        return Ok((body, None));
    }
    let url = url.clone();
    tokio::task::spawn_blocking(move || {
        let page = links::read_page(&body, &url);
        (body, Some(page))
    })
    .await
    .map_err(|e| format!("reading the page's links failed: {e}"))
}

struct CouncilCrawl<'a> {
    config: &'a CrawlConfig,
    store: &'a Store,
    fetcher: &'a Fetcher,
    progress: &'a dyn Fn(&CrawlEvent),
    council: &'a str,
    scope: &'a Scope,
    /// This crawl's id in the store ([`Store::seen`]).
    crawl_id: i64,
}

impl CouncilCrawl<'_> {
    fn emit(&self, url: &Url, kind: EventKind) {
        (self.progress)(&CrawlEvent {
            council: self.council.to_owned(),
            url: url.to_string(),
            kind,
        });
    }

    async fn run(self, seeds: &[Url]) -> Result<CouncilSummary, CrawlError> {
        let started = Instant::now();
        let deadline = started + self.config.budgets.max_time;
        let mut summary = CouncilSummary {
            council: self.council.to_owned(),
            ..CouncilSummary::default()
        };
        let mut frontier = Frontier::default();
        let mut seen: HashSet<String> = HashSet::new();
        for seed in seeds {
            if seen.insert(seed.to_string()) {
                frontier.push(Pending {
                    url: seed.clone(),
                    score: SEED_SCORE,
                    depth: 0,
                    referrer: None,
                    redirected_from: Vec::new(),
                });
            }
        }
        let this = &self;
        let mut busy: HashSet<String> = HashSet::new();
        let mut in_flight = FuturesUnordered::new();
        let mut visits = 0usize;
        loop {
            while in_flight.len() < PER_COUNCIL_PARALLEL
                && visits + in_flight.len() < self.config.budgets.max_pages
                && summary.bytes < self.config.budgets.max_bytes
                && Instant::now() < deadline
            {
                let Some(pending) = frontier.pop_ready(&busy) else {
                    break;
                };
                busy.insert(authority(&pending.url).unwrap_or_default());
                in_flight.push(async move {
                    let visit = this.visit(&pending).await;
                    (pending, visit)
                });
            }
            let Some((pending, visit)) = in_flight.next().await else {
                break;
            };
            busy.remove(&authority(&pending.url).unwrap_or_default());
            if !matches!(visit, Visit::Skipped(_)) {
                visits += 1;
            }
            let links = self.settle(&pending, visit, &mut summary)?;
            for next in links {
                if seen.insert(next.url.to_string()) {
                    frontier.push(next);
                }
            }
        }
        summary.elapsed = started.elapsed();
        if let Some(seed) = seeds.first() {
            self.emit(seed, EventKind::Finished(summary.clone()));
        }
        Ok(summary)
    }

    /// Requests `pending.url` unless it is stored recently or robots.txt
    /// forbids it; a stored body that is missing or damaged is fetched
    /// again, unconditionally.
    async fn visit(&self, pending: &Pending) -> Visit {
        let stored = match self.intact_stored(&pending.url) {
            Ok(stored) => stored,
            Err(e) => return Visit::Failed(e.to_string()),
        };
        let record = match stored {
            Some((record, body)) => {
                let age = unix_now().saturating_sub(record.checked_at);
                if u64::try_from(age).is_ok_and(|age| age < self.config.revisit_after.as_secs()) {
                    return self.keep_stored(pending, body, false).await;
                }
                // Not kept while the request waits its turn: read again
                // on a `304`.
                drop(body);
                Some(record)
            }
            None => None,
        };
        if !self.fetcher.allowed(self.scope, &pending.url).await {
            return Visit::Skipped(Skip::Robots);
        }
        let on_retry = |attempt: u32, wait: Duration, reason: &str| {
            self.emit(
                &pending.url,
                EventKind::Retry {
                    attempt,
                    wait,
                    reason: reason.to_owned(),
                },
            );
        };
        let answer = self
            .fetcher
            .request(
                self.scope,
                &pending.url,
                record.as_ref().and_then(|r| r.etag.as_deref()),
                record.as_ref().and_then(|r| r.last_modified.as_deref()),
                Cap::Fail(self.config.budgets.max_body_bytes),
                &on_retry,
            )
            .await;
        match answer {
            Ok(Answer::NotModified) => match record {
                Some(record) => {
                    if let Err(e) = self.store.touch(&record.url) {
                        return Visit::Failed(e.to_string());
                    }
                    match self.store.read_object(&record.sha256) {
                        Ok(body) => self.keep_stored(pending, body, true).await,
                        Err(e) => Visit::Failed(e.to_string()),
                    }
                }
                None => Visit::Failed("304 to an unconditional request".into()),
            },
            Ok(mut answer) => {
                let Answer::Body { body, .. } = &mut answer else {
                    return Visit::Fetched(answer, None);
                };
                // The links are read off the runtime's threads, which need
                // the body itself; it is put back afterwards.
                match read_links(std::mem::take(body), &pending.url).await {
                    Ok((read, page)) => {
                        *body = read;
                        Visit::Fetched(answer, page)
                    }
                    Err(reason) => Visit::Failed(reason),
                }
            }
            Err(Failure::TooLarge { read }) => Visit::Skipped(Skip::TooLarge(read)),
            Err(Failure::Internal) => Visit::Skipped(Skip::Internal),
            Err(Failure::OutOfScope) => Visit::Skipped(Skip::OutOfScope),
            Err(Failure::Transport(reason)) => Visit::Failed(reason),
        }
    }

    /// The stored row of `url` with its body, if both are there and the
    /// body still hashes to the row's sha256. A row whose object is missing
    /// or damaged is reported and treated as never stored, so the URL is
    /// fetched again (without validators, which would only earn a `304`).
    fn intact_stored(&self, url: &Url) -> Result<Option<(Record, Vec<u8>)>, StoreError> {
        let Some(record) = self.store.lookup(url.as_str())? else {
            return Ok(None);
        };
        match self.store.read_object(&record.sha256) {
            Ok(body) => Ok(Some((record, body))),
            Err(damage) => {
                self.emit(url, EventKind::StoredDamaged(damage.to_string()));
                Ok(None)
            }
        }
    }

    /// The visit of a URL whose stored body stands.
    async fn keep_stored(&self, pending: &Pending, body: Vec<u8>, revalidated: bool) -> Visit {
        match read_links(body, &pending.url).await {
            Ok((_, page)) => Visit::Stored { revalidated, page },
            Err(reason) => Visit::Failed(reason),
        }
    }

    /// Records what a visit gave (store, summary, events) and returns the
    /// links to queue.
    fn settle(
        &self,
        pending: &Pending,
        visit: Visit,
        summary: &mut CouncilSummary,
    ) -> Result<Vec<Pending>, CrawlError> {
        let url = &pending.url;
        if matches!(visit, Visit::Fetched(..)) {
            summary.requests += 1;
        }
        match visit {
            Visit::Skipped(skip) => {
                summary.skipped += 1;
                if let Skip::TooLarge(_) = skip {
                    summary.too_large += 1;
                    let reason = format!(
                        "limit exceeded: the body is more than the {} bytes allowed",
                        self.config.budgets.max_body_bytes
                    );
                    self.store.refuse(url.as_str(), self.council, &reason)?;
                }
                self.emit(url, EventKind::Skipped(skip));
                Ok(Vec::new())
            }
            Visit::Failed(reason) => {
                // Still on the site as far as anyone knows (the network
                // failed, not the server's answer).
                self.store.seen(url.as_str(), self.crawl_id)?;
                summary.failed += 1;
                self.emit(url, EventKind::Failed(reason));
                Ok(Vec::new())
            }
            Visit::Stored { revalidated, page } => {
                self.store.seen(url.as_str(), self.crawl_id)?;
                summary.unchanged += 1;
                let kind = if revalidated {
                    EventKind::Unchanged
                } else {
                    EventKind::FromStore
                };
                self.emit(url, kind);
                Ok(page
                    .map(|page| self.queue_links(pending, page))
                    .unwrap_or_default())
            }
            Visit::Fetched(answer @ (Answer::Status(_) | Answer::NotModified), _) => {
                // `visit` turns a `304` to a conditional request into
                // `Stored`; one here answered an unconditional request.
                let status = match answer {
                    Answer::Status(status) => status,
                    _ => 304,
                };
                summary.failed += 1;
                self.emit(url, EventKind::Failed(format!("HTTP status {status}")));
                Ok(Vec::new())
            }
            Visit::Fetched(Answer::Redirect { status, location }, _) => {
                Ok(self.redirect(pending, status, location.as_deref(), summary))
            }
            Visit::Fetched(
                Answer::Body {
                    status,
                    etag,
                    last_modified,
                    content_type,
                    body,
                },
                page,
            ) => {
                summary.bytes += body.len() as u64;
                let role = match (&page, sniff(&body)) {
                    (Some(page), _) if !page.is_notice => Role::Page,
                    (Some(_), _) | (None, Sniffed::Pdf | Sniffed::Docx) => Role::Document,
                    _ if is_office_document(url, content_type.as_deref()) => Role::Document,
                    _ => {
                        summary.skipped += 1;
                        self.emit(url, EventKind::Skipped(Skip::NotADocument));
                        return Ok(Vec::new());
                    }
                };
                self.store.put(
                    &Fetch {
                        url: url.as_str(),
                        council: self.council,
                        status,
                        etag: etag.as_deref(),
                        last_modified: last_modified.as_deref(),
                        content_type: content_type.as_deref(),
                        referrer: pending.referrer.as_deref(),
                        role,
                    },
                    &body,
                )?;
                self.store.seen(url.as_str(), self.crawl_id)?;
                let bytes = body.len() as u64;
                match role {
                    Role::Page => {
                        summary.pages += 1;
                        self.emit(url, EventKind::Page { status });
                    }
                    Role::Document => {
                        summary.documents += 1;
                        self.emit(url, EventKind::Document { status, bytes });
                    }
                }
                Ok(page
                    .map(|page| self.queue_links(pending, page))
                    .unwrap_or_default())
            }
        }
    }

    fn redirect(
        &self,
        pending: &Pending,
        status: u16,
        location: Option<&str>,
        summary: &mut CouncilSummary,
    ) -> Vec<Pending> {
        let url = &pending.url;
        let Some(target) = location.and_then(|l| url.join(l).ok()) else {
            summary.failed += 1;
            self.emit(
                url,
                EventKind::Failed(format!("HTTP {status} without a usable Location")),
            );
            return Vec::new();
        };
        let mut chain = pending.redirected_from.clone();
        chain.push(url.to_string());
        let skip = if chain.contains(&target.to_string()) {
            Some(Skip::RedirectLoop)
        } else if chain.len() > self.config.max_redirects {
            Some(Skip::TooManyRedirects)
        } else {
            match self.scope.check(&target) {
                Ok(()) => None,
                Err(OutOfScope::Internal) => Some(Skip::Internal),
                Err(OutOfScope::Host | OutOfScope::Scheme) => Some(Skip::OutOfScope),
            }
        };
        if let Some(skip) = skip {
            summary.skipped += 1;
            self.emit(&target, EventKind::Skipped(skip));
            return Vec::new();
        }
        self.emit(
            url,
            EventKind::Redirect {
                to: target.to_string(),
            },
        );
        vec![Pending {
            url: target,
            score: pending.score,
            depth: pending.depth,
            referrer: pending.referrer.clone(),
            redirected_from: chain,
        }]
    }

    /// The page's links worth queueing: in scope, within depth, and (for
    /// file-like links) scoring at least the document threshold.
    fn queue_links(&self, pending: &Pending, page: links::PageLinks) -> Vec<Pending> {
        let depth = pending.depth + 1;
        if depth > self.config.budgets.max_depth {
            return Vec::new();
        }
        let parent_bonus = pending.score.clamp(0, 200) / 4;
        page.links
            .into_iter()
            .filter(|link| self.scope.check(&link.url).is_ok())
            .filter_map(|link| {
                let score = link.score + parent_bonus - DEPTH_PENALTY * depth as i32;
                let wanted = if links::looks_like_document(&link.url, &link.anchor) {
                    score >= self.config.document_threshold
                } else {
                    link.score >= 0
                };
                wanted.then(|| Pending {
                    url: link.url,
                    score,
                    depth,
                    referrer: Some(pending.url.to_string()),
                    redirected_from: Vec::new(),
                })
            })
            .collect()
    }
}

/// A Word or OpenDocument file, by content type or extension (the scan
/// stage decides whether it can read it).
fn is_office_document(url: &Url, content_type: Option<&str>) -> bool {
    let path = url.path().to_ascii_lowercase();
    let by_name = [".doc", ".docx", ".odt", ".rtf"]
        .iter()
        .any(|ext| path.ends_with(ext));
    let by_type = content_type.is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        t.contains("msword") || t.contains("officedocument") || t.contains("opendocument")
    });
    by_name || by_type
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(url: &str, score: i32) -> Pending {
        Pending {
            url: Url::parse(url).unwrap(),
            score,
            depth: 1,
            referrer: None,
            redirected_from: Vec::new(),
        }
    }

    #[test]
    fn frontier_pops_best_first_skipping_busy_hosts() {
        let mut frontier = Frontier::default();
        frontier.push(pending("http://a.test/low", 1));
        frontier.push(pending("http://a.test/high", 90));
        frontier.push(pending("http://b.test/mid", 50));
        frontier.push(pending("http://a.test/high-too", 90));
        let none = HashSet::new();
        assert_eq!(frontier.pop_ready(&none).unwrap().url.path(), "/high");
        let busy: HashSet<String> = ["a.test:80".to_string()].into();
        assert_eq!(frontier.pop_ready(&busy).unwrap().url.path(), "/mid");
        assert!(frontier.pop_ready(&busy).is_none());
        assert_eq!(frontier.pop_ready(&none).unwrap().url.path(), "/high-too");
    }

    #[test]
    fn frontier_drops_the_lowest_when_full() {
        let mut frontier = Frontier::default();
        for i in 0..=FRONTIER_CAP {
            frontier.push(pending(&format!("http://a.test/{i}"), i as i32));
        }
        assert_eq!(frontier.queue.len(), FRONTIER_CAP);
        assert!(frontier.queue.values().all(|p| p.url.path() != "/0"));
    }

    #[test]
    fn office_documents_by_name_or_type() {
        let url = Url::parse("http://a.test/notice.docx").unwrap();
        assert!(is_office_document(&url, None));
        let url = Url::parse("http://a.test/getfile?id=3").unwrap();
        assert!(is_office_document(&url, Some("application/msword")));
        assert!(!is_office_document(&url, Some("image/png")));
    }

    #[test]
    fn bad_seeds_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let config = CrawlConfig::new(vec![Seed::new("NBY", "ftp://x.test/")]);
        assert!(matches!(
            crawl(&config, &store, &|_| {}),
            Err(CrawlError::Seed(_))
        ));
    }
}
