//! Tests of the report model and of every format together, over invented
//! documents (no real person's name or address appears here).

use super::*;
use crate::model::{Candidate, DocumentFindings, Finding, TextSource};

/// Invented addresses the sample documents print, and the parts of each
/// that must never appear in a masked report.
pub(crate) const SECRETS: &[&str] = &[
    // Quillfeather's address.
    "ZZ9 4QX",
    "Brackenwold",
    "Thistlecombe",
    "Flat 3 ",
    // The hostile candidate's address.
    "ZZ9 7JD",
    "Larkspur",
    "27 ",
    // Postcode quoted only in a message.
    "ZZ1 2AB",
];

fn candidate(name: &str, post: &str, address: Option<(&str, &str)>) -> Candidate {
    Candidate {
        name: name.into(),
        post: Some(post.into()),
        address_status: if address.is_some() {
            AddressStatus::Published
        } else {
            AddressStatus::Withheld
        },
        address: address.map(|(a, _)| a.into()),
        withheld_area: address.is_none().then(|| "City of York".into()),
        postcode: address.map(|(_, p)| p.into()),
        page: 1,
        withdrawn: false,
        description: None,
    }
}

fn finding(id: &str, rule: &str, severity: Severity, candidate: Option<&str>) -> Finding {
    Finding {
        id: id.into(),
        rule: rule.into(),
        severity,
        candidate: candidate.map(Into::into),
        page: Some(1),
        evidence: String::new(),
        postcode: None,
        layer: None,
        message: format!("{rule} found."),
    }
}

/// Three councils' worth of invented documents, with hostile strings.
pub(crate) fn sample_documents() -> Vec<ScannedDocument> {
    let quill_address = "Flat 3 Brackenwold House, Thistlecombe Street, Exampleton, ZZ9 4QX";
    let hostile_address = "27 Larkspur Rise ZZ9 7JD";
    let hostile_name = "<script>alert(1)</script>";
    let york = ScannedDocument {
        source: "https://democracy.york.gov.uk/notices/sopn example.pdf".into(),
        sha256: "ab".repeat(32),
        council: "YOR".into(),
        pages: 2,
        text_layer: true,
        text_source: Some(TextSource::Text),
        error: None,
        origin: Default::default(),
        detection: DocumentFindings {
            kind: NoticeKind::Sopn,
            election_date: Some("2026-05-07".into()),
            election: Default::default(),
            council: Some("YOR".into()),
            candidates: vec![
                candidate(
                    "QUILLFEATHER Marigold",
                    "Exampleton Ward",
                    Some((quill_address, "ZZ9 4QX")),
                ),
                candidate("SAMPLE Alex", "Exampleton Ward", None),
                candidate(
                    hostile_name,
                    "Exampleton | Ward *bold*",
                    Some((hostile_address, "ZZ9 7JD")),
                ),
                candidate("=HOSTILE()", "Exampleton Ward", None),
            ],
            findings: vec![
                Finding {
                    evidence: quill_address.into(),
                    postcode: Some("ZZ9 4QX".into()),
                    ..finding(
                        "q1",
                        "published-home-address",
                        Severity::Medium,
                        Some("QUILLFEATHER Marigold"),
                    )
                },
                Finding {
                    evidence: format!("<img src=x onerror=alert(1)> {hostile_address}"),
                    postcode: Some("ZZ9 7JD".into()),
                    layer: Some("covered".into()),
                    message: "Covered text near ZZ1 2AB.".into(),
                    ..finding(
                        "h1",
                        "hidden-text-address",
                        Severity::High,
                        Some(hostile_name),
                    )
                },
                finding(
                    "x1",
                    "own-agent-home-address",
                    Severity::Medium,
                    Some("=HOSTILE()"),
                ),
            ],
        },
    };
    let hackney = ScannedDocument {
        source: "fixtures/notice of poll.html".into(),
        sha256: "cd".repeat(32),
        council: "HCK".into(),
        pages: 1,
        text_layer: true,
        text_source: Some(TextSource::Ocr),
        error: None,
        origin: Default::default(),
        detection: DocumentFindings {
            kind: NoticeKind::NoticeOfPoll,
            election_date: Some("2026-05-07".into()),
            election: Default::default(),
            council: Some("HCK".into()),
            candidates: vec![candidate("SAMPLE Alex", "Example Ward", None)],
            findings: vec![],
        },
    };
    let scan = ScannedDocument {
        source: "scans/scanned.pdf".into(),
        sha256: "ef".repeat(32),
        council: UNKNOWN_COUNCIL.into(),
        pages: 1,
        text_layer: false,
        text_source: None,
        error: Some("no text layer".into()),
        origin: Default::default(),
        detection: DocumentFindings {
            kind: NoticeKind::Other,
            election_date: None,
            election: Default::default(),
            council: None,
            candidates: vec![],
            findings: vec![Finding {
                evidence: "no text layer".into(),
                ..finding("u1", "unscannable", Severity::High, None)
            }],
        },
    };
    vec![york, hackney, scan]
}

