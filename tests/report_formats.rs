//! The report stage over the synthetic fixtures run through the real
//! extractor and detector: the JSON validates against
//! `src/report/report.schema.json` and reads back unchanged; no output file of
//! any format holds a fixture candidate's full postcode, house number,
//! house or street name unless addresses are shown, and then they are
//! there; a consent file suppresses exactly the listed candidates'
//! findings.

mod report_support;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sopncheck::detect::Rules;
use sopncheck::model::ScannedDocument;
use sopncheck::model::Severity;
use sopncheck::report::allow::AllowList;
use sopncheck::report::{Format, Made, Report, ReportOptions, write_outputs};
use sopncheck::synth::Fixture;
use sopncheck::synth::notice::Home;

const ALL_FORMATS: [Format; 5] = [
    Format::Json,
    Format::Csv,
    Format::Markdown,
    Format::Html,
    Format::Sarif,
];

/// A fresh directory under cargo's target directory for this test.
fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("report-formats-{name}"));
    let _ = fs::remove_dir_all(&dir);
    dir
}

/// Strings that identify a fixture candidate's home: each full postcode
/// (as printed and compact) and each address line holding a house number,
/// house name or street name (the lines before the locality and town);
/// and every full postcode detection found in the scanned documents.
pub fn home_secrets(fixtures: &[Fixture], documents: &[ScannedDocument]) -> Vec<String> {
    let mut secrets = Vec::new();
    for fixture in fixtures {
        for (_, candidate) in fixture.notice.candidates() {
            let Home::Published(address) = &candidate.home else {
                continue;
            };
            secrets.push(address.postcode.clone());
            secrets.push(address.postcode.replace(' ', ""));
            let street_lines = address.lines.len().saturating_sub(2).max(1);
            secrets.extend(address.lines.iter().take(street_lines).cloned());
        }
    }
    for document in documents {
        let detection = &document.detection;
        let postcodes = detection
            .candidates
            .iter()
            .filter_map(|c| c.postcode.as_ref());
        let found = detection
            .findings
            .iter()
            .filter_map(|f| f.postcode.as_ref());
        secrets.extend(postcodes.chain(found).cloned());
    }
    secrets.sort();
    secrets.dedup();
    secrets
}

/// The fixtures' report, made as a command makes it (`made` set).
fn report(show_addresses: bool) -> Report {
    let (_, documents) = report_support::scanned_fixtures();
    let options = ReportOptions {
        show_addresses,
        ..ReportOptions::default()
    };
    let mut report = Report::build(&documents, &options);
    report.made = Some(Made {
        at: "2026-05-08T06:00:00Z".into(),
        rules: "built-in".into(),
        rules_sha256: Some(Rules::builtin().digest().to_owned()),
        options: vec!["--council YOR".into()],
    });
    report
}

#[test]
fn json_validates_against_the_schema_and_round_trips() {
    let schema_text = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/report/report.schema.json"
    ))
    .unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    jsonschema::meta::validate(&schema).expect("the schema is valid draft 2020-12");
    let validator = jsonschema::draft202012::new(&schema).unwrap();

    for show_addresses in [false, true] {
        let report = report(show_addresses);
        assert!(report.findings().count() > 10, "the fixtures give findings");
        let dir = out_dir(&format!("json-{show_addresses}"));
        write_outputs(&report, &[Format::Json], Some(&dir)).unwrap();
        let text = fs::read_to_string(dir.join("report.json")).unwrap();
        let instance: Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "schema errors: {errors:#?}");
        assert_eq!(Report::from_json(text.as_bytes()).unwrap(), report);
        // Searchable scans say their text is an OCR layer.
        let documents = instance["councils"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["documents"].as_array().unwrap());
        for document in documents {
            let source = document["source"].as_str().unwrap();
            let expected = if source.contains("/scan-") {
                Value::from("ocr")
            } else if source.contains("password-protected") {
                Value::Null
            } else {
                Value::from("text")
            };
            assert_eq!(document["text_source"], expected, "{source}");
        }
    }

    // The schema is not vacuous: a wrong severity is rejected.
    let mut bad: Value = serde_json::to_value(report(false)).unwrap();
    bad["councils"][0]["documents"][0]["findings"][0]["severity"] = "critical".into();
    assert!(!validator.is_valid(&bad));
    let mut bad: Value = serde_json::to_value(report(false)).unwrap();
    bad["councils"][0]["documents"][0]["text_source"] = "scan".into();
    assert!(!validator.is_valid(&bad));
    let mut bad: Value = serde_json::to_value(report(false)).unwrap();
    bad["made"]["rules_sha256"] = "built-in".into();
    assert!(!validator.is_valid(&bad));
}

