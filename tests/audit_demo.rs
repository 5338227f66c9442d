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
    let totals = |report: &serde_json::Value| -> Vec<serde_json::Value> {
        report["councils"]
            .as_array()
            .expect("councils")
            .iter()
            .map(|c| c["summary"].clone())
            .collect()
    };
    assert_eq!(totals(&audited), totals(&rescanned));
    // `report STORE` re-renders the audit's own report.
    let rendered = run(&["report", store, "--quiet"]);
    assert_eq!(totals(&audited), totals(&rendered));
    let _ = std::fs::remove_dir_all(&dir);
}
