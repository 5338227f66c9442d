//! The scan stage: from paths (or bytes fetched by the crawler) to
//! [`ScannedDocument`]s. It walks directories, reads each file once,
//! extracts and detects in parallel over documents with rayon, and turns
//! every failure into that document's error plus an `unscannable`
//! finding, so one bad file never stops a scan and never looks clean.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::detect::Detector;
use crate::extract::{self, Limits};
use crate::model::{ScannedDocument, UNKNOWN_COUNCIL};

/// File name endings a directory walk picks up. Files named on the command
/// line are scanned whatever their name (their content decides).
const SCANNED_EXTENSIONS: &[&str] = &["pdf", "html", "htm", "xhtml", "docx", "txt"];

/// Deepest directory nesting walked.
const MAX_WALK_DEPTH: usize = 64;

/// Options of one scan, built once from the command line.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Bounds on the work per file.
    pub limits: Limits,
    /// Council code every document belongs to, when the user said so.
    pub council: Option<String>,
}

/// A file to scan, or a path that could not be walked.
#[derive(Debug)]
pub enum Input {
    /// A file.
    File(PathBuf),
    /// Standard input (the path `-`), read once, for pipelines.
    Stdin,
    /// A path that could not be read, with the reason.
    Unreadable(PathBuf, String),
}

/// Expands files and directories (recursively, sorted, symlinks to
/// directories not followed) into the files to scan.
pub fn inputs(paths: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, 0, &mut out),
            Ok(_) => out.push(Input::File(path.clone())),
            Err(error) => out.push(Input::Unreadable(path.clone(), error.to_string())),
        }
    }
    out
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<Input>) {
    if depth > MAX_WALK_DEPTH {
        out.push(Input::Unreadable(
            dir.to_owned(),
            "directory nesting too deep".into(),
        ));
        return;
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(error) => {
            out.push(Input::Unreadable(dir.to_owned(), error.to_string()));
            return;
        }
    };
    entries.sort();
    for path in entries {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, depth + 1, out);
        } else if meta.is_file() && has_scanned_extension(&path) {
            out.push(Input::File(path));
        }
    }
}

fn has_scanned_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SCANNED_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Scans inputs in parallel, then checks the documents against each
/// other ([`Detector::cross_check`]); `progress` is called once per
/// finished document (from worker threads). Results keep the inputs' order.
pub fn scan_inputs(
    inputs: &[Input],
    detector: &Detector,
    options: &ScanOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Vec<ScannedDocument> {
    let mut documents: Vec<ScannedDocument> = inputs
        .par_iter()
        .map(|input| {
            let document = match input {
                Input::File(path) => scan_path(path, detector, options),
                Input::Stdin => scan_stdin(detector, options),
                Input::Unreadable(path, reason) => {
                    unreadable(&path.display().to_string(), "", reason, detector, options)
                }
            };
            progress(&document.source);
            document
        })
        .collect();
    detector.cross_check(&mut documents);
    documents
}

/// Reads standard input through the file size limit and scans it.
fn scan_stdin(detector: &Detector, options: &ScanOptions) -> ScannedDocument {
    const SOURCE: &str = "-";
    let stdin = std::io::stdin().lock();
    match extract::read_capped(stdin, "standard input", 0, &options.limits) {
        Ok(bytes) => scan_bytes(SOURCE, &bytes, None, detector, options),
        Err(extract::ExtractError::Io(error)) => unreadable(
            SOURCE,
            "",
            &format!("cannot read standard input: {error}"),
            detector,
            options,
        ),
        Err(error) => unreadable(SOURCE, "", &error.to_string(), detector, options),
    }
}

/// Reads one file through the file size limit ([`extract::read_path`])
/// and scans it.
pub fn scan_path(path: &Path, detector: &Detector, options: &ScanOptions) -> ScannedDocument {
    let source = path.display().to_string();
    match extract::read_path(path, &options.limits) {
        Ok(bytes) => scan_bytes(
            &source,
            &bytes,
            extract::content_type_of(path),
            detector,
            options,
        ),
        Err(error) => unreadable(&source, "", &error.to_string(), detector, options),
    }
}

/// Scans one document held in memory.
pub fn scan_bytes(
    source: &str,
    bytes: &[u8],
    content_type: Option<&str>,
    detector: &Detector,
    options: &ScanOptions,
) -> ScannedDocument {
    let sha256 = hex_sha256(bytes);
    match extract::extract_bytes(bytes, content_type, &options.limits) {
        Ok(extraction) => {
            let detection = detector.detect(&extraction, source);
            let council = options
                .council
                .clone()
                .or_else(|| detection.council.clone())
                .unwrap_or_else(|| UNKNOWN_COUNCIL.to_owned());
            ScannedDocument {
                source: source.to_owned(),
                sha256,
                council,
                pages: extraction.pages,
                text_layer: extraction.has_text_layer(),
                text_source: extraction.text_source(),
                error: None,
                detection,
            }
        }
        Err(error) => unreadable(source, &sha256, &error.to_string(), detector, options),
    }
}

/// The document for a source that could not be read: its error and an
/// `unscannable` finding.
pub fn unreadable(
    source: &str,
    sha256: &str,
    reason: &str,
    detector: &Detector,
    options: &ScanOptions,
) -> ScannedDocument {
    ScannedDocument {
        source: source.to_owned(),
        sha256: sha256.to_owned(),
        council: options
            .council
            .clone()
            .unwrap_or_else(|| UNKNOWN_COUNCIL.to_owned()),
        pages: 0,
        text_layer: false,
        text_source: None,
        error: Some(reason.to_owned()),
        detection: detector.unreadable(source, reason),
    }
}

/// Lower-case hex SHA-256.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
