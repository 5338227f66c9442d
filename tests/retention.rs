//! `retention-expired` end to end, through the built binary, on generated
//! notices with a known poll date: `scan --as-of` a day inside and a day
//! past the period (the 21st and the 22nd day after the poll), a notice
//! printing only names (info), and nothing where a date is missing (a
//! notice printing no poll date, a scan without `--as-of`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sopncheck::clock;
use sopncheck::synth::notice::{Home, Layout, Notice};
use sopncheck::synth::pdf::{FontKind, Spec};
use sopncheck::synth::people::People;
use sopncheck::synth::{notice, render};

const RULE: &str = "retention-expired";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sopncheck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A one-ward notice of `layout` (seeded) with at least one published
/// address, unless `names_only`, when every address is withheld.
fn generated(layout: Layout, seed: u64, names_only: bool) -> Notice {
    let mut people = People::new(seed);
    let mut notice = notice(&mut people, layout, 1, 4);
    let wording = layout.withheld_wording();
    for (i, candidate) in notice
        .posts
        .iter_mut()
        .flat_map(|p| &mut p.candidates)
        .enumerate()
    {
        match (&candidate.home, names_only, i) {
            (Home::Published(_), true, _) => {
                candidate.home = Home::Withheld(wording.replace("{area}", people.area()));
            }
            (Home::Withheld(_), false, 0) => candidate.home = Home::Published(people.address()),
            _ => {}
        }
    }
    notice
}

/// Writes `notice` as a PDF into `dir` and returns its path.
fn write(dir: &Path, name: &str, notice: &Notice) -> PathBuf {
    let (bytes, _) = render(notice, &Spec::new(FontKind::Type1WinAnsi), false);
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).expect("write notice");
    path
}

fn sopncheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .args(args)
        .output()
        .expect("run sopncheck")
}

