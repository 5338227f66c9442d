//! HTML extraction (placeholder until the HTML extractor lands).

use crate::model::{Extraction, SourceFormat};

/// Extracts an HTML page.
pub fn extract(_bytes: &[u8], _content_type: Option<&str>) -> Extraction {
    Extraction {
        format: SourceFormat::Html,
        pages: 1,
        runs: Vec::new(),
        lines: Vec::new(),
        rows: Vec::new(),
        side_texts: Vec::new(),
        prior_revisions: Vec::new(),
        producer: None,
    }
}
