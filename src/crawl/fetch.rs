//! The polite HTTP client: one request at a time per host, spaced by the
//! politeness delay (or the host's `Crawl-delay`), many hosts at once up
//! to a global limit; robots.txt read once per host; retries with backoff.
//!
//! Input: a URL and the stored validators of its last body. Output: an
//! [`Answer`] (a capped body, `304`, a redirect for the caller to vet, or a
//! final status) or a [`Failure`]. Every request, robots.txt included,
//! goes through [`Fetcher::request`], which checks the URL against the
//! council's [`Scope`] before connecting (a literal IP address, which no
//! resolver sees, is refused there if internal), and the client's DNS
//! resolver refuses names that resolve to internal addresses unless the
//! host was a seed. This module never lets the HTTP client follow a
//! redirect: the crawler follows page redirects hop by hop, and robots.txt
//! redirects are followed here, each hop a new checked request. It never
//! reads more than the body cap and never retries a `4xx` other than
//! `408`/`429`.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{self, HeaderMap};
use texting_robots::Robot;
use tokio::sync::{OnceCell, Semaphore};
use url::Url;

use super::CrawlConfig;
use super::scope::{OutOfScope, Scope, authority, is_internal};

/// How much of a robots.txt is read: RFC 9309 asks for at least 500 KiB;
/// the rest is ignored and the rules up to it are obeyed.
const ROBOTS_CAP: Cap = Cap::Truncate(512 * 1024);
/// Longest `Crawl-delay` obeyed; a larger one is clamped to this.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);
/// Longest backoff between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// A response the crawler acts on.
#[derive(Debug)]
pub enum Answer {
    /// A `2xx` with its (complete, under-the-cap) body.
    Body {
        /// Status code.
        status: u16,
        /// `ETag` header.
        etag: Option<String>,
        /// `Last-Modified` header.
        last_modified: Option<String>,
        /// `Content-Type` header.
        content_type: Option<String>,
        /// The decoded body.
        body: Vec<u8>,
    },
    /// `304 Not Modified` to a conditional request.
    NotModified,
    /// A `3xx` with its `Location`, unresolved.
    Redirect {
        /// Status code.
        status: u16,
        /// The `Location` header, if any.
        location: Option<String>,
    },
    /// Any other final status (after retries for `5xx`, `408`, `429`).
    Status(u16),
}

/// Why a request gave no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The body passed the cap; `read` bytes were read before stopping.
    TooLarge {
        /// Bytes read (at most the cap plus one chunk).
        read: u64,
    },
    /// The host is, or its name resolves to, an internal address and was
    /// not a seed.
    Internal,
    /// The URL is outside the council's scope (another host, another
    /// scheme): nothing was sent.
    OutOfScope,
    /// Timeouts, resets or refused connections, after every retry.
    Transport(String),
}

/// The most body bytes a request reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
    /// A larger body is abandoned: [`Failure::TooLarge`].
    Fail(u64),
    /// A larger body is cut to this many bytes and kept.
    Truncate(u64),
}

impl Cap {
    fn bytes(self) -> u64 {
        match self {
            Cap::Fail(bytes) | Cap::Truncate(bytes) => bytes,
        }
    }
}

/// How one attempt ended.
enum Attempt {
    Done(Answer),
    Failed(Failure),
    /// Worth another try, after `Some(wait)` if the server said so.
    Retry(Retryable, Option<Duration>),
}

/// What a retried attempt ran into.
#[derive(Clone, Copy, Debug)]
enum Retryable {
    /// `5xx`, `408` or `429`.
    Status(u16),
    /// A timeout, reset or refused connection.
    Transport(&'static str),
}

impl std::fmt::Display for Retryable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Retryable::Status(status) => write!(f, "status {status}"),
            Retryable::Transport(kind) => f.write_str(kind),
        }
    }
}

/// What robots.txt allows on one host.
#[derive(Debug)]
enum Robots {
    /// Rules parsed for our agent.
    Rules(Robot),
    /// No usable robots.txt (`4xx`, or redirected more than five times or
    /// out of scope): everything allowed.
    AllowAll,
    /// robots.txt unreachable (`5xx`, network): nothing allowed (RFC 9309).
    DisallowAll,
}

/// The shared client of one crawl.
pub struct Fetcher {
    client: reqwest::Client,
    agent: String,
    politeness: Duration,
    retries: u32,
    backoff: Duration,
    max_retry_after: Duration,
    permits: Semaphore,
    /// Per host: when its next request may start.
    next_turn: Mutex<HashMap<String, Instant>>,
    robots: Mutex<HashMap<String, Arc<OnceCell<Robots>>>>,
}

