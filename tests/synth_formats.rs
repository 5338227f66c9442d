//! Detection on generated Word and HTML notices against the notice they
//! print, so that the detector's one table model is held to the same
//! ground truth in every format: every candidate found in the right post
//! with the right status, postcode and withdrawn flag, none invented,
//! exactly one `published-home-address` finding per published address and
//! none on the returning officer's office address; and the writers give
//! the same bytes for the same seed.

use std::collections::BTreeMap;

mod synth_support;

use sopncheck::detect::{Detector, Rules};
use sopncheck::extract::{Limits, extract_bytes};
use sopncheck::model::{AddressStatus, DocumentFindings};
use sopncheck::synth::notice::{Home, Layout, Notice};
use sopncheck::synth::people::People;
use sopncheck::synth::{docx, html, notice};
use synth_support::words;

/// A generated notice: its seed and size.
#[derive(Clone, Copy, Debug)]
struct Case {
    seed: u64,
    posts: usize,
    per_post: usize,
}

const CASES: [Case; 4] = [
    Case {
        seed: 31,
        posts: 2,
        per_post: 5,
    },
    Case {
        seed: 32,
        posts: 2,
        per_post: 5,
    },
    Case {
        seed: 33,
        posts: 1,
        per_post: 12,
    },
    Case {
        seed: 34,
        posts: 3,
        per_post: 4,
    },
];

/// The file format a notice is written in.
#[derive(Clone, Copy, Debug)]
enum Format {
    Docx,
    Html,
}

impl Format {
    fn write(self, notice: &Notice) -> Vec<u8> {
        match self {
            Format::Docx => docx::write(notice),
            Format::Html => html::write(notice).into_bytes(),
        }
    }

    /// The content type a server would send, and a file name.
    fn served_as(self) -> (Option<&'static str>, &'static str) {
        match self {
            Format::Docx => (None, "notice.docx"),
            Format::Html => (Some("text/html; charset=utf-8"), "notice.html"),
        }
    }
}

fn generate(case: Case) -> Notice {
    notice(
        &mut People::new(case.seed),
        Layout::Table,
        case.posts,
        case.per_post,
    )
}

/// What the detector finds in `bytes`, served as `format` is.
fn detect(bytes: &[u8], format: Format) -> DocumentFindings {
    let (content_type, name) = format.served_as();
    let extraction = extract_bytes(bytes, content_type, &Limits::default())
        .unwrap_or_else(|e| panic!("{format:?}: extraction failed: {e}"));
    Detector::new(&Rules::builtin()).detect(&extraction, name)
}

