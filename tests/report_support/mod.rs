//! Shared by the `report_*` integration tests: the synthetic fixtures run
//! through the real pipeline (the scan stage's extract and detect) into
//! `ScannedDocument`s, with the fixtures that are their ground truth.

use sopncheck::detect::{Detector, Rules};
use sopncheck::model::ScannedDocument;
use sopncheck::scan::{ScanOptions, scan_bytes};
use sopncheck::synth::{Fixture, fixtures};

/// Every fixture, scanned as the scan stage would.
pub fn scanned_fixtures() -> (Vec<Fixture>, Vec<ScannedDocument>) {
    let detector = Detector::new(&Rules::builtin());
    let options = ScanOptions::default();
    let fixtures = fixtures();
    let documents = fixtures
        .iter()
        .map(|fixture| {
            let source = format!("fixtures/{}.pdf", fixture.name);
            scan_bytes(&source, &fixture.bytes, None, &detector, &options)
        })
        .collect();
    (fixtures, documents)
}
