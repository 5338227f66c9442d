//! Fault injection: the crawler against a real server on 127.0.0.1 that
//! misbehaves on command: errors then success, `Retry-After`, responses
//! slower than the timeout, connections reset mid-body, redirect loops and
//! redirects out of scope, endless bodies, lying content types, robots.txt
//! (over 500 KiB, or redirecting to a loopback address the crawl was not
//! given), a page or robots.txt slow to parse beside a normal host,
//! damaged store objects, a store another process holds, and `304` on a
//! re-crawl; the binary's exit status when every document failed, and
//! bodies over the cap listed in the report as unscannable.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sopncheck::crawl::{self, CrawlConfig, CrawlEvent, EventKind, Seed, Skip};
use sopncheck::demo::read_request_head;
use sopncheck::store::Store;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
const CAP: u64 = 1024 * 1024;
const STREAM_CHUNK: usize = 64 * 1024;

/// One request as the server saw it: when, and its headers.
type Seen = (Instant, HashMap<String, String>);

/// What the server saw: per path, each request's arrival and headers.
#[derive(Default)]
struct Log {
    requests: HashMap<String, Vec<Seen>>,
    /// Bytes written by the endless body before the client hung up.
    streamed: u64,
    /// The robots.txt response, if not the default one.
    robots: Option<Vec<u8>>,
    /// Base URL (`http://127.0.0.2:PORT`) of a server outside the crawl,
    /// which the `/t/outside` routes point at.
    outside: Option<String>,
}

struct FaultServer {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
    _runtime: tokio::runtime::Runtime,
}

impl FaultServer {
    fn start() -> FaultServer {
        FaultServer::start_on("127.0.0.1:0")
    }

    fn start_on(bind: &str) -> FaultServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(bind))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Log::default()));
        let server_log = Arc::clone(&log);
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(connection(stream, Arc::clone(&server_log)));
            }
        });
        FaultServer {
            addr,
            log,
            _runtime: runtime,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn hits(&self, path: &str) -> Vec<Seen> {
        self.log
            .lock()
            .unwrap()
            .requests
            .get(path)
            .cloned()
            .unwrap_or_default()
    }

    fn requests(&self) -> usize {
        self.log
            .lock()
            .unwrap()
            .requests
            .values()
            .map(Vec::len)
            .sum()
    }

    fn config(&self, seed: &str) -> CrawlConfig {
        let mut config = CrawlConfig::new(vec![Seed::new("TST", &self.url(seed))]);
        config.politeness = Duration::from_millis(10);
        config.timeout = Duration::from_millis(500);
        config.backoff = Duration::from_millis(50);
        config.budgets.max_body_bytes = CAP;
        config
    }
}

fn html(links: &[(&str, &str)]) -> String {
    let mut page = String::from(
        "<!DOCTYPE html><html><head><title>Elections</title></head><body><h2>Statement of persons nominated</h2><ul>",
    );
    for (href, text) in links {
        page.push_str(&format!("<li><a href=\"{href}\">{text}</a></li>"));
    }
    page.push_str("</ul></body></html>");
    page
}

fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

