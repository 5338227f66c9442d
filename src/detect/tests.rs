//! Detector tests on invented notices, built as extracted rows: every
//! person, place and postcode here is made up.

use super::*;
use crate::model::{
    AddressStatus, Cell, ElectionType, Extraction, Finding, Line, Revision, Severity, SideLayer,
    SideText, SourceFormat, Visibility,
};

fn cell(x: f32, text: &str) -> Cell {
    cell_as(x, text, Visibility::Visible)
}

fn cell_as(x: f32, text: &str, visibility: Visibility) -> Cell {
    Cell {
        x,
        right: x + 90.0,
        text: text.into(),
        visibility,
        size: 10.0,
    }
}

fn row(page: u32, y: f32, cells: Vec<Cell>) -> Line {
    Line {
        page,
        baseline: y,
        cells,
    }
}

fn text_row(page: u32, y: f32, text: &str) -> Line {
    row(page, y, vec![cell(50.0, text)])
}

fn extraction(rows: Vec<Line>) -> Extraction {
    Extraction {
        format: SourceFormat::Pdf,
        pages: rows.iter().map(|r| r.page).max().unwrap_or(1),
        runs: Vec::new(),
        lines: rows.clone(),
        rules: Vec::new(),
        rows,
        ocr_pages: Vec::new(),
        side_texts: Vec::new(),
        prior_revisions: Vec::new(),
        producer: None,
    }
}

fn detect(x: &Extraction) -> DocumentFindings {
    Detector::new(&Rules::builtin()).detect(x, "notice.pdf")
}

fn rules_of(found: &DocumentFindings) -> Vec<&str> {
    found.findings.iter().map(|f| f.rule.as_str()).collect()
}

/// Each candidate read: name, address status and postcode.
fn statuses(found: &DocumentFindings) -> Vec<(&str, AddressStatus, Option<&str>)> {
    found
        .candidates
        .iter()
        .map(|c| (c.name.as_str(), c.address_status, c.postcode.as_deref()))
        .collect()
}

/// A line of a candidate's cell at x 50 beside an agent's at `agent_x`;
/// an empty text leaves its cell out.
fn beside(page: u32, y: f32, candidate: &str, agent_x: f32, agent: &str) -> Line {
    let cells = [(50.0, candidate), (agent_x, agent)]
        .into_iter()
        .filter(|(_, text)| !text.is_empty())
        .map(|(x, text)| cell(x, text))
        .collect();
    row(page, y, cells)
}

/// A one-ward SoPN: header, the given candidate rows, a polling station
/// table and the returning officer's footer, all invented.
fn sopn(candidates: &[(&str, &str)]) -> Vec<Line> {
    let mut rows = vec![
        text_row(1, 800.0, "STATEMENT OF PERSONS NOMINATED"),
        text_row(1, 790.0, "Exampleshire District Council"),
        text_row(1, 780.0, "Election of a District Councillor for"),
        text_row(1, 770.0, "Sample Ward"),
        text_row(
            1,
            760.0,
            "A poll for the election of a District Councillor for Sample will be held on Thursday 4 May 2023, between 7am and 10pm.",
        ),
        row(
            1,
            750.0,
            vec![
                cell(50.0, "Name of Candidate"),
                cell(150.0, "Home Address"),
                cell(250.0, "Description (if any)"),
                cell(350.0, "Reason why no longer nominated*"),
            ],
        ),
    ];
    for (i, (name, address)) in candidates.iter().enumerate() {
        rows.push(row(
            1,
            700.0 - 20.0 * i as f32,
            vec![
                cell(50.0, name),
                cell(150.0, address),
                cell(250.0, "Independent"),
            ],
        ));
    }
    rows.extend([
        text_row(1, 300.0, "Situation of Polling Station"),
        row(
            1,
            290.0,
            vec![cell(50.0, "Sample Village Hall, 2 Hall Lane, Sampleton ZZ1 1ZZ"), cell(250.0, "12")],
        ),
        text_row(1, 280.0, "Dated Monday 3 April 2023"),
        text_row(
            1,
            270.0,
            "Printed and published by the Returning Officer, Civic Offices, 1 Example Square, Sampleton, ZZ2 2ZZ",
        ),
    ]);
    rows
}

#[test]
fn detector_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<Detector>();
}

#[test]
fn table_with_every_withheld_wording_and_legitimate_addresses() {
    let found = detect(&extraction(sopn(&[
        ("ALPHA\nAnn", "(address in Exampleshire)"),
        ("BRAVO\nBen", "Address in the Mid Example\nConstituency"),
        (
            "CHARLIE\nCat",
            "Resides in the Exampleshire\nDistrict Council area",
        ),
        ("DELTA\nDan", "(address outside Exampleshire)"),
        ("ECHO\nEve", "Portugal"),
        ("FOXTROT\nFay", "(cyfeiriad yn Sir Enghraifft)"),
        ("GOLF\nGus", "7 Nowhere Road, Sampleton,\nZZ3\n3ZZ"),
    ])));
    assert_eq!(found.kind, NoticeKind::Sopn);
    assert_eq!(found.election_date.as_deref(), Some("2023-05-04"));
    let areas: Vec<Option<&str>> = found
        .candidates
        .iter()
        .map(|c| c.withheld_area.as_deref())
        .collect();
    assert_eq!(
        areas,
        [
            Some("Exampleshire"),
            Some("Mid Example Constituency"),
            Some("Exampleshire District Council area"),
            Some("outside Exampleshire"),
            Some("Portugal"),
            Some("Sir Enghraifft"),
            None,
        ]
    );
    assert!(
        found
            .candidates
            .iter()
            .all(|c| c.post.as_deref() == Some("Sample"))
    );
    let golf = &found.candidates[6];
    assert_eq!(golf.name, "GOLF Gus");
    assert_eq!(golf.address_status, AddressStatus::Published);
    assert_eq!(golf.postcode.as_deref(), Some("ZZ3 3ZZ"));
    // Only the candidate's address: never the polling station or the
    // returning officer's office.
    assert_eq!(rules_of(&found), ["published-home-address"]);
    assert_eq!(found.findings[0].severity, Severity::Medium);
    assert_eq!(found.findings[0].candidate.as_deref(), Some("GOLF Gus"));
}

