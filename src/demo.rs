//! The demo web: invented councils' websites from `fixtures/sites/`,
//! served on an ephemeral 127.0.0.1 port, so `sopncheck audit --demo`
//! shows the whole job with no network.
//!
//! Input: a sites directory holding `sites.toml` (councils, their hosts and
//! seeds, and the documents: which synthetic notice, decoy or scanned page
//! each URL serves, and what the crawl should do with it) and one folder
//! per host of hand-written HTML pages. Output: a running [`DemoServer`]
//! whose [`DemoServer::crawl_config`] points a crawl at it. The PDFs are
//! generated in memory at start from [`crate::synth`]; none is committed.
//!
//! All hosts share one port and are told apart by the `Host` header; the
//! crawl reaches them through fixed DNS answers. Absolute links between
//! hosts in the pages are rewritten on the way out to carry the port.
//!
//! The small HTTP/1.1 server under it ([`serve`], [`read_request_head`],
//! [`Reply`]) also serves the crawl benchmark's simulated web and the
//! fault-injection tests. It answers `GET` and `HEAD` only, keeps
//! connections alive, refuses request heads over 16 KiB, and serves page
//! files only from inside the sites directory.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::{SocketAddr, TcpListener};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use crate::crawl::{AllowedHost, CrawlConfig, Seed};
use crate::synth::{self, notice::Layout, pdf};

/// Largest request head read.
const MAX_HEAD: usize = 16 * 1024;
/// `Last-Modified` of every demo file.
const LAST_MODIFIED: &str = "Mon, 06 Apr 2026 09:00:00 GMT";

/// What went wrong starting the demo.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The sites directory or a file in it could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `sites.toml` is not valid.
    #[error("sites.toml: {0}")]
    Manifest(String),
    /// The listening socket could not be opened.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Listen(std::io::Error),
}

/// A request's first line and headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHead {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The request target: path and query.
    pub target: String,
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `Host` header without its port, lowercase.
    pub fn host(&self) -> String {
        let host = self.header("host").unwrap_or_default();
        host.rsplit_once(':')
            .map_or(host, |(name, _)| name)
            .to_ascii_lowercase()
    }
}

/// Reads one request head from `stream`. `buffer` carries bytes read past
/// the head (a pipelined request) from one call to the next. `None` at the
/// end of the stream or on a malformed or oversized head.
pub async fn read_request_head<S: AsyncRead + Unpin>(
    stream: &mut S,
    buffer: &mut Vec<u8>,
) -> Option<RequestHead> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            buffer.drain(..end + 4);
            return parse_head(&head);
        }
        if buffer.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
}

fn parse_head(head: &str) -> Option<RequestHead> {
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Some(RequestHead {
        method,
        target,
        headers,
    })
}

/// A response of the demo server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Headers besides `Content-Length` and `Connection`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Arc<[u8]>,
}

impl Reply {
    /// A `200` with `body` of `content_type`, a strong `ETag` from the
    /// body's hash and a fixed `Last-Modified`.
    pub fn ok(content_type: &str, body: Arc<[u8]>) -> Reply {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        Reply {
            status: 200,
            headers: vec![
                ("Content-Type".into(), content_type.into()),
                ("ETag".into(), format!("\"{:016x}\"", hasher.finish())),
                ("Last-Modified".into(), LAST_MODIFIED.into()),
            ],
            body,
        }
    }

    /// A bodiless reply.
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Arc::from(&b""[..]),
        }
    }

    /// A `301` to `location`.
    pub fn redirect(location: &str) -> Reply {
        let mut reply = Reply::status(301);
        reply.headers.push(("Location".into(), location.into()));
        reply
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `304 Not Modified` instead of this `200` when the request's
    /// `If-None-Match` names its `ETag` (or, lacking one, its
    /// `If-Modified-Since` equals its `Last-Modified`).
    pub fn conditional(self, head: &RequestHead) -> Reply {
        if self.status != 200 {
            return self;
        }
        let matches = match head.header("if-none-match") {
            Some(tags) => self
                .header("etag")
                .is_some_and(|etag| tags.split(',').any(|t| t.trim() == etag)),
            None => head
                .header("if-modified-since")
                .is_some_and(|since| Some(since) == self.header("last-modified")),
        };
        if !matches {
            return self;
        }
        let mut not_modified = Reply::status(304);
        not_modified.headers = self
            .headers
            .into_iter()
            .filter(|(n, _)| {
                n.eq_ignore_ascii_case("etag") || n.eq_ignore_ascii_case("last-modified")
            })
            .collect();
        not_modified
    }
}

/// Answers requests.
pub type Route = Arc<dyn Fn(&RequestHead) -> Reply + Send + Sync>;