async fn connection(mut stream: TcpStream, log: Arc<Mutex<Log>>) {
    let mut buffer = Vec::new();
    while let Some(head) = read_request_head(&mut stream, &mut buffer).await {
        let path = head.target.clone();
        let nth = {
            let mut log = log.lock().unwrap();
            let seen = log.requests.entry(path.clone()).or_default();
            seen.push((Instant::now(), head.headers.iter().cloned().collect()));
            seen.len()
        };
        let pdf_type = [("Content-Type", "application/pdf")];
        let (robots, outside) = {
            let log = log.lock().unwrap();
            (log.robots.clone(), log.outside.clone().unwrap_or_default())
        };
        let reply: Vec<u8> = match (path.as_str(), nth) {
            ("/robots.txt", _) if robots.is_some() => robots.unwrap_or_default(),
            ("/robots.txt", _) => response(
                "200 OK",
                &[("Content-Type", "text/plain")],
                b"User-agent: *\nDisallow: /private/\n\nUser-agent: othercrawler\nDisallow: /\n",
            ),
            ("/t/retries", _) => html(&[
                ("/flaky.pdf", "Flaky ward (PDF)"),
                ("/busy.pdf", "Busy ward (PDF)"),
                ("/slow.pdf", "Slow ward (PDF)"),
                ("/reset.pdf", "Reset ward (PDF)"),
                ("/gone.pdf", "Gone ward (PDF)"),
            ])
            .pipe(|page| response("200 OK", &[("Content-Type", "text/html")], page.as_bytes())),
            ("/flaky.pdf", 1) => response("500 Internal Server Error", &[], b""),
            ("/busy.pdf", 1) => response("503 Service Unavailable", &[("Retry-After", "1")], b""),
            ("/slow.pdf", 1) => {
                tokio::time::sleep(Duration::from_secs(2)).await;
                response("200 OK", &pdf_type, PDF)
            }
            ("/reset.pdf", 1) => {
                let mut partial = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: {}\r\n\r\n",
                    100_000
                )
                .into_bytes();
                partial.extend_from_slice(&[b'%'; 1000]);
                let _ = stream.write_all(&partial).await;
                let _ = stream.flush().await;
                tokio::time::sleep(Duration::from_millis(50)).await;
                // Zero linger: closing sends a reset, not a clean end.
                let _ = stream.set_zero_linger();
                return;
            }
            ("/flaky.pdf" | "/busy.pdf" | "/slow.pdf" | "/reset.pdf", _) => {
                response("200 OK", &pdf_type, PDF)
            }
            ("/gone.pdf", _) => response("404 Not Found", &[], b""),
            ("/t/gone", _) => html(&[("/gone.pdf", "Gone ward (PDF)")])
                .pipe(|page| response("200 OK", &[("Content-Type", "text/html")], page.as_bytes())),
            ("/t/redirects", _) => html(&[
                ("/loop-a", "Candidates"),
                ("/away", "Candidates elsewhere"),
                ("/inside", "Candidates internal"),
                ("/moved.pdf", "Moved ward (PDF)"),
            ])
            .pipe(|page| response("200 OK", &[("Content-Type", "text/html")], page.as_bytes())),
            ("/loop-a", _) => response("302 Found", &[("Location", "/loop-b")], b""),
            ("/loop-b", _) => response("302 Found", &[("Location", "/loop-a")], b""),
            ("/away", _) => response(
                "301 Moved",
                &[("Location", "http://elsewhere.test/x.pdf")],
                b"",
            ),
            ("/inside", _) => response(
                "301 Moved",
                &[("Location", "http://127.0.0.2:9/admin")],
                b"",
            ),
            ("/moved.pdf", _) => response("301 Moved", &[("Location", "/new/moved.pdf")], b""),
            ("/new/moved.pdf", _) => response("200 OK", &pdf_type, PDF),
            ("/t/caps", _) => html(&[
                ("/endless.pdf", "Endless ward (PDF)"),
                ("/declared.pdf", "Declared ward (PDF)"),
            ])
            .pipe(|page| response("200 OK", &[("Content-Type", "text/html")], page.as_bytes())),
            ("/declared.pdf", _) => {
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 2147483648\r\n\r\n%PDF-1.4\n";
                let _ = stream.write_all(head.as_bytes()).await;
                return;
            }
            ("/endless.pdf", _) => {
                // A body with no length: it ends when the connection does,
                // which this server never does on its own (2 GB and on).
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nConnection: close\r\n\r\n%PDF-1.4\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'0'; STREAM_CHUNK];
                let mut written = 0u64;
                while written < 2 * 1024 * 1024 * 1024 {
                    if stream.write_all(&chunk).await.is_err() {
                        break;
                    }
                    written += chunk.len() as u64;
                }
                log.lock().unwrap().streamed = written;
                return;
            }
            ("/t/types", _) => html(&[
                ("/pdf-as-html", "Ashgrove ward SoPN"),
                ("/page-as-binary", "Candidates"),
                ("/zipped", "Elections archive"),
            ])
            .pipe(|page| response("200 OK", &[("Content-Type", "text/html")], page.as_bytes())),
            ("/pdf-as-html", _) => response("200 OK", &[("Content-Type", "text/html")], PDF),
            ("/page-as-binary", _) => response(
                "200 OK",
                &[("Content-Type", "application/octet-stream")],
                html(&[("/from-binary-page.pdf", "Brookside ward (PDF)")]).as_bytes(),
            ),
            ("/from-binary-page.pdf", _) => response(
                "200 OK",
                &[("Content-Type", "application/octet-stream")],
                PDF,
            ),
            ("/zipped", _) => response(
                "200 OK",
                &[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                &gzip(html(&[("/from-zipped.pdf", "Castle ward (PDF)")]).as_bytes()),
            ),
            ("/from-zipped.pdf", _) => response("200 OK", &pdf_type, PDF),
            ("/t/robots", _) => html(&[
                ("/private/sopn.pdf", "Private ward (PDF)"),
                ("/public/sopn.pdf", "Public ward (PDF)"),
            ])
            .pipe(|page| response("200 OK", &[("Content-Type", "text/html")], page.as_bytes())),
            ("/private/sopn.pdf" | "/public/sopn.pdf", _) => response("200 OK", &pdf_type, PDF),
            ("/t/outside", _) => html(&[
                (&format!("{outside}/linked.pdf"), "Linked ward (PDF)"),
                ("/to-outside", "Candidates"),
                ("/public/sopn.pdf", "Public ward (PDF)"),
            ])
            .pipe(|page| response("200 OK", &[("Content-Type", "text/html")], page.as_bytes())),
            ("/to-outside", _) => response(
                "301 Moved",
                &[("Location", &format!("{outside}/redirected.pdf"))],
                b"",
            ),
            ("/t/heavy", _) => {
                // Tables nested a few hundred thousand deep: slow to parse,
                // however well guarded, in a debug build.
                let mut page = html(&[("/after-heavy.pdf", "Heavy ward (PDF)")]);
                while page.len() < 2 * 1024 * 1024 {
                    page.push_str("<table><tr><td>");
                }
                response("200 OK", &[("Content-Type", "text/html")], page.as_bytes())
            }
            ("/t/light", _) => html(&[
                ("/light-1.pdf", "First ward (PDF)"),
                ("/light-2.pdf", "Second ward (PDF)"),
                ("/light-3.pdf", "Third ward (PDF)"),
            ])
            .pipe(|page| response("200 OK", &[("Content-Type", "text/html")], page.as_bytes())),
            ("/light-1.pdf" | "/light-2.pdf" | "/light-3.pdf", _) => {
                tokio::time::sleep(Duration::from_millis(150)).await;
                response("200 OK", &pdf_type, PDF)
            }
            ("/after-heavy.pdf", _) => response("200 OK", &pdf_type, PDF),
            ("/t/conditional", _) => {
                html(&[("/versioned.pdf", "Versioned ward (PDF)")]).pipe(|page| {
                    response(
                        "200 OK",
                        &[("Content-Type", "text/html"), ("ETag", "\"page1\"")],
                        page.as_bytes(),
                    )
                })
            }
            ("/versioned.pdf", _) => {
                let conditional = head.header("if-none-match") == Some("\"v1\"");
                if conditional {
                    response("304 Not Modified", &[("ETag", "\"v1\"")], b"")
                } else {
                    response(
                        "200 OK",
                        &[
                            ("Content-Type", "application/pdf"),
                            ("ETag", "\"v1\""),
                            ("Last-Modified", "Mon, 06 Apr 2026 09:00:00 GMT"),
                        ],
                        PDF,
                    )
                }
            }
            _ => response("404 Not Found", &[], b""),
        };
        if stream.write_all(&reply).await.is_err() {
            return;
        }
    }
}