#[test]
fn separate_name_columns_withdrawn_and_continued_page() {
    let header = |page, y| {
        row(
            page,
            y,
            vec![
                cell(50.0, "Surname"),
                cell(150.0, "Other Names"),
                cell(250.0, "Home Address"),
                cell(350.0, "Description (if any)"),
                cell(450.0, "Decision of the\nReturning Officer"),
            ],
        )
    };
    let candidate = |page, y, surname: &str, other: &str, address: &str, decision: &str| {
        let mut cells = vec![
            cell(50.0, surname),
            cell(150.0, other),
            cell(250.0, address),
            cell(350.0, "Independent"),
        ];
        if !decision.is_empty() {
            cells.push(cell(450.0, decision));
        }
        row(page, y, cells)
    };
    let rows = vec![
        text_row(1, 800.0, "EXAMPLETON COUNCIL"),
        text_row(1, 790.0, "THURSDAY, 3 MAY 2018"),
        text_row(
            1,
            780.0,
            "statement as to persons nominated for election as Councillor for the",
        ),
        text_row(1, 770.0, "UPPER SAMPLE WARD"),
        header(1, 750.0),
        candidate(
            1,
            700.0,
            "Kilo",
            "Kim",
            "Resides in the Exampleton\narea",
            "",
        ),
        candidate(
            1,
            680.0,
            "Lima",
            "Lee Ann",
            "Rose Cottage\nWest End\nSampleton\nZZ4 4ZZ",
            "",
        ),
        candidate(
            1,
            660.0,
            "Mike",
            "Mo",
            "(address in Exampleton)",
            "Withdrawn",
        ),
        text_row(1, 100.0, "Dated: Monday, 09 April, 2018"),
        text_row(2, 800.0, "EXAMPLETON COUNCIL"),
        // No header repeated on page 2.
        candidate(
            2,
            700.0,
            "November",
            "Nia",
            "3 Sample Close\nSampleton\nZZ5 5ZZ",
            "",
        ),
    ];
    let found = detect(&extraction(rows));
    let names: Vec<&str> = found.candidates.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["Kilo Kim", "Lima Lee Ann", "Mike Mo", "November Nia"]
    );
    assert!(
        found
            .candidates
            .iter()
            .all(|c| c.post.as_deref() == Some("Upper Sample"))
    );
    let withdrawn: Vec<bool> = found.candidates.iter().map(|c| c.withdrawn).collect();
    assert_eq!(withdrawn, [false, false, true, false]);
    assert_eq!(found.candidates[3].page, 2);
    assert_eq!(
        found.candidates[1].address.as_deref(),
        Some("Rose Cottage, West End, Sampleton, ZZ4 4ZZ")
    );
    // A local election of 2018, council unknown: before the rule in
    // England, Wales and Northern Ireland, but inside the uncertain window
    // of Scotland's. Whether candidates could withhold is not established,
    // and the findings say so.
    assert_eq!(found.election_date.as_deref(), Some("2018-05-03"));
    assert_eq!(found.election.election_type, Some(ElectionType::Local));
    assert_eq!(found.election.withholding.applied, None);
    assert_eq!(
        rules_of(&found),
        ["published-home-address", "published-home-address"]
    );
    assert!(
        found.findings[0]
            .message
            .contains("could not be established")
            && found.findings[0].message.contains("nation"),
        "{}",
        found.findings[0].message
    );
}

#[test]
fn label_layout() {
    let rows = vec![
        text_row(1, 800.0, "Statement of Persons Nominated"),
        text_row(1, 790.0, "Constituency: Example Vale"),
        text_row(1, 780.0, "Name: OSCAR Olive"),
        text_row(
            1,
            770.0,
            "Home address: 75 Example Crescent, Sampleton, ZZ6 6ZZ.",
        ),
        text_row(1, 760.0, "Description: Independent"),
        text_row(1, 750.0, "PAPA Pat"),
        text_row(
            1,
            740.0,
            "Home address: (address in the Example Vale Constituency)",
        ),
        text_row(1, 730.0, "Description: Independent"),
    ];
    let found = detect(&extraction(rows));
    assert_eq!(found.candidates.len(), 2);
    let oscar = &found.candidates[0];
    assert_eq!(oscar.name, "OSCAR Olive");
    assert_eq!(oscar.post.as_deref(), Some("Example Vale"));
    assert_eq!(
        oscar.address.as_deref(),
        Some("75 Example Crescent, Sampleton, ZZ6 6ZZ")
    );
    assert_eq!(oscar.postcode.as_deref(), Some("ZZ6 6ZZ"));
    let papa = &found.candidates[1];
    assert_eq!(papa.name, "PAPA Pat");
    assert_eq!(
        papa.withheld_area.as_deref(),
        Some("Example Vale Constituency")
    );
    assert_eq!(rules_of(&found), ["published-home-address"]);
}