/// A server running on its own thread; stops when dropped.
pub struct Served {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Served {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves `route` on `listener` (HTTP/1.1, keep-alive) from a new thread.
pub fn serve(listener: TcpListener, route: Route) -> Result<Served, std::io::Error> {
    let addr = listener.local_addr()?;
    listener.set_nonblocking(true)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            let accept = async {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(connection(stream, Arc::clone(&route)));
                }
            };
            tokio::select! {
                _ = accept => {}
                _ = stopped => {}
            }
        });
        runtime.shutdown_background();
    });
    Ok(Served {
        addr,
        stop: Some(stop),
        thread: Some(thread),
    })
}

async fn connection(mut stream: tokio::net::TcpStream, route: Route) {
    let mut buffer = Vec::new();
    while let Some(head) = read_request_head(&mut stream, &mut buffer).await {
        let reply = if matches!(head.method.as_str(), "GET" | "HEAD") {
            route(&head)
        } else {
            Reply::status(405)
        };
        let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
        for (name, value) in &reply.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
        let mut bytes = out.into_bytes();
        if head.method != "HEAD" {
            bytes.extend_from_slice(&reply.body);
        }
        if stream.write_all(&bytes).await.is_err() {
            return;
        }
        if head
            .header("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"))
        {
            return;
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Status",
    }
}

/// One demo council.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct DemoCouncil {
    /// Register-style code (invented councils: not in the registry).
    pub code: String,
    /// Name as its notices print it.
    pub name: String,
    /// The site style it imitates.
    pub style: String,
    /// Where its crawl starts (no port; [`DemoServer::seed_url`] adds it).
    pub seed: String,
    /// Every host of its sites.
    pub hosts: Vec<String>,
}

/// What a crawl of the demo should do with a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    /// Found and stored.
    Found,
    /// Never requested (a decoy, or robots.txt forbids it).
    NotFetched,
}

/// A recipe for a synthetic notice.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
struct Recipe {
    layout: String,
    posts: usize,
    per_post: usize,
    seed: u64,
}

/// One document of the demo web.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct DemoDocument {
    /// Council code.
    pub council: String,
    /// URL without port.
    pub url: String,
    /// What it is and why it is there.
    pub about: String,
    /// What the crawl should do.
    pub expect: Expect,
    /// Finding rules a scan should report for it (documentation for
    /// end-to-end tests; empty for decoys and controls).
    #[serde(default)]
    pub findings: Vec<String>,
    #[serde(default)]
    fixture: Option<String>,
    #[serde(default)]
    recipe: Option<Recipe>,
    #[serde(default)]
    decoy: Option<String>,
    #[serde(default)]
    scanned: bool,
    /// An HTML page of the site folder (an HTML notice).
    #[serde(default)]
    page: bool,
    #[serde(default)]
    content_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Redirect {
    from: String,
    to: String,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    council: Vec<DemoCouncil>,
    document: Vec<DemoDocument>,
    #[serde(default)]
    redirect: Vec<Redirect>,
}

/// What the demo serves: generated documents and redirects by URL (no
/// port), page files under the sites directory.
struct DemoWeb {
    sites: PathBuf,
    hosts: Vec<String>,
    port: u16,
    files: HashMap<String, (String, Arc<[u8]>)>,
    redirects: HashMap<String, String>,
    hits: Mutex<HashMap<String, u32>>,
}

impl DemoWeb {
    fn answer(&self, head: &RequestHead) -> Reply {
        let host = head.host();
        let url = format!("http://{host}{}", head.target);
        *lock(&self.hits).entry(url.clone()).or_default() += 1;
        if !self.hosts.contains(&host) {
            return Reply::status(404);
        }
        if let Some(to) = self.redirects.get(&url) {
            return Reply::redirect(&self.with_ports(to));
        }
        if let Some((content_type, body)) = self.files.get(&url) {
            return Reply::ok(content_type, Arc::clone(body)).conditional(head);
        }
        match self.page(&host, &head.target) {
            Some((content_type, body)) => Reply::ok(content_type, body).conditional(head),
            None => Reply::status(404),
        }
    }

