//! Fuzzes the whole scan of one document: extraction (PDF, Word, HTML or
//! text, recognised by content), detection, and every report format. Any
//! bytes must give a scanned document (read, or unscannable) and reports
//! that render, within the per-file time limit.
//!
//! Seed corpus: the PDF fixtures and the Word and HTML notices
//! (`sopncheck-synth fixtures` and `sopncheck-synth formats`).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use sopncheck::detect::{Detector, Rules};
use sopncheck::extract::Limits;
use sopncheck::report::{OutputFile, Report, ReportOptions};
use sopncheck::scan::{ScanOptions, scan_bytes};

const OUTPUTS: [OutputFile; 6] = [
    OutputFile::Json,
    OutputFile::FindingsCsv,
    OutputFile::CandidatesCsv,
    OutputFile::Markdown,
    OutputFile::Html,
    OutputFile::Sarif,
];

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| Detector::new(&Rules::builtin()))
}

fuzz_target!(|data: &[u8]| {
    let options = ScanOptions {
        limits: Limits {
            max_time: Duration::from_secs(5),
            ..Limits::default()
        },
        council: None,
        // Far in the future (2100-01-01), so every notice whose poll date
        // is read takes the retention pass too.
        online_at: Some(4_102_444_800),
    };
    let document = scan_bytes("fuzz-input", data, None, detector(), &options);
    let report = Report::build(&[document], &ReportOptions::default());
    for output in OUTPUTS {
        let mut rendered = Vec::new();
        output
            .render(&report, &mut rendered)
            .expect("rendering into memory cannot fail");
    }
});
