//! `sopncheck scan` end to end, through the built binary, on the generated
//! fixtures written to disk: masking of every output, bad files in a
//! folder, exit statuses by `--fail-on`, standard input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sopncheck::synth::fixtures;
use sopncheck::synth::notice::Home;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sopncheck-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes every fixture PDF into `dir`.
fn write_fixtures(dir: &Path) {
    for fixture in fixtures() {
        std::fs::write(dir.join(format!("{}.pdf", fixture.name)), &fixture.bytes)
            .expect("write fixture");
    }
}

/// The named synthetic fixture.
fn fixture(name: &str) -> sopncheck::synth::Fixture {
    fixtures()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

fn sopncheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .args(args)
        .output()
        .expect("run sopncheck")
}

/// Every printed (not withheld) address's identifying parts: the full
/// postcode, the first line (house number or name with street), and the
/// street line.
fn address_parts() -> Vec<String> {
    let mut parts = Vec::new();
    for fixture in fixtures() {
        for (_, candidate) in fixture.notice.candidates() {
            if let Home::Published(address) = &candidate.home {
                parts.push(address.postcode.clone());
                parts.extend(address.lines.iter().take(2).cloned());
            }
        }
    }
    parts.sort();
    parts.dedup();
    parts
}

/// Everything the run wrote: stdout, stderr and every file under `out`.
fn all_output(output: &Output, out: &Path) -> String {
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    for entry in std::fs::read_dir(out).expect("out dir").flatten() {
        text.push_str(&String::from_utf8_lossy(
            &std::fs::read(entry.path()).expect("read output"),
        ));
    }
    text
}

const EVERY_FORMAT: [&str; 10] = [
    "--format", "json", "--format", "csv", "--format", "markdown", "--format", "html", "--format",
    "sarif",
];

/// `scan INPUT --fail-on never --out OUT` in every format.
fn scan_every_format<'a>(input: &'a str, out: &'a Path) -> Vec<&'a str> {
    let mut args = vec![
        "scan",
        input,
        "--fail-on",
        "never",
        "--out",
        out.to_str().expect("utf-8"),
    ];
    args.extend(EVERY_FORMAT);
    args
}

/// The rule of each finding of one document of a JSON report.
/// Every document of a JSON report, council after council.
fn documents(report: &serde_json::Value) -> Vec<&serde_json::Value> {
    report["councils"]
        .as_array()
        .expect("councils")
        .iter()
        .flat_map(|c| c["documents"].as_array().expect("documents"))
        .collect()
}

