//! Synthetic election notices: invented people and addresses, printed in
//! the layouts real councils use, as PDFs written with lopdf, Word files
//! and HTML pages.
//!
//! Tests, benchmarks and the demo use these instead of real notices, which
//! hold real people's addresses and never enter the repository. Four entry
//! points:
//!
//! * [`fixtures`]: one small named PDF per font set-up, packing, hidden
//!   layer and searchable-scan layout the extractor must handle, each with
//!   the exact runs (text, position, visibility), side texts and text
//!   source the extractor must report;
//! * [`corpus_document`]: the `n`th document of a seeded benchmark corpus,
//!   cycling through layouts, fonts and packings;
//! * [`notice`] and [`render`]: a notice of a chosen layout, for tests that
//!   need their own variation;
//! * [`docx::write`] and [`html::write`]: the same notice as a Word file
//!   (one table per post) or an HTML page (a definition list per
//!   candidate), so that detection is tested on every format it reads.
//!
//! Everything is deterministic: the same seed gives the same bytes.

pub mod docx;
pub mod hostile;
pub mod html;
pub mod layouts;
pub mod notice;
pub mod pdf;
pub mod people;

use self::notice::{Address, Home, Layout, Notice, Redaction};
use self::pdf::{DrawnText, FontKind, OcrLayer, Packing, Page, Spec};
use self::people::People;
use crate::model::{SideLayer, TextSource};
use crate::registry::{Council, registry};

const COUNCILS: &[&str] = &[
    "Borough of Northbury",
    "Lowther Vale District Council",
    "Castlemere City Council",
    "Saltmarsh Borough Council",
];

/// A notice of `layout` with `posts` wards of `per_post` candidates each,
/// drawn from `people`. About a quarter of candidates publish an address.
pub fn notice(people: &mut People, layout: Layout, posts: usize, per_post: usize) -> Notice {
    let council = COUNCILS[people.number(0..=COUNCILS.len() - 1)];
    let day = people.number(1..=28);
    Notice {
        layout,
        council: council.to_owned(),
        poll_date: format!("Thursday {day} May 2026"),
        poll_date_welsh: format!("ddydd Iau {day} Mai 2026"),
        election_date: layout
            .prints_poll_date()
            .then(|| format!("2026-05-{day:02}")),
        dated: format!("Thursday {day} May 2026"),
        returning_officer: "Harriet Pendlebury".to_owned(),
        office: Address {
            lines: vec![
                "Town Hall".into(),
                "Market Square".into(),
                "Northbury".into(),
            ],
            postcode: "NB1 1AA".into(),
        },
        posts: (0..posts)
            .map(|i| {
                let mut post = people.post(i, per_post, 0.25, layout.withheld_wording());
                if !layout.prints_withdrawals() {
                    post.candidates.retain(|c| !c.withdrawn);
                }
                if layout == Layout::PartyLists {
                    // Every candidate of a list election stands on a list;
                    // an individual candidate's is their own.
                    for candidate in &mut post.candidates {
                        if candidate.description.is_empty() {
                            candidate.description = "Independent".into();
                        }
                    }
                }
                post
            })
            .collect(),
    }
}

/// Lays `notice` out and writes it with `spec`, returning the bytes and the
/// runs the extractor must report.
pub fn render(notice: &Notice, spec: &Spec, header_bar: bool) -> (Vec<u8>, Vec<DrawnText>) {
    let pages = layouts::render(notice, header_bar);
    (pdf::write(spec, &pages), drawn(&pages))
}

fn drawn(pages: &[Page]) -> Vec<DrawnText> {
    pages
        .iter()
        .enumerate()
        .flat_map(|(i, page)| page.drawn(i as u32 + 1))
        .collect()
}

/// What extracting a fixture must give.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// Exactly these runs (in any order), and side texts containing each
    /// `(layer, text)`; `prior` are texts that an earlier revision shows.
    Runs {
        /// Every run of the current revision.
        runs: Vec<DrawnText>,
        /// Side-layer texts that must be present.
        side: Vec<(SideLayer, String)>,
        /// Texts the first revision's rows hold and the current one lacks.
        prior: Vec<String>,
        /// Where the page text comes from.
        text_source: TextSource,
    },
    /// Extraction fails because the file needs a password.
    NeedsPassword,
}