#[test]
fn agents_notice_flags_only_own_agents() {
    let rows = vec![
        text_row(1, 800.0, "NOTICE OF ELECTION AGENTS' NAMES AND OFFICES"),
        text_row(1, 790.0, "Election of a Councillor for Sample Ward"),
        row(
            1,
            750.0,
            vec![
                cell(50.0, "Name of Candidate"),
                cell(150.0, "Name of Agent"),
                cell(250.0, "Address of office to which claims may be sent"),
            ],
        ),
        row(
            1,
            700.0,
            vec![
                cell(50.0, "QUEBEC\nQuinn"),
                cell(150.0, "Rita Romeo"),
                cell(250.0, "Party Office, 9 Office Row, Sampleton, ZZ7 7ZZ"),
            ],
        ),
        row(
            1,
            680.0,
            vec![
                cell(50.0, "SIERRA\nSam"),
                cell(150.0, "Sam Sierra"),
                cell(250.0, "4 Home Lane, Sampleton, ZZ8 8ZZ"),
            ],
        ),
    ];
    let found = detect(&extraction(rows));
    assert_eq!(found.kind, NoticeKind::NoticeOfAgents);
    assert_eq!(found.candidates.len(), 2);
    assert_eq!(rules_of(&found), ["own-agent-home-address"]);
    assert_eq!(found.findings[0].candidate.as_deref(), Some("SIERRA Sam"));
    assert_eq!(found.findings[0].postcode.as_deref(), Some("ZZ8 8ZZ"));
}

#[test]
fn hidden_cells_are_high_findings_unless_legitimate() {
    let mut rows = sopn(&[("TANGO\nTed", "(address in Exampleshire)")]);
    // A black box over the real address in the candidate's row.
    rows[6].cells.push(cell_as(
        150.0,
        "5 Secret Street\nSampleton ZZ9 1ZZ",
        Visibility::Covered,
    ));
    // White text elsewhere, and a covered returning officer block.
    rows.push(row(
        1,
        200.0,
        vec![cell_as(
            50.0,
            "old copy: 8 Other Way ZZ9 2ZZ",
            Visibility::White,
        )],
    ));
    rows.push(row(
        1,
        190.0,
        vec![cell_as(
            50.0,
            "Returning Officer, Civic Offices, ZZ9 3ZZ",
            Visibility::Covered,
        )],
    ));
    let found = detect(&extraction(rows));
    assert_eq!(found.candidates[0].address_status, AddressStatus::Withheld);
    let hidden: Vec<(&str, Option<&str>, Option<&str>)> = found
        .findings
        .iter()
        .map(|f| {
            (
                f.layer.as_deref().unwrap_or(""),
                f.candidate.as_deref(),
                f.postcode.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        hidden,
        [
            ("covered", Some("TANGO Ted"), Some("ZZ9 1ZZ")),
            ("white", None, Some("ZZ9 2ZZ")),
        ]
    );
    assert!(
        found
            .findings
            .iter()
            .all(|f| f.rule == "hidden-text-address" && f.severity == Severity::High)
    );
}

#[test]
fn side_layers_are_checked() {
    let mut x = extraction(sopn(&[("UNIFORM\nUma", "(address in Exampleshire)")]));
    let side = |layer, key: &str, text: &str| SideText {
        layer,
        page: None,
        key: key.into(),
        text: text.into(),
    };
    x.side_texts = vec![
        side(
            SideLayer::Info,
            "Subject",
            "Uma Uniform, 6 Hidden Hill, Sampleton ZZ1 9ZZ",
        ),
        side(
            SideLayer::Annotation,
            "Contents",
            "check 2 Note Road ZZ2 9ZZ",
        ),
        side(
            SideLayer::Info,
            "Author",
            "Electoral Services, Civic Offices, ZZ3 9ZZ",
        ),
        // The returning officer's postcode, printed legitimately on the page.
        side(SideLayer::Xmp, "dc:description", "ZZ2 2ZZ"),
    ];
    let found = detect(&x);
    let got: Vec<(&str, Option<&str>)> = found
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.postcode.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("metadata-address", Some("ZZ1 9ZZ")),
            ("annotation-address", Some("ZZ2 9ZZ"))
        ]
    );
}

