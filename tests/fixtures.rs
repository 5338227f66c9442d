//! Every synthetic fixture extracts to exactly the runs the generator drew:
//! same text, same page, same position (within half a point) and the same
//! visibility, with nothing extra; side layers and earlier revisions hold
//! what the generator put there, and the text source is the one it wrote
//! (a searchable scan's OCR layer is read as the page's visible text).

use sopncheck::extract::{ExtractError, Limits, extract_bytes};
use sopncheck::model::{Extraction, TextRun, TextSource, Visibility};
use sopncheck::synth::pdf::{self, DrawnText, FontKind, OcrLayer, Page, Spec};
use sopncheck::synth::{Expected, Fixture, fixtures};

fn fixture(name: &str) -> Fixture {
    fixtures()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no fixture {name}"))
}

fn extract(fixture: &Fixture) -> Result<Extraction, ExtractError> {
    extract_bytes(&fixture.bytes, None, &Limits::default())
}

fn matches(run: &TextRun, drawn: &DrawnText) -> bool {
    run.page == drawn.page
        && run.text == drawn.text
        && (run.x - drawn.x).abs() < 0.5
        && (run.y - drawn.y).abs() < 0.5
        && (run.font_size - drawn.size).abs() < 0.01
        && run.visibility == drawn.visibility
}

/// Pairs every drawn text with one extracted run; returns what is left
/// over on either side.
fn unmatched(runs: &[TextRun], drawn: &[DrawnText]) -> (Vec<String>, Vec<String>) {
    let mut used = vec![false; runs.len()];
    let mut missing = Vec::new();
    for want in drawn {
        let found = runs
            .iter()
            .enumerate()
            .position(|(i, run)| !used[i] && matches(run, want));
        match found {
            Some(i) => used[i] = true,
            None => missing.push(format!(
                "p{} ({:.1},{:.1}) {:?} {:?}",
                want.page, want.x, want.y, want.visibility, want.text
            )),
        }
    }
    let extra = runs
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(run, _)| {
            format!(
                "p{} ({:.1},{:.1}) {:?} {:?}",
                run.page, run.x, run.y, run.visibility, run.text
            )
        })
        .collect();
    (missing, extra)
}

#[test]
fn every_fixture_extracts_exactly_what_was_drawn() {
    let all = fixtures();
    assert!(all.len() >= 18, "fixture set shrank: {}", all.len());
    for fixture in &all {
        match (&fixture.expected, extract(fixture)) {
            (Expected::NeedsPassword, Err(ExtractError::NeedsPassword)) => {}
            (Expected::NeedsPassword, other) => {
                panic!("{}: expected a password error, got {other:?}", fixture.name)
            }
            (Expected::Runs { .. }, Err(error)) => panic!("{}: {error}", fixture.name),
            (
                Expected::Runs {
                    runs,
                    side,
                    prior,
                    text_source,
                },
                Ok(extraction),
            ) => {
                let (missing, extra) = unmatched(&extraction.runs, runs);
                assert!(
                    missing.is_empty() && extra.is_empty(),
                    "{}: missing runs {missing:#?}\nunexpected runs {extra:#?}",
                    fixture.name
                );
                assert_eq!(
                    extraction.text_source(),
                    Some(*text_source),
                    "{}: text source",
                    fixture.name
                );
                for (layer, text) in side {
                    assert!(
                        extraction
                            .side_texts
                            .iter()
                            .any(|s| s.layer == *layer && s.text.contains(text.as_str())),
                        "{}: no {layer:?} side text containing {text:?}: {:#?}",
                        fixture.name,
                        extraction.side_texts
                    );
                }
                for text in prior {
                    let first = extraction
                        .prior_revisions
                        .first()
                        .unwrap_or_else(|| panic!("{}: no earlier revision", fixture.name));
                    let in_rows = |rows: &[sopncheck::model::Line]| {
                        rows.iter()
                            .flat_map(|l| &l.cells)
                            .any(|c| c.text.replace('\n', " ").contains(text.as_str()))
                    };
                    assert!(
                        in_rows(&first.rows),
                        "{}: {text:?} not in revision 1",
                        fixture.name
                    );
                    assert!(
                        !in_rows(&extraction.rows),
                        "{}: {text:?} still in the current revision",
                        fixture.name
                    );
                }
            }
        }
    }
}

fn hidden_runs(extraction: &Extraction) -> Vec<(Visibility, String)> {
    extraction
        .runs
        .iter()
        .filter(|r| r.visibility.is_hidden())
        .map(|r| (r.visibility, r.text.clone()))
        .collect()
}

fn first_address_lines(fixture: &Fixture) -> Vec<String> {
    match &fixture.notice.posts[0].candidates[0].home {
        sopncheck::synth::notice::Home::Published(address) => {
            let mut lines = address.lines.clone();
            lines.push(address.postcode.clone());
            lines
        }
        other => panic!("{}: first candidate not published: {other:?}", fixture.name),
    }
}

