//! Detection on every synthetic fixture against the notice it prints:
//! every candidate found in the right post with the right status (and
//! postcode, withdrawn flag), none invented, and exactly the findings the
//! fixture's construction implies, no more. The proper-redaction and the
//! dark-header-bar controls give no finding at all.

use std::collections::BTreeMap;

mod synth_support;

use sopncheck::detect::{Detector, Rules};
use sopncheck::extract::{Limits, extract_bytes};
use sopncheck::model::{AddressStatus, DocumentFindings};
use sopncheck::synth::notice::{Home, Layout, Redaction};
use sopncheck::synth::{Expected, Fixture, fixtures};
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