/// `x.pipe(f)` is `f(x)`: keeps the route table readable.
trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}

fn run(config: &CrawlConfig, store: &Store) -> (crawl::CrawlSummary, Vec<CrawlEvent>) {
    let events = Mutex::new(Vec::new());
    let summary = crawl::crawl(config, store, &|e| events.lock().unwrap().push(e.clone())).unwrap();
    (summary, events.into_inner().unwrap())
}

/// Every URL a stored document was found at (the same bytes at several
/// URLs are one document listing them all).
fn stored_urls(store: &Store) -> Vec<String> {
    store
        .documents()
        .unwrap()
        .into_iter()
        .flat_map(|d| d.urls)
        .collect()
}

#[test]
fn transient_failures_are_retried_and_4xx_is_not() {
    let server = FaultServer::start();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (summary, events) = run(&server.config("/t/retries"), &store);
    let stored = stored_urls(&store);
    for path in ["/flaky.pdf", "/busy.pdf", "/slow.pdf", "/reset.pdf"] {
        assert!(
            stored.contains(&server.url(path)),
            "{path} not stored: {events:#?}"
        );
        assert_eq!(server.hits(path).len(), 2, "{path}");
    }
    let retry_reason = |path: &str| {
        events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::Retry { reason, .. } if e.url.ends_with(path) => Some(reason.clone()),
                _ => None,
            })
            .unwrap_or_default()
    };
    assert_eq!(retry_reason("/flaky.pdf"), "status 500");
    assert_eq!(retry_reason("/busy.pdf"), "status 503");
    assert_eq!(retry_reason("/slow.pdf"), "timeout");
    assert_eq!(retry_reason("/reset.pdf"), "body interrupted");
    // Retry-After: 1 was honoured.
    let busy = server.hits("/busy.pdf");
    assert!(busy[1].0 - busy[0].0 >= Duration::from_millis(950));
    // 404: asked once, reported, not retried.
    assert_eq!(server.hits("/gone.pdf").len(), 1);
    assert_eq!(summary.councils[0].failed, 1);
    assert_eq!(retry_reason("/gone.pdf"), "");
}

