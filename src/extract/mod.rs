//! Stage 3 of the pipeline: extraction.
//!
//! Input: the bytes of one downloaded or local notice. Output: an
//! [`Extraction`](crate::model::Extraction) holding every piece of text the
//! file carries, with positions (PDF) or table structure (HTML), and whether
//! a reader can see it. The principal entry points are [`extract_bytes`] and
//! [`extract_path`]; [`Limits`] bounds the work done on one file.
//!
//! Extraction refuses to judge: it never decides what is an address or a
//! candidate (that is `detect`), and it never drops text because it is
//! hidden (hidden text is exactly what leaks). Every input is untrusted: a
//! broken, hostile or unsupported file yields one [`ExtractError`] for that
//! file, never a panic, and never unbounded memory or time.

pub mod docx;
pub mod grid;
pub mod html;
pub mod layout;
pub mod pdf;
pub mod text;

use std::path::Path;
use std::time::Duration;

use crate::model::Extraction;

/// Bounds on the work spent on one file. Built once from the command line and
/// passed down; the defaults suit council notices (a few MB, a few hundred
/// pages at most) with a wide margin.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest input file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest size one stream may decompress to, in bytes.
    pub max_stream_bytes: usize,
    /// Largest total of decompressed content-stream bytes for one file.
    pub max_total_content_bytes: usize,
    /// Most indirect objects a file may hold.
    pub max_objects: usize,
    /// Most pages interpreted.
    pub max_pages: u32,
    /// Deepest nesting of form XObjects (and of `q` saves).
    pub max_nesting: usize,
    /// Most content-stream operators interpreted across the whole file.
    pub max_operators: u64,
    /// Most earlier revisions extracted from an incrementally updated file.
    pub max_revisions: usize,
    /// Most pieces of text painted on one page (a notice has a few
    /// thousand).
    pub max_texts_per_page: usize,
    /// Most pieces of text painted in one file, every page and revision.
    pub max_texts: usize,
    /// Most filled shapes, images and rules painted on one page.
    pub max_shapes_per_page: usize,
    /// Most filled shapes, images and rules painted in one file.
    pub max_shapes: usize,
    /// Wall-clock time allowed for one file.
    pub max_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_stream_bytes: 64 * 1024 * 1024,
            max_total_content_bytes: 256 * 1024 * 1024,
            max_objects: 1_000_000,
            max_pages: 5_000,
            max_nesting: 32,
            max_operators: 50_000_000,
            max_revisions: 16,
            max_texts_per_page: 100_000,
            max_texts: 1_000_000,
            max_shapes_per_page: 100_000,
            max_shapes: 1_000_000,
            max_time: Duration::from_secs(30),
        }
    }
}

/// Why one file could not be extracted. The message names the problem in
/// terms a user can act on; it never contains document text.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ExtractError {
    /// The file is neither a PDF nor an HTML page.
    /// Holds what the file looks like ("a PNG image", "text"), never its
    /// bytes: they may be an address.
    #[error("not a PDF, Word, HTML or text file: it looks like {0}")]
    UnknownFormat(String),
    /// The PDF could not be parsed even after rebuilding its
    /// cross-reference table, or its pages could not be read (the reason
    /// names the page tree, object or limit).
    #[error("damaged PDF: {0}")]
    Damaged(String),
    /// The Word file's zip archive or XML could not be read.
    #[error("damaged Word (DOCX) file: {0}")]
    DamagedWord(String),
    /// The PDF is encrypted with a password other than the empty one.
    #[error("encrypted PDF that needs a password")]
    NeedsPassword,
    /// A configured bound was reached.
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// The file could not be read.
    #[error("cannot read file: {0}")]
    Io(String),
}

/// What kind of file a byte buffer holds, judged from its content (never from
/// a file name or a server's content type, which lie).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// `%PDF-` within the first kilobyte.
    Pdf,
    /// Markup that looks like HTML.
    Html,
    /// A zip archive holding `word/document.xml`.
    Docx,
    /// Anything else.
    Unknown,
}