#[test]
fn prior_revision_with_the_address_published() {
    let before = sopn(&[("VICTOR\nVal", "2 Earlier Road, Sampleton, ZZ4 9ZZ")]);
    let mut x = extraction(sopn(&[("VICTOR\nVal", "(address in Exampleshire)")]));
    x.prior_revisions = vec![Revision {
        number: 1,
        byte_len: 1000,
        lines: before.clone(),
        rules: Vec::new(),
        rows: before,
    }];
    let found = detect(&x);
    assert_eq!(rules_of(&found), ["prior-revision-address"]);
    let finding: &Finding = &found.findings[0];
    assert_eq!(finding.candidate.as_deref(), Some("VICTOR Val"));
    assert_eq!(finding.postcode.as_deref(), Some("ZZ4 9ZZ"));
    assert_eq!(finding.layer.as_deref(), Some("revision 1"));

    // An earlier revision that shows nothing the current one hides.
    let same = sopn(&[("VICTOR\nVal", "2 Earlier Road, Sampleton, ZZ4 9ZZ")]);
    let mut x = extraction(same.clone());
    x.prior_revisions = vec![Revision {
        number: 1,
        byte_len: 1000,
        lines: same.clone(),
        rules: Vec::new(),
        rows: same,
    }];
    assert_eq!(rules_of(&detect(&x)), ["published-home-address"]);
}

#[test]
fn ids_are_stable_across_positions_and_distinct_across_candidates() {
    let rows = sopn(&[
        ("WHISKEY\nWyn", "1 First Road, Sampleton, ZZ5 9ZZ"),
        ("XRAY\nXan", "2 Second Road, Sampleton, ZZ6 9ZZ"),
    ]);
    let moved: Vec<Line> = rows
        .iter()
        .map(|r| Line {
            page: r.page,
            baseline: r.baseline - 13.5,
            cells: r
                .cells
                .iter()
                .map(|c| Cell {
                    x: c.x + 4.0,
                    right: c.right + 7.0,
                    ..c.clone()
                })
                .collect(),
        })
        .collect();
    let ids = |rows: Vec<Line>| -> Vec<String> {
        detect(&extraction(rows))
            .findings
            .into_iter()
            .map(|f| f.id)
            .collect()
    };
    let first = ids(rows);
    assert_eq!(first.len(), 2);
    assert_ne!(first[0], first[1]);
    assert_eq!(first, ids(moved));
    for id in &first {
        assert_eq!(id.len(), 20, "{id}");
        assert!(
            id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
            "{id}"
        );
    }
}

#[test]
fn stated_tables_read_through_the_grid() {
    use crate::extract::grid::{Block, BlockKind, GridCell, lay_out};
    let cell = |column: usize, text: &str| GridCell {
        column,
        span: 1,
        text: text.into(),
        visibility: Visibility::Visible,
    };
    let paragraph = |text: &str| Block {
        page: 1,
        kind: BlockKind::Paragraph,
        cells: vec![cell(0, text)],
    };
    let row = |cells| Block {
        page: 1,
        kind: BlockKind::TableRow { table: 1 },
        cells,
    };
    // As Word and HTML state them: one row per candidate, empty cells
    // keeping their column, a wrapped address as lines of one cell.
    let grid = lay_out(&[
        paragraph("Statement of persons nominated"),
        row(vec![
            cell(0, "Name of candidate"),
            cell(1, "Home address"),
            cell(2, "Description"),
        ]),
        row(vec![
            cell(0, "YANKEE Yul"),
            cell(1, "(address in Exampleshire)"),
            cell(2, ""),
        ]),
        row(vec![
            cell(0, "ZULU Zoe"),
            cell(1, "9 Last Lane\nZZ7 9ZZ"),
            cell(2, "Independent"),
        ]),
    ]);
    let mut x = extraction(grid.lines);
    x.rules = grid.rules;
    x.format = SourceFormat::Html;
    let found = detect(&x);
    let got: Vec<(&str, AddressStatus)> = found
        .candidates
        .iter()
        .map(|c| (c.name.as_str(), c.address_status))
        .collect();
    assert_eq!(
        got,
        [
            ("YANKEE Yul", AddressStatus::Withheld),
            ("ZULU Zoe", AddressStatus::Published)
        ]
    );
    assert_eq!(found.candidates[1].postcode.as_deref(), Some("ZZ7 9ZZ"));
}

#[test]
fn unreadable_and_textless_documents_are_unscannable() {
    let detector = Detector::new(&Rules::builtin());
    let found = detector.unreadable("https://example.invalid/a/scan.pdf", "damaged PDF");
    assert_eq!(found.kind, NoticeKind::Other);
    assert_eq!(rules_of(&found), ["unscannable"]);
    assert_eq!(found.findings[0].severity, Severity::High);
    let again = detector.unreadable("/elsewhere/scan.pdf", "damaged PDF");
    assert_eq!(found.findings[0].id, again.findings[0].id);

    let empty = extraction(vec![text_row(1, 800.0, "   ")]);
    assert_eq!(
        rules_of(&detector.detect(&empty, "blank.pdf")),
        ["unscannable"]
    );
}

#[test]
fn council_recognised_from_the_returning_officer_block() {
    let mut rows = sopn(&[("ALPHA\nAl", "(address in Exampleshire)")]);
    let footer = rows.len() - 1;
    rows[footer] = text_row(
        1,
        270.0,
        "Printed and published by the Returning Officer, Halton Borough Council, ZZ2 2ZZ",
    );
    let found = detect(&extraction(rows));
    assert_eq!(found.council.as_deref(), Some("HAL"));
}

