//! Streamed rendering of the report files written to a directory, for
//! national runs: no format is held whole in memory, and none is rendered
//! on one thread after the parallel work.
//!
//! Input: the masked [`Report`]. Output: the bytes of one [`OutputFile`],
//! exactly those its renderer ([`OutputFile::render`]) writes. The formats
//! with a part per document (JSON, both CSV files, SARIF) render the
//! documents a chunk at a time on the rayon pool ([`in_order`]), each
//! document's part into its own buffer, and write the buffers in document
//! order before rendering the next chunk; the text formats' parts come
//! from a [`printable`](DocumentReport::printable) copy of the one
//! document. The parts around them (the JSON report's councils, the SARIF
//! log's rules) are the format's own rendering of the report without its
//! documents ([`Report::shell`]). The summaries (Markdown, the HTML index)
//! are rendered from [`Report::printable_summary`], made once for both.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;

use super::{CouncilReport, DocumentReport, Located, OutputFile, Report};
use super::{csv, html, json, markdown, sarif};
use crate::printable::printable;

/// Documents rendered at once, then written.
const CHUNK: usize = 128;

/// Writes `file` of `report` into `out`, for the directory `dir`;
/// `summary` keeps the printable summary for the next file.
pub(super) fn write(
    file: OutputFile,
    report: &Report,
    summary: &OnceCell<Report>,
    dir: &Path,
    out: &mut dyn Write,
) -> io::Result<()> {
    match file {
        OutputFile::Json => write_json(report, out),
        OutputFile::FindingsCsv => write_csv(report, out, &csv::FINDINGS),
        OutputFile::CandidatesCsv => write_csv(report, out, &csv::CANDIDATES),
        OutputFile::Sarif => write_sarif(report, out),
        OutputFile::Markdown => {
            markdown::write(summary.get_or_init(|| report.printable_summary()), out)
        }
        // A large HTML report also writes a page per council.
        OutputFile::Html => html::write_to_dir(report, summary, dir, out),
    }
}

/// `report.json`: each council's documents in its `documents` array.
fn write_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // Report > councils > council > documents.
    const DEPTH: usize = 3;
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    json::write_framed(
        &report.shell(),
        "documents",
        DEPTH,
        report.councils.len(),
        &mut out,
        |i, items| {
            in_order(
                report.councils[i].documents.iter(),
                |document| {
                    let mut part = Vec::new();
                    json::write_nested(document, DEPTH + 1, &mut part)?;
                    Ok(part)
                },
                |part| items.item(&part),
            )
        },
    )?;
    out.flush()
}

/// A CSV file: `header`, then `rows` of each document, from printable
/// copies of its council and of it.
fn write_csv(report: &Report, out: &mut dyn Write, table: &csv::Table) -> io::Result<()> {
    table.header(out)?;
    let councils = report.shell().printable();
    in_order(
        documents_with(&councils, report),
        |(council, document)| {
            let mut part = Vec::new();
            table.document(council, &document.printable(), &mut part)?;
            Ok(part)
        },
        |part| out.write_all(&part),
    )
}

/// `report.sarif`: the log with the rules the findings use, its results a
/// finding at a time.
fn write_sarif(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // Log > runs > run > results.
    const DEPTH: usize = 3;
    let shell = report.shell().printable();
    let used: Vec<Cow<'_, str>> = report
        .findings()
        .map(|l| printable(&l.finding.rule))
        .collect();
    let rules = sarif::rules(used.iter().map(|rule| rule.as_ref()));
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let frame = sarif::log_of(&shell, rules.clone(), Vec::new());
    json::write_framed(&frame, "results", DEPTH, 1, &mut out, |_, items| {
        in_order(
            documents_with(&shell, report),
            |(council, document)| {
                let document = document.printable();
                let mut parts = Vec::with_capacity(document.findings.len());
                for finding in &document.findings {
                    let located = Located {
                        council,
                        document: &document,
                        finding,
                    };
                    let mut part = Vec::new();
                    json::write_nested(&sarif::result(located, &rules), DEPTH + 1, &mut part)?;
                    parts.push(part);
                }
                Ok(parts)
            },
            |parts| parts.iter().try_for_each(|part| items.item(part)),
        )
    })?;
    out.flush()
}

/// Every document of `report`, in order, with its council in `councils`
/// (the report's shell, made printable).
fn documents_with<'r>(
    councils: &'r Report,
    report: &'r Report,
) -> impl Iterator<Item = (&'r CouncilReport, &'r DocumentReport)> {
    councils
        .councils
        .iter()
        .zip(&report.councils)
        .flat_map(|(shell, council)| council.documents.iter().map(move |d| (shell, d)))
}

/// Renders each of `items` (documents, with what their rendering needs)
/// on the rayon pool, [`CHUNK`] at a time, and passes the renderings to
/// `write` in order, each chunk's before the next is rendered.
fn in_order<I, T>(
    items: impl Iterator<Item = I>,
    render: impl Fn(I) -> io::Result<T> + Sync,
    mut write: impl FnMut(T) -> io::Result<()>,
) -> io::Result<()>
where
    I: Send,
    T: Send,
{
    let mut items = items.peekable();
    while items.peek().is_some() {
        let chunk: Vec<I> = items.by_ref().take(CHUNK).collect();
        let parts: Vec<T> = chunk
            .into_par_iter()
            .map(&render)
            .collect::<io::Result<_>>()?;
        parts.into_iter().try_for_each(&mut write)?;
    }
    Ok(())
}
