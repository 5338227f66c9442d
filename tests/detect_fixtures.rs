//! Detection on every synthetic fixture against the notice it prints:
//! every candidate found in the right post with the right status (and
//! postcode, withdrawn flag), none invented, and exactly the findings the
//! fixture's construction implies, no more. The proper-redaction and the
//! dark-header-bar controls give no finding at all; a searchable scan reads
//! as the notice it pictures.

use std::collections::BTreeMap;

mod synth_support;

use sopncheck::detect::{Detector, Rules};
use sopncheck::extract::{Limits, extract_bytes};
use sopncheck::model::{AddressStatus, DocumentFindings, TextSource};
use sopncheck::scan::{ScanOptions, scan_bytes};
use sopncheck::synth::notice::{Home, Layout, Redaction};
use sopncheck::synth::pdf::{FontKind, Spec};
use sopncheck::synth::{Expected, Fixture, fixtures, render};
use synth_support::words;

/// The findings (rule -> count) a fixture must give.
fn expected_findings(fixture: &Fixture) -> BTreeMap<&'static str, usize> {
    let mut expected = BTreeMap::new();
    if fixture.expected == Expected::NeedsPassword {
        expected.insert("unscannable", 1);
        return expected;
    }
    for (_, candidate) in fixture.notice.candidates() {
        let Home::Published(_) = candidate.home else {
            continue;
        };
        let rule = match candidate.redaction {
            Redaction::None => "published-home-address",
            Redaction::Removed => continue,
            _ => "hidden-text-address",
        };
        *expected.entry(rule).or_insert(0) += 1;
    }
    match fixture.name {
        "metadata-address" => {
            expected.insert("metadata-address", 2);
        }
        "annotation-address" => {
            expected.insert("annotation-address", 1);
        }
        "incremental-update" => {
            expected.insert("prior-revision-address", 1);
        }
        "clipped-text" => {
            // The clipped copy of the first published address.
            expected.insert("hidden-text-address", 1);
        }
        "running-text" => {
            // Nobody's candidates read: the notice is unparsed, and every
            // published postcode is nobody's.
            if let Some(published) = expected.remove("published-home-address") {
                expected.insert("unattributed-address", published);
            }
            expected.insert("unparsed-notice", 1);
        }
        "two-postcodes" | "stray-postcode" => {
            expected.insert("unattributed-address", 1);
        }
        _ => {}
    }
    expected
}

fn detect(fixture: &Fixture, detector: &Detector) -> DocumentFindings {
    match extract_bytes(&fixture.bytes, None, &Limits::default()) {
        Ok(extraction) => detector.detect(&extraction, &format!("{}.pdf", fixture.name)),
        Err(error) => detector.unreadable(fixture.name, &error.to_string()),
    }
}

#[test]
fn every_fixture_gives_its_candidates_and_exactly_its_findings() {
    let detector = Detector::new(&Rules::builtin());
    for fixture in fixtures() {
        let found = detect(&fixture, &detector);
        let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
        for finding in &found.findings {
            *rules.entry(finding.rule.as_str()).or_insert(0) += 1;
        }
        assert_eq!(
            rules,
            expected_findings(&fixture),
            "{}: findings",
            fixture.name
        );
        if fixture.expected == Expected::NeedsPassword {
            continue;
        }
        assert_eq!(
            found.election_date, fixture.notice.election_date,
            "{}: election date",
            fixture.name
        );
        assert_eq!(
            found.election.election_type,
            Some(fixture.notice.layout.election_type()),
            "{}: election type",
            fixture.name
        );
        if fixture.name == "running-text" {
            assert!(found.candidates.is_empty(), "running-text: candidates");
            continue;
        }
        let printed: Vec<_> = fixture.notice.candidates().collect();
        assert_eq!(
            found.candidates.len(),
            printed.len(),
            "{}: candidate count",
            fixture.name
        );
        for (i, (post, candidate)) in printed.iter().enumerate() {
            let name = words(&format!("{} {}", candidate.surname, candidate.other_names));
            let Some(got) = found.candidates.iter().find(|c| {
                words(&c.name) == name && c.post.as_deref().map(words) == Some(words(&post.name))
            }) else {
                panic!("{}: candidate #{i} not found in its post", fixture.name);
            };
            let (status, postcode) = match (&candidate.home, candidate.redaction) {
                (Home::Published(address), Redaction::None) => {
                    (AddressStatus::Published, Some(address.postcode.as_str()))
                }
                (Home::Published(_), _) => (AddressStatus::Unknown, None),
                (Home::Withheld(_), _) => (AddressStatus::Withheld, None),
            };
            assert_eq!(
                got.address_status, status,
                "{}: candidate #{i}",
                fixture.name
            );
            assert_eq!(got.postcode.as_deref(), postcode, "{}: #{i}", fixture.name);
            assert_eq!(
                got.withdrawn, candidate.withdrawn,
                "{}: #{i} withdrawn",
                fixture.name
            );
            if fixture.notice.layout == Layout::PartyLists {
                // Each candidate stands for the party whose list holds them.
                assert_eq!(
                    got.description.as_deref(),
                    Some(candidate.description.as_str()),
                    "{}: #{i} party",
                    fixture.name
                );
            }
        }
    }
}