/// A named synthetic PDF and what extracting it must give.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// File stem, e.g. `covered-address`.
    pub name: &'static str,
    /// What it exercises.
    pub about: &'static str,
    /// The notice it prints (ground truth for detection).
    pub notice: Notice,
    /// The PDF.
    pub bytes: Vec<u8>,
    /// The extractor's expected output.
    pub expected: Expected,
}

/// One fixture's recipe.
struct Recipe {
    name: &'static str,
    about: &'static str,
    layout: Layout,
    font: FontKind,
    packing: Packing,
    posts: usize,
    per_post: usize,
    /// The first candidate's address is published and hidden this way.
    redaction: Option<Redaction>,
    header_bar: bool,
    /// A control: every candidate withholds their address (but the one a
    /// redaction hides), so any finding at all is a false alarm.
    control: bool,
    /// Every page is a searchable scan of itself, its text the OCR layer.
    scan: Option<OcrLayer>,
}

impl Recipe {
    fn new(name: &'static str, about: &'static str, layout: Layout, font: FontKind) -> Recipe {
        Recipe {
            name,
            about,
            layout,
            font,
            packing: Packing::Flate,
            posts: 1,
            per_post: 5,
            redaction: None,
            header_bar: false,
            control: false,
            scan: None,
        }
    }

    fn packing(mut self, packing: Packing) -> Recipe {
        self.packing = packing;
        self
    }

    fn size(mut self, posts: usize, per_post: usize) -> Recipe {
        self.posts = posts;
        self.per_post = per_post;
        self
    }

    fn redaction(mut self, redaction: Redaction) -> Recipe {
        self.redaction = Some(redaction);
        self
    }

    fn header_bar(mut self) -> Recipe {
        self.header_bar = true;
        self
    }

    fn control(mut self) -> Recipe {
        self.control = true;
        self
    }

    fn scan(mut self, layer: OcrLayer) -> Recipe {
        self.scan = Some(layer);
        self
    }

    /// The notice, with the first candidate publishing an address when a
    /// redaction is asked for.
    fn notice(&self, seed: u64) -> Notice {
        let mut people = People::new(seed);
        let mut notice = notice(&mut people, self.layout, self.posts, self.per_post);
        if let Some(redaction) = self.redaction
            && let Some(first) = notice
                .posts
                .first_mut()
                .and_then(|p| p.candidates.first_mut())
        {
            if !matches!(first.home, Home::Published(_)) {
                first.home = Home::Published(people.address());
            }
            first.withdrawn = false;
            first.redaction = redaction;
        }
        if self.control {
            let wording = self
                .layout
                .withheld_wording()
                .replace("{area}", "Northbury");
            for candidate in notice.posts.iter_mut().flat_map(|p| &mut p.candidates) {
                if candidate.redaction == Redaction::None {
                    candidate.home = Home::Withheld(wording.clone());
                }
            }
        }
        notice
    }

    fn spec(&self) -> Spec {
        let mut spec = Spec::new(self.font);
        spec.packing = self.packing;
        if self.redaction == Some(Redaction::OutsideCrop) {
            spec.media_box = [0.0, 0.0, 700.0, 842.0];
            spec.crop_box = Some(pdf::A4);
        }
        spec
    }

    fn build(&self, seed: u64) -> Fixture {
        let notice = self.notice(seed);
        let spec = self.spec();
        let mut pages = layouts::render(&notice, self.header_bar);
        if let Some(layer) = self.scan {
            let [x0, y0, x1, y1] = spec.media_box;
            for page in &mut pages {
                page.scan([x0, y0, x1 - x0, y1 - y0], layer);
            }
        }
        self.finish(notice, &spec, &pages, Vec::new())
    }

