//! Acceptance on the real published notices in `../shared/realdocs`, read
//! in place (they hold real people's addresses and are never copied into
//! the repository). Runs the real binary: every labelled candidate's
//! surname, and every labelled published postcode, must appear in
//! `sopncheck extract --rows` output on the labelled page; `blank.pdf` must
//! be reported as having no text layer.

mod realdocs_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use realdocs_support::realdocs;
use serde_json::Value;

/// Runs `sopncheck extract --rows` and splits its output by page, with
/// whitespace and the ` / ` cell-line separators collapsed to one space.
fn pages_of(pdf: &Path) -> BTreeMap<u32, String> {
    let output = Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .args(["extract", "--rows"])
        .arg(pdf)
        .output()
        .expect("run sopncheck");
    assert!(
        output.status.success(),
        "{}: exit {:?}: {}",
        pdf.display(),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    let mut pages = BTreeMap::new();
    let mut page = 0;
    for line in text.lines() {
        if let Some(number) = line
            .strip_prefix("--- page ")
            .and_then(|rest| rest.strip_suffix(" ---"))
        {
            page = number.parse().expect("page number");
            continue;
        }
        let entry: &mut String = pages.entry(page).or_default();
        entry.push(' ');
        entry.push_str(&line.replace(" / ", " "));
    }
    pages
        .into_iter()
        .map(|(page, text)| (page, text.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect()
}

#[test]
fn every_labelled_candidate_and_postcode_is_extracted_on_its_page() {
    let Some(dir) = realdocs() else { return };
    let mut checked = 0;
    let mut labels: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read realdocs")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    labels.sort();
    assert!(!labels.is_empty(), "no labels in {}", dir.display());
    let mut missing = Vec::new();
    for label_path in labels {
        let label: Value =
            serde_json::from_str(&std::fs::read_to_string(&label_path).expect("read label"))
                .expect("label JSON");
        let pdf = dir.join(label["file"].as_str().expect("file"));
        let pages = pages_of(&pdf);
        for post in label["posts"].as_array().expect("posts") {
            for candidate in post["candidates"].as_array().expect("candidates") {
                let page = candidate["page"].as_u64().expect("page") as u32;
                let text = pages.get(&page).map(String::as_str).unwrap_or("");
                let surname = candidate["surname"].as_str().expect("surname");
                if !text.contains(surname) {
                    missing.push(format!(
                        "{}: surname #{checked} on page {page}",
                        pdf.display()
                    ));
                }
                if let Some(postcode) = candidate["postcode"].as_str()
                    && !text.contains(postcode)
                {
                    missing.push(format!(
                        "{}: postcode of candidate #{checked} on page {page}",
                        pdf.display()
                    ));
                }
                checked += 1;
            }
        }
    }
    // The messages name positions, not people: test output is a log too.
    assert!(missing.is_empty(), "not extracted:\n{}", missing.join("\n"));
    assert!(checked >= 70, "only {checked} candidates checked");
}

#[test]
fn blank_scan_is_reported_as_having_no_text_layer() {
    let Some(dir) = realdocs() else { return };
    let output = Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .arg("extract")
        .arg(dir.join("blank.pdf"))
        .output()
        .expect("run sopncheck");
    assert_eq!(output.status.code(), Some(1), "not an empty success");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no text layer"), "{stderr}");
    assert!(stderr.contains("manual review"), "{stderr}");
}