#[test]
fn each_hiding_technique_gets_its_visibility() {
    for (name, visibility) in [
        ("covered-address", Visibility::Covered),
        ("black-image-address", Visibility::Covered),
        ("render-mode-3", Visibility::Invisible),
        ("white-text", Visibility::White),
        ("outside-crop", Visibility::Outside),
        ("clipped-text", Visibility::Outside),
    ] {
        let fixture = fixture(name);
        let extraction = extract(&fixture).expect("extracts");
        let hidden = hidden_runs(&extraction);
        assert!(!hidden.is_empty(), "{name}: nothing hidden");
        assert!(
            hidden.iter().all(|(v, _)| *v == visibility),
            "{name}: {hidden:?}"
        );
        // The hidden runs are the address, postcode included.
        let text: String = hidden
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let postcode = first_address_lines(&fixture).pop().expect("postcode");
        assert!(
            text.contains(&postcode),
            "{name}: {text:?} lacks the postcode"
        );
    }
}

#[test]
fn proper_redaction_and_header_bars_hide_nothing() {
    for name in ["proper-redaction", "header-bar", "metadata-address"] {
        let extraction = extract(&fixture(name)).expect("extracts");
        assert_eq!(hidden_runs(&extraction), vec![], "{name}");
    }
    // The removed address is nowhere in the page text.
    let redacted = fixture("proper-redaction");
    let extraction = extract(&redacted).expect("extracts");
    let postcode = first_address_lines(&redacted).pop().expect("postcode");
    assert!(extraction.runs.iter().all(|r| !r.text.contains(&postcode)));
    // The header bar's white text is all there, visible.
    let barred = fixture("header-bar");
    let extraction = extract(&barred).expect("extracts");
    assert!(
        extraction
            .runs
            .iter()
            .any(|r| r.text == "Home Address" && r.visibility == Visibility::Visible)
    );
}

#[test]
fn searchable_scans_are_read_as_their_visible_text() {
    for name in ["scan-text-under-image", "scan-invisible-text"] {
        let fixture = fixture(name);
        let extraction = extract(&fixture).expect("extracts");
        assert!(extraction.pages >= 2, "{name}: pages {}", extraction.pages);
        assert_eq!(hidden_runs(&extraction), vec![], "{name}");
        assert_eq!(extraction.text_source(), Some(TextSource::Ocr), "{name}");
        let page_text: String = extraction
            .runs
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        for (_, candidate) in fixture.notice.candidates() {
            assert!(
                page_text.contains(&candidate.surname),
                "{name}: {} not read",
                candidate.surname
            );
        }
    }
}

#[test]
fn text_source_is_decided_page_by_page() {
    let page = |text: &str, scanned: Option<OcrLayer>| {
        let mut page = Page::new();
        page.text(72.0, 700.0, 10.0, text);
        if let Some(layer) = scanned {
            page.scan([0.0, 0.0, 595.0, 842.0], layer);
        }
        page
    };
    let source = |pages: &[Page]| {
        let bytes = pdf::write(&Spec::new(FontKind::Type1WinAnsi), pages);
        extract_bytes(&bytes, None, &Limits::default())
            .expect("extracts")
            .text_source()
    };
    let scanned = page("Scanned notice", Some(OcrLayer::InvisibleOverImage));
    let printed = page("Printed notice", None);
    assert_eq!(
        source(&[scanned.clone(), printed.clone()]),
        Some(TextSource::Mixed)
    );
    assert_eq!(source(&[printed.clone(), printed]), Some(TextSource::Text));
    assert_eq!(source(&[scanned.clone(), scanned]), Some(TextSource::Ocr));
    // A scan with no OCR layer has no text at all: no source.
    let mut blank = Page::new();
    blank.scan([0.0, 0.0, 595.0, 842.0], OcrLayer::UnderImage);
    assert_eq!(source(&[blank]), None);
    // Text beside a picture smaller than the page is the page's own text,
    // and invisible text on it stays invisible.
    let mut pictured = page("Printed caption", None);
    pictured.image([60.0, 500.0, 200.0, 100.0], pdf::Raster::Scan);
    pictured.text_as(
        72.0,
        550.0,
        10.0,
        "Hidden caption",
        pdf::Ink::Invisible,
        Visibility::Invisible,
    );
    let bytes = pdf::write(&Spec::new(FontKind::Type1WinAnsi), &[pictured]);
    let extraction = extract_bytes(&bytes, None, &Limits::default()).expect("extracts");
    assert_eq!(extraction.text_source(), Some(TextSource::Text));
    assert_eq!(
        hidden_runs(&extraction),
        vec![(Visibility::Invisible, "Hidden caption".to_owned())]
    );
}

#[test]
fn multi_ward_table_spans_pages_with_every_candidate() {
    let fixture = fixture("multi-ward-table");
    let extraction = extract(&fixture).expect("extracts");
    assert!(extraction.pages >= 2, "pages: {}", extraction.pages);
    let rows: Vec<String> = extraction.rows.iter().map(|l| l.joined(" | ")).collect();
    for post in &fixture.notice.posts {
        assert!(
            rows.iter().any(|r| r.contains(&post.name)),
            "ward {} missing",
            post.name
        );
        for candidate in &post.candidates {
            let name = format!("{}\n{}", candidate.surname, candidate.other_names);
            assert!(
                extraction
                    .rows
                    .iter()
                    .any(|l| l.cells.first().is_some_and(|c| c.text == name)),
                "{name:?} is not one first-column cell"
            );
        }
    }
}

#[test]
fn fixtures_are_deterministic() {
    let a = fixtures();
    let b = fixtures();
    // lopdf salts encryption, so the encrypted fixtures are left out.
    for (x, y) in a
        .iter()
        .zip(&b)
        .filter(|(x, _)| !x.name.contains("password"))
    {
        assert!(x.bytes == y.bytes, "{} differs between runs", x.name);
    }
}