    /// The fixture for `pages` written with `spec`; `side` lists the
    /// side-layer texts extraction must find.
    fn finish(
        &self,
        notice: Notice,
        spec: &Spec,
        pages: &[Page],
        side: Vec<(SideLayer, String)>,
    ) -> Fixture {
        Fixture {
            name: self.name,
            about: self.about,
            notice,
            bytes: pdf::write(spec, pages),
            expected: Expected::Runs {
                runs: drawn(pages),
                side,
                prior: Vec::new(),
                text_source: if self.scan.is_some() {
                    TextSource::Ocr
                } else {
                    TextSource::Text
                },
            },
        }
    }
}

/// The first published address of a notice, on one line.
fn first_published(notice: &Notice) -> Option<String> {
    notice.candidates().find_map(|(_, c)| match &c.home {
        Home::Published(address) => Some(address.one_line()),
        Home::Withheld(_) => None,
    })
}

/// Every named fixture, generated from fixed seeds.
pub fn fixtures() -> Vec<Fixture> {
    use FontKind::*;
    use Layout::*;
    let plain = [
        Recipe::new(
            "type1-winansi",
            "Type1 Helvetica, WinAnsiEncoding, uncompressed; a ruled table with wrapped address cells",
            Table,
            Type1WinAnsi,
        )
        .packing(Packing::Plain)
        .size(1, 6),
        Recipe::new(
            "type1-differences",
            "Type1 with a /Differences encoding and /Widths; label layout",
            Labels,
            Type1Differences,
        )
        .size(2, 3),
        Recipe::new(
            "truetype-tounicode",
            "TrueType whose codes decode only through ToUnicode; separate name columns, continued over pages",
            SplitNames,
            TrueTypeToUnicode,
        )
        .size(1, 14),
        Recipe::new(
            "type0-identity-h",
            "Type0 Identity-H with a ToUnicode CMap (bfchar, bfrange and array bfrange); ASCIIHex+Flate streams",
            Table,
            Type0IdentityH,
        )
        .packing(Packing::HexFlate),
        Recipe::new(
            "object-streams",
            "compressed object streams and a cross-reference stream; one ward per page with polling stations",
            WardPerPage,
            Type1WinAnsi,
        )
        .packing(Packing::ObjectStreams)
        .size(3, 4),
        Recipe::new(
            "multi-ward-table",
            "a multi-page, multi-ward table whose header repeats on each page",
            Table,
            Type0IdentityH,
        )
        .packing(Packing::ObjectStreams)
        .size(4, 8),
        Recipe::new(
            "covered-address",
            "an address printed, then a black box drawn over it: the text is still in the file",
            Table,
            Type1WinAnsi,
        )
        .redaction(Redaction::BlackBox),
        Recipe::new(
            "proper-redaction",
            "control: the address removed and a black box drawn where it was; nothing is covered",
            Table,
            Type1WinAnsi,
        )
        .redaction(Redaction::Removed)
        .control(),
        Recipe::new(
            "header-bar",
            "control: white header text on a dark table-header bar is visible, not white or covered",
            SplitNames,
            TrueTypeToUnicode,
        )
        .header_bar()
        .control(),
        Recipe::new(
            "render-mode-3",
            "an address in text render mode 3 (invisible)",
            Table,
            Type0IdentityH,
        )
        .redaction(Redaction::Invisible),
        Recipe::new(
            "white-text",
            "an address in white on the white page",
            WardPerPage,
            Type1WinAnsi,
        )
        .redaction(Redaction::White),
        Recipe::new(
            "outside-crop",
            "an address beyond the crop box, inside a wider media box",
            Table,
            Type1WinAnsi,
        )
        .redaction(Redaction::OutsideCrop),
        Recipe::new(
            "unruled-table",
            "no ruling lines, the postcode a blank line below the address, proposer and seconder in two sub-columns; a ward over two pages without a repeated header",
            Unruled,
            TrueTypeToUnicode,
        )
        .size(2, 14),
        Recipe::new(
            "numbered-header",
            "numbered capital headers over a ruled table; names printed SURNAME, Other names",
            Numbered,
            Type1WinAnsi,
        )
        .size(2, 4),
        Recipe::new(
            "agents-notice",
            "a notice of election agents: the candidate's name and home address in one cell, the agent's office beside",
            Agents,
            Type0IdentityH,
        )
        .size(2, 5),
        Recipe::new(
            "welsh-bilingual",
            "Welsh and English headers, headings and footers",
            Bilingual,
            Type1WinAnsi,
        )
        .size(2, 4),
        Recipe::new(
            "side-by-side",
            "two wards' ruled tables side by side on each page, each under its own heading",
            SideBySide,
            TrueTypeToUnicode,
        )
        .size(4, 3),
        Recipe::new(
            "party-lists",
            "a list election: each party's candidates under its name in a party column",
            PartyLists,
            Type1WinAnsi,
        )
        .size(2, 7),
        Recipe::new(
            "scan-text-under-image",
            "a searchable scan: the notice's text, then a page-sized image of each page painted over it (the OCR layer under the scan)",
            Table,
            Type1WinAnsi,
        )
        .size(2, 8)
        .scan(OcrLayer::UnderImage),
        Recipe::new(
            "scan-invisible-text",
            "a searchable scan as OCRmyPDF writes it: a page-sized image of each page, the text over it in render mode 3 (a table without ruling lines, continued over pages)",
            Unruled,
            Type0IdentityH,
        )
        .size(2, 10)
        .scan(OcrLayer::InvisibleOverImage),
        Recipe::new(
            "scan-word-boxes",
            "a searchable scan as Tesseract and OCRmyPDF write it: a page-sized image holding the table and its rules, each word over it alone in a glyphless font, its space stretched into the word's box",
            Table,
            Type1WinAnsi,
        )
        .size(2, 8)
        .scan(OcrLayer::WordBoxes),
        Recipe::new(
            "black-image-address",
            "an address printed, then a small black image pasted over it: the text is still in the file",
            Table,
            Type0IdentityH,
        )
        .redaction(Redaction::BlackImage),
    ];
    let mut fixtures: Vec<Fixture> = plain
        .iter()
        .enumerate()
        .map(|(i, recipe)| recipe.build(1000 + i as u64))
        .collect();
    fixtures.push(clipped_text());
    fixtures.push(metadata_address());
    fixtures.push(annotation_address());
    fixtures.push(incremental_update());
    fixtures.extend(encrypted());
    fixtures.push(broken_xref());
    fixtures.extend(unaccounted());
    fixtures.extend(dates());
    fixtures
}