/// Every way `found` departs from `notice`, one line each.
fn departures(notice: &Notice, found: &DocumentFindings) -> Vec<String> {
    let mut out = Vec::new();
    let printed: Vec<_> = notice.candidates().collect();
    if found.candidates.len() != printed.len() {
        out.push(format!(
            "{} candidates found, {} printed: {:?}",
            found.candidates.len(),
            printed.len(),
            found
                .candidates
                .iter()
                .map(|c| (&c.name, &c.post))
                .collect::<Vec<_>>()
        ));
    }
    for (i, (post, candidate)) in printed.iter().enumerate() {
        let name = words(&format!("{} {}", candidate.surname, candidate.other_names));
        let Some(got) = found.candidates.iter().find(|c| {
            words(&c.name) == name && c.post.as_deref().map(words) == Some(words(&post.name))
        }) else {
            let elsewhere = found.candidates.iter().find(|c| words(&c.name) == name);
            out.push(format!(
                "#{i} {} {} ({}) not found in its post; found as {:?}",
                candidate.surname,
                candidate.other_names,
                post.name,
                elsewhere.map(|c| (&c.name, &c.post))
            ));
            continue;
        };
        let (status, postcode) = match &candidate.home {
            Home::Published(address) => (AddressStatus::Published, Some(address.postcode.as_str())),
            Home::Withheld(_) => (AddressStatus::Withheld, None),
        };
        if got.address_status != status || got.postcode.as_deref() != postcode {
            out.push(format!(
                "#{i} {}: {:?} {:?}, printed {:?} {:?} ({:?})",
                got.name, got.address_status, got.postcode, status, postcode, candidate.home
            ));
        }
        if got.withdrawn != candidate.withdrawn {
            out.push(format!(
                "#{i} {}: withdrawn {}, printed {}",
                got.name, got.withdrawn, candidate.withdrawn
            ));
        }
    }
    let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in &found.findings {
        *rules.entry(finding.rule.as_str()).or_insert(0) += 1;
    }
    let published: Vec<&str> = printed
        .iter()
        .filter_map(|(_, c)| match &c.home {
            Home::Published(address) => Some(address.postcode.as_str()),
            Home::Withheld(_) => None,
        })
        .collect();
    let expected: BTreeMap<&str, usize> = match published.len() {
        0 => BTreeMap::new(),
        n => BTreeMap::from([("published-home-address", n)]),
    };
    if rules != expected {
        out.push(format!("findings {rules:?}, expected {expected:?}"));
    }
    for postcode in &published {
        let on_it = found
            .findings
            .iter()
            .filter(|f| {
                f.rule == "published-home-address" && f.postcode.as_deref() == Some(postcode)
            })
            .count();
        if on_it != 1 {
            out.push(format!("{on_it} findings on published postcode {postcode}"));
        }
    }
    let office = &notice.office;
    for finding in &found.findings {
        let on_office = finding.postcode.as_deref() == Some(office.postcode.as_str())
            || finding.evidence.contains(&office.postcode)
            || office
                .lines
                .first()
                .is_some_and(|l| finding.evidence.contains(l));
        if on_office {
            out.push(format!(
                "finding {} on the returning officer's office: {:?}",
                finding.rule, finding.evidence
            ));
        }
    }
    out
}

/// Asserts that every case, written as `format` and then changed by
/// `edit`, gives exactly what it prints.
fn assert_matches(format: Format, edit: fn(Vec<u8>) -> Vec<u8>) {
    for case in CASES {
        let notice = generate(case);
        let found = detect(&edit(format.write(&notice)), format);
        let departures = departures(&notice, &found);
        assert!(
            departures.is_empty(),
            "{format:?} {case:?}:\n{}",
            departures.join("\n")
        );
    }
}

#[test]
fn docx_notices_give_their_candidates_and_findings() {
    assert_matches(Format::Docx, |bytes| bytes);
}

#[test]
fn html_notices_give_their_candidates_and_findings() {
    assert_matches(Format::Html, |bytes| bytes);
}

/// The same pages with a colon after each `dt` label (`<dt>Name:</dt>`),
/// as some councils print them.
#[test]
fn html_notices_with_colon_labels_give_their_candidates_and_findings() {
    assert_matches(Format::Html, |bytes| {
        String::from_utf8_lossy(&bytes)
            .replace("</dt>", ":</dt>")
            .into_bytes()
    });
}

#[test]
fn writers_are_deterministic() {
    for format in [Format::Docx, Format::Html] {
        for case in CASES {
            let first = format.write(&generate(case));
            assert_eq!(
                first,
                format.write(&generate(case)),
                "{format:?} {case:?}: same seed, different bytes"
            );
            let other = Case {
                seed: case.seed + 100,
                ..case
            };
            assert_ne!(
                first,
                format.write(&generate(other)),
                "{format:?} {case:?}: another seed, same bytes"
            );
        }
    }
}

#[test]
fn the_cases_print_published_and_withheld_addresses_and_a_withdrawal() {
    // The cases are only a test of both statuses if, between them, they
    // print published and withheld addresses and a withdrawal.
    let notices: Vec<Notice> = CASES.into_iter().map(generate).collect();
    let candidates = || notices.iter().flat_map(|n| n.candidates().map(|(_, c)| c));
    assert!(candidates().any(|c| matches!(c.home, Home::Published(_))));
    assert!(candidates().any(|c| matches!(c.home, Home::Withheld(_))));
    assert!(candidates().any(|c| c.withdrawn));
}
