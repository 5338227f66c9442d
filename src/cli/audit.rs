//! `sopncheck crawl` and `sopncheck audit`: fetch councils' notices into
//! the store, then (audit) scan everything stored and report per council,
//! ending with a summary table. `audit --demo` does the whole job against
//! the bundled fixture sites served on 127.0.0.1.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use super::scan::{detector, finish, load_allow, warn_council_contradictions, warn_unmatched};
use super::{CommonArgs, EXIT_CLEAN, fatal, loggable, say};
use crate::clock;
use crate::crawl::{self, CrawlConfig, CrawlEvent, CrawlSummary, EventKind, Seed};
use crate::demo::DemoServer;
use crate::detect::Detector;
use crate::extract::Limits;
use crate::model::{Origin, ScannedDocument, Severity};
use crate::printable::printable_line;
use crate::registry::registry;
use crate::report::{
    FindingState, FixedFinding, Format, RemovedDocument, Report, ReportOptions, SEVERITIES,
    Summary, severity_name, shorten, write_outputs,
};
use crate::scan::{self, ScanOptions};
use crate::store::{SeenFinding, Store, StoreError, StoredDocument};

/// Flags of the commands that crawl.
#[derive(Debug, Args)]
pub(super) struct CrawlArgs {
    /// Store directory (created if missing; a re-run resumes and sends
    /// conditional requests) [default: ./sopncheck-store; for `audit --demo`
    /// a temporary one].
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Crawl from this URL instead of the registry (needs `--council`).
    #[arg(long, requires = "council")]
    seed: Option<String>,
    /// Milliseconds between two requests to one host.
    #[arg(long, value_name = "MS")]
    politeness_ms: Option<u64>,
    /// Most pages and documents fetched per council.
    #[arg(long)]
    max_pages: Option<usize>,
    /// User-Agent header (keep a contact URL in it).
    #[arg(long)]
    user_agent: Option<String>,
    /// When standard error is not a terminal, log every request, not only
    /// a line per council.
    #[arg(short, long)]
    verbose: bool,
}