#[test]
fn redirects_are_bounded_loop_checked_and_kept_in_scope() {
    let server = FaultServer::start();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (_, events) = run(&server.config("/t/redirects"), &store);
    let skipped = |skip: Skip| {
        events
            .iter()
            .any(|e| e.kind == EventKind::Skipped(skip.clone()))
    };
    assert!(skipped(Skip::RedirectLoop), "{events:#?}");
    assert!(skipped(Skip::OutOfScope));
    assert!(skipped(Skip::Internal));
    assert_eq!(server.hits("/loop-a").len(), 1);
    assert_eq!(server.hits("/loop-b").len(), 1);
    assert!(stored_urls(&store).contains(&server.url("/new/moved.pdf")));
    let record = store
        .lookup(&server.url("/new/moved.pdf"))
        .unwrap()
        .unwrap();
    assert_eq!(record.referrer, Some(server.url("/t/redirects")));
}

#[test]
fn bodies_over_the_cap_are_abandoned_unread() {
    let server = FaultServer::start();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let started = Instant::now();
    let (_, events) = run(&server.config("/t/caps"), &store);
    let read_of = |path: &str| {
        events.iter().find_map(|e| match e.kind {
            EventKind::Skipped(Skip::TooLarge(read)) if e.url.ends_with(path) => Some(read),
            _ => None,
        })
    };
    // The declared 2 GB is refused from its Content-Length alone.
    assert_eq!(read_of("/declared.pdf"), Some(0));
    // The endless one is read to the cap plus at most one chunk.
    let read = read_of("/endless.pdf").expect("endless body not capped");
    assert!(
        read > CAP && read <= CAP + STREAM_CHUNK as u64 * 2,
        "{read}"
    );
    assert!(stored_urls(&store).is_empty());
    assert!(started.elapsed() < Duration::from_secs(20));
    // The server's writes stop soon after: socket buffers, not gigabytes.
    std::thread::sleep(Duration::from_millis(200));
    let streamed = server.log.lock().unwrap().streamed;
    assert!(streamed < 64 * 1024 * 1024, "{streamed}");
    assert_eq!(
        server.hits("/endless.pdf").len(),
        1,
        "too large is not retried"
    );
}