#[test]
fn council_recognised_and_its_nation_sets_the_rule_date() {
    // A Scottish council: the England and Wales local rule does not apply.
    let mut rows = sopn(&[("ALPHA\nAl", "1 Any Road, Sampleton, ZZ8 9ZZ")]);
    rows[1] = text_row(1, 790.0, "The Highland Council");
    rows[4] = text_row(1, 760.0, "The poll will be held on Thursday 3 May 2018.");
    let found = detect(&extraction(rows));
    assert_eq!(found.council.as_deref(), Some("HLD"));
    let council = found
        .council
        .as_deref()
        .and_then(|c| crate::registry::registry().by_code(c));
    assert_eq!(council.map(|c| c.nation.as_str()), Some("Scotland"));
    assert_eq!(rules_of(&found), ["published-home-address"]);
}

#[test]
fn welsh_headings_headers_and_footers() {
    // Every word Welsh: the post from "Etholiad ... ar gyfer", the header
    // from the Welsh column names, and the footer ("Dyddiedig",
    // "Argraffwyd a chyhoeddwyd gan") closing the table, so its address,
    // printed in the first column, is nobody's.
    let header = row(
        1,
        760.0,
        vec![
            cell(50.0, "Cyfenw"),
            cell(150.0, "Enwau Eraill"),
            cell(250.0, "Cyfeiriad Cartref"),
            cell(350.0, "Disgrifiad (os oes un)"),
        ],
    );
    let candidate = |y: f32, surname: &str, other: &str, address: &str| {
        row(
            1,
            y,
            vec![
                cell(50.0, surname),
                cell(150.0, other),
                cell(250.0, address),
                cell(350.0, "Annibynnol"),
            ],
        )
    };
    let x = extraction(vec![
        text_row(1, 800.0, "DATGANIAD AM Y PERSONAU A ENWEBWYD"),
        text_row(1, 780.0, "Etholiad Cynghorydd Sir ar gyfer Aberenghraifft"),
        header,
        candidate(740.0, "PRYDERI", "Gwen", "(cyfeiriad yn Sir Enghraifft)"),
        candidate(
            720.0,
            "TEGID",
            "Elis",
            "3 Heol y Bryn, Aberenghraifft ZZ3 3ZZ",
        ),
        text_row(1, 700.0, "Dyddiedig 3 Ebrill 2023"),
        text_row(
            1,
            690.0,
            "Argraffwyd a chyhoeddwyd gan y Swyddog Canlyniadau, Swyddfeydd y Cyngor, Aberenghraifft ZZ2 2ZZ",
        ),
    ]);
    let found = detect(&x);
    let got: Vec<(&str, Option<&str>, AddressStatus)> = found
        .candidates
        .iter()
        .map(|c| (c.name.as_str(), c.post.as_deref(), c.address_status))
        .collect();
    assert_eq!(
        got,
        [
            (
                "PRYDERI Gwen",
                Some("Aberenghraifft"),
                AddressStatus::Withheld
            ),
            (
                "TEGID Elis",
                Some("Aberenghraifft"),
                AddressStatus::Published
            ),
        ]
    );
    assert_eq!(found.candidates[1].postcode.as_deref(), Some("ZZ3 3ZZ"));
    assert!(
        found.findings.iter().all(|f| !f.evidence.contains("ZZ2")),
        "{:?}",
        found.findings
    );
}

#[test]
fn list_election_party_headings_group_the_rows_under_them() {
    // A heading across the table names the party whose list follows; a
    // candidate's own description, where printed, wins.
    let heading = |y: f32, text: &str| {
        row(
            1,
            y,
            vec![Cell {
                right: 300.0,
                ..cell(50.0, text)
            }],
        )
    };
    let candidate =
        |y: f32, cells: &[(f32, &str)]| row(1, y, cells.iter().map(|&(x, t)| cell(x, t)).collect());
    let x = extraction(vec![
        text_row(
            1,
            800.0,
            "Statement of parties and individual candidates nominated",
        ),
        text_row(1, 780.0, "Electoral Region: Exampleshire"),
        candidate(
            760.0,
            &[
                (50.0, "Name of Candidate"),
                (150.0, "Home Address"),
                (250.0, "Description"),
            ],
        ),
        heading(745.0, "Exampleton Independents Alliance"),
        candidate(
            730.0,
            &[(50.0, "ABBOT Ann"), (150.0, "(address in Exampleton)")],
        ),
        candidate(
            715.0,
            &[
                (50.0, "BAKER Bo"),
                (150.0, "4 Quill Row, Exampleton ZZ1 1ZZ"),
            ],
        ),
        heading(700.0, "Exampleton Green List"),
        candidate(
            685.0,
            &[
                (50.0, "CARR Cy"),
                (150.0, "(address in Exampleton)"),
                (250.0, "Greens for Exampleton"),
            ],
        ),
        text_row(1, 660.0, "Dated 3 April 2026"),
    ]);
    let found = detect(&x);
    let got: Vec<(&str, Option<&str>, Option<&str>)> = found
        .candidates
        .iter()
        .map(|c| (c.name.as_str(), c.post.as_deref(), c.description.as_deref()))
        .collect();
    let alliance = Some("Exampleton Independents Alliance");
    let region = Some("Exampleshire");
    assert_eq!(
        got,
        [
            ("ABBOT Ann", region, alliance),
            ("BAKER Bo", region, alliance),
            ("CARR Cy", region, Some("Greens for Exampleton")),
        ]
    );
}