/// Notices whose poll date is printed without its year: one dated with a
/// full date elsewhere (the date is read with that year), one with no year
/// anywhere (no date can be read, and whether candidates could withhold
/// cannot be established).
fn dates() -> Vec<Fixture> {
    [
        (
            "poll-date-without-year",
            "the poll date printed without its year (\"on Thursday 7 May\"), the year given by the Dated line",
            "9 April 2026",
            Some("2026-05-07"),
            2010,
        ),
        (
            "undated-notice",
            "the poll date printed without its year and no year anywhere in the notice: no election date can be read",
            "9 April",
            None,
            2011,
        ),
    ]
    .into_iter()
    .map(|(name, about, dated, election_date, seed)| {
        let recipe = Recipe::new(name, about, Layout::WardPerPage, FontKind::Type1WinAnsi)
            .redaction(Redaction::None);
        let mut notice = recipe.notice(seed);
        notice.poll_date = "Thursday 7 May".to_owned();
        notice.poll_date_welsh = "ddydd Iau 7 Mai".to_owned();
        notice.dated = dated.to_owned();
        notice.election_date = election_date.map(str::to_owned);
        let pages = layouts::render(&notice, false);
        recipe.finish(notice, &recipe.spec(), &pages, Vec::new())
    })
    .collect()
}