#[test]
fn controls_give_no_finding_at_all() {
    let detector = Detector::new(&Rules::builtin());
    for fixture in fixtures()
        .into_iter()
        .filter(|f| f.name == "proper-redaction" || f.name == "header-bar")
    {
        let found = detect(&fixture, &detector);
        assert!(
            found.findings.is_empty(),
            "{}: {:?}",
            fixture.name,
            found.findings.iter().map(|f| &f.rule).collect::<Vec<_>>()
        );
        assert!(!found.candidates.is_empty());
    }
}

/// What detection read of each candidate, and the findings' rules.
fn reading(found: &DocumentFindings) -> (Vec<String>, Vec<String>) {
    let candidates = found
        .candidates
        .iter()
        .map(|c| {
            format!(
                "{} | {:?} | {:?} | {:?} | {}",
                c.name, c.post, c.address_status, c.postcode, c.withdrawn
            )
        })
        .collect();
    let rules = found.findings.iter().map(|f| f.rule.clone()).collect();
    (candidates, rules)
}

#[test]
fn searchable_scans_read_as_the_plain_notice() {
    let detector = Detector::new(&Rules::builtin());
    for fixture in fixtures()
        .into_iter()
        .filter(|f| f.name.starts_with("scan-"))
    {
        let scanned = scan_bytes(
            fixture.name,
            &fixture.bytes,
            None,
            &detector,
            &ScanOptions::default(),
        );
        assert_eq!(
            scanned.text_source,
            Some(TextSource::Ocr),
            "{}",
            fixture.name
        );
        let (plain_bytes, _) = render(&fixture.notice, &Spec::new(FontKind::Type1WinAnsi), false);
        let plain = scan_bytes(
            fixture.name,
            &plain_bytes,
            None,
            &detector,
            &ScanOptions::default(),
        );
        assert_eq!(
            plain.text_source,
            Some(TextSource::Text),
            "{}",
            fixture.name
        );
        let (candidates, rules) = reading(&scanned.detection);
        assert_eq!(
            candidates.len(),
            fixture.notice.candidates().count(),
            "{}",
            fixture.name
        );
        assert_eq!(
            (candidates, rules.clone()),
            reading(&plain.detection),
            "{}",
            fixture.name
        );
        assert!(
            rules.iter().all(|r| r != "hidden-text-address"),
            "{}: {rules:?}",
            fixture.name
        );
    }
}

#[test]
fn a_black_image_over_an_address_is_still_hidden_text() {
    let detector = Detector::new(&Rules::builtin());
    let fixture = fixtures()
        .into_iter()
        .find(|f| f.name == "black-image-address")
        .expect("fixture");
    let found = detect(&fixture, &detector);
    let Home::Published(address) = &fixture.notice.posts[0].candidates[0].home else {
        panic!("the first candidate publishes an address");
    };
    let hidden: Vec<_> = found
        .findings
        .iter()
        .filter(|f| f.rule == "hidden-text-address")
        .collect();
    assert_eq!(hidden.len(), 1, "{:?}", found.findings);
    assert_eq!(
        hidden[0].postcode.as_deref(),
        Some(address.postcode.as_str())
    );
}