/// An internal address refused by the resolver.
#[derive(Debug, thiserror::Error)]
#[error("{0} resolves to an internal address and was not given as a seed")]
struct InternalAddress(String);

/// DNS with fixed overrides (the demo's and benchmark's virtual hosts) and
/// a refusal of internal addresses for every host that was not a seed.
struct GuardedResolver {
    overrides: HashMap<String, Vec<SocketAddr>>,
    internal_ok: HashSet<String>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        if let Some(addrs) = self.overrides.get(&host) {
            let addrs = addrs.clone();
            return Box::pin(async move { Ok(Box::new(addrs.into_iter()) as Addrs) });
        }
        let internal_ok = self.internal_ok.contains(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !internal_ok && addrs.iter().any(|a| is_internal(a.ip())) {
                return Err(Box::new(InternalAddress(host)) as Box<_>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

impl Fetcher {
    /// A client for `config`; `internal_ok` are the seed host names
    /// allowed to resolve to internal addresses.
    pub fn new(config: &CrawlConfig, internal_ok: HashSet<String>) -> Result<Fetcher, String> {
        // Installing fails only if a provider is already installed, which
        // is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut overrides: HashMap<String, Vec<SocketAddr>> = HashMap::new();
        for (host, addr) in &config.resolve {
            overrides
                .entry(host.to_ascii_lowercase())
                .or_default()
                .push(*addr);
        }
        let client = reqwest::Client::builder()
            .user_agent(&config.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.timeout.min(Duration::from_secs(15)))
            .timeout(config.timeout)
            .no_proxy()
            .pool_max_idle_per_host(1)
            .dns_resolver(Arc::new(GuardedResolver {
                overrides,
                internal_ok,
            }))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Fetcher {
            client,
            agent: robots_agent(&config.user_agent),
            politeness: config.politeness,
            retries: config.retries,
            backoff: config.backoff,
            max_retry_after: config.max_retry_after,
            permits: Semaphore::new(config.concurrency.max(1)),
            next_turn: Mutex::new(HashMap::new()),
            robots: Mutex::new(HashMap::new()),
        })
    }

    /// Whether robots.txt lets us fetch `url` (reading robots.txt first if
    /// this host's is not known yet, within `scope`).
    pub async fn allowed(&self, scope: &Scope, url: &Url) -> bool {
        let Some(host) = authority(url) else {
            return false;
        };
        let cell = {
            let mut robots = lock(&self.robots);
            Arc::clone(robots.entry(host).or_default())
        };
        let robots = cell.get_or_init(|| self.read_robots(scope, url)).await;
        match robots {
            Robots::Rules(robot) => robot.allowed(url.as_str()),
            Robots::AllowAll => true,
            Robots::DisallowAll => false,
        }
    }

    /// Reads the robots.txt of `url`'s host, following up to five
    /// redirects (RFC 9309), each one a request checked against `scope`: a
    /// redirect out of scope is not followed, and counts as no robots.txt.
    async fn read_robots(&self, scope: &Scope, url: &Url) -> Robots {
        let Ok(mut robots_url) = url.join("/robots.txt") else {
            return Robots::AllowAll;
        };
        for _ in 0..5 {
            let answer = self
                .request(scope, &robots_url, None, None, ROBOTS_CAP, &|_, _, _| {})
                .await;
            match answer {
                Ok(Answer::Body { mut body, .. }) => {
                    // A file cut at the cap loses its last, partial line.
                    if body.len() as u64 >= ROBOTS_CAP.bytes()
                        && let Some(end) = body.iter().rposition(|&b| b == b'\n')
                    {
                        body.truncate(end + 1);
                    }
                    // Parsed on the blocking pool: 500 KiB of wildcard
                    // rules take seconds, and every host's requests run
                    // on the crawl's one async thread. A parser that
                    // panics has read no rules.
                    let agent = self.agent.clone();
                    return tokio::task::spawn_blocking(move || parse_robots(&agent, &body))
                        .await
                        .unwrap_or(Robots::AllowAll);
                }
                Ok(Answer::Redirect {
                    location: Some(location),
                    ..
                }) => match robots_url.join(&location) {
                    Ok(next) => robots_url = next,
                    Err(_) => return Robots::AllowAll,
                },
                Ok(Answer::Status(status)) if status >= 500 => return Robots::DisallowAll,
                Err(Failure::Transport(_)) => return Robots::DisallowAll,
                Ok(_) | Err(_) => return Robots::AllowAll,
            }
        }
        Robots::AllowAll
    }

    /// The delay between two requests to `host`: the politeness setting,
    /// or the host's `Crawl-delay` if larger.
    fn delay_for(&self, host: &str) -> Duration {
        let crawl_delay = lock(&self.robots)
            .get(host)
            .and_then(|cell| match cell.get() {
                Some(Robots::Rules(robot)) => robot.delay,
                _ => None,
            })
            .filter(|d| d.is_finite() && *d > 0.0)
            .map(|d| Duration::from_secs_f32(d).min(MAX_CRAWL_DELAY));
        crawl_delay.map_or(self.politeness, |d| d.max(self.politeness))
    }

    /// Waits for `host`'s turn and books the next one.
    async fn wait_turn(&self, host: &str) {
        let delay = self.delay_for(host);
        let start = {
            let mut turns = lock(&self.next_turn);
            let now = Instant::now();
            let slot = turns.entry(host.to_owned()).or_insert(now);
            let start = (*slot).max(now);
            *slot = start + delay;
            start
        };
        tokio::time::sleep_until(start.into()).await;
    }

    /// GETs `url` (conditionally when validators are given), retrying
    /// timeouts, resets, `5xx`, `408` and `429` with exponential backoff
    /// and jitter or the server's `Retry-After`. `on_retry(attempt, wait,
    /// reason)` is told of each retry.
    ///
    /// This is the one way out to the network: a URL outside `scope`, or
    /// a literal internal address that is not a seed, is refused here
    /// before anything is sent ([`Failure::OutOfScope`],
    /// [`Failure::Internal`]); host names are checked again by the
    /// resolver when the connection is made.
    pub async fn request(
        &self,
        scope: &Scope,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
        cap: Cap,
        on_retry: &dyn Fn(u32, Duration, &str),
    ) -> Result<Answer, Failure> {
        match scope.check(url) {
            Ok(()) => {}
            Err(OutOfScope::Internal) => return Err(Failure::Internal),
            Err(OutOfScope::Host | OutOfScope::Scheme) => return Err(Failure::OutOfScope),
        }
        let host = authority(url).unwrap_or_default();
        let mut attempt = 0;
        loop {
            self.wait_turn(&host).await;
            let outcome = {
                // The semaphore is never closed, so acquiring cannot fail;
                // if it did, going on without a permit is harmless.
                let _permit = self.permits.acquire().await.ok();
                self.attempt(url, etag, last_modified, cap).await
            };
            let (reason, asked_wait) = match outcome {
                Attempt::Done(answer) => return Ok(answer),
                Attempt::Failed(failure) => return Err(failure),
                Attempt::Retry(reason, wait) => (reason, wait),
            };
            let wait = asked_wait.unwrap_or_else(|| self.backoff_for(attempt));
            if attempt >= self.retries || wait > self.max_retry_after {
                return match reason {
                    Retryable::Status(status) => Ok(Answer::Status(status)),
                    Retryable::Transport(kind) => Err(Failure::Transport(kind.to_owned())),
                };
            }
            attempt += 1;
            on_retry(attempt, wait, &reason.to_string());
            tokio::time::sleep(wait).await;
        }
    }

    /// `backoff * 2^attempt`, plus up to the same again of jitter.
    fn backoff_for(&self, attempt: u32) -> Duration {
        let base = self
            .backoff
            .saturating_mul(1u32 << attempt.min(16))
            .min(MAX_BACKOFF);
        base + base.mul_f64(fastrand::f64())
    }

    async fn attempt(
        &self,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
        cap: Cap,
    ) -> Attempt {
        let mut request = self.client.get(url.clone());
        if let Some(etag) = etag {
            request = request.header(header::IF_NONE_MATCH, etag);
        }
        if let Some(date) = last_modified {
            request = request.header(header::IF_MODIFIED_SINCE, date);
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(error) => return transport_error(&error),
        };
        let status = response.status().as_u16();
        let headers = response.headers();
        match status {
            304 => Attempt::Done(Answer::NotModified),
            300..=399 => Attempt::Done(Answer::Redirect {
                status,
                location: header_text(headers, header::LOCATION),
            }),
            408 | 429 | 500..=599 => Attempt::Retry(
                Retryable::Status(status),
                retry_after(headers, SystemTime::now()),
            ),
            200..=299 => {
                let etag = header_text(headers, header::ETAG);
                let last_modified = header_text(headers, header::LAST_MODIFIED);
                let content_type = header_text(headers, header::CONTENT_TYPE);
                let limit = cap.bytes();
                if let (Some(length), Cap::Fail(_)) = (response.content_length(), cap)
                    && length > limit
                {
                    return Attempt::Failed(Failure::TooLarge { read: 0 });
                }
                let mut body = Vec::new();
                loop {
                    match response.chunk().await {
                        Ok(Some(chunk)) => {
                            body.extend_from_slice(&chunk);
                            if body.len() as u64 > limit {
                                if let Cap::Fail(_) = cap {
                                    return Attempt::Failed(Failure::TooLarge {
                                        read: body.len() as u64,
                                    });
                                }
                                body.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(error) => return transport_error(&error),
                    }
                }
                Attempt::Done(Answer::Body {
                    status,
                    etag,
                    last_modified,
                    content_type,
                    body,
                })
            }
            _ => Attempt::Done(Answer::Status(status)),
        }
    }
}

/// A poisoned lock still guards consistent data here (every critical
/// section is a single map operation), so it is used as is.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn transport_error(error: &reqwest::Error) -> Attempt {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(cause) = source {
        if cause.is::<InternalAddress>() {
            return Attempt::Failed(Failure::Internal);
        }
        source = cause.source();
    }
    if error.is_builder() {
        return Attempt::Failed(Failure::Transport(error.to_string()));
    }
    let kind = if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "body interrupted"
    } else {
        "request failed"
    };
    Attempt::Retry(Retryable::Transport(kind), None)
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `Retry-After` as a wait: delta-seconds or an HTTP date.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = header_text(headers, header::RETRY_AFTER)?;
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(&value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The rules of a robots.txt for `agent`. RFC 9309 asks for every
/// parseable rule to be used, so a line the parser refuses (a pattern too
/// complex to compile) is dropped rather than the whole file.
fn parse_robots(agent: &str, body: &[u8]) -> Robots {
    if let Ok(robot) = Robot::new(agent, body) {
        return Robots::Rules(robot);
    }
    let parseable: Vec<u8> = body
        .split_inclusive(|&b| b == b'\n')
        .filter(|line| Robot::new(agent, line).is_ok())
        .flatten()
        .copied()
        .collect();
    Robot::new(agent, &parseable).map_or(Robots::AllowAll, Robots::Rules)
}

/// The product token robots.txt groups are matched against: the
/// User-Agent up to its first `/` or space (`sopncheck/0.1 (+url)` gives
/// `sopncheck`).
fn robots_agent(user_agent: &str) -> String {
    user_agent
        .split(['/', ' '])
        .next()
        .filter(|t| !t.is_empty())
        .unwrap_or("sopncheck")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        let mut headers = HeaderMap::new();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        headers.insert(header::RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(90)));
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }

    #[test]
    fn a_robots_line_that_cannot_be_parsed_drops_only_that_line() {
        let mut monster = String::from("Disallow: /x");
        for _ in 0..20_000 {
            monster.push_str("*y");
        }
        monster.push_str("$\n");
        assert!(Robot::new("sopncheck", monster.as_bytes()).is_err());
        let body = format!("User-agent: *\nDisallow: /docs/\n{monster}Disallow: /private/\n");
        let Robots::Rules(robot) = parse_robots("sopncheck", body.as_bytes()) else {
            panic!("the parseable rules were not kept");
        };
        assert!(!robot.allowed("http://a.test/docs/sopn.pdf"));
        assert!(!robot.allowed("http://a.test/private/x"));
        assert!(robot.allowed("http://a.test/public/x"));
    }

    #[test]
    fn robots_agent_is_the_product_token() {
        assert_eq!(robots_agent("sopncheck/0.1 (+https://x.test)"), "sopncheck");
        assert_eq!(robots_agent(""), "sopncheck");
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let mut config = CrawlConfig::new(Vec::new());
        config.backoff = Duration::from_millis(100);
        let fetcher = Fetcher::new(&config, HashSet::new()).unwrap();
        for attempt in 0..4 {
            let base = Duration::from_millis(100 * (1 << attempt));
            let wait = fetcher.backoff_for(attempt);
            assert!(wait >= base && wait <= base * 2, "{attempt}: {wait:?}");
        }
        assert!(fetcher.backoff_for(30) <= MAX_BACKOFF * 2);
    }
}