fn finding_rules(document: &serde_json::Value) -> Vec<&str> {
    document["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect()
}

#[test]
fn no_address_appears_in_any_output_unless_asked() {
    let dir = temp_dir("privacy");
    let notices = dir.join("notices");
    std::fs::create_dir_all(&notices).expect("notices dir");
    write_fixtures(&notices);
    let parts = address_parts();
    assert!(
        parts.len() > 50,
        "too few addresses to test: {}",
        parts.len()
    );

    let masked_out = dir.join("masked");
    let mut args = vec!["scan", notices.to_str().expect("utf-8 path"), "--out"];
    args.push(masked_out.to_str().expect("utf-8 path"));
    args.extend(EVERY_FORMAT);
    let masked = sopncheck(&args);
    assert_eq!(masked.status.code(), Some(1), "findings fail by default");
    let text = all_output(&masked, &masked_out);
    for name in [
        "report.json",
        "findings.csv",
        "candidates.csv",
        "report.md",
        "report.html",
        "report.sarif",
    ] {
        assert!(masked_out.join(name).is_file(), "{name} not written");
    }
    let leaked: Vec<&String> = parts.iter().filter(|p| text.contains(p.as_str())).collect();
    assert!(leaked.is_empty(), "masked output shows {leaked:?}");

    // Also stdout-only runs, one format each.
    for format in ["json", "csv", "markdown", "html", "sarif"] {
        let output = sopncheck(&["scan", notices.to_str().expect("utf-8"), "--format", format]);
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        assert!(!text.is_empty(), "{format}: nothing written");
        let leaked: Vec<&String> = parts.iter().filter(|p| text.contains(p.as_str())).collect();
        assert!(leaked.is_empty(), "{format} on stdout shows {leaked:?}");
    }

    let shown_out = dir.join("shown");
    let mut args = vec![
        "scan",
        notices.to_str().expect("utf-8"),
        "--show-addresses",
        "--out",
    ];
    args.push(shown_out.to_str().expect("utf-8"));
    args.extend(EVERY_FORMAT);
    let shown = sopncheck(&args);
    let text = all_output(&shown, &shown_out);
    // Every published postcode that a finding is about shows in full.
    let json = std::fs::read_to_string(shown_out.join("report.json")).expect("report.json");
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let mut postcodes = 0;
    for council in report["councils"].as_array().expect("councils") {
        for document in council["documents"].as_array().expect("documents") {
            for finding in document["findings"].as_array().expect("findings") {
                if let Some(postcode) = finding["postcode"].as_str() {
                    assert!(
                        postcode.contains(' '),
                        "unmasked postcode is full: {postcode}"
                    );
                    assert!(text.contains(postcode));
                    postcodes += 1;
                }
            }
        }
    }
    assert!(postcodes > 20, "only {postcodes} postcodes shown");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_files_are_reported_and_the_rest_scanned() {
    let dir = temp_dir("bad-files");
    let fixture = fixture("type1-winansi");
    std::fs::write(dir.join("good.pdf"), &fixture.bytes).expect("write");
    std::fs::write(
        dir.join("truncated.pdf"),
        &fixture.bytes[..fixture.bytes.len() / 3],
    )
    .expect("write");
    std::fs::write(dir.join("not-a-pdf.pdf"), b"Council tax bands for 2026\n").expect("write");
    std::fs::write(dir.join("empty.pdf"), b"").expect("write");
    let output = sopncheck(&["scan", dir.to_str().expect("utf-8"), "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(0), "--fail-on never");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json report");
    let documents = documents(&report);
    assert_eq!(documents.len(), 4);
    for document in &documents {
        let source = document["source"].as_str().expect("source");
        let error = &document["error"];
        if source.ends_with("good.pdf") {
            assert!(error.is_null(), "good.pdf: {error}");
            assert!(
                !document["candidates"]
                    .as_array()
                    .expect("candidates")
                    .is_empty()
            );
        } else {
            // Truncated files may still be readable by xref reconstruction;
            // then they must not claim to be clean without text.
            let rules = finding_rules(document);
            if !error.is_null() || document["text_layer"] == false {
                assert!(rules.contains(&"unscannable"), "{source}: {rules:?}");
            }
        }
    }
    // The default threshold (high) fails on the unscannable files.
    let output = sopncheck(&["scan", dir.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exit_status_follows_fail_on() {
    let dir = temp_dir("fail-on");
    let published = fixture("type1-winansi");
    let covered = fixture("covered-address");
    let medium_only = dir.join("published.pdf");
    let with_high = dir.join("covered.pdf");
    std::fs::write(&medium_only, &published.bytes).expect("write");
    std::fs::write(&with_high, &covered.bytes).expect("write");
    // A notice whose candidates could not be read (`unparsed-notice`,
    // high) and one whose only finding is a postcode nobody's
    // (`unattributed-address`, medium): never clean.
    let unparsed = dir.join("unparsed.pdf");
    let unattributed = dir.join("unattributed.pdf");
    std::fs::write(&unparsed, fixture("running-text").bytes).expect("write");
    std::fs::write(&unattributed, fixture("stray-postcode").bytes).expect("write");
    let missing = dir.join("missing.pdf");
    // (file, --fail-on, expected exit status)
    let table: [(&Path, &str, i32); 13] = [
        (&unparsed, "high", 1),
        (&unparsed, "never", 0),
        (&unattributed, "high", 0),
        (&unattributed, "medium", 1),
        (&medium_only, "high", 0),
        (&medium_only, "medium", 1),
        (&medium_only, "low", 1),
        (&medium_only, "never", 0),
        (&with_high, "high", 1),
        (&with_high, "never", 0),
        (&missing, "high", 2),
        (&missing, "never", 2),
        (&with_high, "bogus", 2),
    ];
    for (file, fail_on, expected) in table {
        let output = sopncheck(&[
            "scan",
            file.to_str().expect("utf-8"),
            "--fail-on",
            fail_on,
            "--quiet",
        ]);
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{} --fail-on {fail_on}: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn standard_input_is_one_document() {
    let fixture = fixture("covered-address");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .args(["scan", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(&fixture.bytes).expect("write stdin");
    }
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let document = &report["councils"][0]["documents"][0];
    assert_eq!(document["source"], "-");
    let rules = finding_rules(document);
    assert!(rules.contains(&"hidden-text-address"), "{rules:?}");
}

#[test]
fn a_broken_rule_file_is_refused_with_its_line() {
    let dir = temp_dir("rules");
    std::fs::write(dir.join("kinds.toml"), "head_rows = 10\nkind = [\n").expect("write");
    let output = sopncheck(&["scan", "-", "--rules", dir.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("kinds.toml:2:"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_re_renders_a_json_report() {
    let dir = temp_dir("report");
    write_fixtures(&dir);
    let json = dir.join("out");
    let scanned = sopncheck(&[
        "scan",
        dir.to_str().expect("utf-8"),
        "--quiet",
        "--out",
        json.to_str().expect("utf-8"),
    ]);
    assert_eq!(scanned.status.code(), Some(1));
    let report = json.join("report.json");
    let rendered = sopncheck(&[
        "report",
        report.to_str().expect("utf-8"),
        "--format",
        "markdown",
        "--fail-on",
        "never",
    ]);
    assert_eq!(rendered.status.code(), Some(0));
    let markdown = String::from_utf8_lossy(&rendered.stdout);
    assert!(markdown.contains("hidden-text-address"), "{markdown}");
    // Re-rendering keeps the exit status contract.
    let failing = sopncheck(&["report", report.to_str().expect("utf-8"), "--quiet"]);
    assert_eq!(failing.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Word SoPN: a table whose second candidate's address is hidden text.
fn word_notice() -> Vec<u8> {
    use std::io::Write;
    let row = |cells: &[&str]| {
        let cells: String = cells
            .iter()
            .map(|c| format!("<w:tc><w:p>{c}</w:p></w:tc>"))
            .collect();
        format!("<w:tr>{cells}</w:tr>")
    };
    let run = |text: &str| format!("<w:r><w:t>{text}</w:t></w:r>");
    let hidden = |text: &str| format!("<w:r><w:rPr><w:vanish/></w:rPr><w:t>{text}</w:t></w:r>");
    let body = format!(
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>\
         <w:p>{}</w:p><w:p>{}</w:p><w:tbl>{}{}{}</w:tbl></w:body></w:document>",
        run("STATEMENT OF PERSONS NOMINATED"),
        run("Election of a Borough Councillor for Appleford Ward"),
        row(&[
            &run("Name of candidate"),
            &run("Home address"),
            &run("Description (if any)")
        ]),
        row(&[
            &run("QUILLAN Tobias"),
            &run("14 Quenby Road, Northbury, NB4 7QT"),
            &run("Independent"),
        ]),
        row(&[
            &run("VARNEY Siân"),
            &format!(
                "{}{}",
                run("(address in Saltmarsh)"),
                hidden(" 3 Orchard Row, Saltmarsh, SQ2 1AB")
            ),
            &run("Green Party"),
        ]),
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("start");
    zip.write_all(body.as_bytes()).expect("write");
    zip.finish().expect("finish").into_inner()
}

#[test]
fn word_notices_are_scanned_hidden_text_included() {
    let dir = temp_dir("docx");
    let path = dir.join("sopn.docx");
    std::fs::write(&path, word_notice()).expect("write");
    let output = sopncheck(&["scan", dir.to_str().expect("utf-8"), "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let document = &report["councils"][0]["documents"][0];
    assert!(document["error"].is_null(), "{}", document["error"]);
    let statuses: Vec<(&str, &str)> = document["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or(""),
                c["address_status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [("QUILLAN Tobias", "published"), ("VARNEY Siân", "withheld")]
    );
    let mut rules = finding_rules(document);
    rules.sort();
    assert_eq!(rules, ["hidden-text-address", "published-home-address"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_notice_without_a_readable_date_says_so() {
    let dir = temp_dir("undated");
    for name in ["undated-notice", "poll-date-without-year"] {
        std::fs::write(dir.join(format!("{name}.pdf")), fixture(name).bytes).expect("write");
    }
    let output = sopncheck(&[
        "scan",
        dir.to_str().expect("utf-8"),
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let documents = documents(&report);
    let document = |name: &str| {
        *documents
            .iter()
            .find(|d| {
                d["source"]
                    .as_str()
                    .is_some_and(|s| s.ends_with(&format!("{name}.pdf")))
            })
            .unwrap_or_else(|| panic!("no document {name}"))
    };

    let undated = document("undated-notice");
    assert_eq!(undated["election_date"], serde_json::Value::Null);
    let reason = undated["election_date_reason"].as_str().expect("a reason");
    assert!(reason.contains("without a year"), "{reason}");
    assert_eq!(undated["election_type"], "local");
    assert_eq!(undated["election_type_reason"], serde_json::Value::Null);
    assert_eq!(
        undated["withholding_rule"]["applied"],
        serde_json::Value::Null
    );
    let published: Vec<&serde_json::Value> = undated["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "published-home-address")
        .collect();
    assert!(!published.is_empty(), "{undated}");
    for finding in published {
        let message = finding["message"].as_str().expect("message");
        assert!(
            message.contains("could not be established") && message.contains("without a year"),
            "{message}"
        );
    }

    // The same notice with a dated line: the poll date takes its year, and
    // the rule is established.
    let dated = document("poll-date-without-year");
    assert_eq!(dated["election_date"], "2026-05-07");
    assert_eq!(dated["election_date_reason"], serde_json::Value::Null);
    assert_eq!(dated["withholding_rule"]["applied"], true);
    for finding in dated["findings"].as_array().expect("findings") {
        let message = finding["message"].as_str().expect("message");
        assert!(!message.contains("could not be established"), "{message}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A generated SoPN whose first candidate's address is printed less than
/// one em after the name, so the two merge into one cell, and whose
/// second candidate's withheld area holds a full postcode.
fn merged_name_and_address_pdf() -> Vec<u8> {
    use sopncheck::synth::pdf::{self, FontKind, Page, Spec, text_width};
    let mut page = Page::new();
    page.text(150.0, 800.0, 14.0, "STATEMENT OF PERSONS NOMINATED");
    page.text(200.0, 782.0, 12.0, "Borough of Northbury");
    page.text(
        40.0,
        764.0,
        11.0,
        "Election of a Borough Councillor for Kestrel Ward",
    );
    page.text(40.0, 748.0, 10.0, "on Thursday 7 May 2026");
    let header = 720.0;
    for (x, text) in [
        (40.0, "Name of candidate"),
        (230.0, "Home address"),
        (420.0, "Description (if any)"),
    ] {
        page.text(x, header, 10.0, text);
    }
    let name = "QUENBY Tobias";
    // Half an em after the name: one cell to the extractor.
    let address_x = 40.0 + text_width(name, 10.0) + 5.0;
    page.text(40.0, 700.0, 10.0, name);
    page.text(
        address_x,
        700.0,
        10.0,
        "14 Quillon Terrace, Northbury, NB4 7QT",
    );
    page.text(420.0, 700.0, 10.0, "Independent");
    page.text(40.0, 680.0, 10.0, "VARNEY Siân");
    page.text(230.0, 680.0, 10.0, "(address in NB4 7RQ)");
    page.text(420.0, 680.0, 10.0, "Green Party");
    page.text(
        40.0,
        640.0,
        9.0,
        "Printed and published by the Returning Officer, Town Hall, Northbury",
    );
    pdf::write(&Spec::new(FontKind::Type1WinAnsi), &[page])
}

#[test]
fn a_name_that_swallowed_its_address_and_an_area_with_a_postcode_are_masked() {
    let dir = temp_dir("merged-cells");
    let notices = dir.join("notices");
    std::fs::create_dir_all(&notices).expect("notices dir");
    std::fs::write(notices.join("merged.pdf"), merged_name_and_address_pdf()).expect("write");
    let out = dir.join("out");
    let args = scan_every_format(notices.to_str().expect("utf-8"), &out);
    let output = sopncheck(&args);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = all_output(&output, &out);
    for secret in ["NB4 7QT", "NB4 7RQ", "14 Quillon", "Quillon Terrace"] {
        assert!(
            !text.contains(secret),
            "masked output shows {secret:?}:\n{text}"
        );
    }
    // Also each format alone on standard output, and the same with
    // --show-addresses printing them.
    for format in ["json", "csv", "html"] {
        let output = sopncheck(&["scan", notices.to_str().expect("utf-8"), "--format", format]);
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        for secret in ["NB4 7QT", "NB4 7RQ", "14 Quillon"] {
            assert!(!text.contains(secret), "{format} shows {secret:?}:\n{text}");
        }
    }
    let shown = sopncheck(&["scan", notices.to_str().expect("utf-8"), "--show-addresses"]);
    let report: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("json");
    let candidates = &report["councils"][0]["documents"][0]["candidates"];
    // The address ran on in the name's cell: the reader parts them at
    // the house number, so the address is read as published.
    assert_eq!(candidates[0]["name"], "QUENBY Tobias", "{report}");
    assert_eq!(candidates[0]["address_status"], "published", "{report}");
    assert_eq!(
        candidates[0]["address"], "14 Quillon Terrace, Northbury, NB4 7QT",
        "{report}"
    );
    assert_eq!(candidates[1]["withheld_area"], "NB4 7RQ", "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A candidate's name holding an OSC 8 hyperlink, a screen clear, a C1
/// CSI, a carriage return and a SARIF link.
const HOSTILE_NAME: &str =
    "EVANS \u{1b}]8;;https://e.test\u{7}Jo\u{1b}]8;;\u{7}\u{1b}[2J\u{9b}0m\r[pwn](https://e.test)";

/// A generated SoPN whose candidate is [`HOSTILE_NAME`].
fn control_character_pdf() -> Vec<u8> {
    use sopncheck::synth::pdf::{self, FontKind, Page, Spec, text_width};
    let mut page = Page::new();
    page.text(150.0, 800.0, 14.0, "STATEMENT OF PERSONS NOMINATED");
    page.text(
        40.0,
        764.0,
        11.0,
        "Election of a Borough Councillor for Kestrel Ward",
    );
    // Columns well clear of the long name.
    let address_x = 40.0 + text_width(HOSTILE_NAME, 10.0) + 30.0;
    let description_x = address_x + 110.0;
    for (x, text) in [
        (40.0, "Name of candidate"),
        (address_x, "Home address"),
        (description_x, "Description (if any)"),
    ] {
        page.text(x, 720.0, 10.0, text);
    }
    page.text(40.0, 700.0, 10.0, HOSTILE_NAME);
    page.text(address_x, 700.0, 10.0, "14 Quillon Terrace");
    page.text(address_x, 688.0, 10.0, "Northbury NB4 7QT");
    page.text(description_x, 700.0, 10.0, "Independent");
    pdf::write(&Spec::new(FontKind::TrueTypeToUnicode), &[page])
}

/// The control characters in `text` that no output may carry raw: every
/// C0 (a CR only as CSV's CRLF), DEL and C1.
fn raw_controls(text: &str) -> Vec<char> {
    let mut found = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let line_end = c == '\r' && chars.peek() == Some(&'\n');
        if c.is_control() && !matches!(c, '\n' | '\t') && !line_end {
            found.push(c);
        }
    }
    found
}

#[test]
fn control_characters_from_documents_never_reach_any_output() {
    let dir = temp_dir("controls");
    let notices = dir.join("notices");
    std::fs::create_dir_all(&notices).expect("notices dir");
    // The file name carries an escape sequence too.
    let file = notices.join("sopn\u{1b}]0;owned\u{7}.pdf");
    std::fs::write(&file, control_character_pdf()).expect("write");
    let notices = notices.to_str().expect("utf-8");

    let out = dir.join("out");
    let args = scan_every_format(notices, &out);
    let output = sopncheck(&args);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    // JSON keeps the name as printed, its escapes JSON's own.
    let json = std::fs::read_to_string(out.join("report.json")).expect("report.json");
    assert!(
        json.contains("EVANS \\u001b]8;;https://e.test\\u0007Jo"),
        "{json}"
    );
    assert!(json.contains("\\u001b[2J\\u009b0m"), "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let name = report["councils"][0]["documents"][0]["candidates"][0]["name"]
        .as_str()
        .unwrap_or_default();
    // The carriage return is white space to the extractor.
    assert_eq!(name, HOSTILE_NAME.replace('\r', " "), "{json}");
    // The text formats show the escapes.
    let csv = std::fs::read_to_string(out.join("candidates.csv")).expect("candidates.csv");
    assert!(
        csv.contains("EVANS \\u{1b}]8;;https://e.test\\u{7}Jo"),
        "{csv}"
    );
    let mut outputs = vec![("scan --out".to_owned(), all_output(&output, &out))];
    for format in ["csv", "markdown", "html", "sarif", "json"] {
        let output = sopncheck(&["scan", notices, "--format", format, "--fail-on", "never"]);
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        outputs.push((format!("scan --format {format}"), text));
        let report = sopncheck(&[
            "report",
            out.join("report.json").to_str().expect("utf-8"),
            "--format",
            format,
            "--fail-on",
            "never",
        ]);
        outputs.push((
            format!("report --format {format}"),
            String::from_utf8_lossy(&report.stdout).into_owned()
                + &String::from_utf8_lossy(&report.stderr),
        ));
    }
    for view in [&[][..], &["--rows"][..], &["--runs"][..]] {
        let mut args = vec!["extract", file.to_str().expect("utf-8")];
        args.extend(view);
        let output = sopncheck(&args);
        outputs.push((
            format!("extract {view:?}"),
            String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr),
        ));
    }
    // An error line names the file.
    let broken = dir.join("broken\u{1b}[31m.pdf");
    std::fs::write(&broken, b"%PDF-1.7\n\x00\xff garbage").expect("write");
    let output = sopncheck(&["extract", broken.to_str().expect("utf-8")]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(stderr.contains("broken\\u{1b}[31m.pdf"), "{stderr}");
    outputs.push(("extract error".into(), stderr));
    for (what, text) in &outputs {
        assert!(!text.is_empty(), "{what}: nothing written");
        let found = raw_controls(text);
        assert!(found.is_empty(), "{what} carries {found:?}:\n{text}");
    }
    // SARIF message text escapes the brackets of a would-be link.
    let sarif: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("report.sarif")).expect("report.sarif"),
    )
    .expect("sarif json");
    let messages: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["message"]["text"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("\\[pwn\\](https://e.test)")),
        "{messages:?}"
    );
    assert!(
        messages.iter().all(|m| !m.contains("[pwn]")),
        "{messages:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_report_written_with_addresses_is_masked_when_re_rendered() {
    let dir = temp_dir("re-render-mask");
    let notices = dir.join("notices");
    std::fs::create_dir_all(&notices).expect("notices dir");
    std::fs::write(notices.join("merged.pdf"), merged_name_and_address_pdf()).expect("write");
    let shown = dir.join("shown");
    let output = sopncheck(&[
        "scan",
        notices.to_str().expect("utf-8"),
        "--show-addresses",
        "--fail-on",
        "never",
        "--out",
        shown.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json = shown.join("report.json");
    for format in ["json", "csv", "markdown", "html", "sarif"] {
        let output = sopncheck(&[
            "report",
            json.to_str().expect("utf-8"),
            "--format",
            format,
            "--fail-on",
            "never",
        ]);
        let text = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        for secret in ["NB4 7QT", "NB4 7RQ", "14 Quillon", "Quillon Terrace"] {
            assert!(
                !text.contains(secret),
                "report {format} shows {secret:?}:\n{text}"
            );
        }
    }
    let output = sopncheck(&["report", json.to_str().expect("utf-8"), "--show-addresses"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("NB4 7QT"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_and_log_lines_never_quote_an_address() {
    let dir = temp_dir("error-mask");
    // A file of no known format whose first bytes are an address.
    let letter = dir.join("letter.pdf");
    std::fs::write(
        &letter,
        b"14 Quillon Terrace, Northbury NB4 7QT\nDear resident, \x00\x01",
    )
    .expect("write");
    // A report whose JSON quotes an address where the schema goes: the
    // error quotes the value.
    let bad_report = dir.join("report.json");
    std::fs::write(
        &bad_report,
        r#"{"schema": "14 Quillon Terrace NB4 7QT", "tool": {"name": "x", "version": "1"}, "addresses_shown": true, "councils": []}"#,
    )
    .expect("write");
    let runs = [
        sopncheck(&[
            "scan",
            letter.to_str().expect("utf-8"),
            "--fail-on",
            "never",
        ]),
        sopncheck(&[
            "scan",
            letter.to_str().expect("utf-8"),
            "--format",
            "csv",
            "--fail-on",
            "never",
        ]),
        sopncheck(&["extract", letter.to_str().expect("utf-8")]),
        sopncheck(&["report", bad_report.to_str().expect("utf-8")]),
    ];
    for output in &runs {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let text = String::from_utf8_lossy(&output.stdout).into_owned() + &stderr;
        for secret in ["NB4 7QT", "14 Quillon", "Quillon Terrace"] {
            assert!(!text.contains(secret), "shows {secret:?}:\n{text}");
        }
    }
    // The report names the file's failure.
    let report: serde_json::Value = serde_json::from_slice(&runs[0].stdout).expect("json");
    let error = report["councils"][0]["documents"][0]["error"]
        .as_str()
        .unwrap_or_default();
    assert!(
        error.contains("not a PDF, Word, HTML or text file"),
        "{error}"
    );
    let stderr = String::from_utf8_lossy(&runs[3].stderr);
    assert!(stderr.contains("report schema"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_report_names_the_rules_in_force_by_their_digest() {
    let dir = temp_dir("rules-digest");
    let notice = dir.join("covered.pdf");
    std::fs::write(&notice, fixture("covered-address").bytes).expect("write");
    let kinds = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/kinds.toml"))
        .expect("built-in kinds.toml");
    // A rule directory named like an address: the report masks its path.
    let same = dir.join("14 Quillon Terrace NB4 7QT");
    let changed = dir.join("changed");
    for (rules, text) in [
        (&same, kinds.clone()),
        (&changed, format!("{kinds}\n# changed\n")),
    ] {
        std::fs::create_dir_all(rules).expect("rules dir");
        std::fs::write(rules.join("kinds.toml"), text).expect("write");
    }
    let scan = |rules: Option<&Path>, out: &Path| {
        let mut args = scan_every_format(notice.to_str().expect("utf-8"), out);
        if let Some(rules) = rules {
            args.extend(["--rules", rules.to_str().expect("utf-8")]);
        }
        let output = sopncheck(&args);
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        let text = std::fs::read_to_string(out.join("report.json")).expect("report");
        let report: serde_json::Value = serde_json::from_str(&text).expect("json");
        (report["made"].clone(), all_output(&output, out))
    };
    let (builtin, builtin_output) = scan(None, &dir.join("out-builtin"));
    let (same_made, same_output) = scan(Some(&same), &dir.join("out-same"));
    let (changed_made, _) = scan(Some(&changed), &dir.join("out-changed"));

    assert_eq!(builtin["rules"], "built-in");
    let digest = builtin["rules_sha256"].as_str().expect("a digest");
    assert_eq!(digest.len(), 64, "{digest}");
    // The same texts from a directory are the same rules; other texts are not.
    assert_eq!(same_made["rules_sha256"], digest);
    assert_ne!(changed_made["rules_sha256"], digest);
    assert_ne!(same_made["rules"], "built-in");
    for secret in ["NB4 7QT", "14 Quillon", "Quillon Terrace"] {
        assert!(!same_output.contains(secret), "shows {secret:?}");
    }

    // Every text format states it.
    let out = dir.join("out-builtin");
    let read = |name: &str| std::fs::read_to_string(out.join(name)).expect(name);
    assert!(read("report.md").contains(&format!("- Rules SHA-256: {digest}")));
    assert!(read("report.html").contains(&format!("<li>Rules SHA-256: {digest}</li>")));
    let sarif: serde_json::Value = serde_json::from_str(&read("report.sarif")).expect("sarif");
    assert_eq!(sarif["runs"][0]["properties"]["rulesSha256"], digest);
    let sha256 = documents(&serde_json::from_str(&read("report.json")).expect("json"))[0]["sha256"]
        .as_str()
        .expect("sha256")
        .to_owned();
    assert!(
        read("report.html").contains(&format!("<small class=\"prov\">SHA-256 {sha256}</small>"))
    );
    let findings = read("findings.csv");
    let header = findings.lines().next().expect("header");
    assert!(header.ends_with(",sha256,fetched"), "{header}");
    let mut reader = csv::Reader::from_reader(findings.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(&row[row.len() - 2], sha256);
        assert_eq!(&row[row.len() - 1], "", "a local file was not fetched");
    }
    assert!(builtin_output.contains("How this report was made"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn one_thread_and_two_write_the_same_files() {
    let dir = temp_dir("threads");
    let notices = dir.join("notices");
    std::fs::create_dir_all(&notices).expect("notices dir");
    // Enough documents for several parts of each streamed file.
    for copy in 0..8 {
        for fixture in fixtures() {
            let path = notices.join(format!("{}-{copy}.pdf", fixture.name));
            std::fs::write(path, &fixture.bytes).expect("write fixture");
        }
    }
    let written = |threads: &str| {
        let out = dir.join(format!("out-{threads}"));
        let mut args = vec!["scan", notices.to_str().unwrap(), "-j", threads];
        for format in ["json", "csv", "markdown", "html", "sarif"] {
            args.extend(["--format", format]);
        }
        args.extend(["--out", out.to_str().unwrap(), "--fail-on", "never"]);
        let output = sopncheck(&args);
        assert!(output.status.success(), "{output:?}");
        // The time the report was made is the one difference allowed
        // (Markdown prints it with its `-` and `:` escaped).
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
        let at = report["made"]["at"].as_str().expect("made.at").to_owned();
        let at_in_markdown = at.replace('-', "\\-").replace(':', "\\:");
        let mut files: Vec<(String, String)> = std::fs::read_dir(&out)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, text.replace(&at, "AT").replace(&at_in_markdown, "AT"))
            })
            .collect();
        files.sort();
        files
    };
    let one = written("1");
    let two = written("2");
    assert_eq!(one.len(), 6);
    for ((name, a), (_, b)) in one.iter().zip(&two) {
        assert!(a == b, "{name} differs between -j 1 and -j 2");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
