//! Scripted use of the built binary gets the basics right (issue 12,
//! point 6): missing paths and empty scans are usage errors, folder files
//! are recognised by content, `--council` is checked against the registry
//! on every command, allow-file entries that match nothing are warned of,
//! and `--help` documents the inputs and defaults.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sopncheck::synth::fixtures;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sopncheck-basics-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn sopncheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .args(args)
        .output()
        .expect("run sopncheck")
}

fn utf8(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The bytes of the named synthetic fixture PDF.
fn fixture_pdf(name: &str) -> Vec<u8> {
    fixtures()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no fixture {name}"))
        .bytes
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("json report ({e}): {}", stderr(output)))
}

fn documents(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["councils"]
        .as_array()
        .expect("councils")
        .iter()
        .flat_map(|c| c["documents"].as_array().expect("documents"))
        .collect()
}

#[test]
fn a_path_that_does_not_exist_is_a_usage_error() {
    let dir = temp_dir("missing");
    std::fs::write(dir.join("notice.pdf"), fixture_pdf("type1-winansi")).expect("write");
    let missing = dir.join("no-such-notice.pdf");
    let output = sopncheck(&["scan", utf8(&dir), utf8(&missing), "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "no report for a usage error");
    let message = stderr(&output);
    assert!(
        message.contains("no-such-notice.pdf") && message.contains("no such file"),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_scan_that_finds_no_document_says_so() {
    let dir = temp_dir("nothing");
    std::fs::write(dir.join("budget.csv"), "band,amount\nA,1000\n").expect("write");
    std::fs::write(dir.join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
    let output = sopncheck(&["scan", utf8(&dir), "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert!(message.contains("no document to scan"), "{message}");
    assert!(message.contains("2 files skipped"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn folder_files_are_recognised_by_content_and_skipped_ones_counted() {
    let dir = temp_dir("content");
    // A PDF saved under the name of the page that served it.
    std::fs::write(dir.join("download.aspx"), fixture_pdf("type1-winansi")).expect("write");
    std::fs::write(
        dir.join("notes.bin"),
        b"minutes of the meeting, not a notice",
    )
    .expect("write");
    let output = sopncheck(&["scan", utf8(&dir), "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    let documents = documents(&report);
    assert_eq!(documents.len(), 1, "{documents:?}");
    assert!(
        documents[0]["source"]
            .as_str()
            .expect("source")
            .ends_with("download.aspx")
    );
    assert!(
        !documents[0]["candidates"]
            .as_array()
            .expect("candidates")
            .is_empty()
    );
    let message = stderr(&output);
    assert!(
        message.contains("scanned 1 documents") && message.contains("1 file skipped"),
        "{message}"
    );
    assert!(message.contains("notes.bin"), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn council_is_checked_against_the_registry_on_every_command() {
    let dir = temp_dir("council");
    let notice = dir.join("notice.pdf");
    std::fs::write(&notice, fixture_pdf("type1-winansi")).expect("write");
    // Any case is the registry's code.
    let output = sopncheck(&[
        "scan",
        utf8(&notice),
        "--council",
        "hck",
        "--fail-on",
        "never",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json(&output)["councils"][0]["code"], "HCK");
    // A code the registry lacks is refused by every command, with the
    // closest codes, before any work (no network for crawl or audit).
    let out = dir.join("out");
    let scanned = sopncheck(&["scan", utf8(&notice), "--quiet", "--out", utf8(&out)]);
    assert_eq!(scanned.status.code(), Some(0), "{}", stderr(&scanned));
    let report = out.join("report.json");
    let commands: [Vec<&str>; 4] = [
        vec!["scan", utf8(&notice)],
        vec!["crawl"],
        vec!["audit"],
        vec!["report", utf8(&report)],
    ];
    for command in commands {
        let mut args = command.clone();
        args.extend(["--council", "HKC"]);
        let output = sopncheck(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{command:?}: {}",
            stderr(&output)
        );
        let message = stderr(&output);
        assert!(
            message.contains("\"HKC\"") && message.contains("HCK (London Borough of Hackney)"),
            "{command:?}: {message}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_council_code_contradicting_the_document_is_a_warning() {
    let dir = temp_dir("contradiction");
    let notice = dir.join("notice.txt");
    std::fs::write(
        &notice,
        "London Borough of Hackney\nStatement of Persons Nominated\n\
         Election of a Councillor for Example Ward\n",
    )
    .expect("write");
    let output = sopncheck(&[
        "scan",
        utf8(&notice),
        "--council",
        "yor",
        "--fail-on",
        "never",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json(&output)["councils"][0]["code"], "YOR");
    let message = stderr(&output);
    assert!(
        message.contains("warning") && message.contains("(HCK), not --council YOR"),
        "{message}"
    );
    // The council it names: no warning.
    let output = sopncheck(&[
        "scan",
        utf8(&notice),
        "--council",
        "HCK",
        "--fail-on",
        "never",
    ]);
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_demo_council_selects_one_council() {
    let output = sopncheck(&[
        "audit",
        "--demo",
        "--council",
        "nby",
        "--fail-on",
        "never",
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    let codes: Vec<&str> = report["councils"]
        .as_array()
        .expect("councils")
        .iter()
        .map(|c| c["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["NBY"]);
    assert!(!documents(&report).is_empty());
    let unknown = sopncheck(&["audit", "--demo", "--council", "HCK", "--quiet"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
    assert!(stderr(&unknown).contains("NBY"), "{}", stderr(&unknown));
}

#[test]
fn allow_entries_that_match_nothing_are_warnings_and_names_ignore_punctuation() {
    let dir = temp_dir("allow");
    let notice = dir.join("notice.pdf");
    std::fs::write(&notice, fixture_pdf("type1-winansi")).expect("write");
    let plain = sopncheck(&[
        "scan",
        utf8(&notice),
        "--council",
        "HCK",
        "--fail-on",
        "never",
    ]);
    let report = json(&plain);
    let published = documents(&report)[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "published-home-address")
        .expect("a published address")
        .clone();
    let name = published["candidate"].as_str().expect("candidate");
    let id = published["id"].as_str().expect("id");
    let (surname, forenames) = name.split_once(' ').expect("surname and forenames");
    let allow = dir.join("allow.toml");
    std::fs::write(
        &allow,
        format!(
            "[[consent]]\ncouncil = \"HCK\"\ncandidate = \"{surname}, {forenames}\"\n\n\
             [[consent]]\ncouncil = \"HCK\"\ncandidate = \"{surname}X {forenames}\"\n\n\
             [[accepted]]\nid = \"{}\"\nreason = \"a truncated copy\"\n",
            &id[..id.len() - 2]
        ),
    )
    .expect("write");
    let output = sopncheck(&[
        "scan",
        utf8(&notice),
        "--council",
        "HCK",
        "--fail-on",
        "never",
        "--allow",
        utf8(&allow),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = json(&output);
    let finding = documents(&report)[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["id"] == id)
        .expect("the finding")
        .clone();
    assert_eq!(finding["suppressed"], true, "{finding}");
    let message = stderr(&output);
    let warnings: Vec<&str> = message.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 2, "{message}");
    assert!(
        warnings[0].contains("allow.toml:5")
            && warnings[0].contains(&format!("closest candidate: \"{name}\"")),
        "{message}"
    );
    assert!(
        warnings[1].contains("allow.toml:9") && warnings[1].contains(&format!("closest id: {id}")),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readme_example_ids_have_the_real_length() {
    let dir = temp_dir("ids");
    let notice = dir.join("notice.pdf");
    std::fs::write(&notice, fixture_pdf("type1-winansi")).expect("write");
    let report = json(&sopncheck(&["scan", utf8(&notice), "--fail-on", "never"]));
    let id = documents(&report)[0]["findings"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let examples: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.trim().strip_prefix("id = \""))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(!examples.is_empty());
    for example in examples {
        assert_eq!(example.len(), id.len(), "README id {example} against {id}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_lists_the_inputs_and_defaults() {
    let scan = String::from_utf8_lossy(&sopncheck(&["scan", "--help"]).stdout).into_owned();
    for needle in ["Word", "text", "[default: high]"] {
        assert!(scan.contains(needle), "scan --help lacks {needle}: {scan}");
    }
    let crawl = String::from_utf8_lossy(&sopncheck(&["crawl", "--help"]).stdout).into_owned();
    assert!(crawl.contains("sopncheck-store"), "{crawl}");
    let gitignore = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.gitignore"))
        .expect(".gitignore");
    assert!(gitignore.lines().any(|l| l.trim() == "/sopncheck-store"));
}

/// Runs the binary with standard output on a pseudo-terminal (util-linux
/// `script`), returning what the terminal showed and the exit status.
fn on_terminal(args: &[&str]) -> (String, Option<i32>) {
    let command: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_sopncheck"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect();
    let output = Command::new("script")
        .args(["-qec", &command.join(" "), "/dev/null"])
        .output()
        .expect("run script");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code(),
    )
}

#[test]
fn on_a_terminal_scan_prints_the_summary_not_the_json() {
    let dir = temp_dir("terminal");
    let notice = dir.join("notice.pdf");
    std::fs::write(&notice, fixture_pdf("covered-address")).expect("write");
    let (shown, status) = on_terminal(&["scan", utf8(&notice), "--quiet"]);
    assert_eq!(status, Some(1), "{shown}");
    assert!(!shown.contains("\"schema\""), "{shown}");
    assert!(shown.contains("1 document"), "{shown}");
    assert!(
        shown.contains("high finding") && shown.contains("at or above --fail-on high: exit 1"),
        "{shown}"
    );
    let (shown, status) = on_terminal(&["scan", utf8(&notice), "--quiet", "--fail-on", "never"]);
    assert_eq!(status, Some(0), "{shown}");
    assert!(shown.contains("--fail-on never: exit 0"), "{shown}");
    // Asked for, the JSON still goes to the terminal.
    let (shown, _) = on_terminal(&["scan", utf8(&notice), "--quiet", "--format", "json"]);
    assert!(shown.contains("\"schema\""), "{shown}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_says_how_to_resume_and_exits_130() {
    use std::io::Read;
    // A site that accepts the connection and never answers: the crawl is
    // surely running (its handler installed) once the request arrives.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let seed = format!("http://{}/elections", listener.local_addr().expect("addr"));
    let dir = temp_dir("interrupt");
    let store = dir.join("store");
    let child = Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .args(["crawl", "--seed", &seed, "--council", "HCK", "--quiet"])
        .args(["--store", utf8(&store)])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let (mut connection, _) = listener.accept().expect("the crawler connects");
    let mut request = [0u8; 16];
    let _ = connection.read(&mut request).expect("a request");
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("interrupted; run the same command again to resume"),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn crawl_progress_off_a_terminal_is_a_line_per_council_and_v_adds_requests() {
    let output = sopncheck(&["audit", "--demo", "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = stderr(&output);
    for code in ["NBY", "LVD", "CSM", "SLT"] {
        let lines = log
            .lines()
            .filter(|l| l.starts_with(&format!("sopncheck: crawled {code}: ")))
            .count();
        assert_eq!(lines, 1, "{code}: {log}");
    }
    assert!(!log.contains(" page 200 "), "{log}");
    let verbose = sopncheck(&["audit", "--demo", "--fail-on", "never", "-v"]);
    assert!(
        stderr(&verbose).contains(" page 200 "),
        "{}",
        stderr(&verbose)
    );
}
