//! The command line: clap definitions, configuration built once from them,
//! and dispatch to the pipeline stages. Nothing below this module reads
//! flags or the environment.
//!
//! Subcommands follow DESIGN.md: `scan`, `crawl`, `audit`, `report`,
//! `extract`; each lives in a child module.

mod audit;
mod extract;
mod scan;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use self::extract::ExtractView;
use crate::detect::Rules;
use crate::model::Severity;
use crate::registry::{self, registry};
use crate::report::Format;
use crate::store::{Store, StoreError};

/// Exit status: nothing at or above the threshold.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status: findings at or above `--fail-on` (for `extract`: a file
/// without a text layer, which needs manual review).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage or fatal error (for `extract`: a file that could not
/// be read).
pub const EXIT_ERROR: u8 = 2;
/// Exit status after Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Finds candidates' home addresses published in UK election notices.
#[derive(Debug, Parser)]
#[command(name = "sopncheck", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan local files or directories (PDF, HTML, Word .docx, plain text;
    /// files in a folder are recognised by content); `-` reads one
    /// document from standard input.
    Scan {
        /// Files or directories to scan: PDF, HTML, Word .docx or text
        /// (`-` for standard input).
        #[arg(required_unless_present = "store")]
        paths: Vec<PathBuf>,
        /// Also scan every notice a crawl stored here (no network needed).
        #[arg(long, value_name = "DIR")]
        store: Option<PathBuf>,
        /// Take the files as online on this date (YYYY-MM-DD) and report
        /// candidate notices whose poll was more than the retention period
        /// (rules/retention.toml) before it. Without it, files are not
        /// judged for retention; stored notices (`--store`) always are, on
        /// the day a crawl last found them online.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Fetch notices for councils (all current councils of the registry,
    /// `--council CODE`, or `--seed URL --council CODE`) into the store.
    Crawl {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        crawl: audit::CrawlArgs,
    },
    /// Crawl, scan and report in one go.
    Audit {
        /// Run against the bundled fixture council sites served on
        /// 127.0.0.1: the whole job with no network.
        #[arg(long)]
        demo: bool,
        /// With `--demo`: serve this sites directory (laid out like
        /// `fixtures/sites`) instead of the bundled one.
        #[arg(long, value_name = "DIR", requires = "demo")]
        demo_sites: Option<PathBuf>,
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        crawl: audit::CrawlArgs,
    },
    /// Re-render reports from a stored scan, without rescanning.
    Report {
        /// A JSON report, or a store directory `audit` wrote one into.
        source: PathBuf,
        /// Show only what changed since this date (YYYY-MM-DD): findings
        /// first seen then or later, and findings fixed then or later.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Print what the extractor sees in each file: lines of cells with
    /// hidden text marked, side layers and earlier revisions. This is a
    /// debugging view of the document's own text and is not masked.
    Extract {
        /// PDF or HTML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print raw text runs with positions and visibility as JSON Lines.
        #[arg(long, conflicts_with = "rows")]
        runs: bool,
        /// Print table rows (wrapped cells merged) instead of lines.
        #[arg(long)]
        rows: bool,
        /// Number of threads (default: all cores).
        #[arg(short = 'j', long)]
        threads: Option<usize>,
        /// Print nothing; only the exit status tells (for benchmarks).
        #[arg(short, long)]
        quiet: bool,
    },
}

/// Severity threshold for a failing exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    High,
    Medium,
    Low,
    Never,
}

impl FailOn {
    /// The lowest severity that fails, or `None` for `never`.
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Never => None,
        }
    }
}

/// Flags shared by the reporting commands.
#[derive(Debug, Args)]
struct CommonArgs {
    /// Report format (repeatable; default json). Without `--out`, one
    /// format, written to standard output.
    #[arg(long, value_enum)]
    format: Vec<Format>,
    /// Directory to write reports to.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Council register code the documents belong to.
    #[arg(long)]
    council: Option<String>,
    /// Exit with status 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, default_value = "high")]
    fail_on: FailOn,
    /// File of confirmed consents and accepted findings.
    #[arg(long)]
    allow: Option<PathBuf>,
    /// Directory of rule files replacing the built-in ones of the same name
    /// (see rules/README.md).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Show candidates' addresses in full instead of masked.
    #[arg(long)]
    show_addresses: bool,
    /// Number of threads (default: all cores).
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// No progress output.
    #[arg(short, long)]
    quiet: bool,
}

