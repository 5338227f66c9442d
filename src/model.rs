//! The types every pipeline stage shares.
//!
//! `extract` produces an [`Extraction`]: positioned [`TextRun`]s (PDF only),
//! reading-order [`Line`]s made of [`Cell`]s (PDF and HTML), side layers
//! ([`SideText`]: metadata, annotations, form fields), the text of earlier
//! [`Revision`]s and where the page text comes from ([`TextSource`]). Later stages (`detect`, `report`) consume these types and
//! never reach back into a PDF or a DOM. Nothing here does I/O.

use serde::Serialize;

/// The council code of documents whose council is not known (a plain
/// `scan` of a folder, with no `--council` and nothing recognised).
pub const UNKNOWN_COUNCIL: &str = "UNKNOWN";

/// Whether a reader of the rendered notice can see a piece of text.
///
/// Anything other than [`Visibility::Visible`] is a *hidden layer*: text that
/// is in the file (and so in every copy anyone downloads) but not on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Painted and seen.
    Visible,
    /// Text render mode 3 (neither filled nor stroked), or hidden by markup
    /// (`hidden`, `display:none`, `visibility:hidden`, `aria-hidden`).
    Invisible,
    /// Filled white or near-white on a white page.
    White,
    /// A later opaque filled shape covers the glyphs (a black-box "redaction").
    Covered,
    /// Outside the crop box or clipped away.
    Outside,
}

impl Visibility {
    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Visible => "visible",
            Visibility::Invisible => "invisible",
            Visibility::White => "white",
            Visibility::Covered => "covered",
            Visibility::Outside => "outside",
        }
    }

    /// True for every state a reader does not see.
    pub fn is_hidden(self) -> bool {
        self != Visibility::Visible
    }
}

/// One run of text as painted by one text-showing operator (or a part of
/// one, split where a reader would see a space), in page space.
///
/// Page space has its origin at the bottom left of the media box, y upwards,
/// units of 1/72 inch.
///
/// ```
/// use sopncheck::model::{TextRun, Visibility};
/// let run = TextRun {
///     page: 1, x: 72.0, y: 700.0, width: 40.0, height: 10.0, font_size: 10.0,
///     text: "JONES".into(), visibility: Visibility::Visible,
/// };
/// assert!(!run.visibility.is_hidden());
/// assert_eq!(run.right(), 112.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TextRun {
    /// 1-based page number.
    pub page: u32,
    /// Left edge of the run's box.
    pub x: f32,
    /// Baseline of the run.
    pub y: f32,
    /// Advance width of the run.
    pub width: f32,
    /// Height of the glyph box (the effective font size).
    pub height: f32,
    /// Effective font size after the text and current transformation matrices.
    pub font_size: f32,
    /// Decoded Unicode text.
    pub text: String,
    /// Whether a reader sees it.
    pub visibility: Visibility,
}

impl TextRun {
    /// Right edge of the run's box.
    pub fn right(&self) -> f32 {
        self.x + self.width
    }
}

/// A cell of a reading-order line: runs on one baseline with no column gap
/// between them, all of the same visibility. Its box runs from `x` to
/// `right` and from the line's baseline up by `size`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    /// Left edge.
    pub x: f32,
    /// Right edge.
    pub right: f32,
    /// The text, with single spaces where the runs had word gaps.
    pub text: String,
    /// Visibility shared by every run in the cell.
    pub visibility: Visibility,
    /// The height of its text (the largest font size of its runs), in the
    /// line's units.
    pub size: f32,
}

/// A ruling line on a page: a table's border or a cell's edge, in the
/// units of the page's [`Line`]s. PDFs draw them; Word, HTML and text
/// notices state their table cells, and extraction gives each cell the
/// rules around it, so every format reaches detection as text in boxes
/// between rules.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Rule {
    /// 1-based page number.
    pub page: u32,
    /// Vertical (x = `at`) or horizontal (y = `at`).
    pub vertical: bool,
    /// Position across its length.
    pub at: f32,
    /// Start along its length (the lower x or y).
    pub from: f32,
    /// End along its length.
    pub to: f32,
}