/// The sample documents' report, masked.
pub(crate) fn sample_report() -> Report {
    Report::build(&sample_documents(), &ReportOptions::default())
}

/// The text of file `wanted` among `rendered` ([`render_all`]'s).
fn text_of(rendered: &[(OutputFile, String)], wanted: OutputFile) -> String {
    rendered
        .iter()
        .find(|(file, _)| *file == wanted)
        .map(|(_, text)| text.clone())
        .unwrap()
}

/// Every file of every format, rendered.
fn render_all(report: &Report) -> Vec<(OutputFile, String)> {
    [
        Format::Json,
        Format::Csv,
        Format::Markdown,
        Format::Html,
        Format::Sarif,
    ]
    .iter()
    .flat_map(|f| f.files())
    .map(|file| {
        let mut out = Vec::new();
        file.render(report, &mut out).unwrap();
        (*file, String::from_utf8(out).unwrap())
    })
    .collect()
}

#[test]
fn councils_are_grouped_sorted_and_counted() {
    let report = sample_report();
    let codes: Vec<&str> = report.councils.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["HCK", UNKNOWN_COUNCIL, "YOR"]);
    let york = &report.councils[2];
    assert_eq!(york.name, "City of York Council");
    assert_eq!(report.councils[1].name, "Unrecognised council");
    assert_eq!(
        york.summary,
        Summary {
            documents: 1,
            candidates: 4,
            published: 2,
            withheld: 2,
            unknown: 0,
            findings: SeverityCounts {
                high: 1,
                medium: 2,
                low: 0,
                info: 0
            },
            suppressed: SeverityCounts::default(),
        }
    );
    assert_eq!(report.totals().findings.high, 2);
    assert_eq!(report.worst_severity(), Some(Severity::High));
}

#[test]
fn masked_fields() {
    let report = sample_report();
    let york = &report.councils[2].documents[0];
    assert_eq!(
        york.findings[0].evidence,
        "Flat # B********** House, T*********** Street, E*********, ZZ9 4**"
    );
    assert_eq!(york.findings[0].postcode.as_deref(), Some("ZZ9"));
    assert_eq!(york.findings[1].message, "Covered text near ZZ1 2**.");
    assert_eq!(
        york.candidates[0].address.as_deref(),
        Some(york.findings[0].evidence.as_str())
    );
    assert!(!report.addresses_shown);
    let unscannable = &report.councils[1].documents[0].findings[0];
    assert_eq!(unscannable.evidence, "no text layer");
}

#[test]
fn no_format_leaks_an_address_unless_asked() {
    for (file, text) in render_all(&sample_report()) {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{file:?} leaks {secret:?}");
        }
    }
    let shown = ReportOptions {
        show_addresses: true,
        ..ReportOptions::default()
    };
    let report = Report::build(&sample_documents(), &shown);
    for (file, text) in render_all(&report) {
        // Markdown lists the top findings only, evidence shortened, and
        // never lists candidates.
        if file == OutputFile::Markdown {
            continue;
        }
        for secret in ["ZZ9 4QX", "Brackenwold", "Thistlecombe", "Larkspur"] {
            assert!(
                text.contains(secret),
                "{file:?} lacks {secret:?} when shown"
            );
        }
    }
}