/// Notices whose printed postcodes are not all accounted for: one printed
/// as running text that no table reader follows (every published
/// postcode unattributed, the notice unparsed), one candidate's cell
/// holding a second postcode, and a stray postcode in the page margin.
fn unaccounted() -> Vec<Fixture> {
    let running = Recipe::new(
        "running-text",
        "the candidates printed as running text without a table header: the notice cannot be read, and its postcodes are nobody's",
        Layout::Table,
        FontKind::Type1WinAnsi,
    )
    .redaction(Redaction::None);
    let notice = running.notice(2007);
    let pages = layouts::running_text(&notice);
    let running = running.finish(notice, &running.spec(), &pages, Vec::new());

    let second = Recipe::new(
        "two-postcodes",
        "one candidate's address cell holds a second address with its own postcode",
        Layout::Table,
        FontKind::Type1WinAnsi,
    )
    .redaction(Redaction::None);
    let mut notice = second.notice(2008);
    let mut people = People::new(2008);
    let other = people.address();
    if let Some(Home::Published(address)) = notice
        .posts
        .first_mut()
        .and_then(|p| p.candidates.first_mut())
        .map(|c| &mut c.home)
    {
        address.lines.insert(0, other.one_line());
    }
    let pages = layouts::render(&notice, false);
    let second = second.finish(notice, &second.spec(), &pages, Vec::new());

    let stray = Recipe::new(
        "stray-postcode",
        "a postcode printed in the page margin, outside every table and legitimate block",
        Layout::Table,
        FontKind::Type1WinAnsi,
    );
    let notice = stray.notice(2009);
    let mut pages = layouts::render(&notice, false);
    let address = people.address();
    if let Some(page) = pages.first_mut() {
        page.text(40.0, 40.0, 8.0, &format!("Ref. {}", address.one_line()));
    }
    let stray = stray.finish(notice, &stray.spec(), &pages, Vec::new());
    vec![running, second, stray]
}

fn clipped_text() -> Fixture {
    let recipe = Recipe::new(
        "clipped-text",
        "an address drawn outside the current clipping path",
        Layout::Labels,
        FontKind::Type1WinAnsi,
    )
    .redaction(Redaction::None);
    let notice = recipe.notice(2001);
    let mut pages = layouts::render(&notice, false);
    let hidden = first_published(&notice).unwrap_or_default();
    if let Some(page) = pages.first_mut() {
        page.clip([40.0, 40.0, 200.0, 30.0]);
        page.text_as(
            300.0,
            50.0,
            10.0,
            &hidden,
            pdf::Ink::Black,
            crate::model::Visibility::Outside,
        );
        page.end_clip();
    }
    recipe.finish(notice, &recipe.spec(), &pages, Vec::new())
}

fn metadata_address() -> Fixture {
    let recipe = Recipe::new(
        "metadata-address",
        "an address removed from the page but left in the Info dictionary and XMP metadata",
        Layout::Table,
        FontKind::Type1WinAnsi,
    )
    .redaction(Redaction::Removed);
    let notice = recipe.notice(2002);
    let address = first_published(&notice).unwrap_or_default();
    let mut spec = recipe.spec();
    let (subject, description) = (
        format!("Nomination: {address}"),
        format!("Home address {address}"),
    );
    spec.info.push(("Subject".into(), subject.clone()));
    spec.xmp_description = Some(description.clone());
    let pages = layouts::render(&notice, false);
    recipe.finish(
        notice,
        &spec,
        &pages,
        vec![(SideLayer::Info, subject), (SideLayer::Xmp, description)],
    )
}

fn annotation_address() -> Fixture {
    let recipe = Recipe::new(
        "annotation-address",
        "an address left in a sticky-note annotation",
        Layout::Table,
        FontKind::TrueTypeToUnicode,
    )
    .redaction(Redaction::Removed);
    let notice = recipe.notice(2003);
    let address = first_published(&notice).unwrap_or_default();
    let mut pages = layouts::render(&notice, false);
    let note = format!("Candidate asked to withhold {address}");
    if let Some(page) = pages.first_mut() {
        page.annotate(&note, [500.0, 700.0, 520.0, 720.0]);
    }
    recipe.finish(
        notice,
        &recipe.spec(),
        &pages,
        vec![(SideLayer::Annotation, note)],
    )
}

