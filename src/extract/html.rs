//! HTML extraction (placeholder until the HTML extractor lands).

use crate::model::Extraction;

/// Extracts an HTML page.
pub fn extract(_bytes: &[u8], _content_type: Option<&str>) -> Extraction {
    todo!("HTML extraction")
}