/// The evidence of a document's `unparsed-notice` findings.
fn unparsed_evidence(found: &DocumentFindings) -> Vec<&str> {
    found
        .findings
        .iter()
        .filter(|f| f.rule == "unparsed-notice")
        .map(|f| f.evidence.as_str())
        .collect()
}

#[test]
fn a_notice_whose_candidates_cannot_be_read_is_unparsed_not_clean() {
    // A statement of persons nominated printed as running text: no table
    // header, so no candidate is read, and the notice says so.
    let x = extraction(vec![
        text_row(1, 800.0, "STATEMENT OF PERSONS NOMINATED"),
        text_row(
            1,
            780.0,
            "Election of a District Councillor for Sample Ward",
        ),
        text_row(
            1,
            760.0,
            "QUEBEC Quentin of 4 Quay Street Sampleton ZZ4 4ZZ Independent",
        ),
    ]);
    let found = detect(&x);
    assert!(found.candidates.is_empty());
    let evidence = unparsed_evidence(&found);
    assert_eq!(evidence.len(), 1, "{:?}", rules_of(&found));
    assert!(evidence[0].contains("no candidate table header"));
    assert!(!evidence[0].contains("ZZ4"));
    let unparsed = found.findings.iter().find(|f| f.rule == "unparsed-notice");
    assert_eq!(unparsed.map(|f| f.severity), Some(Severity::High));

    // The headings and the table header, then nothing.
    let mut lines = sopn(&[]);
    lines.retain(|l| l.baseline >= 750.0);
    let found = detect(&extraction(lines));
    let evidence = unparsed_evidence(&found);
    assert_eq!(evidence.len(), 1, "{:?}", rules_of(&found));
    assert!(evidence[0].contains("header on page 1"), "{}", evidence[0]);

    // Rows run together: one "candidate" holding three homes' postcodes.
    let found = detect(&extraction(sopn(&[(
        "ALPHA Alice BRAVO Ben CHARLIE Cat",
        "1 Ash Row ZZ5 5ZZ 2 Birch Row ZZ6 6ZZ 3 Cedar Row ZZ7 7ZZ",
    )])));
    let evidence = unparsed_evidence(&found);
    assert_eq!(evidence.len(), 1, "{:?}", rules_of(&found));
    assert!(evidence[0].contains("holds 3 postcodes"), "{}", evidence[0]);
    assert!(!evidence[0].contains("ZZ5"));

    // Read notices, and documents that list no candidates, give none.
    let read = detect(&extraction(sopn(&[(
        "ALPHA Alice",
        "(address in Sampleton)",
    )])));
    assert!(!rules_of(&read).contains(&"unparsed-notice"));
    let other = detect(&extraction(vec![text_row(
        1,
        800.0,
        "Council tax bands 2026",
    )]));
    assert!(!rules_of(&other).contains(&"unparsed-notice"));
}

/// The `unattributed-address` findings: (candidate, postcode).
fn unattributed(found: &DocumentFindings) -> Vec<(Option<&str>, Option<&str>)> {
    found
        .findings
        .iter()
        .filter(|f| f.rule == "unattributed-address")
        .map(|f| (f.candidate.as_deref(), f.postcode.as_deref()))
        .collect()
}

#[test]
fn every_printed_postcode_is_a_candidates_or_a_legitimate_blocks() {
    // Candidates' postcodes, the polling station and the imprint: all
    // accounted for.
    let read = detect(&extraction(sopn(&[
        ("ALPHA Alice", "1 Ash Row, Sampleton ZZ5 5ZZ"),
        ("BRAVO Ben", "(address in Sampleton)"),
    ])));
    assert_eq!(unattributed(&read), []);

    // A second home's postcode in one candidate's cell is reported with
    // that candidate.
    let found = detect(&extraction(sopn(&[(
        "ALPHA Alice",
        "1 Ash Row ZZ5 5ZZ 2 Birch Row ZZ6 6ZZ",
    )])));
    let extra: Vec<_> = unattributed(&found);
    assert_eq!(extra.len(), 1, "{:?}", rules_of(&found));
    assert_eq!(extra[0].0, Some("ALPHA Alice"));
    let candidate_postcode = found.candidates[0].postcode.as_deref();
    assert!(extra[0].1.is_some() && extra[0].1 != candidate_postcode);
    let severity = found
        .findings
        .iter()
        .find(|f| f.rule == "unattributed-address")
        .map(|f| f.severity);
    assert_eq!(severity, Some(Severity::Medium));

    // A stray postcode outside every table and block is nobody's; the
    // office printed under the returning officer's name is legitimate.
    let mut lines = sopn(&[("ALPHA Alice", "(address in Sampleton)")]);
    lines.extend([
        text_row(1, 260.0, "Any queries to the Returning Officer"),
        text_row(1, 250.0, "Civic Offices"),
        text_row(1, 240.0, "1 Example Square, Sampleton"),
        text_row(1, 230.0, "ZZ3 3AB"),
        text_row(1, 150.0, "Exampleshire District Council"),
        text_row(1, 120.0, "See 7 Quill Lane, Sampleton ZZ4 4XY"),
    ]);
    let found = detect(&extraction(lines));
    assert_eq!(unattributed(&found), [(None, Some("ZZ4 4XY"))]);
}