#[test]
fn every_text_format_states_how_the_report_was_made() {
    let report = report(false);
    let rules = Rules::builtin();
    let digest = rules.digest();
    let dir = out_dir("provenance");
    write_outputs(&report, &ALL_FORMATS, Some(&dir)).unwrap();
    let read = |name: &str| fs::read_to_string(dir.join(name)).unwrap();
    let (markdown, html) = (read("report.md"), read("report.html"));
    assert!(markdown.contains("### How this report was made"));
    assert!(markdown.contains(&format!("- Rules SHA-256: {digest}")));
    assert!(html.contains("<h2>How this report was made</h2>"));
    assert!(html.contains(&format!("<li>Rules SHA-256: {digest}</li>")));
    // Every document's hash is on its line in the HTML report; those of
    // the top findings in the Markdown one.
    for document in report.councils.iter().flat_map(|c| &c.documents) {
        assert!(
            html.contains(&format!(
                "<small class=\"prov\">SHA-256 {}",
                document.sha256
            )),
            "{}",
            document.source
        );
    }
    let top = report
        .findings()
        .filter(|l| !l.finding.suppressed)
        .min_by_key(|l| std::cmp::Reverse(l.finding.severity))
        .unwrap()
        .document;
    assert!(markdown.contains(&format!("SHA-256 `{}`", top.sha256)));
    let findings = read("findings.csv");
    let mut reader = csv::Reader::from_reader(findings.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[headers.len() - 2], "sha256");
    assert_eq!(&headers[headers.len() - 1], "fetched");
    let sarif: Value = serde_json::from_str(&read("report.sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["properties"]["rulesSha256"], digest);
}

#[test]
fn masked_unless_asked_in_every_file() {
    let (fixtures, documents) = report_support::scanned_fixtures();
    let secrets = home_secrets(&fixtures, &documents);
    assert!(
        secrets.len() > 40,
        "ground truth has addresses: {secrets:?}"
    );

    let masked = Report::build(&documents, &ReportOptions::default());
    let dir = out_dir("masked");
    let files = write_outputs(&masked, &ALL_FORMATS, Some(&dir)).unwrap();
    assert_eq!(files.len(), 6);
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{} leaks {secret:?}",
                file.display()
            );
        }
    }

    let shown = ReportOptions {
        show_addresses: true,
        ..ReportOptions::default()
    };
    let unmasked = Report::build(&documents, &shown);
    let dir = out_dir("shown");
    let files = write_outputs(&unmasked, &ALL_FORMATS, Some(&dir)).unwrap();
    let postcodes = |candidates: bool| -> Vec<&String> {
        let detections = documents.iter().map(|d| &d.detection);
        if candidates {
            let postcodes =
                detections.flat_map(|d| d.candidates.iter().filter_map(|c| c.postcode.as_ref()));
            postcodes.collect()
        } else {
            let postcodes =
                detections.flat_map(|d| d.findings.iter().filter_map(|f| f.postcode.as_ref()));
            postcodes.collect()
        }
    };
    // Markdown lists only the top findings, evidence shortened.
    for file in files.iter().filter(|f| !f.ends_with("report.md")) {
        let text = fs::read_to_string(file).unwrap();
        let lists_candidates = file.ends_with("candidates.csv");
        let expected = postcodes(lists_candidates);
        assert!(!expected.is_empty());
        for postcode in expected {
            assert!(
                text.contains(postcode.as_str()),
                "{} lacks {postcode}",
                file.display()
            );
        }
    }
}

#[test]
fn consent_suppresses_exactly_the_listed_candidates() {
    let (_, documents) = report_support::scanned_fixtures();
    let plain = Report::build(&documents, &ReportOptions::default());
    // Two published candidates, named with other spacing and case.
    let listed: Vec<(String, String, Option<String>)> = plain
        .councils
        .iter()
        .flat_map(|c| c.documents.iter().map(move |d| (c, d)))
        .flat_map(|(c, d)| d.findings.iter().map(move |f| (c, f)))
        .filter(|(_, f)| f.rule == "published-home-address")
        .filter_map(|(c, f)| Some((c.code.clone(), f.candidate.clone()?, f.post.clone())))
        .take(2)
        .collect();
    assert_eq!(listed.len(), 2);
    let mut allow = String::new();
    for (council, candidate, post) in &listed {
        allow.push_str(&format!(
            "[[consent]]\ncouncil = {:?}\ncandidate = {:?}\n",
            council.to_lowercase(),
            candidate.to_uppercase().replace(' ', "  ")
        ));
        if let Some(post) = post {
            allow.push_str(&format!("post = {post:?}\n"));
        }
    }
    let options = ReportOptions {
        allow: AllowList::parse(&allow, "consent.toml").unwrap(),
        ..ReportOptions::default()
    };
    let report = Report::build(&documents, &options);
    assert_eq!(
        report.findings().count(),
        plain.findings().count(),
        "nothing dropped"
    );
    for located in report.findings() {
        let finding = located.finding;
        let is_listed = listed.iter().any(|(council, candidate, post)| {
            *council == located.council.code
                && finding.candidate.as_ref() == Some(candidate)
                && finding.post == *post
                && finding.rule != "unscannable"
        });
        assert_eq!(finding.suppressed, is_listed, "{finding:?}");
        if is_listed {
            let reason = finding.suppression_reason.as_deref().unwrap();
            assert!(reason.starts_with("candidate consented to publication (consent.toml:"));
        }
    }
    let suppressed: usize = report
        .councils
        .iter()
        .map(|c| c.summary.suppressed.total())
        .sum();
    assert!(suppressed >= 2);
    assert_eq!(report.worst_severity(), Some(Severity::High));
}
