//! Detection measured on the real published notices in `../shared/realdocs`,
//! read in place (they hold real people's names and addresses and are never
//! copied into the repository).
//!
//! For every labelled `NAME.json` beside `NAME.pdf`: extract, detect, and
//! compare candidate by candidate with the labels (name, post, status,
//! withheld area, postcode, page, withdrawn); no candidate invented; no
//! finding on a postcode that is not a candidate's; one
//! `published-home-address` (or `pre-rule-published-address`) per published
//! candidate. `blank.pdf` must be `unscannable`. Failure messages name
//! candidates by position ("candidate #3 of post #2") and the field, and
//! print document text only for the field that differs.

mod realdocs_support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use realdocs_support::realdocs;
use serde_json::Value;
use sopncheck::detect::{Detector, Rules};
use sopncheck::extract::{Limits, extract_path};
use sopncheck::model::{AddressStatus, DocumentFindings, Severity};

fn detect(pdf: &Path) -> DocumentFindings {
    let detector = Detector::new(&Rules::builtin());
    let source = pdf.display().to_string();
    match extract_path(pdf, &Limits::default()) {
        Ok(extraction) => detector.detect(&extraction, &source),
        Err(e) => detector.unreadable(&source, &e.to_string()),
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn status(label: &str) -> AddressStatus {
    match label {
        "published" => AddressStatus::Published,
        "withheld" => AddressStatus::Withheld,
        _ => AddressStatus::Unknown,
    }
}

/// Checks one labelled notice; returns the mismatches.
fn check(dir: &Path, labels: &Value) -> Vec<String> {
    let file = labels["file"].as_str().unwrap_or_default();
    let found = detect(&dir.join(file));
    let mut problems = Vec::new();
    let mut problem = |text: String| problems.push(format!("{file}: {text}"));

    if let Some(kind) = labels["document_kind"].as_str() {
        let got = serde_json::to_value(found.kind).unwrap();
        if got != kind {
            problem(format!("kind {got} != {kind}"));
        }
    }
    let date = labels["election_date"].as_str();
    if found.election_date.as_deref() != date {
        problem(format!(
            "election date {:?} != {date:?}",
            found.election_date
        ));
    }

    let posts = labels["posts"].as_array().cloned().unwrap_or_default();
    let expected: Vec<(usize, usize, &Value, &Value)> = posts
        .iter()
        .enumerate()
        .flat_map(|(p, post)| {
            post["candidates"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(c, cand)| (p, c, post, cand))
        })
        .collect();
    if found.candidates.len() != expected.len() {
        problem(format!(
            "{} candidates found, {} labelled",
            found.candidates.len(),
            expected.len()
        ));
    }
    for (i, &(p, c, post, label)) in expected.iter().enumerate() {
        let at = format!("candidate #{} of post #{}", c + 1, p + 1);
        let name = format!(
            "{} {}",
            label["surname"].as_str().unwrap_or_default(),
            label["other_names"].as_str().unwrap_or_default()
        );
        let Some(got) = found.candidates.get(i) else {
            problem(format!("{at}: missing"));
            continue;
        };
        if collapse(&got.name) != collapse(&name) {
            problem(format!("{at}: name differs"));
        }
        if got.post.as_deref() != post["post"].as_str() {
            problem(format!("{at}: post {:?} != {:?}", got.post, post["post"]));
        }
        let want = status(label["status"].as_str().unwrap_or_default());
        if got.address_status != want {
            problem(format!("{at}: status {:?} != {want:?}", got.address_status));
        }
        if got.withheld_area.as_deref() != label["area"].as_str() {
            problem(format!(
                "{at}: area {:?} != {:?}",
                got.withheld_area, label["area"]
            ));
        }
        if got.postcode.as_deref() != label["postcode"].as_str() {
            problem(format!("{at}: postcode differs"));
        }
        if Some(u64::from(got.page)) != label["page"].as_u64() {
            problem(format!("{at}: page {} != {}", got.page, label["page"]));
        }
        if Some(got.withdrawn) != label["withdrawn"].as_bool() {
            problem(format!("{at}: withdrawn {}", got.withdrawn));
        }
    }

    let candidate_postcodes: HashSet<&str> = expected
        .iter()
        .filter_map(|(_, _, _, label)| label["postcode"].as_str())
        .collect();
    for (n, finding) in found.findings.iter().enumerate() {
        if let Some(code) = &finding.postcode
            && !candidate_postcodes.contains(code.as_str())
        {
            problem(format!(
                "finding #{} ({}) on a non-candidate postcode",
                n + 1,
                finding.rule
            ));
        }
    }

    let published = expected
        .iter()
        .filter(|(_, _, _, label)| label["status"] == "published")
        .count();
    // Withholding became possible for local elections in England and Wales
    // on 2 May 2019: notices of earlier elections report at low severity.
    let pre_rule = date.is_some_and(|d| d < "2019-05-02");
    let (rule, other) = if pre_rule {
        ("pre-rule-published-address", "published-home-address")
    } else {
        ("published-home-address", "pre-rule-published-address")
    };
    let count = |r: &str| found.findings.iter().filter(|f| f.rule == r).count();
    if count(rule) != published || count(other) != 0 {
        problem(format!(
            "{} {rule} and {} {other} findings, {published} published candidates",
            count(rule),
            count(other)
        ));
    }
    let ids: HashSet<&str> = found.findings.iter().map(|f| f.id.as_str()).collect();
    if ids.len() != found.findings.len() {
        problem("finding ids repeat".to_string());
    }
    problems
}

#[test]
fn labelled_notices_are_segmented_and_reported() {
    let Some(dir) = realdocs() else { return };
    let mut labelled = 0;
    let mut problems = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    for path in entries {
        let labels: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        problems.extend(check(&dir, &labels));
        labelled += 1;
    }
    assert!(
        labelled >= 3,
        "expected labelled notices in {}",
        dir.display()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn blank_notice_is_unscannable() {
    let Some(dir) = realdocs() else { return };
    let found = detect(&dir.join("blank.pdf"));
    assert!(found.candidates.is_empty());
    assert_eq!(found.findings.len(), 1);
    assert_eq!(found.findings[0].rule, "unscannable");
    assert_eq!(found.findings[0].severity, Severity::High);
}

#[test]
fn ids_are_the_same_on_a_second_run() {
    let Some(dir) = realdocs() else { return };
    let pdf = dir.join("HackneySOPN.pdf");
    let ids = |f: DocumentFindings| f.findings.into_iter().map(|f| f.id).collect::<Vec<_>>();
    assert_eq!(ids(detect(&pdf)), ids(detect(&pdf)));
}