#[test]
fn allowed_findings_are_suppressed_not_dropped() {
    let allow = allow::AllowList::parse(
        "[[consent]]\ncouncil = \"YOR\"\npost = \"Exampleton Ward\"\n\
         candidate = \"QUILLFEATHER Marigold\"\n\n\
         [[accepted]]\nid = \"u1\"\nreason = \"scan checked by eye\"\n",
        "allow.toml",
    )
    .unwrap();
    let options = ReportOptions {
        allow,
        ..ReportOptions::default()
    };
    let report = Report::build(&sample_documents(), &options);
    let suppressed: Vec<&str> = report
        .findings()
        .filter(|l| l.finding.suppressed)
        .map(|l| l.finding.id.as_str())
        .collect();
    assert_eq!(suppressed, ["u1", "q1"]);
    assert_eq!(report.findings().count(), 4);
    let york = &report.councils[2].summary;
    assert_eq!((york.findings.medium, york.suppressed.medium), (1, 1));
    assert_eq!(report.councils[1].summary.suppressed.high, 1);
    assert_eq!(report.worst_severity(), Some(Severity::High));
    let reason = report.findings().find(|l| l.finding.id == "u1").unwrap();
    assert_eq!(
        reason.finding.suppression_reason.as_deref(),
        Some("accepted (allow.toml:6): scan checked by eye")
    );
}

#[test]
fn worst_severity_ignores_suppressed_findings() {
    let mut report = sample_report();
    for council in &mut report.councils {
        for document in &mut council.documents {
            for finding in &mut document.findings {
                finding.suppressed = finding.severity == Severity::High;
            }
        }
    }
    assert_eq!(report.worst_severity(), Some(Severity::Medium));
}

#[test]
fn json_round_trips() {
    let report = sample_report();
    let mut json = Vec::new();
    json::write(&report, &mut json).unwrap();
    assert_eq!(Report::from_json(json.as_slice()).unwrap(), report);
    let renamed = String::from_utf8(json)
        .unwrap()
        .replace(SCHEMA, "sopncheck-report/9");
    let error = Report::from_json(renamed.as_bytes()).unwrap_err();
    assert!(matches!(error, ReportError::Schema { .. }), "{error}");
    assert!(Report::from_json(&b"{\"schema\": 1}"[..]).is_err());
}

#[test]
fn text_source_is_reported_and_optional_when_read_back() {
    let report = sample_report();
    let rendered = render_all(&report);
    let text_of = |wanted| text_of(&rendered, wanted);
    let json: serde_json::Value = serde_json::from_str(&text_of(OutputFile::Json)).unwrap();
    let sources: Vec<&serde_json::Value> = json["councils"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["documents"].as_array().unwrap())
        .map(|d| &d["text_source"])
        .collect();
    for expected in ["text", "ocr"] {
        assert!(sources.iter().any(|s| *s == expected), "{sources:?}");
    }
    assert!(sources.iter().any(|s| s.is_null()), "{sources:?}");
    assert!(text_of(OutputFile::Html).contains("<td>yes (OCR of a scan)</td>"));
    // A report written before the field existed still reads back.
    let mut old = json.clone();
    for council in old["councils"].as_array_mut().unwrap() {
        for document in council["documents"].as_array_mut().unwrap() {
            document.as_object_mut().unwrap().remove("text_source");
        }
    }
    let read = Report::from_json(old.to_string().as_bytes()).unwrap();
    assert!(
        read.councils
            .iter()
            .flat_map(|c| &c.documents)
            .all(|d| d.text_source.is_none())
    );
}