/// A line of text in reading order: cells left to right on one baseline.
///
/// PDF lines are where the page prints them. Word, HTML and text notices
/// have no page geometry of their own: extraction lays their paragraphs and
/// table cells out on a grid of its own (see `extract::grid`), one line per
/// paragraph line, so that detection reads them as it reads a page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    /// 1-based page number (always 1 for HTML).
    pub page: u32,
    /// Baseline y in page space (PDF, larger is higher on the page) or the
    /// block index (HTML).
    pub baseline: f32,
    /// Cells, left to right.
    pub cells: Vec<Cell>,
}

impl Line {
    /// The cells' texts joined with `sep`.
    pub fn joined(&self, sep: &str) -> String {
        let mut out = String::new();
        for (i, cell) in self.cells.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(&cell.text);
        }
        out
    }
}

/// Which side layer a [`SideText`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SideLayer {
    /// The document Info dictionary.
    Info,
    /// The XMP metadata stream.
    Xmp,
    /// A page annotation (`/Contents`, popup text, free text).
    Annotation,
    /// An AcroForm field value.
    FormField,
    /// HTML `<meta>` content and `title` attributes.
    HtmlMeta,
}

/// Text from outside the page content: metadata, annotations, form fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideText {
    /// Where it came from.
    pub layer: SideLayer,
    /// The page it is attached to, if any.
    pub page: Option<u32>,
    /// The key (`Author`, `dc:description`, `Contents`, a field name).
    pub key: String,
    /// The decoded text.
    pub text: String,
}

/// The page text of an earlier revision of an incrementally updated PDF.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Revision {
    /// 1 is the first revision the file was written with.
    pub number: u32,
    /// Length in bytes of the file prefix that makes up this revision.
    pub byte_len: u64,
    /// Reading-order lines of this revision, as [`Extraction::lines`].
    pub lines: Vec<Line>,
    /// Its rules, as [`Extraction::rules`].
    pub rules: Vec<Rule>,
    /// Table rows of this revision (visible and hidden cells), as
    /// [`Extraction::rows`].
    pub rows: Vec<Line>,
}

/// The file format a document was extracted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// Portable Document Format.
    Pdf,
    /// An HTML page.
    Html,
    /// Plain text, as `sopncheck extract --rows` prints it.
    Text,
    /// A Word document (`.docx`).
    Docx,
}

/// Where a document's page text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    /// Text the producing application wrote.
    Text,
    /// The OCR layer of a searchable scan: text a recogniser read off the
    /// page images, drawn under or invisibly over them. It may misread.
    Ocr,
    /// Some pages of each.
    Mixed,
}

/// Everything the extractor saw in one document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Extraction {
    /// The format it was read as.
    pub format: SourceFormat,
    /// Number of pages (1 for HTML).
    pub pages: u32,
    /// Positioned runs of every visibility (PDF only; empty for HTML).
    pub runs: Vec<TextRun>,
    /// Reading-order lines of the current revision, hidden cells included,
    /// page by page, top to bottom.
    pub lines: Vec<Line>,
    /// The rules drawn (PDF) or stated (Word, HTML and text tables) on
    /// every page: what detection's table reader takes rows and columns
    /// from, with the lines.
    pub rules: Vec<Rule>,
    /// The lines grouped into table rows, for people to read (`extract
    /// --rows`): a cell wrapped over several lines is one cell, its lines
    /// joined by `\n`. Lines outside a ruled table are rows of their own;
    /// for Word, HTML and text, the rows and paragraphs the file states.
    pub rows: Vec<Line>,
    /// Pages, ascending, whose text is all the OCR layer of a scan of the
    /// page (a page-sized image with the text under or over it): their
    /// runs are judged as the scan shows them (PDF only).
    pub ocr_pages: Vec<u32>,
    /// Metadata, annotation and form-field text.
    pub side_texts: Vec<SideText>,
    /// Earlier revisions, oldest first; empty unless the file was updated
    /// incrementally.
    pub prior_revisions: Vec<Revision>,
    /// The producing application, from metadata, if stated.
    pub producer: Option<String>,
}

impl Extraction {
    /// True when the page content carries any text at all (hidden or not).
    /// A PDF without it is a scan and needs manual review.
    pub fn has_text_layer(&self) -> bool {
        self.pages_with_text().next().is_some()
    }