#[test]
fn formats_are_sniffed_not_taken_from_content_type() {
    let server = FaultServer::start();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (_, events) = run(&server.config("/t/types"), &store);
    let stored = stored_urls(&store);
    assert!(stored.contains(&server.url("/pdf-as-html")), "{events:#?}");
    assert!(stored.contains(&server.url("/from-binary-page.pdf")));
    assert!(stored.contains(&server.url("/from-zipped.pdf")));
    // The gzip page was decoded before its links were read.
    let zipped = store.lookup(&server.url("/zipped")).unwrap().unwrap();
    let body = store.read_object(&zipped.sha256).unwrap();
    assert!(body.starts_with(b"<!DOCTYPE html>"));
}

#[test]
fn robots_txt_is_obeyed() {
    let server = FaultServer::start();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (_, events) = run(&server.config("/t/robots"), &store);
    assert!(server.hits("/private/sopn.pdf").is_empty());
    assert_eq!(server.hits("/public/sopn.pdf").len(), 1);
    assert_eq!(server.hits("/robots.txt").len(), 1);
    assert!(events.iter().any(
        |e| e.kind == EventKind::Skipped(Skip::Robots) && e.url.ends_with("/private/sopn.pdf")
    ));
    // The user agent is sent and names a contact URL.
    let (_, headers) = &server.hits("/public/sopn.pdf")[0];
    assert!(headers["user-agent"].starts_with("sopncheck/"));
    assert!(headers["user-agent"].contains("+http"));
}

/// Serves `robots` padded with comments to 600 KB (past the 500 KiB the
/// crawler reads) as the server's robots.txt, and crawls from its seed.
fn crawl_under_padded_robots(server: &FaultServer, mut robots: Vec<u8>) {
    while robots.len() < 600 * 1024 {
        robots.extend_from_slice(b"# padding, as some content systems write it\n");
    }
    server.log.lock().unwrap().robots = Some(response(
        "200 OK",
        &[("Content-Type", "text/plain")],
        &robots,
    ));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    run(&server.config("/t/robots"), &store);
}

#[test]
fn a_robots_txt_over_500_kib_is_obeyed_up_to_the_cap() {
    let server = FaultServer::start();
    let robots = b"User-agent: *\nDisallow: /private/\n".to_vec();
    crawl_under_padded_robots(&server, robots);
    assert_eq!(server.hits("/robots.txt").len(), 1);
    assert!(server.hits("/private/sopn.pdf").is_empty());
    assert_eq!(server.hits("/public/sopn.pdf").len(), 1);
}

#[test]
fn a_recrawl_asks_conditionally_and_keeps_unchanged_bodies() {
    let server = FaultServer::start();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut config = server.config("/t/conditional");
    run(&config, &store);
    let first = store
        .lookup(&server.url("/versioned.pdf"))
        .unwrap()
        .unwrap();
    config.revisit_after = Duration::ZERO;
    let (summary, events) = run(&config, &store);
    let hits = server.hits("/versioned.pdf");
    assert_eq!(hits.len(), 2);
    assert_eq!(
        hits[1].1.get("if-none-match").map(String::as_str),
        Some("\"v1\"")
    );
    assert_eq!(
        hits[1].1.get("if-modified-since").map(String::as_str),
        Some("Mon, 06 Apr 2026 09:00:00 GMT")
    );
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::Unchanged && e.url.ends_with("/versioned.pdf"))
    );
    assert_eq!(summary.councils[0].documents, 0);
    let second = store
        .lookup(&server.url("/versioned.pdf"))
        .unwrap()
        .unwrap();
    assert_eq!(second.sha256, first.sha256);
    assert!(second.checked_at >= first.checked_at);
}