#[test]
fn a_cell_that_is_only_an_area_named_elsewhere_is_withheld() {
    let found = detect(&extraction(sopn(&[
        ("ALPHA Alice", "Sample"),
        ("BRAVO Ben", "(address in Northtown)"),
        ("CHARLIE Cat", "Northtown"),
        ("DELTA Dan", "Elsewhereville"),
    ])));
    let got: Vec<(&str, AddressStatus, Option<&str>)> = found
        .candidates
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.address_status,
                c.withheld_area.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // The ward's own name, and an area another candidate withheld.
            ("ALPHA Alice", AddressStatus::Withheld, Some("Sample")),
            ("BRAVO Ben", AddressStatus::Withheld, Some("Northtown")),
            ("CHARLIE Cat", AddressStatus::Withheld, Some("Northtown")),
            // A word named nowhere else is no area the notice knows.
            ("DELTA Dan", AddressStatus::Unknown, None),
        ]
    );
    assert!(!rules_of(&found).contains(&"published-home-address"));
}

#[test]
fn rows_normal_form_is_their_visible_texts_normalised() {
    let mut lines = sopn(&[
        ("SMITH  Ann\nMary", "(address in\tSample)"),
        ("JONES Bob", "  "),
    ]);
    lines.push(row(
        1,
        280.0,
        vec![
            cell(50.0, "   "),
            cell_as(150.0, "Hidden Words", Visibility::Covered),
            cell(250.0, "ZOË  Émile"),
        ],
    ));
    let segmented = Detector::new(&Rules::builtin())
        .segmenter
        .segment(&lines, &[]);
    let mut expected = String::new();
    for take in [0, 1, 3, segmented.items.len()] {
        let rows = || segmented.items.iter().take(take);
        text::normalise_into(&visible_text(rows()), &mut expected);
        assert_eq!(visible_normal(rows()), expected, "first {take} rows");
    }
}

#[test]
fn an_address_run_on_into_the_name_cell_is_parted_at_the_house_number() {
    let found = detect(&extraction(sopn(&[
        ("HOTEL Hal 12 Nowhere Road, Sampleton, ZZ4 4ZZ", ""),
        // A number in a name with no address after it stays the name.
        ("INDIA Ivy 2nd", ""),
        ("JULIET Jo", "(address in Exampleshire)"),
    ])));
    assert_eq!(
        statuses(&found),
        [
            ("HOTEL Hal", AddressStatus::Published, Some("ZZ4 4ZZ")),
            ("INDIA Ivy 2nd", AddressStatus::Unknown, None),
            ("JULIET Jo", AddressStatus::Withheld, None),
        ]
    );
    assert_eq!(rules_of(&found), ["published-home-address"]);
}

#[test]
fn a_wrapped_heading_label_and_a_cell_carried_over_the_page_are_read() {
    let label_row = |y: f32, label: &str, value: &str| {
        row(
            1,
            y,
            vec![
                Cell {
                    right: 140.0,
                    ..cell(50.0, label)
                },
                cell(200.0, value),
            ],
        )
    };
    let pair = |page, y, candidate, agent| beside(page, y, candidate, 150.0, agent);
    let rows = vec![
        text_row(1, 800.0, "NOTICE OF APPOINTMENT OF ELECTION AGENTS"),
        label_row(790.0, "District of", "Exampleshire"),
        // "District Electoral Area" wrapped in its narrow label column.
        label_row(780.0, "District Electoral", "Sampleside"),
        row(
            1,
            770.0,
            vec![Cell {
                right: 80.0,
                ..cell(50.0, "Area")
            }],
        ),
        row(
            1,
            750.0,
            vec![
                cell(50.0, "NAME AND ADDRESS OF CANDIDATE"),
                cell(150.0, "NAME AND ADDRESS OF AGENT"),
                cell(250.0, "ADDRESS OF OFFICE"),
            ],
        ),
        pair(1, 700.0, "Quinn Quebec,", "Rita Romeo,"),
        pair(1, 688.0, "4 Home Lane,", "9 Office Row,"),
        pair(1, 676.0, "Sampleton. ZZ8 8ZZ", "Sampleton. ZZ7 7ZZ"),
        // The last candidate's cell breaks after the name; the address
        // goes on at the top of the next page, with no header.
        pair(1, 660.0, "Sam Sierra,", "Tom Tango,"),
        pair(2, 800.0, "7 Other Road,", "3 Agent Street,"),
        pair(2, 788.0, "Sampleton. ZZ9 9ZZ", "Sampleton. ZZ6 6ZZ"),
        text_row(2, 700.0, "Dated 1 April 2023"),
    ];
    let found = detect(&extraction(rows));
    let read: Vec<(&str, Option<&str>, AddressStatus, Option<&str>)> = found
        .candidates
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.post.as_deref(),
                c.address_status,
                c.postcode.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            (
                "Quinn Quebec",
                Some("Sampleside"),
                AddressStatus::Published,
                Some("ZZ8 8ZZ")
            ),
            (
                "Sam Sierra",
                Some("Sampleside"),
                AddressStatus::Published,
                Some("ZZ9 9ZZ")
            ),
        ]
    );
}