    /// Where the page text comes from: `None` without a text layer,
    /// [`TextSource::Ocr`] when every page with text is an OCR layer,
    /// [`TextSource::Mixed`] when only some are.
    pub fn text_source(&self) -> Option<TextSource> {
        let pages: std::collections::BTreeSet<u32> = self.pages_with_text().collect();
        let ocr = pages
            .iter()
            .filter(|page| self.ocr_pages.binary_search(page).is_ok())
            .count();
        match ocr {
            _ if pages.is_empty() => None,
            0 => Some(TextSource::Text),
            n if n == pages.len() => Some(TextSource::Ocr),
            _ => Some(TextSource::Mixed),
        }
    }

    /// The page of every line that carries text.
    fn pages_with_text(&self) -> impl Iterator<Item = u32> + '_ {
        self.lines
            .iter()
            .filter(|line| line.cells.iter().any(|cell| !cell.text.trim().is_empty()))
            .map(|line| line.page)
    }
}

/// What kind of statutory notice a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// Statement of persons nominated.
    Sopn,
    /// Statement of persons nominated combined with the notice of poll.
    SopnAndNoticeOfPoll,
    /// Notice of election agents' names and offices.
    NoticeOfAgents,
    /// Notice of poll alone.
    NoticeOfPoll,
    /// A specimen ballot paper.
    BallotPaper,
    /// Declaration of result.
    DeclarationOfResult,
    /// Anything else (notice of election, council tax, planning...).
    Other,
}

impl NoticeKind {
    /// The snake_case name, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            NoticeKind::Sopn => "sopn",
            NoticeKind::SopnAndNoticeOfPoll => "sopn_and_notice_of_poll",
            NoticeKind::NoticeOfAgents => "notice_of_agents",
            NoticeKind::NoticeOfPoll => "notice_of_poll",
            NoticeKind::BallotPaper => "ballot_paper",
            NoticeKind::DeclarationOfResult => "declaration_of_result",
            NoticeKind::Other => "other",
        }
    }

    /// Whether notices of this kind list the candidates (every kind but
    /// `Other`): one from which no candidate is read was not understood.
    pub fn lists_candidates(self) -> bool {
        self != NoticeKind::Other
    }
}

/// The type of election a notice is for, read from its heading
/// (`rules/elections.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectionType {
    /// Principal council (county, district, borough, unitary, NI district).
    Local,
    /// Parish or town council (England), community council (Wales).
    ParishOrCommunity,
    /// A local authority's directly elected mayor.
    Mayoral,
    /// Police and crime commissioner (or police, fire and crime).
    PoliceAndCrimeCommissioner,
    /// The UK Parliament (House of Commons).
    UkParliament,
    /// Senedd Cymru (the National Assembly for Wales until 2020).
    Senedd,
    /// The Scottish Parliament.
    ScottishParliament,
    /// The Northern Ireland Assembly.
    NorthernIrelandAssembly,
    /// The Mayor of London and the London Assembly.
    GreaterLondonAuthority,
    /// A combined (county) authority's mayor.
    CombinedAuthority,
    /// The European Parliament (UK polls until 2019).
    EuropeanParliament,
}

impl ElectionType {
    /// The snake_case name, as in JSON and `rules/`.
    pub fn name(self) -> &'static str {
        match self {
            ElectionType::Local => "local",
            ElectionType::ParishOrCommunity => "parish_or_community",
            ElectionType::Mayoral => "mayoral",
            ElectionType::PoliceAndCrimeCommissioner => "police_and_crime_commissioner",
            ElectionType::UkParliament => "uk_parliament",
            ElectionType::Senedd => "senedd",
            ElectionType::ScottishParliament => "scottish_parliament",
            ElectionType::NorthernIrelandAssembly => "northern_ireland_assembly",
            ElectionType::GreaterLondonAuthority => "greater_london_authority",
            ElectionType::CombinedAuthority => "combined_authority",
            ElectionType::EuropeanParliament => "european_parliament",
        }
    }
}

/// Whether candidates could withhold their home address at a notice's
/// election (`rules/withholding.toml`), and on what grounds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct WithholdingRule {
    /// `Some(true)`: the rule applied; `Some(false)`: the election
    /// predates it; `None`: that could not be established.
    pub applied: Option<bool>,
    /// Why: the legislation and its date, or what could not be read.
    pub reason: String,
}