#[test]
fn a_robots_txt_of_600_kb_with_a_line_the_parser_refuses_keeps_its_other_rules() {
    let server = FaultServer::start();
    // The rule first, then a pattern too complex to compile, then padding
    // past the 500 KiB that RFC 9309 asks to be read.
    let mut robots = b"User-agent: *\nDisallow: /private/\nDisallow: /x".to_vec();
    for _ in 0..20_000 {
        robots.extend_from_slice(b"*y");
    }
    robots.extend_from_slice(b"$\n");
    crawl_under_padded_robots(&server, robots);
    assert!(server.hits("/private/sopn.pdf").is_empty());
    assert_eq!(server.hits("/public/sopn.pdf").len(), 1);
}

#[test]
fn nothing_reaches_a_loopback_address_the_crawl_was_not_given() {
    let server = FaultServer::start();
    let outside = FaultServer::start_on("127.0.0.2:0");
    let outside_base = format!("http://{}", outside.addr);
    {
        let mut log = server.log.lock().unwrap();
        log.outside = Some(outside_base.clone());
        // robots.txt moved to the other address: not followed.
        log.robots = Some(response(
            "301 Moved Permanently",
            &[("Location", &format!("{outside_base}/robots.txt"))],
            b"",
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (_, events) = run(&server.config("/t/outside"), &store);
    assert_eq!(server.hits("/robots.txt").len(), 1);
    assert_eq!(outside.requests(), 0, "{events:#?}");
    // A robots.txt that cannot be followed counts as none: the crawl of
    // the seed host goes on.
    assert_eq!(server.hits("/public/sopn.pdf").len(), 1, "{events:#?}");
    assert!(events.iter().any(
        |e| e.kind == EventKind::Skipped(Skip::Internal) && e.url.ends_with("/redirected.pdf")
    ));
}

#[test]
fn a_page_slow_to_parse_does_not_hold_up_other_hosts() {
    let heavy = FaultServer::start();
    let light = FaultServer::start();
    let mut config = heavy.config("/t/heavy");
    config.seeds.push(Seed::new("LGT", &light.url("/t/light")));
    config.budgets.max_body_bytes = 4 * 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (_, events) = run(&config, &store);
    let stored = stored_urls(&store);
    let after_heavy = heavy.hits("/after-heavy.pdf");
    assert_eq!(after_heavy.len(), 1, "{events:#?}");
    // The light host's documents came one after another while the heavy
    // page was being parsed, not after it.
    for path in ["/light-1.pdf", "/light-2.pdf", "/light-3.pdf"] {
        assert!(stored.contains(&light.url(path)), "{path}: {events:#?}");
        let hits = light.hits(path);
        assert!(
            hits[0].0 < after_heavy[0].0,
            "{path} waited for the heavy page"
        );
    }
}

#[test]
fn a_missing_or_damaged_stored_object_is_fetched_again() {
    let server = FaultServer::start();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let config = server.config("/t/robots");
    run(&config, &store);
    let object = |path: &str| {
        let record = store.lookup(&server.url(path)).unwrap().unwrap();
        let (fan, rest) = record.sha256.split_at(2);
        (
            record.sha256.clone(),
            dir.path().join("objects").join(fan).join(rest),
        )
    };
    let (_, page) = object("/t/robots");
    let (document_sha, document) = object("/public/sopn.pdf");
    std::fs::remove_file(&page).unwrap();
    std::fs::write(&document, b"%PDF-1.4 damaged on disk").unwrap();
    // Stored moments ago, so only the damage makes the crawl ask again.
    let (summary, events) = run(&config, &store);
    assert_eq!(summary.councils[0].failed, 0, "{events:#?}");
    for path in ["/t/robots", "/public/sopn.pdf"] {
        assert_eq!(server.hits(path).len(), 2, "{path}: {events:#?}");
        assert!(events.iter().any(|e| matches!(e.kind, EventKind::StoredDamaged(_))
            && e.url == server.url(path)));
    }
    assert_eq!(store.read_object(&document_sha).unwrap(), PDF);
    assert!(page.exists());
}

#[test]
fn a_second_crawl_of_a_store_in_use_is_refused_and_touches_nothing() {
    let server = FaultServer::start();
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path()).unwrap();
    // A body the first process is still writing.
    let being_written = dir.path().join("tmp").join("being-written");
    std::fs::write(&being_written, b"half").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .arg("crawl")
        .arg("--store")
        .arg(dir.path())
        .args(["--seed", &server.url("/t/robots"), "--council", "HCK"])
        .args(["--politeness-ms", "10", "--quiet"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("store in use"), "{stderr}");
    assert_eq!(server.requests(), 0);
    assert!(being_written.exists());
    drop(first);
}

/// Runs `sopncheck crawl` from `seed` of `server` into `store`.
fn crawl_command(
    server: &FaultServer,
    seed: &str,
    store: &std::path::Path,
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .arg("crawl")
        .arg("--store")
        .arg(store)
        .args(["--seed", &server.url(seed), "--council", "HCK"])
        .args(["--politeness-ms", "10", "--quiet"])
        .output()
        .unwrap()
}

#[test]
fn a_crawl_where_every_document_failed_exits_non_zero() {
    let server = FaultServer::start();
    let dir = tempfile::tempdir().unwrap();
    let output = crawl_command(&server, "/t/gone", &dir.path().join("failed"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("every document failed"), "{stderr}");
    assert_eq!(server.hits("/gone.pdf").len(), 1);
    // One document fetched is a crawl that worked, a refused link or not.
    let output = crawl_command(&server, "/t/robots", &dir.path().join("worked"));
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_notice_over_the_size_limit_is_in_the_report_as_unscannable() {
    let server = FaultServer::start();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (summary, _) = run(&server.config("/t/caps"), &store);
    assert_eq!(summary.councils[0].too_large, 2);
    assert!(summary.every_document_failed());
    drop(store);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .arg("scan")
        .arg("--store")
        .arg(dir.path())
        .args(["--format", "json", "--quiet"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let documents: Vec<&serde_json::Value> = report["councils"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|council| council["documents"].as_array().unwrap())
        .collect();
    for path in ["/endless.pdf", "/declared.pdf"] {
        let document = documents
            .iter()
            .find(|d| d["source"] == server.url(path).as_str())
            .unwrap_or_else(|| panic!("{path} is not in the report: {report:#}"));
        let error = document["error"].as_str().unwrap_or_default();
        assert!(error.contains("limit exceeded"), "{error}");
        let findings = document["findings"].as_array().unwrap();
        assert!(findings.iter().any(|f| f["rule"] == "unscannable"));
    }
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_robots_txt_slow_to_parse_does_not_hold_up_other_hosts() {
    let heavy = FaultServer::start();
    let light = FaultServer::start();
    // Wildcard rules compile slowly: seconds for this much.
    let mut robots = b"User-agent: *\n".to_vec();
    while robots.len() < 128 * 1024 {
        robots.extend_from_slice(b"Disallow: /a*b*c*d*e$\n");
    }
    heavy.log.lock().unwrap().robots = Some(response(
        "200 OK",
        &[("Content-Type", "text/plain")],
        &robots,
    ));
    let mut config = heavy.config("/t/robots");
    config.seeds.push(Seed::new("LGT", &light.url("/t/light")));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (_, events) = run(&config, &store);
    let heavy_seed = heavy.hits("/t/robots");
    assert_eq!(heavy_seed.len(), 1, "{events:#?}");
    // The light host's documents came while the heavy robots.txt was
    // being parsed, not after it.
    for path in ["/light-1.pdf", "/light-2.pdf", "/light-3.pdf"] {
        let hits = light.hits(path);
        assert_eq!(hits.len(), 1, "{path}: {events:#?}");
        assert!(
            hits[0].0 < heavy_seed[0].0,
            "{path} waited for the heavy robots.txt"
        );
    }
}
