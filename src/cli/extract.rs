//! `sopncheck extract`: the debugging view of what the extractor sees,
//! printed file by file in the order given while files are extracted in
//! parallel batches. Prints the document's own text, unmasked.

use std::io::{self, Write};
use std::path::PathBuf;

use rayon::prelude::*;

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::extract::{self, ExtractError, Limits};
use crate::model::{Extraction, Line, Visibility};

/// What to print of each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ExtractView {
    Lines,
    Rows,
    Runs,
}

/// Extracts every file in parallel and prints them in the order given.
pub(super) fn run_extract(files: &[PathBuf], view: ExtractView, quiet: bool) -> u8 {
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