/// What a notice says about its election besides the date, and why a
/// date or type is missing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ElectionReading {
    /// Why no election date was read (`None` when one was).
    #[serde(default)]
    pub date_reason: Option<String>,
    /// The election type named in the heading, if one is.
    #[serde(default)]
    pub election_type: Option<ElectionType>,
    /// Why no election type was read (`None` when one was).
    #[serde(default)]
    pub type_reason: Option<String>,
    /// Whether the withholding rule applied.
    #[serde(default)]
    pub withholding: WithholdingRule,
}

/// Whether a candidate's home address is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressStatus {
    /// A home address is printed.
    Published,
    /// An area statement is printed instead ("(address in Bury)").
    Withheld,
    /// Neither could be told.
    Unknown,
}

/// How serious a finding is. Ordered: `Info < Low < Medium < High`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For the record.
    Info,
    /// Worth a look (old notices, pre-rule addresses).
    Low,
    /// A published address the council must confirm consent for.
    Medium,
    /// A certain breach: withheld in one place, visible in another.
    High,
}

/// A candidate as segmented from a notice.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Candidate {
    /// Name as printed, surname first when the notice prints it so.
    pub name: String,
    /// The post (ward, division, constituency, office) stood for.
    pub post: Option<String>,
    /// Published, withheld or unknown.
    pub address_status: AddressStatus,
    /// The printed home address, unmasked (reports mask it).
    pub address: Option<String>,
    /// The area of a withheld address ("London Borough of Hackney").
    pub withheld_area: Option<String>,
    /// The full postcode of a published address, unmasked.
    pub postcode: Option<String>,
    /// Page where the candidate's row starts.
    pub page: u32,
    /// The nomination was withdrawn or is no longer valid.
    pub withdrawn: bool,
    /// The description (party) as printed; in a list election, the party
    /// whose list the candidate is on.
    pub description: Option<String>,
}

/// One finding about one document.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Finding {
    /// Stable id: the same for the same finding in a re-downloaded copy.
    pub id: String,
    /// Rule name from DESIGN.md (`published-home-address`, ...).
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// The candidate concerned, if known.
    pub candidate: Option<String>,
    /// The page, if the finding is on one.
    pub page: Option<u32>,
    /// The text found, unmasked (reports mask it).
    pub evidence: String,
    /// The full postcode found, unmasked (reports keep the outward code).
    pub postcode: Option<String>,
    /// Where in the file: a visibility, a side layer, a revision.
    pub layer: Option<String>,
    /// One sentence for a person: what was found and why it matters.
    pub message: String,
}

/// What detection concluded about one document.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct DocumentFindings {
    /// The notice kind.
    pub kind: NoticeKind,
    /// The election date printed in the notice, ISO 8601, if found.
    pub election_date: Option<String>,
    /// The election type, why a date or type is missing, and whether the
    /// withholding rule applied.
    #[serde(default)]
    pub election: ElectionReading,
    /// The council's register code, if recognised from the text.
    pub council: Option<String>,
    /// Candidates in notice order.
    pub candidates: Vec<Candidate>,
    /// Findings in page order.
    pub findings: Vec<Finding>,
}

/// One document as the scan stage saw it: where it came from, whether it
/// could be read, and what detection found.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct ScannedDocument {
    /// Path or URL.
    pub source: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Council register code it belongs to (`UNKNOWN` when not recognised).
    pub council: String,
    /// Pages (0 when it could not be read).
    pub pages: u32,
    /// Whether it carries any text.
    pub text_layer: bool,
    /// Where its text comes from (`None` without a text layer).
    #[serde(default)]
    pub text_source: Option<TextSource>,
    /// Why it could not be read, if it could not.
    pub error: Option<String>,
    /// What detection concluded (an `unscannable` finding for unreadable files).
    pub detection: DocumentFindings,
    /// Where a stored copy came from (empty for a local file).
    #[serde(default)]
    pub origin: Origin,
}

/// Where a document downloaded by a crawl came from: what the store knows
/// of it beside its bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Origin {
    /// Every URL the same bytes were found at (one document once).
    pub urls: Vec<String>,
    /// When the bytes were first downloaded (seconds since the Unix epoch).
    pub fetched_at: Option<i64>,
    /// The `Last-Modified` header the server sent with them.
    pub last_modified: Option<String>,
}

/// Lower-case hex SHA-256 of `bytes`: how a document's bytes
/// ([`ScannedDocument::sha256`]) and the rules in force are named.
pub fn hex_sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
