//! `sopncheck scan` and `sopncheck report`: build the report from scanned
//! documents (or read one back), write it in the asked formats, and turn
//! the worst unsuppressed finding into the exit status.

use std::path::{Path, PathBuf};

use super::{CommonArgs, EXIT_CLEAN, EXIT_FINDINGS, fatal, say};
use crate::detect::{Detector, Rules};
use crate::extract::Limits;
use crate::report::allow::AllowList;
use crate::report::{Report, ReportOptions, write_outputs};
use crate::scan::{self, ScanOptions};

/// Extracts and detects every input (and every stored notice), then
/// reports.
pub(super) fn run_scan(paths: &[PathBuf], store: Option<&Path>, common: &CommonArgs) -> u8 {
    let allow = match load_allow(common) {
        Ok(allow) => allow,
        Err(message) => return fatal(&message),
    };
    let detector = match detector(common) {
        Ok(detector) => detector,
        Err(message) => return fatal(&message),
    };
    let inputs = scan::inputs(paths);
    let options = ScanOptions {
        limits: Limits::default(),
        council: common.council.clone(),
    };
    let progress = progress_bar(inputs.len() as u64, common.quiet);
    let mut documents = scan::scan_inputs(&inputs, &detector, &options, &|_| progress.inc(1));
    progress.finish_and_clear();
    if let Some(dir) = store {
        let stored = super::open_store(dir)
            .and_then(|store| super::audit::scan_store(&store, &detector, common));
        match stored {
            Ok(stored) => documents.extend(stored),
            Err(message) => return fatal(&message),
        }
        detector.cross_check(&mut documents);
    }
    let report = Report::build(
        &documents,
        &ReportOptions {
            show_addresses: common.show_addresses,
            allow,
        },
    );
    let status = finish(&report, common);
    // The process exits next and the OS takes the memory back at once:
    // freeing a national run's documents and report one allocation at a
    // time would only delay the exit.
    std::mem::forget(report);
    std::mem::forget(documents);
    status
}

/// Re-renders a JSON report, given as the file or as the store directory
/// `audit` wrote it into; masked unless `--show-addresses` (a report
/// written masked stays masked).
pub(super) fn run_report(source: &Path, common: &CommonArgs) -> u8 {
    let file = if source.is_dir() {
        source.join("report.json")
    } else {
        source.to_owned()
    };
    let mut report = match Report::read(&file) {
        Ok(report) => report,
        Err(error) => return fatal(&error.to_string()),
    };
    // Written by another run, maybe with --show-addresses, maybe by hand:
    // masked like a report just built.
    report.mask(common.show_addresses);
    match load_allow(common) {
        Ok(allow) => report.apply_allow(&allow),
        Err(message) => return fatal(&message),
    }
    finish(&report, common)
}

/// The detector for the built-in rules, or those `--rules DIR` replaces.
pub(super) fn detector(common: &CommonArgs) -> Result<Detector, String> {
    let rules = match &common.rules {
        Some(dir) => Rules::load(dir).map_err(|e| e.to_string())?,
        None => Rules::builtin(),
    };
    Ok(Detector::new(&rules))
}

pub(super) fn load_allow(common: &CommonArgs) -> Result<AllowList, String> {
    match &common.allow {
        Some(path) => AllowList::load(path).map_err(|e| e.to_string()),
        None => Ok(AllowList::default()),
    }
}

/// Writes the outputs and maps the worst unsuppressed finding to the exit
/// status by `--fail-on`.
pub(super) fn finish(report: &Report, common: &CommonArgs) -> u8 {
    match write_outputs(report, &common.format, common.out.as_deref()) {
        Ok(written) => {
            if !common.quiet {
                for path in written {
                    say(&format!("wrote {}", path.display()));
                }
            }
        }
        Err(error) => return fatal(&error.to_string()),
    }
    let failing = common
        .fail_on
        .threshold()
        .zip(report.worst_severity())
        .is_some_and(|(threshold, worst)| worst >= threshold);
    if failing { EXIT_FINDINGS } else { EXIT_CLEAN }
}

/// A progress bar on a terminal; hidden when stderr is not one or `--quiet`.
fn progress_bar(length: u64, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(length);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} documents",
    ) {
        bar.set_style(style);
    }
    bar
}
