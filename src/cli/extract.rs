//! `sopncheck extract`: the debugging view of what the extractor sees,
//! printed file by file in the order given while files are extracted in
//! parallel batches. Prints the document's own text, unmasked, with
//! control characters as visible escapes (see [`crate::printable`]; `--runs`
//! as JSON Lines, escaped by [`json`]); its error lines go through the
//! command line's one log function, masked.

use std::io::{self, Write};
use std::path::PathBuf;

use rayon::prelude::*;

use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, say};
use crate::extract::{self, ExtractError, Limits, text};
use crate::model::Extraction;
use crate::printable::printable_line;
use crate::report::json;

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
                        say(&format!(
                            "{}: no text layer (a scanned image?): needs manual review",
                            printable_line(&file.display().to_string())
                        ));
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
                    say(&format!(
                        "{}: {error}",
                        printable_line(&file.display().to_string())
                    ));
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
            json::write_line(&value, out)?;
        }
        return Ok(());
    }
    if many {
        writeln!(
            out,
            "==> {} <==",
            printable_line(&file.display().to_string())
        )?;
    }
    let lines = match view {
        ExtractView::Rows => &extraction.rows,
        _ => &extraction.lines,
    };
    text::write(out, extraction, lines)
}
