//! Shared by the `report_*` integration tests: the synthetic fixtures run
//! through the real pipeline (extract, detect) into the scan stage's
//! `ScannedDocument`s, with the fixtures that are their ground truth.

use sha2::{Digest, Sha256};
use sopncheck::detect::{Detector, Rules};
use sopncheck::extract::{Limits, extract_bytes};
use sopncheck::model::ScannedDocument;
use sopncheck::report::UNKNOWN_COUNCIL;
use sopncheck::synth::{Fixture, fixtures};

/// Every fixture, scanned as the scan stage would.
pub fn scanned_fixtures() -> (Vec<Fixture>, Vec<ScannedDocument>) {
    let detector = Detector::new(&Rules::builtin());
    let fixtures = fixtures();
    let documents = fixtures
        .iter()
        .map(|fixture| {
            let source = format!("fixtures/{}.pdf", fixture.name);
            let (pages, text_layer, error, detection) =
                match extract_bytes(&fixture.bytes, None, &Limits::default()) {
                    Ok(extraction) => (
                        extraction.pages,
                        extraction.has_text_layer(),
                        None,
                        detector.detect(&extraction, &source),
                    ),
                    Err(error) => (
                        0,
                        false,
                        Some(error.to_string()),
                        detector.unreadable(&source, &error.to_string()),
                    ),
                };
            ScannedDocument {
                sha256: Sha256::digest(&fixture.bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
                council: detection
                    .council
                    .clone()
                    .unwrap_or_else(|| UNKNOWN_COUNCIL.to_owned()),
                source,
                pages,
                text_layer,
                error,
                detection,
            }
        })
        .collect();
    (fixtures, documents)
}
