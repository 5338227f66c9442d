//! `sopncheck audit --demo` through the built binary: the whole job (crawl
//! of the bundled council sites on 127.0.0.1, scan, report) finds every
//! notice, no decoy or robots-disallowed file, and exactly the findings
//! `fixtures/sites/sites.toml` expects for each document, masked.

use std::collections::BTreeMap;
use std::process::Command;

fn without_port(url: &str) -> String {
    // http://host:PORT/path -> http://host/path
    let Some(rest) = url.strip_prefix("http://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.split(':').next().unwrap_or(authority);
    format!("http://{host}/{path}")
}

#[test]
fn demo_audit_reports_the_expected_findings_per_document() {
    let out = std::env::temp_dir().join(format!("sopncheck-audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let output = Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .args([
            "audit", "--demo", "--quiet", "--format", "json", "--format", "markdown", "--out",
        ])
        .arg(&out)
        .output()
        .expect("run sopncheck");
    assert_eq!(
        output.status.code(),
        Some(1),
        "high findings fail the audit: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report.json"))
            .expect("json");
    assert!(out.join("report.md").is_file());

    // URL (without port) -> (council, sorted distinct rules)
    let mut scanned: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for council in report["councils"].as_array().expect("councils") {
        let code = council["code"].as_str().expect("code");
        assert_ne!(
            council["name"], "Unrecognised council",
            "{code} has its name"
        );
        for document in council["documents"].as_array().expect("documents") {
            let mut rules: Vec<String> = document["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(|f| {
                    if let Some(postcode) = f["postcode"].as_str() {
                        assert!(!postcode.contains(' '), "masked postcode {postcode}");
                    }
                    f["rule"].as_str().expect("rule").to_owned()
                })
                .collect();
            rules.sort();
            rules.dedup();
            let source = without_port(document["source"].as_str().expect("source"));
            scanned.insert(source, (code.to_owned(), rules));
        }
    }

    let sites: toml::Value = toml::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/sites/sites.toml"
        ))
        .expect("sites.toml"),
    )
    .expect("toml");
    let mut expected_found = 0;
    for document in sites["document"].as_array().expect("documents") {
        let url = document["url"].as_str().expect("url");
        let got = scanned.remove(url);
        if document["expect"].as_str() != Some("found") {
            assert!(got.is_none(), "{url} should not have been fetched");
            continue;
        }
        expected_found += 1;
        let (council, rules) = got.unwrap_or_else(|| panic!("{url} was not found"));
        assert_eq!(
            council,
            document["council"].as_str().expect("council"),
            "{url}"
        );
        let mut want: Vec<String> = document
            .get("findings")
            .and_then(|f| f.as_array())
            .map(|f| {
                f.iter()
                    .filter_map(|r| r.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        want.sort();
        assert_eq!(rules, want, "{url}");
    }
    assert!(
        expected_found >= 12,
        "only {expected_found} notices expected"
    );
    assert!(scanned.is_empty(), "unexpected documents: {scanned:?}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_store_is_scanned_again_offline() {
    let dir = std::env::temp_dir().join(format!("sopncheck-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_sopncheck"))
            .args(args)
            .output()
            .expect("run sopncheck");
        serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("json report")
    };
    let store = dir.to_str().expect("utf-8");
    let audited = run(&["audit", "--demo", "--quiet", "--store", store]);
    // The demo server is gone now: the scan reads the stored files only.
    let rescanned = run(&["scan", "--store", store, "--quiet"]);
    assert_eq!(council_summaries(&audited), council_summaries(&rescanned));
    // `report STORE` re-renders the audit's own report.
    let rendered = run(&["report", store, "--quiet"]);
    assert_eq!(council_summaries(&audited), council_summaries(&rendered));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `audit --demo --store S` run twice serves the sites on two different
/// ports: every file is then stored under two URLs. The second report
/// holds each document once, with both URLs, and the same counts.
#[test]
fn a_second_demo_audit_on_another_port_counts_each_document_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = dir.path().to_str().expect("utf-8");
    let run = || {
        let output = Command::new(env!("CARGO_BIN_EXE_sopncheck"))
            .args(["audit", "--demo", "--quiet", "--store", store])
            .output()
            .expect("run sopncheck");
        serde_json::from_slice::<serde_json::Value>(&output.stdout).expect("json report")
    };
    let first = run();
    let second = run();
    assert_eq!(council_summaries(&first), council_summaries(&second));
    let mut ids = std::collections::BTreeSet::new();
    for council in second["councils"].as_array().expect("councils") {
        for document in council["documents"].as_array().expect("documents") {
            let urls: Vec<&str> = document["urls"]
                .as_array()
                .expect("urls")
                .iter()
                .map(|u| u.as_str().expect("url"))
                .collect();
            assert_eq!(urls.len(), 2, "{urls:?}");
            assert_ne!(urls[0], urls[1]);
            assert_eq!(without_port(urls[0]), without_port(urls[1]));
            assert!(urls.contains(&document["source"].as_str().expect("source")));
            for finding in document["findings"].as_array().expect("findings") {
                let id = finding["id"].as_str().expect("id");
                assert!(ids.insert(id.to_owned()), "finding {id} twice");
            }
        }
    }
    assert!(!ids.is_empty());
}

/// Copies the directory `from` into `to`, recursively.
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every finding of a report as (council, id, state).
fn finding_states(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut states = Vec::new();
    for council in report["councils"].as_array().expect("councils") {
        for document in council["documents"].as_array().expect("documents") {
            for finding in document["findings"].as_array().expect("findings") {
                states.push((
                    council["code"].as_str().expect("code").to_owned(),
                    finding["id"].as_str().expect("id").to_owned(),
                    finding["state"].as_str().expect("state").to_owned(),
                ));
            }
        }
    }
    states
}

/// Three audits of one store: the first sees every finding `new`, the
/// second (nothing changed) `ongoing`, and after a notice is taken down
/// the third lists its findings as `fixed` and its document as removed.
#[test]
fn audits_of_one_store_tell_new_ongoing_and_fixed_findings() {
    let sites = tempfile::tempdir().expect("temp dir");
    copy_dir(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sites")),
        sites.path(),
    );
    let store = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_sopncheck"))
            .args(args)
            .output()
            .expect("run sopncheck");
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&output.stderr));
        })
    };
    let store_arg = store.path().to_str().expect("utf-8");
    let sites_arg = sites.path().to_str().expect("utf-8");
    let audit = || {
        run(&[
            "audit",
            "--demo",
            "--demo-sites",
            sites_arg,
            "--quiet",
            "--store",
            store_arg,
        ])
    };
    let first = finding_states(&audit());
    assert!(!first.is_empty());
    assert!(
        first.iter().all(|(_, _, state)| state == "new"),
        "{first:?}"
    );
    let second = finding_states(&audit());
    assert_eq!(second.len(), first.len());
    assert!(
        second.iter().all(|(_, _, state)| state == "ongoing"),
        "{second:?}"
    );

    // Take one notice with findings down: its link now answers 404.
    let manifest_path = sites.path().join("sites.toml");
    let mut manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(&manifest_path).expect("sites.toml"))
            .expect("toml");
    let documents = manifest["document"].as_array_mut().expect("documents");
    let taken = documents
        .iter()
        .position(|d| {
            d["expect"].as_str() == Some("found")
                && d.get("recipe").is_some()
                && d.get("findings")
                    .and_then(|f| f.as_array())
                    .is_some_and(|f| !f.is_empty())
        })
        .expect("a generated notice with findings");
    let taken = documents.remove(taken);
    std::fs::write(&manifest_path, toml::to_string(&manifest).expect("toml")).expect("write");
    let url = taken["url"].as_str().expect("url");
    let council = taken["council"].as_str().expect("council");

    let third_report = audit();
    // The new fields are in the JSON contract.
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/report/report.schema.json"
        ))
        .expect("schema"),
    )
    .expect("json");
    let validator = jsonschema::draft202012::new(&schema).expect("schema");
    let errors: Vec<String> = validator
        .iter_errors(&third_report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:#?}");
    // Provenance: when, rules, options; each document's URLs, dates, hash.
    assert!(
        third_report["made"]["at"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );
    assert_eq!(third_report["made"]["rules"], "built-in");
    assert_eq!(
        third_report["made"]["rules_sha256"],
        sopncheck::detect::Rules::builtin().digest()
    );
    assert_eq!(
        third_report["made"]["options"],
        serde_json::json!(["--demo"])
    );
    let document = &third_report["councils"][0]["documents"][0];
    assert!(
        document["fetched"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );
    assert_eq!(document["last_modified"], "Mon, 06 Apr 2026 09:00:00 GMT");
    assert_eq!(document["sha256"].as_str().map(str::len), Some(64));
    let third = finding_states(&third_report);
    assert!(third.iter().all(|(_, _, state)| state == "ongoing"));
    let section = third_report["councils"]
        .as_array()
        .expect("councils")
        .iter()
        .find(|c| c["code"] == council)
        .expect("council");
    let removed: Vec<String> = section["removed"]
        .as_array()
        .expect("removed")
        .iter()
        .map(|d| without_port(d["source"].as_str().expect("source")))
        .collect();
    assert_eq!(removed, [url]);
    let fixed: Vec<(String, String, String)> = section["fixed"]
        .as_array()
        .expect("fixed")
        .iter()
        .map(|f| {
            assert_eq!(f["state"], "fixed");
            assert!(
                f["fixed"]
                    .as_str()
                    .is_some_and(|d| d >= f["last_seen"].as_str().unwrap())
            );
            (
                council.to_owned(),
                f["id"].as_str().expect("id").to_owned(),
                "new".to_owned(),
            )
        })
        .collect();
    assert!(!fixed.is_empty());
    // Exactly the findings the third run no longer saw.
    let gone: Vec<_> = first
        .iter()
        .filter(|(c, id, _)| !third.iter().any(|(c3, id3, _)| c3 == c && id3 == id))
        .cloned()
        .collect();
    let mut sorted_fixed = fixed.clone();
    sorted_fixed.sort();
    let mut sorted_gone = gone;
    sorted_gone.sort();
    assert_eq!(sorted_fixed, sorted_gone);

    // `report --since`: today shows the fix, tomorrow shows nothing.
    let today = third_report["councils"][0]["documents"][0]["findings"][0]["last_seen"]
        .as_str()
        .expect("last_seen")[..10]
        .to_owned();
    let since_today = run(&["report", store_arg, "--quiet", "--since", &today]);
    assert!(since_today.to_string().contains("\"fixed\""));
    let since_later = run(&["report", store_arg, "--quiet", "--since", "2999-01-01"]);
    assert!(finding_states(&since_later).is_empty());
    assert!(!since_later.to_string().contains("\"fixed\""));
}

/// Each council's `summary` in a JSON report, in order.
fn council_summaries(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["councils"]
        .as_array()
        .expect("councils")
        .iter()
        .map(|c| c["summary"].clone())
        .collect()
}