/// Judges a file's format from its first bytes.
///
/// ```
/// use sopncheck::extract::{sniff, Sniffed};
/// assert_eq!(sniff(b"%PDF-1.7\n..."), Sniffed::Pdf);
/// assert_eq!(sniff(b"\xEF\xBB\xBF<!DOCTYPE html><html>"), Sniffed::Html);
/// assert_eq!(sniff(b"PK\x03\x04"), Sniffed::Unknown);
/// ```
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let head = &bytes[..bytes.len().min(1024)];
    if memchr::memmem::find(head, b"%PDF-").is_some() {
        return Sniffed::Pdf;
    }
    if docx::is_docx(bytes) {
        return Sniffed::Docx;
    }
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with("<!doctype html")
        || trimmed.starts_with("<html")
        || ["<head", "<body", "<table", "<p>", "<div", "<meta"]
            .iter()
            .any(|tag| text.contains(tag))
    {
        return Sniffed::Html;
    }
    Sniffed::Unknown
}

/// Extracts one document from its bytes.
///
/// `content_type` is an HTTP header value if the bytes came from the web (or
/// [`content_type_of`] a file name): it gives HTML's character encoding, and
/// `text/plain` lets bytes that are neither PDF nor HTML be read as a text
/// notice; it never makes a PDF or HTML file anything else.
pub fn extract_bytes(
    bytes: &[u8],
    content_type: Option<&str>,
    limits: &Limits,
) -> Result<Extraction, ExtractError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ExtractError::LimitExceeded(format!(
            "file is {} bytes, more than the {} allowed",
            bytes.len(),
            limits.max_file_bytes
        )));
    }
    match sniff(bytes) {
        Sniffed::Pdf => pdf::extract(bytes, limits),
        Sniffed::Html if bytes.len() > html::MAX_PAGE_BYTES => {
            Err(ExtractError::LimitExceeded(format!(
                "HTML page is {} bytes, more than the {} read",
                bytes.len(),
                html::MAX_PAGE_BYTES
            )))
        }
        Sniffed::Html => Ok(html::extract(bytes, content_type)),
        Sniffed::Docx => docx::extract(bytes),
        Sniffed::Unknown
            if content_type.is_some_and(|t| t.trim_start().starts_with("text/plain")) =>
        {
            Ok(text::extract(bytes))
        }
        Sniffed::Unknown => Err(ExtractError::UnknownFormat(looks_like(bytes).to_string())),
    }
}

/// Whether `head` reads as text: UTF-8 (a character cut at its end
/// aside) without NUL bytes.
fn is_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(_) => head.len(),
        Err(error) if error.error_len().is_none() => error.valid_up_to(),
        Err(_) => return false,
    };
    !head[..valid].contains(&0)
}

/// What a file of no format read here looks like, from its signature: for
/// error messages, which must not quote the file (its first bytes may be a
/// candidate's address).
fn looks_like(bytes: &[u8]) -> &'static str {
    const SIGNATURES: [(&[u8], &str); 8] = [
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (
            b"\xD0\xCF\x11\xE0",
            "an old Office (OLE) file, such as a .doc",
        ),
        (b"PK\x03\x04", "a ZIP archive that is not a Word file"),
        (b"{\\rtf", "an RTF document"),
    ];
    if let Some((_, name)) = SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
    {
        return name;
    }
    let head = &bytes[..bytes.len().min(512)];
    if head.is_empty() {
        "an empty file"
    } else if is_text(head) {
        "text without a PDF, Word or HTML signature"
    } else {
        "binary data of an unknown format"
    }
}

/// The content type a file name suggests: `text/plain` for `.txt` (a text
/// notice), nothing otherwise (PDF and HTML are told by their content).
pub fn content_type_of(path: &Path) -> Option<&'static str> {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
        .then_some("text/plain; charset=utf-8")
}

/// Reads and extracts one file, refusing files over the size limit before
/// reading them.
pub fn extract_path(path: &Path, limits: &Limits) -> Result<Extraction, ExtractError> {
    let size = std::fs::metadata(path)
        .map_err(|e| ExtractError::Io(e.to_string()))?
        .len();
    if size > limits.max_file_bytes {
        return Err(ExtractError::LimitExceeded(format!(
            "file is {size} bytes, more than the {} allowed",
            limits.max_file_bytes
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| ExtractError::Io(e.to_string()))?;
    extract_bytes(&bytes, content_type_of(path), limits)
}
