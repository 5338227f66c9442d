//! `sopncheck scan` and `sopncheck report`: build the report from scanned
//! documents (or read one back), write it in the asked formats, and turn
//! the worst unsuppressed finding into the exit status.

use std::path::{Path, PathBuf};

use super::{CommonArgs, EXIT_CLEAN, EXIT_FINDINGS, FailOn, fatal, say};
use crate::detect::{Detector, Rules};
use crate::extract::Limits;
use crate::model::ScannedDocument;
use crate::registry::registry;
use crate::report::allow::AllowList;
use crate::report::{Report, ReportOptions, write_outputs};
use crate::scan::{self, ScanOptions};

/// Extracts and detects every input (and every stored notice), then
/// reports; with `as_of` (`YYYY-MM-DD`), the inputs are judged for
/// retention as online that day.
pub(super) fn run_scan(
    paths: &[PathBuf],
    store: Option<&Path>,
    as_of: Option<&str>,
    common: &CommonArgs,
) -> u8 {
    let online_at = match as_of.map(|date| (date, crate::clock::parse_date(date))) {
        None => None,
        Some((_, Some(at))) => Some(at),
        Some((date, None)) => {
            return fatal(&format!("--as-of {date:?} is not a date (YYYY-MM-DD)"));
        }
    };
    let allow = match load_allow(common) {
        Ok(allow) => allow,
        Err(message) => return fatal(&message),
    };
    let detector = match detector(common) {
        Ok(detector) => detector,
        Err(message) => return fatal(&message),
    };
    let options = ScanOptions {
        limits: Limits::default(),
        council: common.council.clone(),
        online_at,
    };
    let discovery = match scan::inputs(paths, &options.limits) {
        Ok(discovery) => discovery,
        Err(missing) => return fatal(&missing.to_string()),
    };
    let progress = progress_bar(discovery.inputs.len() as u64, common.quiet);
    let mut documents =
        scan::scan_inputs(&discovery.inputs, &detector, &options, &|_| progress.inc(1));
    progress.finish_and_clear();
    let mut removed = Vec::new();
    if let Some(dir) = store {
        let stored = super::open_store(dir)
            .and_then(|store| super::audit::scan_store(&store, &detector, common));
        match stored {
            Ok(stored) => {
                documents.extend(stored.documents);
                removed = stored.removed;
            }
            Err(message) => return fatal(&message),
        }
        detector.cross_check(&mut documents);
    }
    if documents.is_empty() {
        return fatal(&format!(
            "no document to scan: {}",
            skipped_summary(&discovery.skipped)
        ));
    }
    if !common.quiet && !discovery.skipped.is_empty() {
        say(&format!(
            "scanned {} documents; {}",
            documents.len(),
            skipped_summary(&discovery.skipped)
        ));
    }
    warn_council_contradictions(&documents, common.council.as_deref());
    let options = ReportOptions {
        show_addresses: common.show_addresses,
        allow,
    };
    let mut report = Report::build_owned(documents, &options);
    report.add_removed(removed);
    report.made = Some(
        common.made(
            detector.rules(),
            store
                .map(|dir| format!("--store {}", dir.display()))
                .into_iter()
                .chain(as_of.map(|date| format!("--as-of {date}")))
                .collect(),
        ),
    );
    warn_unmatched(&options.allow, &report);
    let status = finish(&report, common);
    // The process exits next and the OS takes the memory back at once:
    // freeing a national run's report one allocation at a time would only
    // delay the exit.
    std::mem::forget(report);
    status
}

/// Re-renders a JSON report, given as the file or as the store directory
/// `audit` wrote it into; masked unless `--show-addresses` (a report
/// written masked stays masked); with `since`, only what changed since
/// that date.
pub(super) fn run_report(source: &Path, since: Option<&str>, common: &CommonArgs) -> u8 {
    if let Some(date) = since
        && crate::clock::parse_date(date).is_none()
    {
        return fatal(&format!("--since {date:?} is not a date (YYYY-MM-DD)"));
    }
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
    if let Some(given) = &common.council {
        let selected = {
            let known: Vec<(&str, &str)> = report
                .councils
                .iter()
                .map(|c| (c.code.as_str(), c.name.as_str()))
                .chain(
                    registry()
                        .all()
                        .iter()
                        .map(|c| (c.code.as_str(), c.name.as_str())),
                )
                .collect();
            super::known_council(given, &known)
        };
        match selected {
            Ok(code) => report.councils.retain(|c| c.code == code),
            Err(message) => return fatal(&message),
        }
    }
    match load_allow(common) {
        Ok(allow) => {
            report.apply_allow(&allow);
            warn_unmatched(&allow, &report);
        }
        Err(message) => return fatal(&message),
    }
    if let Some(date) = since {
        report.changed_since(date);
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

/// Warns, on standard error, of each allow-file entry that matches
/// nothing in the report.
pub(super) fn warn_unmatched(allow: &AllowList, report: &Report) {
    for warning in allow.unmatched(report) {
        say(&format!("warning: {warning}"));
    }
}

/// Writes the outputs and maps the worst unsuppressed finding to the exit
/// status by `--fail-on`. On a terminal, with neither `--format` nor
/// `--out`, prints the summary and the result line instead of the JSON.
pub(super) fn finish(report: &Report, common: &CommonArgs) -> u8 {
    use std::io::IsTerminal;
    let threshold = common.fail_on.threshold();
    let failing = report
        .findings()
        .filter(|l| !l.finding.suppressed && threshold.is_some_and(|t| l.finding.severity >= t))
        .count();
    let status = if failing > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    };
    if common.format.is_empty() && common.out.is_none() && std::io::stdout().is_terminal() {
        println!("{}", report.headline());
        println!("{}", result_line(failing, common.fail_on, status));
        println!("(--format json, or a pipe, for the JSON report)");
        return status;
    }
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
    status
}

/// "10 high findings at or above --fail-on high: exit 1".
fn result_line(failing: usize, fail_on: FailOn, status: u8) -> String {
    use clap::ValueEnum;
    let level = fail_on
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_owned());
    if fail_on.threshold().is_none() {
        return format!("--fail-on {level}: exit {status}");
    }
    // At the top threshold every failing finding is of that severity.
    let kind = if fail_on == FailOn::High { "high " } else { "" };
    let findings = match failing {
        0 => "no finding".to_owned(),
        1 => format!("1 {kind}finding"),
        n => format!("{n} {kind}findings"),
    };
    format!("{findings} at or above --fail-on {level}: exit {status}")
}

/// How many files of the folders walked were skipped, with the first as
/// an example.
fn skipped_summary(skipped: &[PathBuf]) -> String {
    match skipped {
        [] => "no file in the paths given is a PDF, HTML, Word or text document".into(),
        [first, ..] => format!(
            "{} skipped as not a PDF, HTML, Word or text document (such as {})",
            match skipped.len() {
                1 => "1 file".to_owned(),
                n => format!("{n} files"),
            },
            first.display()
        ),
    }
}

/// Warns, on standard error, of each document that names a council other
/// than the one `--council` gave it.
pub(super) fn warn_council_contradictions(documents: &[ScannedDocument], council: Option<&str>) {
    let Some(given) = council else {
        return;
    };
    for document in documents {
        if let Some(named) = document.detection.council.as_deref()
            && !named.eq_ignore_ascii_case(given)
        {
            let name = registry()
                .by_code(named)
                .map_or(String::new(), |c| format!("{} ", c.name));
            say(&format!(
                "warning: {} names {name}({named}), not --council {given}",
                document.source
            ));
        }
    }
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