#[test]
fn rows_spaced_far_apart_in_an_unruled_table_stay_in_it() {
    let line = |y: f32, texts: [&str; 3]| {
        row(
            1,
            y,
            texts
                .iter()
                .zip([50.0, 150.0, 250.0])
                .filter(|(text, _)| !text.is_empty())
                .map(|(text, x)| cell(x, text))
                .collect(),
        )
    };
    let rows = vec![
        text_row(1, 800.0, "STATEMENT AS TO PERSONS NOMINATED"),
        text_row(1, 790.0, "SAMPLE WARD"),
        line(750.0, ["Surname", "Home Address", "Description"]),
        line(700.0, ["QUEBEC", "(address in Exampleshire)", "Green"]),
        // Seven text heights below the row above: the next row, not the
        // end of the table.
        line(630.0, ["SIERRA", "4 Home Lane", "Blue"]),
        line(618.0, ["", "Sampleton ZZ8 8ZZ", ""]),
        line(548.0, ["TANGO", "7 Other Road", "Red"]),
        line(536.0, ["", "Sampleton ZZ9 9ZZ", ""]),
        text_row(1, 100.0, "Dated 1 April 2023"),
    ];
    let found = detect(&extraction(rows));
    assert_eq!(
        statuses(&found),
        [
            ("QUEBEC", AddressStatus::Withheld, None),
            ("SIERRA", AddressStatus::Published, Some("ZZ8 8ZZ")),
            ("TANGO", AddressStatus::Published, Some("ZZ9 9ZZ")),
        ]
    );
    assert!(!rules_of(&found).contains(&"unattributed-address"));
}

#[test]
fn header_words_broken_by_an_ocr_layer_still_name_their_column() {
    let rows = vec![
        text_row(1, 800.0, "STATEMENT OF PERSONS NOMINATED"),
        text_row(1, 790.0, "SAMPLE WARD"),
        row(
            1,
            750.0,
            vec![
                cell(50.0, "SURNAME"),
                cell(150.0, "ADDRESS"),
                cell(250.0, "DESCRI PTI ON (if any)"),
            ],
        ),
        row(
            1,
            730.0,
            vec![
                cell(50.0, "QUEBEC"),
                cell(150.0, "Address in Exampleshire"),
                cell(250.0, "Green Party"),
            ],
        ),
    ];
    let found = detect(&extraction(rows));
    let [candidate] = found.candidates.as_slice() else {
        panic!("one candidate: {:?}", found.candidates);
    };
    assert_eq!(candidate.address_status, AddressStatus::Withheld);
    assert_eq!(candidate.withheld_area.as_deref(), Some("Exampleshire"));
    assert_eq!(candidate.description.as_deref(), Some("Green Party"));
}

#[test]
fn a_browser_printed_table_of_paragraphs_is_read_row_by_row() {
    // Every line its own paragraph, 25 points apart; rows 58 apart; the
    // browser's footer on each page; a superscript stray above "Dated".
    let pair = |page, y, candidate, agent| beside(page, y, candidate, 200.0, agent);
    let footer = |page: u32| {
        row(
            page,
            30.0,
            vec![
                cell(50.0, "https://www.example.test/Elections/SOPN-Agents.html"),
                cell(400.0, &format!("{page}/2")),
            ],
        )
    };
    let rows = vec![
        text_row(1, 800.0, "NOTICE OF ELECTION AGENTS"),
        text_row(1, 790.0, "Election of Councillors for Sampleside Ward"),
        row(
            1,
            750.0,
            vec![
                cell(50.0, "NAME AND ADDRESS OF CANDIDATE"),
                cell(200.0, "NAME AND ADDRESS OF AGENT"),
            ],
        ),
        pair(1, 700.0, "Quinn Quebec,", "Rita Romeo,"),
        pair(1, 675.0, "4 Home Lane,", "9 Office Row,"),
        pair(1, 650.0, "Sampleton.", "Sampleton,"),
        // The agent's cell runs a line longer: a line that carries on the
        // row, whose spacing is the rows' own.
        pair(1, 625.0, "", "ZZ7 7ZZ"),
        pair(1, 567.0, "Sam Sierra,", "Tom Tango,"),
        pair(1, 542.0, "7 Other Road,", "3 Agent Street,"),
        pair(1, 517.0, "Sampleton.", "Sampleton. ZZ6 6ZZ"),
        pair(1, 492.0, "ZZ9 9ZZ", ""),
        footer(1),
        // Page 2 shows no line that carries on a row: its rows go by the
        // spacing of page 1's.
        pair(2, 800.0, "Uma Uniform,", "Val Victor,"),
        pair(2, 775.0, "Rose Cottage,", "8 Fourth Way,"),
        pair(2, 750.0, "Sampleton. ZZ5 5ZZ", "Sampleton. ZZ4 4ZZ"),
        row(
            2,
            700.0,
            vec![Cell {
                size: 6.0,
                ..cell(60.0, "th")
            }],
        ),
        text_row(2, 690.0, "Dated this 30 day of April 2023"),
        footer(2),
    ];
    let found = detect(&extraction(rows));
    assert_eq!(
        statuses(&found),
        [
            ("Quinn Quebec", AddressStatus::Published, None),
            ("Sam Sierra", AddressStatus::Published, Some("ZZ9 9ZZ")),
            ("Uma Uniform", AddressStatus::Published, Some("ZZ5 5ZZ")),
        ]
    );
}