#[test]
fn write_outputs_writes_every_file_into_the_directory() {
    let dir = std::env::temp_dir().join(format!("sopncheck-report-out-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let report = sample_report();
    let formats = [
        Format::Sarif,
        Format::Json,
        Format::Csv,
        Format::Markdown,
        Format::Html,
        Format::Json,
    ];
    let written = write_outputs(&report, &formats, Some(&dir.join("nested"))).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "report.sarif",
            "report.json",
            "findings.csv",
            "candidates.csv",
            "report.md",
            "report.html"
        ]
    );
    let mut entries: Vec<String> = fs::read_dir(dir.join("nested"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(entries.len(), 6, "no temporary files left: {entries:?}");
    let csv = fs::read(dir.join("nested/findings.csv")).unwrap();
    assert!(
        csv.starts_with("\u{feff}council,".as_bytes()),
        "CSV files start with a BOM"
    );
    let json = fs::File::open(dir.join("nested/report.json")).unwrap();
    assert_eq!(Report::from_json(json).unwrap(), report);

    // A file where the directory should be: the error names the path.
    let blocked = dir.join("file");
    fs::write(&blocked, "x").unwrap();
    let error = write_outputs(&report, &[Format::Json], Some(&blocked)).unwrap_err();
    assert!(
        error.to_string().contains(&*blocked.to_string_lossy()),
        "{error}"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn standard_output_takes_one_format() {
    let error = write_outputs(&sample_report(), &[Format::Json, Format::Csv], None).unwrap_err();
    assert!(matches!(error, ReportError::OneFormatToStdout(2)));
    let mut out = Vec::new();
    write_format(&sample_report(), Format::Csv, &mut out).unwrap();
    assert!(
        out.starts_with(b"council,council_name,source"),
        "no BOM on stdout"
    );
}

#[test]
fn an_allow_list_applies_to_a_report_read_back() {
    let mut json = Vec::new();
    json::write(&sample_report(), &mut json).unwrap();
    let mut report = Report::from_json(json.as_slice()).unwrap();
    let allow = allow::AllowList::parse(
        "[[consent]]\ncouncil = \"YOR\"\ncandidate = \"=HOSTILE()\"\n",
        "allow.toml",
    )
    .unwrap();
    report.apply_allow(&allow);
    let suppressed: Vec<&str> = report
        .findings()
        .filter(|l| l.finding.suppressed)
        .map(|l| l.finding.id.as_str())
        .collect();
    assert_eq!(suppressed, ["x1"]);
    assert_eq!(report.councils[2].summary.suppressed.medium, 1);
    report.apply_allow(&allow::AllowList::default());
    assert_eq!(report, sample_report());
}

#[test]
fn names_posts_and_areas_holding_a_postcode_are_masked() {
    let mut documents = sample_documents();
    let candidates = &mut documents[0].detection.candidates;
    candidates.push(Candidate {
        withheld_area: Some("ZZ8 5RT".into()),
        description: Some("Exampleton ZZ8 2WB Independents".into()),
        ..candidate(
            "MERGED Morgan 14 Gorsebrook Lane ZZ8 3XQ",
            "Exampleton ZZ8 6WD Ward",
            None,
        )
    });
    for (file, text) in render_all(&Report::build(&documents, &ReportOptions::default())) {
        // The postcodes, and the house number and street the name swallowed.
        for secret in [
            "ZZ8 3XQ",
            "ZZ8 5RT",
            "ZZ8 6WD",
            "ZZ8 2WB",
            "14 Gorsebrook",
            "Gorsebrook",
        ] {
            assert!(!text.contains(secret), "{file:?} leaks {secret:?}");
        }
    }
}

#[test]
fn sources_errors_and_reasons_quoting_an_address_are_masked() {
    let mut documents = sample_documents();
    documents[2].source = "scans/22 Ormond Street ZZ8 4LP.pdf".into();
    documents[2].error = Some("cannot read \"22 Ormond Street, ZZ8 4LP\"".into());
    let allow = AllowList::parse(
        "[[accepted]]\nid = \"u1\"\nreason = \"checked with 22 Ormond Street ZZ8 4LP\"\n",
        "allow.toml",
    )
    .unwrap();
    let options = ReportOptions {
        show_addresses: false,
        allow,
    };
    let report = Report::build(&documents, &options);
    let scanned = |report: &Report| {
        let mut scan = report.councils.iter().flat_map(|c| &c.documents);
        scan.find(|d| d.sha256 == documents[2].sha256)
            .cloned()
            .unwrap()
    };
    assert!(
        scanned(&report).findings[0].suppressed,
        "the test feeds a reason"
    );
    for (file, text) in render_all(&report) {
        for secret in ["ZZ8 4LP", "22 Ormond", "Ormond Street"] {
            assert!(!text.contains(secret), "{file:?} leaks {secret:?}:\n{text}");
        }
    }
    let shown = Report::build(
        &documents,
        &ReportOptions {
            show_addresses: true,
            ..options
        },
    );
    assert_eq!(scanned(&shown).source, documents[2].source);
}

/// The sample report as a crawl and a command would make it: the York
/// notice fetched, found at a second URL (which quotes an address), and
/// the report's [`Made`].
fn report_with_provenance() -> Report {
    let mut documents = sample_documents();
    let york = &mut documents[0];
    york.origin = crate::model::Origin {
        urls: vec![
            york.source.clone(),
            "https://democracy.york.gov.uk/22 Ormond Street ZZ8 4LP.pdf".into(),
        ],
        fetched_at: Some(1_775_466_000),
        last_modified: Some("Mon, 06 Apr 2026 09:00:00 GMT".into()),
    };
    let mut report = Report::build(&documents, &ReportOptions::default());
    report.made = Some(Made {
        at: "2026-04-06T09:30:00Z".into(),
        rules: "built-in".into(),
        rules_sha256: Some(crate::detect::Rules::builtin().digest().to_owned()),
        options: vec!["--council YOR".into()],
    });
    report
}

#[test]
fn provenance_is_stated_in_every_text_format() {
    let report = report_with_provenance();
    let digest = crate::detect::Rules::builtin().digest().to_owned();
    let york_sha = "ab".repeat(32);
    let version = env!("CARGO_PKG_VERSION");
    let rendered = render_all(&report);
    let text_of = |wanted| text_of(&rendered, wanted);

    let markdown = text_of(OutputFile::Markdown);
    let made = markdown
        .split("### How this report was made")
        .nth(1)
        .expect("a made block");
    for line in [
        "- Made: 2026\\-04\\-06T09\\:30\\:00Z".to_owned(),
        format!("- Tool: sopncheck {}", version.replace('.', "\\.")),
        "- Rules: built\\-in".to_owned(),
        format!("- Rules SHA-256: {digest}"),
        "- Options: \\-\\-council YOR".to_owned(),
    ] {
        assert!(made.contains(&line), "{line:?} in\n{made}");
    }
    assert!(
        markdown.contains(&format!(
            "| SHA-256 `{york_sha}`; fetched `2026-04-06T09:00:00Z`; \
             Last-Modified `Mon, 06 Apr 2026 09:00:00 GMT`; also at `https://democracy.york.gov.uk/"
        )),
        "{markdown}"
    );

    let html = text_of(OutputFile::Html);
    assert!(html.contains("<section id=\"made\">\n<h2>How this report was made</h2>"));
    assert!(html.contains(&format!("<li>Rules SHA-256: {digest}</li>")));
    assert!(html.contains(&format!("<li>Tool: sopncheck {version}</li>")));
    assert!(html.contains("<li>Options: --council YOR</li>"));
    assert!(html.contains(&format!(
        "<br><small class=\"prov\">SHA-256 {york_sha}; fetched 2026-04-06T09:00:00Z; \
         Last-Modified Mon, 06 Apr 2026 09:00:00 GMT; also at https://democracy.york.gov.uk/"
    )));
    // A local file states only its hash.
    assert!(html.contains(&format!(
        "<br><small class=\"prov\">SHA-256 {}</small>",
        "cd".repeat(32)
    )));

    let csv = text_of(OutputFile::FindingsCsv);
    let mut reader = ::csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let last: Vec<&str> = headers.iter().rev().take(2).collect();
    assert_eq!(last, ["fetched", "sha256"]);
    let rows: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let york = rows.iter().find(|r| &r[0] == "YOR").unwrap();
    assert_eq!(&york[york.len() - 2], york_sha);
    assert_eq!(&york[york.len() - 1], "2026-04-06T09:00:00Z");
    let local = rows.iter().find(|r| &r[0] == UNKNOWN_COUNCIL).unwrap();
    assert_eq!(&local[local.len() - 1], "", "a local file was not fetched");

    let sarif: serde_json::Value = serde_json::from_str(&text_of(OutputFile::Sarif)).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["version"], version);
    assert_eq!(run["properties"]["rulesSha256"], digest.as_str());
    assert_eq!(run["properties"]["madeAt"], "2026-04-06T09:30:00Z");

    // The other URL quotes an address: masked in every format.
    for (file, text) in &rendered {
        for secret in ["ZZ8 4LP", "22 Ormond", "Ormond Street"] {
            assert!(!text.contains(secret), "{file:?} leaks {secret:?}");
        }
    }
    // A report written with addresses shown, read back: `made` is masked
    // with the rest.
    let mut shown = Report::build(
        &sample_documents(),
        &ReportOptions {
            show_addresses: true,
            ..ReportOptions::default()
        },
    );
    shown.made = Some(Made {
        options: vec!["--rules rules/22 Ormond Street ZZ8 4LP".into()],
        rules: "rules/22 Ormond Street ZZ8 4LP".into(),
        ..report.made.clone().unwrap()
    });
    shown.mask(false);
    let made = shown.made.as_ref().unwrap();
    for text in made.options.iter().chain([&made.rules]) {
        for secret in ["ZZ8 4LP", "22 Ormond", "Ormond Street"] {
            assert!(!text.contains(secret), "{text:?} shows {secret:?}");
        }
    }
    assert_eq!(made.rules_sha256.as_deref(), Some(digest.as_str()));
    // A report read back from before `made` existed states the tool only.
    let mut old = report.clone();
    old.made = None;
    assert_eq!(old.provenance(), [("Tool", format!("sopncheck {version}"))]);
}

/// Every file [`write_outputs`] writes to a directory, as it wrote it.
fn written_files(report: &Report, dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let _ = fs::remove_dir_all(dir);
    let formats = [
        Format::Json,
        Format::Csv,
        Format::Markdown,
        Format::Html,
        Format::Sarif,
    ];
    let files = write_outputs(report, &formats, Some(dir))
        .unwrap()
        .into_iter()
        .map(|path| {
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    fs::remove_dir_all(dir).unwrap();
    files
}

#[test]
fn streamed_files_are_the_renderers_bytes() {
    let dir = std::env::temp_dir().join(format!("sopncheck-streamed-{}", std::process::id()));
    // One page of HTML; and documents over several chunks, with councils
    // of no document, control characters in every council string.
    let mut documents = sample_documents();
    for (i, document) in sample_documents().into_iter().cycle().take(400).enumerate() {
        documents.push(ScannedDocument {
            source: format!("{}\u{1b}[2J{i}", document.source),
            ..document
        });
    }
    for documents in [sample_documents(), documents] {
        let mut report = Report::build(&documents, &ReportOptions::default());
        report.add_removed(vec![(
            "ZZZ\u{9b}".into(),
            RemovedDocument {
                source: "gone\u{7}.pdf".into(),
                urls: vec!["https://example.test/gone.pdf".into()],
                sha256: "00".into(),
            },
        )]);
        for (path, bytes) in written_files(&report, &dir) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let file = Format::Json
                .files()
                .iter()
                .chain(Format::Csv.files())
                .chain(Format::Markdown.files())
                .chain(Format::Html.files())
                .chain(Format::Sarif.files())
                .find(|f| f.file_name() == name)
                .unwrap();
            let mut expected = file.byte_order_mark().to_vec();
            file.render(&report, &mut expected).unwrap();
            assert!(bytes == expected, "{name} differs from its renderer's");
        }
    }
}