fn incremental_update() -> Fixture {
    let recipe = Recipe::new(
        "incremental-update",
        "an incremental update: the first revision printed an address the second withholds",
        Layout::Table,
        FontKind::Type1WinAnsi,
    )
    .redaction(Redaction::None);
    let before = recipe.notice(2004);
    let mut after = before.clone();
    let mut published_line = String::new();
    if let Some(first) = after
        .posts
        .first_mut()
        .and_then(|p| p.candidates.first_mut())
    {
        if let Home::Published(address) = &first.home {
            published_line = address.lines.first().cloned().unwrap_or_default();
        }
        first.home = Home::Withheld("(address in Northbury)".into());
    }
    let first_pages = layouts::render(&before, false);
    let second_pages = layouts::render(&after, false);
    let replacement = second_pages.first().cloned().unwrap_or_default();
    let mut spec = recipe.spec();
    spec.packing = Packing::Plain;
    let bytes = pdf::write_with_update(&spec, &first_pages, 0, &replacement);
    let mut current = first_pages;
    if let Some(page) = current.first_mut() {
        *page = replacement;
    }
    Fixture {
        name: recipe.name,
        about: recipe.about,
        notice: after,
        bytes,
        expected: Expected::Runs {
            runs: drawn(&current),
            side: Vec::new(),
            prior: vec![published_line],
            text_source: TextSource::Text,
        },
    }
}

fn encrypted() -> [Fixture; 2] {
    let mut open = Recipe::new(
        "empty-password",
        "RC4-encrypted with an empty user password, as councils' 'protected' PDFs are",
        Layout::Table,
        FontKind::Type1WinAnsi,
    )
    .build(2005);
    open.bytes = pdf::encrypt(&open.bytes, "");
    let mut locked = Recipe::new(
        "password-protected",
        "encrypted with a user password: one clear error, no text",
        Layout::Table,
        FontKind::Type1WinAnsi,
    )
    .build(2006);
    locked.bytes = pdf::encrypt(&locked.bytes, "secret");
    locked.expected = Expected::NeedsPassword;
    [open, locked]
}

fn broken_xref() -> Fixture {
    let mut fixture = Recipe::new(
        "broken-xref",
        "a cross-reference table with wrong offsets: rebuilt by scanning objects",
        Layout::Table,
        FontKind::Type1WinAnsi,
    )
    .packing(Packing::Plain)
    .build(2007);
    let start = fixture
        .bytes
        .windows(5)
        .rposition(|w| w == b"xref\n")
        .unwrap_or(fixture.bytes.len());
    let end = fixture.bytes[start..]
        .windows(7)
        .position(|w| w == b"trailer")
        .map_or(fixture.bytes.len(), |at| start + at);
    // Every in-use entry ("oooooooooo ggggg n") gets an offset past the end.
    for entry in fixture.bytes[start..end].split_mut(|b| *b == b'\n') {
        if entry.len() >= 18 && entry[17] == b'n' {
            entry[..10].copy_from_slice(b"9999999999");
        }
    }
    fixture
}

/// The `index`th document of the benchmark corpus for `seed`: layouts,
/// fonts and packings in rotation, 1 to 4 wards of 3 to 9 candidates.
///
/// Like a national audit's documents, the corpus is spread over the
/// registry's current councils in turn: each notice prints a real
/// council's name (the people and addresses stay invented), so the
/// detector recognises a council per document and compares documents
/// within one council only, as it would on a real run.
pub fn corpus_document(seed: u64, index: usize) -> Vec<u8> {
    let mut people = People::new(seed.wrapping_mul(1_000_003).wrapping_add(index as u64));
    let layout = Layout::CORPUS[index % Layout::CORPUS.len()];
    let posts = people.number(1..=4);
    let per_post = people.number(3..=9);
    let mut notice = notice(&mut people, layout, posts, per_post);
    let councils: Vec<&Council> = registry().all().iter().filter(|c| c.is_current()).collect();
    if let Some(council) = councils.get(index % councils.len().max(1)) {
        notice.council.clone_from(&council.name);
    }
    let mut spec = Spec::new(FontKind::ALL[(index / 4) % FontKind::ALL.len()]);
    spec.packing = [Packing::Flate, Packing::ObjectStreams, Packing::Plain][index % 3];
    render(&notice, &spec, index.is_multiple_of(5)).0
}
