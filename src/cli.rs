//! The command line: clap definitions, configuration built once from them,
//! and dispatch to the pipeline stages. Nothing below this module reads
//! flags or the environment.
//!
//! Subcommands follow DESIGN.md: `scan`, `crawl`, `audit`, `report`,
//! `extract`. Those whose stage is not built yet say so and exit with
//! status 2 rather than print anything that could pass for a result.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::extract::{self, ExtractError, Limits};
use crate::model::{Extraction, Line, Visibility};

/// Exit status: nothing at or above the threshold.
pub const EXIT_CLEAN: u8 = 0;
/// Exit status: findings at or above `--fail-on` (for `extract`: a file
/// without a text layer, which needs manual review).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage or fatal error (for `extract`: a file that could not
/// be read).
pub const EXIT_ERROR: u8 = 2;

/// Finds candidates' home addresses published in UK election notices.
#[derive(Debug, Parser)]
#[command(name = "sopncheck", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan local files or directories (PDF, HTML).
    Scan {
        /// Files or directories to scan.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Fetch notices for councils into the store.
    Crawl {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Crawl, scan and report in one go.
    Audit {
        /// Run against the bundled fixture council sites served on loopback.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Re-render reports from a stored scan.
    Report {
        /// A store directory or a JSON report.
        source: PathBuf,
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

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Csv,
    Markdown,
    Html,
    Sarif,
}

/// Severity threshold for a failing exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    High,
    Medium,
    Low,
    Never,
}

/// Flags shared by the reporting commands.
#[derive(Debug, Args)]
struct CommonArgs {
    /// Report format (repeatable).
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
                Ok(pool) => pool.install(|| run_extract(&files, view, quiet)),
                Err(message) => fatal(&message),
            }
        }
        Command::Scan { common, .. }
        | Command::Crawl { common }
        | Command::Audit { common, .. }
        | Command::Report { common, .. } => not_implemented(&common),
    };
    ExitCode::from(status)
}

fn not_implemented(_common: &CommonArgs) -> u8 {
    fatal("this command is not implemented yet; `sopncheck extract` is available")
}

fn fatal(message: &str) -> u8 {
    eprintln!("sopncheck: {message}");
    EXIT_ERROR
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExtractView {
    Lines,
    Rows,
    Runs,
}

/// Extracts every file in parallel and prints them in the order given.
fn run_extract(files: &[PathBuf], view: ExtractView, quiet: bool) -> u8 {
    /// Files extracted in parallel before their output is written in
    /// order; bounds memory on long file lists.
    const BATCH: usize = 256;
    let limits = Limits::default();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut status = EXIT_CLEAN;
    for batch in files.chunks(BATCH) {
        let results: Vec<Result<Extraction, ExtractError>> = batch
            .par_iter()
            .map(|file| extract::extract_path(file, &limits))
            .collect();
        for (file, result) in batch.iter().zip(results) {
            match result {
                Ok(extraction) => {
                    if !extraction.has_text_layer() {
                        eprintln!(
                            "sopncheck: {}: no text layer (a scanned image?): needs manual review",
                            file.display()
                        );
                        status = status.max(EXIT_FINDINGS);
                    }
                    if !quiet
                        && print_extraction(&mut out, file, &extraction, view, files.len() > 1)
                            .is_err()
                    {
                        return EXIT_ERROR; // stdout closed (a pipe to `head`): stop quietly
                    }
                }
                Err(error) => {
                    eprintln!("sopncheck: {}: {error}", file.display());
                    status = EXIT_ERROR;
                }
            }
        }
    }
    if out.flush().is_err() {
        return EXIT_ERROR;
    }
    status
}

fn print_extraction(
    out: &mut impl Write,
    file: &std::path::Path,
    extraction: &Extraction,
    view: ExtractView,
    many: bool,
) -> io::Result<()> {
    if view == ExtractView::Runs {
        for run in &extraction.runs {
            let mut value = serde_json::to_value(run)?;
            if many && let Some(object) = value.as_object_mut() {
                object.insert("file".into(), file.display().to_string().into());
            }
            writeln!(out, "{value}")?;
        }
        return Ok(());
    }
    if many {
        writeln!(out, "==> {} <==", file.display())?;
    }
    let lines = match view {
        ExtractView::Rows => &extraction.rows,
        _ => &extraction.lines,
    };
    print_lines(out, lines)?;
    for side in &extraction.side_texts {
        let page = side.page.map(|p| format!(" p{p}")).unwrap_or_default();
        let layer = serde_json::to_value(side.layer)?;
        let layer = layer.as_str().unwrap_or("side");
        writeln!(
            out,
            "[{layer}{page}] {}: {}",
            side.key,
            one_line(&side.text)
        )?;
    }
    for revision in &extraction.prior_revisions {
        writeln!(
            out,
            "--- earlier revision {} ({} bytes) ---",
            revision.number, revision.byte_len
        )?;
        print_lines(out, &revision.rows)?;
    }
    Ok(())
}

fn print_lines(out: &mut impl Write, lines: &[Line]) -> io::Result<()> {
    let mut page = 0;
    for line in lines {
        if line.page != page {
            page = line.page;
            writeln!(out, "--- page {page} ---")?;
        }
        let cells: Vec<String> = line
            .cells
            .iter()
            .map(|cell| match cell.visibility {
                Visibility::Visible => one_line(&cell.text),
                hidden => format!("[{}: {}]", hidden.as_str(), one_line(&cell.text)),
            })
            .collect();
        writeln!(out, "{}", cells.join(" | "))?;
    }
    Ok(())
}

/// Newlines inside a merged cell shown as ` / `, as notices print them.
fn one_line(text: &str) -> String {
    text.replace('\n', " / ")
}