/// `scan FILE [--as-of DATE]`'s JSON report.
fn scan(file: &Path, as_of: Option<&str>) -> serde_json::Value {
    let mut args = vec!["scan", file.to_str().expect("UTF-8 path"), "--quiet"];
    if let Some(date) = as_of {
        args.extend(["--as-of", date]);
    }
    let output = sopncheck(&args);
    assert!(
        output.status.code().is_some_and(|code| code < 2),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

/// The single document of a report.
fn document(report: &serde_json::Value) -> &serde_json::Value {
    &report["councils"][0]["documents"][0]
}

/// The report's `retention-expired` findings.
fn retention(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    document(report)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == RULE)
        .collect()
}

/// The ISO date `days` after `date`.
fn days_after(date: &str, days: i64) -> String {
    clock::date(clock::parse_date(date).expect("ISO date") + days * 86_400)
}

#[test]
fn a_notice_past_the_period_is_reported_and_one_within_it_is_not() {
    let dir = temp_dir("retention-period");
    let notice = generated(Layout::WardPerPage, 41, false);
    let poll = notice
        .election_date
        .clone()
        .expect("layout prints its poll");
    let file = write(&dir, "sopn", &notice);

    let within = scan(&file, Some(&days_after(&poll, 21)));
    assert_eq!(document(&within)["election_date"], poll.as_str());
    assert!(
        document(&within)["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .any(|c| c["address_status"] == "published")
    );
    assert_eq!(retention(&within), Vec::<&serde_json::Value>::new());

    let past = scan(&file, Some(&days_after(&poll, 22)));
    let found = retention(&past);
    assert_eq!(found.len(), 1, "{found:?}");
    let finding = found[0];
    assert_eq!(finding["severity"], "low");
    assert_eq!(finding["candidate"], serde_json::Value::Null);
    let evidence = finding["evidence"].as_str().expect("evidence");
    assert!(evidence.contains(&format!("poll {poll}")), "{evidence}");
    assert!(evidence.contains("22 days later"), "{evidence}");
    assert!(evidence.contains("21 days"), "{evidence}");
    // The evidence quotes no candidate's address.
    for (_, candidate) in notice.candidates() {
        if let Home::Published(address) = &candidate.home {
            assert!(!evidence.contains(&address.postcode), "{evidence}");
            assert!(!evidence.contains(&address.lines[0]), "{evidence}");
        }
    }
    // The same notice seen on another day is the same finding.
    let later = scan(&file, Some(&days_after(&poll, 400)));
    assert_eq!(retention(&later)[0]["id"], finding["id"]);
    assert!(
        retention(&later)[0]["evidence"]
            .as_str()
            .is_some_and(|e| e.contains("400 days later"))
    );
    // Low: the default `--fail-on high` still passes it.
    let status = sopncheck(&[
        "scan",
        file.to_str().expect("UTF-8 path"),
        "--quiet",
        "--as-of",
        &days_after(&poll, 22),
        "--fail-on",
        "low",
    ])
    .status;
    assert_eq!(status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_notice_printing_only_names_is_info() {
    let dir = temp_dir("retention-names");
    let notice = generated(Layout::SplitNames, 42, true);
    let poll = notice
        .election_date
        .clone()
        .expect("layout prints its poll");
    let file = write(&dir, "names", &notice);
    let report = scan(&file, Some(&days_after(&poll, 30)));
    let candidates = document(&report)["candidates"]
        .as_array()
        .expect("candidates");
    assert!(!candidates.is_empty());
    assert!(candidates.iter().all(|c| c["address_status"] == "withheld"));
    let found = retention(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["severity"], "info");
    let evidence = found[0]["evidence"].as_str().expect("evidence");
    assert!(evidence.contains("no home address"), "{evidence}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_finding_where_a_date_is_missing() {
    let dir = temp_dir("retention-missing");
    // A notice that prints no poll date: the day it is seen is no help.
    let undated = generated(Layout::Table, 43, false);
    assert_eq!(undated.election_date, None);
    let file = write(&dir, "undated", &undated);
    let report = scan(&file, Some("2030-01-01"));
    assert_eq!(document(&report)["election_date"], serde_json::Value::Null);
    assert_eq!(retention(&report), Vec::<&serde_json::Value>::new());

    // A dated notice scanned without `--as-of`: the day it was online is
    // not known, so it is not guessed.
    let dated = generated(Layout::WardPerPage, 44, false);
    let file = write(&dir, "dated", &dated);
    let report = scan(&file, None);
    assert!(document(&report)["election_date"].is_string());
    assert_eq!(retention(&report), Vec::<&serde_json::Value>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_as_of_date_is_a_usage_error() {
    let dir = temp_dir("retention-usage");
    let file = write(&dir, "sopn", &generated(Layout::WardPerPage, 45, false));
    for bad in ["2026-02-30", "7 May 2026", "2026-5"] {
        let output = sopncheck(&["scan", file.to_str().expect("UTF-8 path"), "--as-of", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--as-of"), "{bad}: {stderr}");
        assert!(stderr.contains("YYYY-MM-DD"), "{bad}: {stderr}");
        assert!(output.stdout.is_empty(), "{bad}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_consent_never_covers_it_and_an_accepted_id_does() {
    let dir = temp_dir("retention-allow");
    let notice = generated(Layout::WardPerPage, 46, false);
    let poll = notice
        .election_date
        .clone()
        .expect("layout prints its poll");
    let file = write(&dir, "sopn", &notice);
    let as_of = days_after(&poll, 60);
    let report = scan(&file, Some(&as_of));
    let finding = retention(&report)[0].clone();
    let id = finding["id"].as_str().expect("id");
    let council = report["councils"][0]["code"].as_str().expect("code");
    let consents: String = document(&report)["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| {
            format!(
                "[[consent]]\ncouncil = {}\ncandidate = {}\n",
                toml_string(council),
                toml_string(c["name"].as_str().expect("name"))
            )
        })
        .collect();
    let allowed = |text: &str| {
        let allow = dir.join("allow.toml");
        std::fs::write(&allow, text).expect("write allow file");
        let output = sopncheck(&[
            "scan",
            file.to_str().expect("UTF-8 path"),
            "--quiet",
            "--as-of",
            &as_of,
            "--allow",
            allow.to_str().expect("UTF-8 path"),
        ]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        retention(&report)[0]["suppressed"].clone()
    };
    assert_eq!(allowed(&consents), false);
    let accepted = format!("[[accepted]]\nid = \"{id}\"\nreason = \"takedown requested\"\n");
    assert_eq!(allowed(&accepted), true);
    let _ = std::fs::remove_dir_all(&dir);
}

fn toml_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}