/// Parses the command line and runs it; the returned code is the process's.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The store commits each fetched file as it goes, so stopping at once
    // loses nothing a re-run does not redo. Without a handler (one could
    // not be installed) Ctrl-C keeps its default effect.
    let _ = ctrlc::set_handler(|| {
        eprintln!("\nsopncheck: interrupted; run the same command again to resume");
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    });
    let status = match cli.command {
        Command::Extract {
            files,
            runs,
            rows,
            threads,
            quiet,
        } => {
            let view = if runs {
                ExtractView::Runs
            } else if rows {
                ExtractView::Rows
            } else {
                ExtractView::Lines
            };
            match thread_pool(threads) {
                Ok(pool) => pool.install(|| extract::run_extract(&files, view, quiet)),
                Err(message) => fatal(&message),
            }
        }
        Command::Scan {
            paths,
            store,
            as_of,
            mut common,
        } => match (thread_pool(common.threads), common.registry_council()) {
            (Ok(pool), Ok(())) => {
                pool.install(|| scan::run_scan(&paths, store.as_deref(), as_of.as_deref(), &common))
            }
            (Err(message), _) | (_, Err(message)) => fatal(&message),
        },
        // The report's own councils count too (a demo report's are not in
        // the registry): `run_report` checks the code.
        Command::Report {
            source,
            since,
            common,
        } => scan::run_report(&source, since.as_deref(), &common),
        Command::Crawl { mut common, crawl } => match common.registry_council() {
            Ok(()) => audit::run_crawl(&common, &crawl),
            Err(message) => fatal(&message),
        },
        Command::Audit {
            demo,
            demo_sites,
            mut common,
            crawl,
        } => {
            // The demo's councils are invented: `run_audit` checks the code
            // against them.
            let checked = if demo {
                Ok(())
            } else {
                common.registry_council()
            };
            match (thread_pool(common.threads), checked) {
                (Ok(pool), Ok(())) => {
                    pool.install(|| audit::run_audit(demo, demo_sites.as_deref(), &common, &crawl))
                }
                (Err(message), _) | (_, Err(message)) => fatal(&message),
            }
        }
    };
    ExitCode::from(status)
}

/// Opens the store at `dir` for this command, or says why it cannot (in
/// use by another process, unreadable) for [`fatal`].
fn open_store(dir: &Path) -> Result<Store, String> {
    Store::open(dir).map_err(|error| match error {
        StoreError::InUse(_) => error.to_string(),
        error => format!("{}: {error}", dir.display()),
    })
}

impl CommonArgs {
    /// How a report of this command is made: now, the rules (and the
    /// digest of the `rules` in force), and the options that affect results
    /// (these and `extra`), masked like free text even when addresses are
    /// shown (a path may quote an address): see [`Made::mask`](crate::report::Made::mask).
    fn made(&self, rules: &Rules, extra: Vec<String>) -> crate::report::Made {
        let path = |flag: &str, path: &Option<PathBuf>| {
            path.as_ref().map(|p| format!("{flag} {}", p.display()))
        };
        let options = [
            self.council.as_ref().map(|c| format!("--council {c}")),
            path("--rules", &self.rules),
            path("--allow", &self.allow),
            self.show_addresses.then(|| "--show-addresses".to_owned()),
        ]
        .into_iter()
        .flatten()
        .chain(extra)
        .collect();
        let mut made = crate::report::Made {
            at: crate::clock::date_time(crate::store::unix_now()),
            rules: self
                .rules
                .as_ref()
                .map_or_else(|| "built-in".to_owned(), |dir| dir.display().to_string()),
            rules_sha256: Some(rules.digest().to_owned()),
            options,
        };
        made.mask();
        made
    }

    /// Replaces `--council` by the registry's spelling of the code, or
    /// refuses a code the registry does not hold.
    fn registry_council(&mut self) -> Result<(), String> {
        if let Some(given) = &self.council {
            let known: Vec<(&str, &str)> = registry()
                .all()
                .iter()
                .map(|c| (c.code.as_str(), c.name.as_str()))
                .collect();
            self.council = Some(known_council(given, &known)?);
        }
        Ok(())
    }
}

/// The spelling in `known` (`(code, name)` pairs) of the council code
/// `given`, compared case-insensitively; an error naming the closest codes
/// when it is not there.
pub(super) fn known_council(given: &str, known: &[(&str, &str)]) -> Result<String, String> {
    let given = given.trim();
    if let Some((code, _)) = known
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(given))
    {
        return Ok((*code).to_owned());
    }
    let closest: Vec<String> = registry::closest(given, known.iter().copied())
        .iter()
        .map(|(code, name)| format!("{code} ({name})"))
        .collect();
    Err(format!(
        "--council {given:?} is not a council code known here; closest: {}",
        closest.join(", ")
    ))
}

fn fatal(message: &str) -> u8 {
    say(message);
    EXIT_ERROR
}

/// Writes `message` to standard error as one `sopncheck: ` line: the one
/// place every log line, progress line and error message leaves through.
/// It may quote a document, a server or a file (an error that quotes a
/// report's JSON, a crawl failure, a file name), so it is always masked
/// like a report's free text (house numbers with their streets and full
/// postcodes; `--show-addresses` unmasks reports, never the log) and its
/// control characters are escaped.
pub(crate) fn say(message: &str) {
    eprintln!("sopncheck: {}", loggable(message));
}

/// `message` as [`say`] writes it.
pub(crate) fn loggable(message: &str) -> String {
    let masked = crate::report::mask::mask_free_text(message);
    crate::printable::printable(&masked).into_owned()
}

fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, String> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            return Err("-j must be at least 1".into());
        }
        builder = builder.num_threads(n);
    }
    builder.build().map_err(|e| e.to_string())
}
