//! The SARIF report of the synthetic fixtures has the structure code
//! scanning dashboards require, and validates against the SARIF 2.1.0 JSON
//! schema when the SARIF Multitool (which ships it) has been installed by
//! `.ci/sarif-validate`. The ignored `write_sample` test writes the sample
//! that script validates with the Multitool itself.

mod report_support;

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sopncheck::detect::Rules;
use sopncheck::report::allow::AllowList;
use sopncheck::report::{Format, Made, Report, ReportOptions, write_outputs};

/// The fixtures' report, one finding accepted so a suppression is present,
/// made as a command makes it (`made` set).
fn sample_report() -> Report {
    let (_, documents) = report_support::scanned_fixtures();
    let first_id = documents
        .iter()
        .flat_map(|d| &d.detection.findings)
        .map(|f| f.id.clone())
        .next()
        .expect("the fixtures give findings");
    let allow = format!("[[accepted]]\nid = {first_id:?}\nreason = \"checked\"\n");
    let options = ReportOptions {
        allow: AllowList::parse(&allow, "allow.toml").unwrap(),
        ..ReportOptions::default()
    };
    let mut report = Report::build(&documents, &options);
    report.made = Some(Made {
        at: "2026-05-08T06:00:00Z".into(),
        rules: "built-in".into(),
        rules_sha256: Some(Rules::builtin().digest().to_owned()),
        options: vec!["--allow allow.toml".into()],
    });
    report
}

fn sarif_value(report: &Report) -> Value {
    let mut out = Vec::new();
    sopncheck::report::sarif::write(report, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn structure_code_scanning_requires() {
    let report = sample_report();
    let sarif = sarif_value(&report);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "sopncheck");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    // How the report was made, in the run's property bag.
    let made = report.made.as_ref().unwrap();
    assert_eq!(run["properties"]["madeAt"], made.at.as_str());
    assert_eq!(run["properties"]["rules"], "built-in");
    assert_eq!(
        run["properties"]["rulesSha256"],
        made.rules_sha256.as_deref().unwrap()
    );
    assert_eq!(run["properties"]["options"][0], "--allow allow.toml");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        rule_ids.iter().collect::<HashSet<_>>().len(),
        rule_ids.len(),
        "rule ids are unique"
    );
    for rule in rules {
        for key in ["name", "shortDescription", "fullDescription", "help"] {
            assert!(!rule[key].is_null(), "rule {} lacks {key}", rule["id"]);
        }
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report.findings().count());
    for result in results {
        let rule_id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rule_ids[index], rule_id);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("fixtures/") && !uri.contains(' '), "{uri}");
        assert_eq!(location["region"]["startLine"], 1);
        let fingerprint = &result["partialFingerprints"]["sopncheckFindingId/v1"];
        assert!(!fingerprint.as_str().unwrap().is_empty());
    }
    let suppressed: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
}

/// The SARIF 2.1.0 schema the Multitool package ships, if installed.
fn installed_sarif_schema() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "target/sarif-multitool/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json",
    );
    path.exists().then_some(path)
}

#[test]
fn validates_against_the_sarif_schema_when_installed() {
    let Some(path) = installed_sarif_schema() else {
        eprintln!("skipped: run .ci/sarif-validate to install the SARIF schema");
        return;
    };
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let sarif = sarif_value(&sample_report());
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Writes `target/sarif-sample/report.sarif` (or `$SOPNCHECK_SARIF_DIR`)
/// for `.ci/sarif-validate`.
#[test]
#[ignore = "writes a sample for .ci/sarif-validate"]
fn write_sample() {
    let dir = std::env::var_os("SOPNCHECK_SARIF_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sarif-sample"));
    let written = write_outputs(&sample_report(), &[Format::Sarif], Some(&dir)).unwrap();
    println!("wrote {}", written[0].display());
}