impl CrawlArgs {
    /// The crawl options that affect which documents a report holds.
    fn options(&self, demo: bool) -> Vec<String> {
        [
            demo.then(|| "--demo".to_owned()),
            self.seed.as_ref().map(|seed| format!("--seed {seed}")),
            self.max_pages.map(|pages| format!("--max-pages {pages}")),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Where the store lives when `--store` is not given (named in `--store`'s
/// help and in `.gitignore`).
const DEFAULT_STORE: &str = "sopncheck-store";

/// `sopncheck crawl`.
pub(super) fn run_crawl(common: &CommonArgs, args: &CrawlArgs) -> u8 {
    let config = match registry_config(common, args) {
        Ok(config) => config,
        Err(message) => return fatal(&message),
    };
    let store_dir = args.store.clone().unwrap_or_else(|| DEFAULT_STORE.into());
    match crawl_into(&config, &store_dir, common.quiet, args.verbose) {
        Ok((_, summary)) if summary.every_document_failed() => {
            let (failed, too_large) = summary
                .councils
                .iter()
                .fold((0, 0), |(f, t), c| (f + c.failed, t + c.too_large));
            fatal(&format!(
                "every document failed: {failed} failed, {too_large} over the size limit, none stored"
            ))
        }
        Ok(_) => EXIT_CLEAN,
        Err(message) => fatal(&message),
    }
}

/// `sopncheck audit [--demo [--demo-sites DIR]]`.
pub(super) fn run_audit(
    demo: bool,
    demo_sites: Option<&Path>,
    common: &CommonArgs,
    args: &CrawlArgs,
) -> u8 {
    // The demo server lives until the audit returns.
    let mut names = BTreeMap::new();
    let (config, server) = if demo {
        let started = match demo_sites {
            Some(dir) => DemoServer::start(dir),
            None => DemoServer::start_bundled(),
        };
        let server = match started {
            Ok(server) => server,
            Err(error) => return fatal(&format!("demo server: {error}")),
        };
        for council in server.councils() {
            names.insert(council.code.clone(), council.name.clone());
        }
        let mut config = server.crawl_config();
        if let Some(given) = &common.council {
            let known: Vec<(&str, &str)> = names
                .iter()
                .map(|(c, n)| (c.as_str(), n.as_str()))
                .collect();
            match super::known_council(given, &known) {
                Ok(code) => config.seeds.retain(|seed| seed.council == code),
                Err(message) => return fatal(&message),
            }
        }
        apply_flags(&mut config, args);
        (config, Some(server))
    } else {
        match registry_config(common, args) {
            Ok(config) => (config, None),
            Err(message) => return fatal(&message),
        }
    };
    let temporary = (demo && args.store.is_none())
        .then(tempfile::tempdir)
        .transpose();
    let temporary = match temporary {
        Ok(dir) => dir,
        Err(error) => return fatal(&format!("temporary store: {error}")),
    };
    let store_dir = match (&args.store, &temporary) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => dir.path().to_owned(),
        (None, None) => DEFAULT_STORE.into(),
    };
    let store = match crawl_into(&config, &store_dir, common.quiet, args.verbose) {
        Ok((store, _)) => store,
        Err(message) => return fatal(&message),
    };
    drop(server);
    let detector = match detector(common) {
        Ok(detector) => detector,
        Err(message) => return fatal(&message),
    };
    let StoreScan { documents, removed } = match scan_store(&store, &detector, common) {
        Ok(scanned) => scanned,
        Err(message) => return fatal(&message),
    };
    warn_council_contradictions(&documents, common.council.as_deref());
    let allow = match load_allow(common) {
        Ok(allow) => allow,
        Err(message) => return fatal(&message),
    };
    let options = ReportOptions {
        show_addresses: common.show_addresses,
        allow,
    };
    let mut report = Report::build(&documents, &options);
    report.add_removed(removed);
    report.made = Some(common.made(detector.rules(), args.options(demo)));
    warn_unmatched(&options.allow, &report);
    for council in &mut report.councils {
        if let Some(name) = names.get(&council.code) {
            council.name.clone_from(name);
        }
    }
    if let Err(error) = add_history(&store, &mut report) {
        return fatal(&error.to_string());
    }
    // Kept beside the downloads, so `sopncheck report STORE` re-renders it.
    if let Err(error) = write_outputs(&report, &[Format::Json], Some(&store_dir)) {
        return fatal(&error.to_string());
    }
    let status = finish(&report, common);
    if !common.quiet {
        eprint!("{}", loggable(&summary_table(&report)));
    }
    status
}

/// Seeds from `--seed` or the registry (current councils, or the one
/// `--council` names).
fn registry_config(common: &CommonArgs, args: &CrawlArgs) -> Result<CrawlConfig, String> {
    let seeds: Vec<Seed> = match (&args.seed, &common.council) {
        (Some(url), Some(code)) => vec![Seed::new(code, url)],
        (_, council) => registry()
            .all()
            .iter()
            .filter(|c| c.is_current())
            .filter(|c| {
                council
                    .as_ref()
                    .is_none_or(|code| c.code.eq_ignore_ascii_case(code))
            })
            .filter_map(Seed::for_council)
            .collect(),
    };
    if seeds.is_empty() {
        return Err(match &common.council {
            Some(code) => format!("council {code:?} is not in the registry or has no web site"),
            None => "no council to crawl".into(),
        });
    }
    let mut config = CrawlConfig::new(seeds);
    apply_flags(&mut config, args);
    Ok(config)
}

fn apply_flags(config: &mut CrawlConfig, args: &CrawlArgs) {
    if let Some(ms) = args.politeness_ms {
        config.politeness = Duration::from_millis(ms);
    }
    if let Some(pages) = args.max_pages {
        config.budgets.max_pages = pages;
    }
    if let Some(agent) = &args.user_agent {
        config.user_agent.clone_from(agent);
    }
}

/// Crawls into the store at `dir`, showing [`CrawlProgress`].
fn crawl_into(
    config: &CrawlConfig,
    dir: &Path,
    quiet: bool,
    verbose: bool,
) -> Result<(Store, CrawlSummary), String> {
    let store = super::open_store(dir)?;
    let councils: BTreeSet<&str> = config.seeds.iter().map(|s| s.council.as_str()).collect();
    let progress = CrawlProgress::new(councils.len(), quiet, verbose);
    let summary =
        crawl::crawl(config, &store, &|event| progress.event(event)).map_err(|e| e.to_string())?;
    if let ProgressMode::Bar(bar) = &progress.mode {
        bar.finish_and_clear();
        let documents: usize = summary.councils.iter().map(|c| c.documents).sum();
        say(&format!(
            "crawled {} councils in {:.1?}: {documents} documents new",
            summary.councils.len(),
            summary.elapsed
        ));
    }
    Ok((store, summary))
}

/// Progress of a crawl. On a terminal, one bar: councils done of all,
/// documents stored, elapsed time and an estimate of the time left. When
/// standard error is not a terminal (CI, a log file), a line per council
/// as it finishes, and with `-v` a line per request. Nothing with
/// `--quiet`.
struct CrawlProgress {
    mode: ProgressMode,
    documents: AtomicUsize,
}

enum ProgressMode {
    Quiet,
    Log { verbose: bool },
    Bar(ProgressBar),
}

impl CrawlProgress {
    fn new(councils: usize, quiet: bool, verbose: bool) -> CrawlProgress {
        let mode = if quiet {
            ProgressMode::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(councils as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "[{elapsed_precise}] {bar:30} {pos}/{len} councils, {msg}, about {eta} left",
            ) {
                bar.set_style(style);
            }
            bar.set_message("0 documents");
            ProgressMode::Bar(bar)
        } else {
            ProgressMode::Log { verbose }
        };
        CrawlProgress {
            mode,
            documents: AtomicUsize::new(0),
        }
    }

    fn event(&self, event: &CrawlEvent) {
        match (&self.mode, &event.kind) {
            (ProgressMode::Quiet, _) | (ProgressMode::Log { .. }, EventKind::FromStore) => {}
            (ProgressMode::Log { .. }, EventKind::Finished(summary)) => {
                say(&format!(
                    "crawled {}: {summary}",
                    printable_line(&event.council)
                ));
            }
            (ProgressMode::Log { verbose }, _) => {
                if *verbose {
                    say(&event.to_string());
                }
            }
            (ProgressMode::Bar(bar), EventKind::Finished(_)) => bar.inc(1),
            (ProgressMode::Bar(bar), EventKind::Document { .. }) => {
                let documents = self.documents.fetch_add(1, Ordering::Relaxed) + 1;
                bar.set_message(format!("{documents} documents"));
            }
            (ProgressMode::Bar(_), _) => {}
        }
    }
}

/// What a store's scan gave: the documents its councils' sites offer
/// (scanned) and those their latest crawls no longer found (not scanned).
pub(super) struct StoreScan {
    /// The scanned documents, one per council and content.
    pub documents: Vec<ScannedDocument>,
    /// `(council, document)` for each document removed from its site.
    pub removed: Vec<(String, RemovedDocument)>,
}

/// Scans every stored document (only those of `--council` when given) in
/// parallel; the source is its URL and its council the one it was crawled
/// for; the same bytes at several URLs are one document. A URL the crawl
/// refused as too large is listed as unscannable, with the limit it
/// passed. Documents the latest crawl did not find are listed as removed.
/// Each candidate notice is checked for retention against the day a crawl
/// last found it online.
pub(super) fn scan_store(
    store: &Store,
    detector: &Detector,
    common: &CommonArgs,
) -> Result<StoreScan, String> {
    let mut stored = store.documents().map_err(|e| e.to_string())?;
    if let Some(code) = &common.council {
        stored.retain(|document| document.council.eq_ignore_ascii_case(code));
    }
    let (removed, stored): (Vec<StoredDocument>, Vec<StoredDocument>) =
        stored.into_iter().partition(|document| document.removed);
    let mut refused = store.refused().map_err(|e| e.to_string())?;
    if let Some(code) = &common.council {
        refused.retain(|refused| refused.council.eq_ignore_ascii_case(code));
    }
    // A stored notice is judged for retention on the day a crawl last
    // found it online.
    let options_for = |council: &str, online_at: Option<i64>| ScanOptions {
        limits: Limits::default(),
        council: Some(council.to_owned()),
        online_at,
    };
    let mut documents: Vec<ScannedDocument> = stored
        .par_iter()
        .map(|document| {
            let options = options_for(&document.council, Some(document.checked_at));
            let mut scanned = match store.read(document) {
                Ok(bytes) => scan::scan_bytes(
                    &document.url,
                    &bytes,
                    document.content_type.as_deref(),
                    detector,
                    &options,
                ),
                Err(error) => scan::unreadable(
                    &document.url,
                    &document.sha256,
                    &error.to_string(),
                    detector,
                    &options,
                ),
            };
            scanned.origin = Origin {
                urls: document.urls.clone(),
                fetched_at: Some(document.fetched_at),
                last_modified: document.last_modified.clone(),
            };
            scanned
        })
        .collect();
    documents.extend(refused.iter().map(|refused| {
        let options = options_for(&refused.council, None);
        scan::unreadable(&refused.url, "", &refused.reason, detector, &options)
    }));
    detector.cross_check(&mut documents);
    let removed = removed
        .into_iter()
        .map(|document| {
            (
                document.council,
                RemovedDocument {
                    source: document.url,
                    urls: document.urls,
                    sha256: document.sha256,
                },
            )
        })
        .collect();
    Ok(StoreScan { documents, removed })
}

/// Records this run's findings in the store's history and gives the
/// report each finding's `first_seen`, `last_seen` and `state`, and each
/// council the findings earlier runs saw that are gone.
fn add_history(store: &Store, report: &mut Report) -> Result<(), StoreError> {
    let councils: Vec<String> = report.councils.iter().map(|c| c.code.clone()).collect();
    let seen: Vec<SeenFinding> = report
        .findings()
        .map(|located| SeenFinding {
            council: located.council.code.clone(),
            id: located.finding.id.clone(),
            rule: located.finding.rule.clone(),
            severity: severity_name(located.finding.severity).to_owned(),
            source: located.document.source.clone(),
            candidate: located.finding.candidate.clone(),
        })
        .collect();
    let history = store.record_run(&councils, &seen)?;
    let mut sightings = HashMap::new();
    let mut fixed = Vec::new();
    for entry in history {
        let first_seen = clock::date_time(entry.first_seen);
        let last_seen = clock::date_time(entry.last_seen);
        let SeenFinding {
            council,
            id,
            rule,
            severity,
            source,
            candidate,
        } = entry.finding;
        match entry.fixed {
            None => {
                sightings.insert((council, id), (first_seen, last_seen, entry.new));
            }
            Some(at) => fixed.push((
                council,
                FixedFinding {
                    id,
                    rule,
                    severity: SEVERITIES
                        .into_iter()
                        .find(|s| severity_name(*s) == severity)
                        .unwrap_or(Severity::Info),
                    source,
                    candidate,
                    first_seen,
                    last_seen,
                    fixed: clock::date_time(at),
                    state: FindingState::Fixed,
                },
            )),
        }
    }
    report.add_history(
        |council, id| sightings.get(&(council.to_owned(), id.to_owned())).cloned(),
        fixed,
    );
    Ok(())
}

/// The closing table: one line per council, then the totals.
fn summary_table(report: &Report) -> String {
    let mut out = String::from("\n");
    out.push_str(&table_row(
        "council",
        Summary::COLUMNS.map(str::to_lowercase),
    ));
    let mut totals = [0usize; 9];
    for council in &report.councils {
        let counts = council.summary.columns();
        for (total, value) in totals.iter_mut().zip(counts) {
            *total += value;
        }
        let label = shorten(&format!("{} {}", council.code, council.name), 39).into_owned();
        out.push_str(&table_row(&label, counts.map(|n| n.to_string())));
    }
    let label = format!("{} councils", report.councils.len());
    out.push_str(&table_row(&label, totals.map(|n| n.to_string())));
    out
}

/// One line of the closing table: a label, then right-aligned columns as
/// wide as their headers.
fn table_row(label: &str, cells: [String; 9]) -> String {
    let mut line = format!("{label:<40}");
    for (cell, header) in cells.iter().zip(Summary::COLUMNS) {
        line.push_str(&format!(" {cell:>width$}", width = header.len()));
    }
    line.push('\n');
    line
}