    /// A page file: `/` and `/dir/` serve `index.html`, `?query` maps to
    /// `@query` in the file name. Paths with `..` or `%` are refused.
    fn page(&self, host: &str, target: &str) -> Option<(&'static str, Arc<[u8]>)> {
        if target.contains("..") || target.contains('%') || !target.starts_with('/') {
            return None;
        }
        let mut relative = target.trim_start_matches('/').replacen('?', "@", 1);
        if relative.is_empty() || relative.ends_with('/') {
            relative.push_str("index.html");
        }
        let mut path = self.sites.join(host).join(&relative);
        if path.is_dir() {
            path = path.join("index.html");
        }
        if !Path::new(&relative)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return None;
        }
        let bytes = std::fs::read(&path).ok()?;
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".txt") {
            return Some(("text/plain", Arc::from(bytes)));
        }
        let html = String::from_utf8_lossy(&bytes);
        Some((
            "text/html; charset=utf-8",
            Arc::from(self.with_ports(&html).into_bytes()),
        ))
    }

    /// `http://host/` becomes `http://host:port/` for every demo host.
    fn with_ports(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for host in &self.hosts {
            out = out.replace(&format!("://{host}/"), &format!("://{host}:{}/", self.port));
        }
        out
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Each critical section is one map update: a poisoned lock still
    // guards consistent data.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The demo web, running.
pub struct DemoServer {
    served: Served,
    web: Arc<DemoWeb>,
    councils: Vec<DemoCouncil>,
    documents: Vec<DemoDocument>,
}

impl DemoServer {
    /// Serves the fixture sites bundled with the source tree
    /// (`fixtures/sites`).
    pub fn start_bundled() -> Result<DemoServer, DemoError> {
        DemoServer::start(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sites"))
    }

    /// Reads `sites_dir/sites.toml`, generates its documents and serves
    /// them and the page files on an ephemeral 127.0.0.1 port.
    pub fn start(sites_dir: &Path) -> Result<DemoServer, DemoError> {
        let manifest_path = sites_dir.join("sites.toml");
        let text = std::fs::read_to_string(&manifest_path).map_err(|source| DemoError::Read {
            path: manifest_path.clone(),
            source,
        })?;
        let manifest: Manifest =
            toml::from_str(&text).map_err(|e| DemoError::Manifest(e.to_string()))?;
        let listener = TcpListener::bind("127.0.0.1:0").map_err(DemoError::Listen)?;
        let port = listener.local_addr().map_err(DemoError::Listen)?.port();
        let mut files = HashMap::new();
        let named = synth::fixtures();
        for document in &manifest.document {
            if document.page {
                continue;
            }
            let council = manifest
                .council
                .iter()
                .find(|c| c.code == document.council)
                .ok_or_else(|| DemoError::Manifest(format!("{}: unknown council", document.url)))?;
            let bytes = generate(document, &council.name, &named)?;
            let content_type = document
                .content_type
                .clone()
                .unwrap_or_else(|| "application/pdf".into());
            files.insert(document.url.clone(), (content_type, Arc::from(bytes)));
        }
        let web = Arc::new(DemoWeb {
            sites: sites_dir.to_path_buf(),
            hosts: manifest
                .council
                .iter()
                .flat_map(|c| c.hosts.clone())
                .collect(),
            port,
            files,
            redirects: manifest
                .redirect
                .iter()
                .map(|r| (r.from.clone(), r.to.clone()))
                .collect(),
            hits: Mutex::new(HashMap::new()),
        });
        let route_web = Arc::clone(&web);
        let served = serve(listener, Arc::new(move |head| route_web.answer(head)))
            .map_err(DemoError::Listen)?;
        Ok(DemoServer {
            served,
            web,
            councils: manifest.council,
            documents: manifest.document,
        })
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.served.addr()
    }

    /// The demo councils.
    pub fn councils(&self) -> &[DemoCouncil] {
        &self.councils
    }

    /// Every document of the manifest, with what a crawl should do with it.
    pub fn documents(&self) -> &[DemoDocument] {
        &self.documents
    }

    /// `url` (as the manifest writes it, no port) as served now: with
    /// the server's port.
    pub fn seed_url(&self, url: &str) -> String {
        self.web.with_ports(url)
    }

    /// How many requests reached `url` (manifest form, no port).
    pub fn hits(&self, url: &str) -> u32 {
        lock(&self.web.hits).get(url).copied().unwrap_or(0)
    }

    /// A crawl of every demo council: their seeds, each council's hosts in
    /// its scope, DNS answers pointing every host at this server, and a
    /// politeness of 50 ms (the server is ours).
    pub fn crawl_config(&self) -> CrawlConfig {
        let seeds = self
            .councils
            .iter()
            .map(|c| Seed::new(&c.code, &self.seed_url(&c.seed)))
            .collect();
        let mut config = CrawlConfig::new(seeds);
        config.politeness = std::time::Duration::from_millis(50);
        for council in &self.councils {
            for host in &council.hosts {
                config.allowed_hosts.push(AllowedHost {
                    council: Some(council.code.clone()),
                    pattern: host.clone(),
                });
                config.resolve.push((host.clone(), self.addr()));
            }
        }
        config
    }
}

/// The bytes of a generated document.
fn generate(
    document: &DemoDocument,
    council: &str,
    named: &[synth::Fixture],
) -> Result<Vec<u8>, DemoError> {
    let spec = pdf::Spec::new(pdf::FontKind::Type1WinAnsi);
    if let Some(name) = &document.fixture {
        return named
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.bytes.clone())
            .ok_or_else(|| DemoError::Manifest(format!("{}: no fixture {name}", document.url)));
    }
    if let Some(recipe) = &document.recipe {
        let layout = match recipe.layout.as_str() {
            "table" => Layout::Table,
            "ward-per-page" => Layout::WardPerPage,
            "split-names" => Layout::SplitNames,
            "labels" => Layout::Labels,
            other => {
                return Err(DemoError::Manifest(format!(
                    "{}: unknown layout {other}",
                    document.url
                )));
            }
        };
        let mut people = synth::people::People::new(recipe.seed);
        let mut notice = synth::notice(
            &mut people,
            layout,
            recipe.posts.clamp(1, 20),
            recipe.per_post.clamp(1, 30),
        );
        notice.council = council.to_owned();
        return Ok(synth::render(&notice, &spec, false).0);
    }
    if let Some(title) = &document.decoy {
        let mut page = pdf::Page::new();
        page.text(72.0, 760.0, 18.0, title);
        page.text(72.0, 730.0, 11.0, council);
        for (i, line) in [
            "This leaflet explains the charges for the year and how to pay them.",
            "Payments can be made online, by direct debit or at the Town Hall.",
            "For help, contact the customer services team.",
        ]
        .iter()
        .enumerate()
        {
            page.text(72.0, 700.0 - 16.0 * i as f32, 11.0, line);
        }
        return Ok(pdf::write(&spec, &[page]));
    }
    if document.scanned {
        // A scanner's output: shapes only, no text layer.
        let mut page = pdf::Page::new();
        for row in 0..30 {
            let width = 200.0 + (row * 37 % 250) as f32;
            page.fill([60.0, 780.0 - 22.0 * row as f32, width, 9.0], 0.2);
        }
        return Ok(pdf::write(&spec, &[page]));
    }
    Err(DemoError::Manifest(format!(
        "{}: needs one of fixture, recipe, decoy, scanned or page",
        document.url
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(target: &str, headers: &[(&str, &str)]) -> RequestHead {
        RequestHead {
            method: "GET".into(),
            target: target.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn heads_parse_and_oversized_ones_are_refused() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut input: &[u8] =
                b"GET /a?b=1 HTTP/1.1\r\nHost: www.x.test:8080\r\nIf-None-Match: \"e\"\r\n\r\nGET /next";
            let mut buffer = Vec::new();
            let head = read_request_head(&mut input, &mut buffer).await.unwrap();
            assert_eq!(head.target, "/a?b=1");
            assert_eq!(head.host(), "www.x.test");
            assert_eq!(head.header("if-none-match"), Some("\"e\""));
            assert_eq!(buffer, b"GET /next");
            assert!(read_request_head(&mut input, &mut buffer).await.is_none());
            let huge = vec![b'a'; MAX_HEAD + 10];
            let mut input: &[u8] = &huge;
            assert!(read_request_head(&mut input, &mut Vec::new()).await.is_none());
        });
    }

    #[test]
    fn conditional_replies() {
        let reply = Reply::ok("text/plain", Arc::from(&b"body"[..]));
        let etag = reply.header("etag").unwrap().to_owned();
        let not_modified = reply
            .clone()
            .conditional(&head("/", &[("if-none-match", &etag)]));
        assert_eq!(not_modified.status, 304);
        assert!(not_modified.body.is_empty());
        let stale = reply
            .clone()
            .conditional(&head("/", &[("if-none-match", "\"other\"")]));
        assert_eq!(stale.status, 200);
        let by_date = reply.conditional(&head("/", &[("if-modified-since", LAST_MODIFIED)]));
        assert_eq!(by_date.status, 304);
    }

    #[test]
    fn bundled_sites_start_and_serve_pages_documents_and_redirects() {
        let demo = DemoServer::start_bundled().unwrap();
        assert!(demo.councils().len() >= 4);
        let web = &demo.web;
        for document in demo.documents() {
            let url = url::Url::parse(&document.url).unwrap();
            let target = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            };
            let host = url.host_str().unwrap();
            let reply = web.answer(&head(&target, &[("host", host)]));
            assert_eq!(reply.status, 200, "{}", document.url);
        }
        let escape = web.answer(&head("/../sites.toml", &[("host", "www.castlemere.test")]));
        assert_eq!(escape.status, 404);
        let unknown = web.answer(&head("/", &[("host", "elsewhere.test")]));
        assert_eq!(unknown.status, 404);
    }
}
